"""The shared file formats (rekognition_media.api.manifest) and the image header parser."""

from __future__ import annotations

import io
import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rekognition_media.api import manifest
from rekognition_media.emulator.images import ImageFormatError, ImageInfo, probe_bytes
from rekognition_media.emulator.moderation import TAXONOMY

from .support import jpeg, png


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=20),
    final_newline=st.booleans(),
    cuts=st.lists(st.integers(min_value=0, max_value=1000), max_size=10),
)
def test_split_lines_is_chunking_independent(
    lines: list[bytes], final_newline: bool, cuts: list[int]
) -> None:
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    points = sorted({min(c, len(data)) for c in cuts} | {0, len(data)})
    chunks = [data[a:b] for a, b in itertools.pairwise(points)]
    got = list(manifest.split_lines(chunks, max_line_bytes=30))
    expected_lines = data.split(b"\n")
    if data.endswith(b"\n") or not data:
        expected_lines = expected_lines[:-1]
    assert [number for number, _ in got] == list(range(1, len(expected_lines) + 1))
    for (_, line), expected in zip(got, expected_lines, strict=True):
        assert line == (expected if len(expected) <= 30 else None)


@pytest.mark.parametrize("key", manifest.LINE_NUMBER_KEYS)
def test_summary_round_trips_with_either_line_number_spelling(key: str) -> None:
    stats = manifest.SummaryStatistics(total=3, valid=1, invalid=2)
    errors = [
        manifest.LineError(1, "InvalidJsonLine", "bad"),
        manifest.LineError(3, "InvalidS3ObjectException", "gone", "s3://b/k.png"),
    ]
    out = io.BytesIO()
    manifest.write_summary(out, stats, errors, key)
    assert json.loads(out.getvalue()) == manifest.build_summary(stats, errors, key)
    assert json.loads(out.getvalue())["errors"][1] == {
        key: 3,
        "source-ref": "s3://b/k.png",
        "code": "InvalidS3ObjectException",
        "message": "gone",
    }
    parsed = manifest.parse_summary(out.getvalue())
    assert parsed.statistics == stats
    assert parsed.errors == tuple(errors)


def test_the_documented_example_summary_parses() -> None:
    documented = (
        '{"version":"1.0","statistics":{"total-json-lines":2,"valid-json-lines":1,'
        '"invalid-json-lines":1},"errors":[{"line-numer":2,"source-ref":"s3://b/x.jpg",'
        '"code":"InvalidImageFormat","message":"bad"}]}'
    )
    summary = manifest.parse_summary(documented)
    assert summary.errors[0].line_number == 2
    with pytest.raises(ValueError):
        manifest.parse_summary('{"statistics": {"total-json-lines": "2"}}')


def test_result_lines_round_trip() -> None:
    line = manifest.result_line(
        "s3://b/k.png",
        [{"Confidence": 90.0, "Name": "Violence", "ParentName": "", "TaxonomyLevel": 1}],
        [{"Confidence": 72.7, "Name": "Animated"}],
        "7.0",
    )
    parsed = manifest.parse_result_line(manifest.dumps_line(line))
    assert parsed.source_ref == "s3://b/k.png"
    assert parsed.moderation_labels[0] == manifest.ModerationLabel("Violence", 90.0, "", 1)
    assert parsed.content_types == (manifest.ContentType("Animated", 72.7),)
    assert parsed.model_version == "7.0"
    assert parsed.project_version is None


@pytest.mark.parametrize(
    ("uri", "ok"),
    [
        ("s3://b/k", True),
        ("s3://b/dir/k.png", True),
        ("s3://b/", False),
        ("s3://b", False),
        ("http://b/k", False),
    ],
)
def test_parse_s3_uri(uri: str, ok: bool) -> None:
    if ok:
        assert manifest.parse_s3_uri(uri).uri == uri
    else:
        with pytest.raises(ValueError):
            manifest.parse_s3_uri(uri)


@pytest.mark.parametrize(
    ("data", "info"),
    [
        (png(123, 456), ImageInfo("PNG", 123, 456)),
        (jpeg(640, 480), ImageInfo("JPEG", 640, 480)),
        (jpeg(641, 479, sof=0xC2, exif_bytes=1000, fill=True), ImageInfo("JPEG", 641, 479)),
    ],
)
def test_probe_reads_dimensions(data: bytes, info: ImageInfo) -> None:
    assert probe_bytes(data) == info


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64).map(lambda b: b"\xff\xd8" + b) | st.binary(max_size=64))
def test_probe_of_arbitrary_bytes_only_raises_image_format_error(data: bytes) -> None:
    try:
        info = probe_bytes(data)
    except ImageFormatError:
        return
    assert info.width > 0 and info.height > 0


def test_taxonomy_parents_are_in_the_taxonomy() -> None:
    for name, (parent, level) in TAXONOMY.items():
        assert (parent == "") == (level == 1), name
        if parent:
            assert TAXONOMY[parent][1] == level - 1
