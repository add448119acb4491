"""Moderation labels from image metadata, MinConfidence, and per-image checks."""

from __future__ import annotations

from typing import Any

import pytest

from rekognition_media.api import limits

from .support import Aws, jpeg, png

LABELS = "Violence:88.5;Graphic Violence:75;Blood & Gore:60.25;Weapons:40;Custom Thing:99"


def analyse(
    aws: Aws, buckets: tuple[str, str], images: list[dict[str, Any]], **operation: Any
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    source, output = buckets
    uris = [aws.image(source, **image) for image in images]
    manifest = aws.manifest(source, [{"source-ref": uri} for uri in uris])
    job = aws.wait(
        aws.start(source, manifest, output, OperationsConfig={"DetectModerationLabels": operation})
    )
    assert job["Status"] == "SUCCEEDED", job.get("FailureDetails")
    return aws.results(job), aws.summary(job)


def labels_of(result: dict[str, Any]) -> list[dict[str, Any]]:
    labels: list[dict[str, Any]] = result["detect-moderation-labels"]["ModerationLabels"]
    return labels


def test_labels_come_from_metadata_with_taxonomy_parents_and_levels(
    aws: Aws, buckets: tuple[str, str]
) -> None:
    results, _ = analyse(aws, buckets, [{"labels": LABELS}], MinConfidence=0)
    assert labels_of(results[0]) == [
        {"Confidence": 88.5, "Name": "Violence", "ParentName": "", "TaxonomyLevel": 1},
        {
            "Confidence": 75.0,
            "Name": "Graphic Violence",
            "ParentName": "Violence",
            "TaxonomyLevel": 2,
        },
        {
            "Confidence": 60.25,
            "Name": "Blood & Gore",
            "ParentName": "Graphic Violence",
            "TaxonomyLevel": 3,
        },
        {"Confidence": 40.0, "Name": "Weapons", "ParentName": "Violence", "TaxonomyLevel": 2},
        {"Confidence": 99.0, "Name": "Custom Thing", "ParentName": "", "TaxonomyLevel": 1},
    ]


@pytest.mark.parametrize(
    ("min_confidence", "expected"),
    [
        (75, ["Violence", "Graphic Violence", "Custom Thing"]),
        (88.5, ["Violence", "Custom Thing"]),
        (100, []),
        (None, ["Violence", "Graphic Violence", "Blood & Gore", "Custom Thing"]),  # default 50
    ],
)
def test_min_confidence_drops_lower_labels(
    aws: Aws, buckets: tuple[str, str], min_confidence: float | None, expected: list[str]
) -> None:
    operation = {} if min_confidence is None else {"MinConfidence": min_confidence}
    results, _ = analyse(aws, buckets, [{"labels": LABELS}], **operation)
    labels = labels_of(results[0])
    assert [label["Name"] for label in labels] == expected
    threshold = 50 if min_confidence is None else min_confidence
    assert all(label["Confidence"] >= threshold for label in labels)


def test_default_min_confidence_is_a_setting(
    emulator: Any, aws: Aws, buckets: tuple[str, str]
) -> None:
    emulator.update_settings(default_min_confidence=80)
    results, _ = analyse(aws, buckets, [{"labels": LABELS}])
    assert [label["Name"] for label in labels_of(results[0])] == ["Violence", "Custom Thing"]


def test_content_types_and_no_metadata(aws: Aws, buckets: tuple[str, str]) -> None:
    results, _ = analyse(
        aws,
        buckets,
        [{"content_types": "Animated:72.7257; Illustrated:10"}, {}],
        MinConfidence=90,
    )
    assert results[0]["detect-moderation-labels"]["ContentTypes"] == [
        {"Confidence": 72.7257, "Name": "Animated"},
        {"Confidence": 10.0, "Name": "Illustrated"},
    ]
    assert results[1]["detect-moderation-labels"] == {
        "ModerationLabels": [],
        "ModerationModelVersion": "7.0",
        "ContentTypes": [],
    }


@pytest.mark.parametrize("bad", ["Violence", "Violence:high", "Violence:101", ":50", "A:-1"])
def test_malformed_label_metadata_makes_the_line_invalid(
    aws: Aws, buckets: tuple[str, str], bad: str
) -> None:
    results, summary = analyse(aws, buckets, [{"labels": bad}, {"labels": "Gambling:70"}])
    assert len(results) == 1
    assert summary["errors"][0]["code"] == "InvalidParameterException"
    assert "x-amz-meta-moderation-labels" in summary["errors"][0]["message"]


IMAGE_CASES = [
    ("png 80x80", png(80, 80), None),
    ("png 10000 wide", png(10_000, 80, pixels=False), None),
    ("png 79 high", png(100, 79), "InvalidParameterException"),
    ("png 10001 wide", png(10_001, 100, pixels=False), "ImageTooLargeException"),
    ("jpeg baseline", jpeg(640, 480), None),
    ("jpeg progressive", jpeg(640, 480, sof=0xC2), None),
    ("jpeg big exif and fill byte", jpeg(300, 200, exif_bytes=60_000, fill=True), None),
    ("jpeg 79 wide", jpeg(79, 500), "InvalidParameterException"),
    ("jpeg 10001 high", jpeg(500, 10_001), "ImageTooLargeException"),
    ("jpeg without frame", jpeg(100, 100)[:20], "InvalidImageFormatException"),
    ("gif", b"GIF89a" + bytes(64), "InvalidImageFormatException"),
    ("truncated png", png(100, 100)[:12], "InvalidImageFormatException"),
    ("empty object", b"", "InvalidImageFormatException"),
]


@pytest.mark.parametrize(("name", "body", "code"), IMAGE_CASES, ids=[c[0] for c in IMAGE_CASES])
def test_image_format_and_dimension_checks(
    aws: Aws, buckets: tuple[str, str], name: str, body: bytes, code: str | None
) -> None:
    source, output = buckets
    key = f"img-{name.replace(' ', '-')}"
    aws.s3.put_object(Bucket=source, Key=key, Body=body)
    manifest = aws.manifest(source, [{"source-ref": f"s3://{source}/{key}"}])
    job = aws.wait(aws.start(source, manifest, output))
    summary = aws.summary(job)
    if code is None:
        assert summary["statistics"]["valid-json-lines"] == 1, summary
    else:
        assert [error["code"] for error in summary["errors"]] == [code]


def test_an_image_over_15_mb_is_too_large(aws: Aws, buckets: tuple[str, str]) -> None:
    source, output = buckets
    body = png(100, 100) + bytes(limits.MAX_IMAGE_BYTES)
    uri = aws.image(source, key="huge.png", body=body)
    job = aws.wait(aws.start(source, aws.manifest(source, [{"source-ref": uri}]), output))
    assert aws.summary(job)["errors"][0]["code"] == "ImageTooLargeException"
    aws.s3.delete_object(Bucket=source, Key="huge.png")
