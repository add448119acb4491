"""Image files made in code: the sample set of the example stack, and test media.

One PNG writer (:func:`png`) serves every caller: the three deterministic sample images
the example stack and the quickstart upload (:func:`sample_images`), the emulator tests'
images of any size (header only, if asked), and the benchmarks' many distinct images.
:func:`jpeg` writes the header stream of a JPEG, enough for anything that reads image
dimensions without decoding.

Rekognition needs PNG or JPEG images of at least 80 px per side; the samples are 100x100
px, a few hundred bytes each, and the same bytes every run, so re-running the example
stack changes nothing. The emulator never looks at pixels: what it "detects" in a sample
is the S3 user metadata of :func:`sample_metadata` (``emulator/moderation.py``), so at
MinConfidence 60 two of the three are flagged (Violence, Explicit) and one is clean.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterable

SAMPLE_IMAGE_SIZE = 100
SAMPLE_MANIFEST_KEY = "manifests/sample.jsonl"
SAMPLE_IMAGE_PREFIX = "images/"

# name -> (background RGB, stripe RGB)
_SAMPLES: dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]] = {
    "sample-1.png": ((200, 40, 40), (255, 255, 255)),
    "sample-2.png": ((40, 160, 60), (0, 0, 0)),
    "sample-3.png": ((40, 70, 200), (250, 220, 0)),
}

# name -> what the emulator detects in it (labels with their parents, as AWS returns them)
_SAMPLE_LABELS: dict[str, dict[str, str]] = {
    "sample-1.png": {"moderation-labels": "Violence:92.4;Graphic Violence:88.7"},
    "sample-2.png": {"moderation-labels": "Explicit:71.5;Explicit Nudity:64.2"},
    "sample-3.png": {"moderation-labels": "Alcohol:41.0", "content-types": "Illustrated:83.0"},
}

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GRAYSCALE, TRUECOLOUR = 0, 2
"""PNG colour types: one byte per pixel, or three (RGB)."""


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png(
    width: int,
    height: int,
    rows: Iterable[bytes] | None = None,
    *,
    colour_type: int = GRAYSCALE,
    level: int = -1,
) -> bytes:
    """An 8-bit PNG of ``rows`` (scanlines of pixel bytes, without the filter byte).

    ``rows`` defaults to a black image; ``rows=()`` writes the header and an empty IDAT
    only (enough for a reader of dimensions). ``level`` is zlib's compression level.
    """
    if width < 1 or height < 1:
        raise ValueError(f"png: got {width}x{height}, both sides must be at least 1 px")
    channels = 3 if colour_type == TRUECOLOUR else 1
    if rows is None:
        rows = (bytes(width * channels) for _ in range(height))
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 (None) per scanline
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, level) if raw else b"")
        + _chunk(b"IEND", b"")
    )


def png_image(
    width: int,
    height: int,
    background: tuple[int, int, int],
    stripe: tuple[int, int, int] | None = None,
) -> bytes:
    """An 8-bit RGB PNG filled with ``background``, with a diagonal ``stripe``."""
    if width < 1 or height < 1:
        raise ValueError(f"png_image: got {width}x{height}, both sides must be at least 1 px")

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        on_stripe = stripe is not None and abs(x - y) < max(1, width // 10)
        return stripe if on_stripe and stripe is not None else background

    return png(width, height, _rgb_rows(width, height, pixel), colour_type=TRUECOLOUR, level=9)


def _rgb_rows(
    width: int, height: int, pixel: Callable[[int, int], tuple[int, int, int]]
) -> Iterable[bytes]:
    for y in range(height):
        yield b"".join(bytes(pixel(x, y)) for x in range(width))


def sample_images(
    prefix: str = SAMPLE_IMAGE_PREFIX, size: int = SAMPLE_IMAGE_SIZE
) -> dict[str, bytes]:
    """Three ``size``x``size`` PNG images keyed by their S3 object key."""
    return {
        f"{prefix}{name}": png_image(size, size, background, stripe)
        for name, (background, stripe) in _SAMPLES.items()
    }


def sample_metadata(prefix: str = SAMPLE_IMAGE_PREFIX) -> dict[str, dict[str, str]]:
    """The S3 user metadata (``Metadata=`` in boto3) of each sample, keyed like
    :func:`sample_images`: the moderation labels and content types the emulator reports."""
    return {f"{prefix}{name}": dict(labels) for name, labels in _SAMPLE_LABELS.items()}


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg(
    width: int, height: int, sof: int = 0xC0, exif_bytes: int = 0, fill: bool = False
) -> bytes:
    """A JPEG header stream (no entropy data, which nothing here decodes).

    ``sof`` is the start-of-frame marker; ``exif_bytes`` adds an APP1 segment of that
    size before it and ``fill`` a fill byte, as real encoders do.
    """
    out = b"\xff\xd8" + _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    if exif_bytes:
        out += _segment(0xE1, b"Exif\x00\x00" + bytes(exif_bytes))
    if fill:
        out += b"\xff"  # a fill byte before the next marker
    out += _segment(0xDB, b"\x00" + bytes(64))
    frame = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x11\x00\x02\x11\x01\x03\x11\x01"
    out += _segment(sof, frame)
    out += _segment(0xDA, b"\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00") + bytes(16) + b"\xff\xd9"
    return out
