"""Thumbnails: scaled down to 256 px, only PNG and JPEG decoded, a reason when there is none."""

from __future__ import annotations

import base64
import io

from PIL import Image

from devtools.flagged import photo
from devtools.media import png
from rekognition_media.report.thumbnails import THUMBNAIL_PX, Thumbnail, scale


def decoded(thumbnail: Thumbnail) -> Image.Image:
    assert thumbnail.data_uri is not None, thumbnail.problem
    prefix = "data:image/webp;base64,"
    assert thumbnail.data_uri.startswith(prefix)
    return Image.open(io.BytesIO(base64.b64decode(thumbnail.data_uri[len(prefix) :])))


def encoded(image: Image.Image, image_format: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=image_format, **options)
    return out.getvalue()


def test_a_photo_is_scaled_to_fit_256_px_keeping_its_shape():
    thumbnail = decoded(scale(photo(1024, 768, seed=1)))

    assert thumbnail.format == "WEBP"
    assert thumbnail.size == (THUMBNAIL_PX, 192)


def test_a_small_image_is_not_enlarged():
    assert decoded(scale(png(100, 80))).size == (100, 80)


def test_exif_orientation_is_applied():
    landscape = Image.new("RGB", (400, 200), (10, 20, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90 degrees: shown as portrait
    thumbnail = decoded(scale(encoded(landscape, "JPEG", exif=exif.tobytes())))

    assert thumbnail.size == (128, 256)


def test_transparency_is_shown_on_white():
    clear = Image.new("RGBA", (100, 100), (255, 0, 0, 0))
    thumbnail = decoded(scale(encoded(clear, "PNG"))).convert("RGB")

    red, green, blue = thumbnail.getpixel((50, 50))  # type: ignore[misc]
    assert min(red, green, blue) > 240


def test_other_formats_are_not_decoded():
    gif = encoded(Image.new("RGB", (100, 100)), "GIF")

    assert scale(gif) == Thumbnail(None, "not a PNG or JPEG image")


def test_a_huge_png_is_not_decoded_and_says_why():
    header_only = png(8000, 8000, ())

    thumbnail = scale(header_only)

    assert thumbnail.data_uri is None
    assert thumbnail.problem is not None and "8000x8000 px PNG is too large" in thumbnail.problem


def test_a_truncated_image_says_it_cannot_be_decoded():
    thumbnail = scale(photo(640, 480, seed=2)[:2000])

    assert thumbnail.data_uri is None
    assert thumbnail.problem is not None and "cannot be decoded" in thumbnail.problem
