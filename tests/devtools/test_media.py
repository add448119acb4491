"""The generated sample images are valid PNGs of at least 80x80 px; the manifest is JSON Lines."""

from __future__ import annotations

import json
import struct
import zlib

import pytest

from devtools.media import (
    SAMPLE_MANIFEST_KEY,
    png_image,
    sample_images,
    sample_metadata,
)
from rekognition_media.api.manifest import manifest_jsonl


def _decode_png(data: bytes) -> tuple[int, int, bytes]:
    """(width, height, raw scanlines), checking signature, chunk CRCs and layout."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        chunks.append((kind, body))
        pos += 12 + length
    assert [k for k, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour, _, _, _ = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, colour) == (8, 2)
    return width, height, zlib.decompress(chunks[1][1])


def test_three_distinct_100px_pngs() -> None:
    images = sample_images()
    assert sorted(images) == ["images/sample-1.png", "images/sample-2.png", "images/sample-3.png"]
    assert len(set(images.values())) == 3
    for body in images.values():
        width, height, raw = _decode_png(body)
        assert (width, height) == (100, 100)
        assert min(width, height) >= 80  # Rekognition's minimum per side
        assert len(raw) == height * (1 + 3 * width)
        assert len(body) < 15 * 1024 * 1024


def test_images_are_deterministic() -> None:
    assert sample_images() == sample_images()
    assert sample_images(prefix="x/") == {
        k.replace("images/", "x/"): v for k, v in sample_images().items()
    }


def test_png_pixels() -> None:
    _, _, raw = _decode_png(png_image(2, 1, (1, 2, 3)))
    assert raw == b"\x00\x01\x02\x03\x01\x02\x03"
    with pytest.raises(ValueError, match="both sides must be at least 1 px"):
        png_image(0, 5, (0, 0, 0))


def test_manifest_lines() -> None:
    text = manifest_jsonl("media-in", ["images/a.png", "images/b.png"])
    assert text.endswith("\n")
    assert [json.loads(line) for line in text.splitlines()] == [
        {"source-ref": "s3://media-in/images/a.png"},
        {"source-ref": "s3://media-in/images/b.png"},
    ]
    assert SAMPLE_MANIFEST_KEY == "manifests/sample.jsonl"
    with pytest.raises(ValueError, match="at least one image"):
        manifest_jsonl("media-in", [])


def test_the_samples_carry_what_the_emulator_detects() -> None:
    from rekognition_media.emulator import moderation

    labels = sample_metadata()
    assert sorted(labels) == sorted(sample_images())
    for metadata in labels.values():
        # boto3 adds the x-amz-meta- prefix the emulator reads.
        headers = {f"x-amz-meta-{name}": value for name, value in metadata.items()}
        assert set(headers) <= {moderation.LABELS_METADATA, moderation.CONTENT_TYPES_METADATA}
    flagged = [
        key
        for key, metadata in labels.items()
        if moderation.moderation_labels(
            {moderation.LABELS_METADATA: metadata["moderation-labels"]}, 60
        )
    ]
    assert flagged == ["images/sample-1.png", "images/sample-2.png"]
