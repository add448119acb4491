"""Thumbnails of the images a report shows: fetched concurrently, scaled one at a time.

Fetching is network-bound, so a few threads download images while the report is
written; decoding and scaling are CPU- and memory-bound, so they happen one image at a
time on the caller's thread, in the results' order. At most ``fetchers`` downloads are
in flight or waiting to be scaled, which bounds memory to a few images whatever the
number of images (Rekognition images are at most 15 MB each).

Pillow decodes only PNG and JPEG (the formats Rekognition takes) so an image from the
results never reaches the rarer decoders; JPEGs are decoded at reduced scale
(``draft``), PNGs up to :data:`MAX_PNG_PIXELS`. Thumbnails are WebP, at most
:data:`THUMBNAIL_PX` px a side: a thousand of them fit a page of a few megabytes.
"""

from __future__ import annotations

import base64
import io
import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from PIL import Image, ImageOps, UnidentifiedImageError

from rekognition_media.api.manifest import parse_s3_uri

from .access import explain

THUMBNAIL_PX = 256
WEBP_QUALITY = 70
WEBP_METHOD = 2
"""libwebp's effort (0-6): 2 encodes a 256 px thumbnail in ~2.5 ms, 4 (its default) in
~6 ms for 5% fewer bytes; 1,000 thumbnails are ~8.5 KB each either way."""
MAX_IMAGE_BYTES = 15 * 1024 * 1024
"""Rekognition's limit for an image; anything larger was not analysed as an image."""
MAX_PNG_PIXELS = 25_000_000
"""A PNG is decoded whole (about 4 bytes a pixel): 25 megapixels is ~100 MB at most."""
FORMATS = ("PNG", "JPEG")
DEFAULT_FETCHERS = 8

T = TypeVar("T")


@dataclass(frozen=True)
class Thumbnail:
    data_uri: str | None
    """``data:image/webp;base64,...``, or None when the image could not be shown."""
    problem: str | None = None
    """Why there is no thumbnail (shown on the placeholder)."""
    width: int = 0
    height: int = 0


def with_thumbnails(
    s3: Any,
    items: Iterable[T],
    source_ref: Callable[[T], str | None],
    fetchers: int = DEFAULT_FETCHERS,
    on_done: Callable[[], None] | None = None,
) -> Iterator[tuple[T, Thumbnail | None]]:
    """Each item with the thumbnail of its image, in the order given.

    ``source_ref(item)`` is the image's ``s3://`` URI, or None for items without an
    image (they pass through with None, without waiting for downloads before them).
    """
    pending: deque[tuple[T, Future[bytes | Thumbnail] | None]] = deque()
    with ThreadPoolExecutor(max_workers=fetchers, thread_name_prefix="report-fetch") as pool:
        for item in items:
            ref = source_ref(item)
            future = pool.submit(_fetch, s3, ref) if ref is not None else None
            pending.append((item, future))
            while len(pending) > fetchers or (pending and pending[0][1] is None):
                yield _finish(*pending.popleft(), on_done)
        while pending:
            yield _finish(*pending.popleft(), on_done)


def _finish(
    item: T, future: Future[bytes | Thumbnail] | None, on_done: Callable[[], None] | None
) -> tuple[T, Thumbnail | None]:
    if future is None:
        return item, None
    fetched = future.result()
    thumbnail = fetched if isinstance(fetched, Thumbnail) else scale(fetched)
    if on_done is not None:
        on_done()
    return item, thumbnail


def _fetch(s3: Any, ref: str) -> bytes | Thumbnail:
    """The image's bytes, or a placeholder saying why there are none."""
    try:
        location = parse_s3_uri(ref)
    except ValueError:
        return Thumbnail(None, "source-ref is not an s3://bucket/key URI")
    try:
        response = s3.get_object(Bucket=location.bucket, Key=location.key)
    except Exception as error:
        return Thumbnail(None, explain(error, "s3:GetObject", ref))
    body = response["Body"]
    try:
        size = int(response.get("ContentLength") or 0)
        if size > MAX_IMAGE_BYTES:
            return Thumbnail(None, f"image is {size / 1e6:.1f} MB, over Rekognition's 15 MB")
        data: bytes = body.read()
    except Exception as error:
        return Thumbnail(None, f"reading the image failed: {error}")
    finally:
        body.close()
    return data


def scale(data: bytes) -> Thumbnail:
    """A WebP thumbnail of a PNG or JPEG image, or a placeholder naming the problem."""
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            width, height = image.size
            if image.format == "JPEG":
                # Decode at the smallest DCT scale (1/2, 1/4, 1/8) still at least the
                # thumbnail's size: a fraction of the work and memory of a full decode.
                image.draft("RGB", _fitted(width, height))
            elif width * height > MAX_PNG_PIXELS:
                return Thumbnail(
                    None,
                    f"{width}x{height} px PNG is too large to preview "
                    f"(up to {MAX_PNG_PIXELS // 1_000_000} megapixels)",
                )
            oriented = ImageOps.exif_transpose(image)
            oriented.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            small = _opaque(oriented)
    except UnidentifiedImageError:
        return Thumbnail(None, "not a PNG or JPEG image")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        return Thumbnail(None, f"the image cannot be decoded ({error})")
    out = io.BytesIO()
    small.save(out, format="WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    encoded = base64.b64encode(out.getvalue()).decode("ascii")
    return Thumbnail(f"data:image/webp;base64,{encoded}", None, small.width, small.height)


def _fitted(width: int, height: int) -> tuple[int, int]:
    """The size of ``width`` x ``height`` scaled down to fit the thumbnail box."""
    scale = min(THUMBNAIL_PX / width, THUMBNAIL_PX / height, 1.0)
    return max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))


def _opaque(image: Image.Image) -> Image.Image:
    """RGB, transparent parts on white (as an image viewer shows them)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
