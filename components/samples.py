"""A tiny sample set for the example stack and the quickstart: PNG images made in code
and the JSON Lines manifest that lists them.

The bytes are deterministic (same images, same manifest every run), so re-running the
example stack changes nothing. Rekognition needs PNG or JPEG images of at least 80 px
per side; these are 100x100 px, a few hundred bytes each.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterable

SAMPLE_IMAGE_SIZE = 100
SAMPLE_MANIFEST_KEY = "manifests/sample.jsonl"
SAMPLE_IMAGE_PREFIX = "images/"

# name -> (background RGB, stripe RGB)
_SAMPLES: dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]] = {
    "sample-1.png": ((200, 40, 40), (255, 255, 255)),
    "sample-2.png": ((40, 160, 60), (0, 0, 0)),
    "sample-3.png": ((40, 70, 200), (250, 220, 0)),
}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_image(
    width: int,
    height: int,
    background: tuple[int, int, int],
    stripe: tuple[int, int, int] | None = None,
) -> bytes:
    """An 8-bit RGB PNG filled with ``background``, with a diagonal ``stripe``."""
    if width < 1 or height < 1:
        raise ValueError(f"png_image: got {width}x{height}, both sides must be at least 1 px")
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter type 0 (None) for each scanline
        for x in range(width):
            on_stripe = stripe is not None and abs(x - y) < max(1, width // 10)
            row += bytes(stripe if on_stripe and stripe is not None else background)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit, truecolour
    return (
        _PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


def sample_images(
    prefix: str = SAMPLE_IMAGE_PREFIX, size: int = SAMPLE_IMAGE_SIZE
) -> dict[str, bytes]:
    """Three ``size``x``size`` PNG images keyed by their S3 object key."""
    return {
        f"{prefix}{name}": png_image(size, size, background, stripe)
        for name, (background, stripe) in _SAMPLES.items()
    }


def manifest_jsonl(bucket: str, keys: Iterable[str]) -> str:
    """The media-analysis input manifest: one ``{"source-ref": "s3://bucket/key"}`` per line."""
    lines = [json.dumps({"source-ref": f"s3://{bucket}/{key}"}) for key in keys]
    if not lines:
        raise ValueError("manifest_jsonl: got no keys, a manifest lists at least one image")
    return "\n".join(lines) + "\n"
