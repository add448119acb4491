"""Image format and dimensions from PNG/JPEG headers, without decoding the image.

Rekognition accepts PNG and JPEG only and limits each side to 80..10,000 px. The job
checks every manifest line, so this reads the few header bytes it needs through a
random-access callback instead of loading images of up to 15 MB.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

ReadAt = Callable[[int, int], bytes]
"""``read_at(offset, length)``: up to ``length`` bytes from ``offset`` (fewer at the end)."""

PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
JPEG_SOI: Final = b"\xff\xd8"

# SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range
# but are not frames.
_JPEG_SOF: Final = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers without a length field.
_JPEG_STANDALONE: Final = frozenset({0x01, *range(0xD0, 0xD8)})
_JPEG_MAX_SEGMENTS: Final = 4096


class ImageFormatError(ValueError):
    """Not a PNG or JPEG, or a header too damaged to give the dimensions."""


@dataclass(frozen=True)
class ImageInfo:
    format: Literal["PNG", "JPEG"]
    width: int
    height: int


def probe(read_at: ReadAt, size: int) -> ImageInfo:
    """Identify the image by its magic bytes and read its width and height."""
    head = read_at(0, 8)
    if head.startswith(PNG_SIGNATURE):
        return _png(read_at)
    if head.startswith(JPEG_SOI):
        return _jpeg(read_at, size)
    raise ImageFormatError("not a PNG or JPEG image")


def probe_bytes(data: bytes) -> ImageInfo:
    """:func:`probe` over bytes in memory."""
    return probe(lambda offset, length: data[offset : offset + length], len(data))


def _png(read_at: ReadAt) -> ImageInfo:
    # The first chunk must be IHDR: length(4) type(4) width(4) height(4).
    chunk = read_at(8, 16)
    if len(chunk) < 16 or chunk[4:8] != b"IHDR":
        raise ImageFormatError("PNG without an IHDR chunk")
    width, height = struct.unpack(">II", chunk[8:16])
    if width == 0 or height == 0:
        raise ImageFormatError("PNG with a zero dimension")
    return ImageInfo("PNG", width, height)


def _jpeg(read_at: ReadAt, size: int) -> ImageInfo:
    offset = 2
    for _ in range(_JPEG_MAX_SEGMENTS):
        marker_bytes = read_at(offset, 2)
        if len(marker_bytes) < 2 or marker_bytes[0] != 0xFF:
            raise ImageFormatError("JPEG segment does not start with a marker")
        marker = marker_bytes[1]
        offset += 2
        if marker == 0xFF:
            # Fill byte: markers may be preceded by any number of 0xFF.
            offset -= 1
            continue
        if marker in _JPEG_STANDALONE:
            continue
        if marker in (0xD9, 0xDA):
            raise ImageFormatError("JPEG without a frame header before the image data")
        length_bytes = read_at(offset, 2)
        if len(length_bytes) < 2:
            raise ImageFormatError("truncated JPEG segment")
        (length,) = struct.unpack(">H", length_bytes)
        if length < 2:
            raise ImageFormatError("JPEG segment with an invalid length")
        if marker in _JPEG_SOF:
            frame = read_at(offset + 2, 5)
            if len(frame) < 5:
                raise ImageFormatError("truncated JPEG frame header")
            height, width = struct.unpack(">HH", frame[1:5])
            if width == 0 or height == 0:
                # Height 0 defers it to a DNL marker, which Rekognition's decoders
                # would need to scan the image for; treat as unreadable.
                raise ImageFormatError("JPEG with a zero dimension")
            return ImageInfo("JPEG", width, height)
        offset += length
        if offset >= size:
            break
    raise ImageFormatError("JPEG without a frame header")
