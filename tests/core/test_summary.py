"""The moderation summary of a job's results: what users and other stacks act on.

``summarise_lines`` on results lines written by the API's own writer; ``read_summary``
and ``job_summary`` against the emulator's S3 and KMS: results a real job wrote, a
bucket policy that refuses the read, a key policy that refuses kms:Decrypt, a disabled
key, a deleted object.
"""

from __future__ import annotations

import json
import tracemalloc
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from botocore.stub import Stubber

from devtools.media import png_image
from rekognition_media.api.manifest import dumps_line, manifest_jsonl, result_line
from rekognition_media.core.summary import (
    MAX_FLAGGED,
    LabelCount,
    SummaryUnavailable,
    in_taxonomy_order,
    job_summary,
    read_summary,
    summarise_lines,
    summary_lines,
)
from rekognition_media.emulator import Emulator
from tests.support import until


def label(name: str, confidence: float, parent: str = "", level: int = 1) -> dict[str, Any]:
    return {"Confidence": confidence, "Name": name, "ParentName": parent, "TaxonomyLevel": level}


def line(
    ref: str,
    labels: Sequence[dict[str, Any]] = (),
    content: Sequence[str] = (),
    version: str = "7.0",
) -> bytes:
    types = [{"Confidence": 80.0, "Name": name} for name in content]
    return dumps_line(result_line(f"s3://in/{ref}", labels, types, version))


VIOLENCE = [label("Violence", 91.0), label("Graphic Violence", 88.5, "Violence", 2)]
EXPLICIT = [label("Explicit", 72.0), label("Explicit Nudity", 70.0, "Explicit", 2)]


def test_counts_flagged_images_labels_and_content_types() -> None:
    summary = summarise_lines(
        [
            line("a.png", VIOLENCE, ["Animated"]),
            line("b.png", EXPLICIT),
            line("c.png", [], ["Animated", "Illustrated"]),
        ],
        60,
    )
    assert (summary.images_analysed, summary.images_flagged) == (3, 2)
    assert summary.model_version == "7.0"
    assert summary.content_types == {"Animated": 2, "Illustrated": 1}
    assert list(summary.categories.items()) == [("Violence", 1), ("Explicit", 1)]
    assert [(x.name, x.parent_name, x.taxonomy_level, x.images) for x in summary.labels] == [
        ("Explicit", "", 1, 1),
        ("Explicit Nudity", "Explicit", 2, 1),
        ("Graphic Violence", "Violence", 2, 1),
        ("Violence", "", 1, 1),
    ]
    assert [(f.source_ref, f.label, f.confidence) for f in summary.top_flagged] == [
        ("s3://in/a.png", "Violence", 91.0),
        ("s3://in/b.png", "Explicit", 72.0),
    ]
    assert summary.malformed_lines == 0
    # The stack output is the model's dump: plain JSON values.
    assert json.loads(json.dumps(summary.to_output())) == summary.model_dump()


def test_the_outcome_line_names_counts_categories_and_the_report_command() -> None:
    summary = summarise_lines([line("a.png", VIOLENCE), line("b.png", EXPLICIT), line("c.png")], 60)
    assert summary.outcome_line("job-1") == (
        "2 of 3 images flagged (MinConfidence 60): Violence 1, Explicit 1 — "
        "report: rekognition-media report job-1"
    )
    many = [line(f"{n}.png", [label(n, 90.0 - i)]) for i, n in enumerate("ABCDEF")]
    assert (
        summarise_lines(many, 50)
        .outcome_line("j")
        .startswith(
            "6 of 6 images flagged (MinConfidence 50): A 1, B 1, C 1, D 1, 2 more — report: "
        )
    )
    clean = summarise_lines([line("c.png")], 62.5)
    assert clean.outcome_line("j") == (
        "0 of 1 images flagged (MinConfidence 62.5) — report: rekognition-media report j"
    )


def test_labels_below_min_confidence_do_not_flag_and_are_not_counted() -> None:
    summary = summarise_lines(
        [line("low.png", [label("Violence", 59.9)]), line("at.png", [label("Violence", 60.0)])],
        60,
    )
    assert summary.images_flagged == 1
    assert [(x.name, x.images, x.max_confidence) for x in summary.labels] == [("Violence", 1, 60.0)]
    assert [f.source_ref for f in summary.top_flagged] == ["s3://in/at.png"]


def test_per_label_counts_images_once_and_keeps_the_highest_confidence() -> None:
    twice = [label("Weapons", 70.0, "Violence", 2), label("Weapons", 95.0, "Violence", 2)]
    summary = summarise_lines([line("a.png", twice), line("b.png", [twice[0]])], 50)
    [weapons] = summary.labels
    assert (weapons.images, weapons.max_confidence) == (2, 95.0)
    # A child label without its parent still counts under its top-level category, found
    # through the parents seen (level 3 -> 2 -> 1).
    chain = [
        label("Weapon Violence", 80.0, "Graphic Violence", 3),
        label("Graphic Violence", 60.0, "Violence", 2),
    ]
    summary = summarise_lines([line("a.png", chain), line("b.png", chain[:1])], 50)
    assert summary.categories == {"Violence": 2}
    assert summary.top_flagged[0].label == "Weapon Violence"
    assert summary.top_flagged[0].parent_name == "Graphic Violence"


def test_the_top_label_of_an_image_is_its_most_confident_then_most_specific() -> None:
    tied = [label("Violence", 90.0), label("Graphic Violence", 90.0, "Violence", 2)]
    [image] = summarise_lines([line("a.png", tied)], 50).top_flagged
    assert (image.label, image.parent_name) == ("Graphic Violence", "Violence")


def test_at_most_twenty_flagged_images_the_most_confident_first() -> None:
    lines = [line(f"{i:03}.png", [label("Violence", 50 + i / 10)]) for i in range(300)]
    lines += [line("tie-first.png", [label("Gambling", 100.0)])]
    lines += [line("tie-second.png", [label("Gambling", 100.0)])]
    summary = summarise_lines(lines, 50)
    assert summary.images_flagged == 302
    assert len(summary.top_flagged) == MAX_FLAGGED
    confidences = [f.confidence for f in summary.top_flagged]
    assert confidences == sorted(confidences, reverse=True)
    # Equal confidences keep the order of the lines.
    assert [f.source_ref for f in summary.top_flagged[:2]] == [
        "s3://in/tie-first.png",
        "s3://in/tie-second.png",
    ]
    assert summary.top_flagged[-1].source_ref == "s3://in/282.png"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"detect-moderation-labels": {}}', 'no "source-ref"'),
        (b'{"source-ref": "s3://in/x.png"}', 'no "detect-moderation-labels"'),
        (
            b'{"source-ref": "s3://in/x.png", "detect-moderation-labels": '
            b'{"ModerationLabels": [{"Name": "Violence", "Confidence": "high"}]}}',
            "Confidence between 0 and 100",
        ),
        (
            b'{"source-ref": "s3://in/x.png", "detect-moderation-labels": '
            b'{"ModerationLabels": {"Name": "Violence"}}}',
            "ModerationLabels is not a list",
        ),
        (b"\xff\xfe", "not valid JSON"),
    ],
)
def test_a_malformed_line_is_counted_and_listed_not_a_crash(raw: bytes, reason: str) -> None:
    summary = summarise_lines([line("a.png", VIOLENCE), raw, b"", b"  ", line("b.png")], 50)
    assert (summary.images_analysed, summary.images_flagged) == (2, 1)
    assert summary.malformed_lines == 1
    [malformed] = summary.malformed
    assert malformed.line_number == 2 and reason in malformed.reason
    assert "1 results lines unreadable" in summary.outcome_line("j")


def test_over_long_names_are_malformed_and_control_characters_never_reach_the_terminal() -> None:
    summary = summarise_lines(
        [
            line("x" * 2000 + ".png", VIOLENCE),
            line("a.png", [label("N" * 300, 90.0)]),
            line("b.png", [label("Evil\x1b[2J\nName", 90.0)]),
        ],
        50,
    )
    assert summary.malformed_lines == 2
    assert ["longer than" in m.reason for m in summary.malformed] == [True, True]
    [evil] = summary.labels
    assert evil.name == "Evil\x1b[2J\nName"  # the data, unchanged, in the output
    printed = summary.outcome_line("j")
    assert "Evil\ufffd[2J\ufffdName 1" in printed and "\x1b" not in printed
    assert not any("\x1b" in text or "\n" in text for text in summary_lines(summary))


def test_str_lines_and_an_over_long_line_are_accepted() -> None:
    summary = summarise_lines([line("a.png", VIOLENCE).decode(), None], 50)  # type: ignore[list-item]
    assert (summary.images_flagged, summary.malformed_lines) == (1, 1)
    assert "longer than" in summary.malformed[0].reason


@pytest.mark.slow
def test_a_big_stream_is_summarised_in_bounded_memory() -> None:
    count = 20_000

    def lines() -> Iterator[bytes]:
        for i in range(count):
            labels = [label("Violence", 50 + (i % 500) / 10)] if i % 3 else []
            yield line(f"images/{uuid.uuid4().hex}/{i}.png", labels, ["Animated"])

    tracemalloc.start()
    try:
        summary = summarise_lines(lines(), 50)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (summary.images_analysed, summary.images_flagged) == (count, 13_333)
    # Keeping every flagged image (13,333 source-refs of ~60 bytes, with their labels)
    # would take several MiB; what is kept is the per-label counts and 20 images.
    assert peak < 1024 * 1024, peak


# --- reading the object from S3 (the emulator) -----------------------------------------


def _run_job(emulator: Emulator, min_confidence: float = 60) -> tuple[dict[str, Any], str]:
    """A real job over three labelled images; returns the finished job and the key ARN."""
    s3, kms = emulator.client("s3"), emulator.client("kms")
    suffix = uuid.uuid4().hex[:10]
    bucket_in, bucket_out = f"summary-in-{suffix}", f"summary-out-{suffix}"
    for bucket in (bucket_in, bucket_out):
        s3.create_bucket(Bucket=bucket)
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    metadata = {
        "violent.png": {"moderation-labels": "Violence:91;Graphic Violence:88.5"},
        "explicit.png": {"moderation-labels": "Explicit:72;Explicit Nudity:55"},
        "clean.png": {"content-types": "Illustrated:80"},
    }
    for name, meta in metadata.items():
        body = png_image(100, 100, (10, 20, 30))
        s3.put_object(Bucket=bucket_in, Key=name, Body=body, Metadata=meta)
    s3.put_object(Bucket=bucket_in, Key="m.jsonl", Body=manifest_jsonl(bucket_in, metadata))
    rekognition = emulator.client("rekognition")
    job_id = rekognition.start_media_analysis_job(
        OperationsConfig={"DetectModerationLabels": {"MinConfidence": min_confidence}},
        Input={"S3Object": {"Bucket": bucket_in, "Name": "m.jsonl"}},
        OutputConfig={"S3Bucket": bucket_out, "S3KeyPrefix": "out"},
        KmsKeyId=key_arn,
    )["JobId"]

    def ended() -> dict[str, Any] | None:
        job: dict[str, Any] = rekognition.get_media_analysis_job(JobId=job_id)
        return job if job["Status"] in ("SUCCEEDED", "FAILED") else None

    job = until(ended, 30, "the job ended", interval=0.05)
    assert job["Status"] == "SUCCEEDED", job
    return job, key_arn


def test_job_summary_reads_the_results_a_job_wrote(emulator: Emulator) -> None:
    job, _ = _run_job(emulator)
    summary = job_summary(job, emulator.client("s3"))
    assert summary is not None
    assert (summary.images_analysed, summary.images_flagged) == (3, 2)
    assert summary.min_confidence == 60  # the job's own MinConfidence
    assert summary.model_version == job["Results"]["ModelVersions"]["Moderation"]
    assert summary.categories == {"Explicit": 1, "Violence": 1}
    assert summary.content_types == {"Illustrated": 1}
    # Explicit Nudity (55) is below the job's MinConfidence: the service dropped it.
    assert "Explicit Nudity" not in {x.name for x in summary.labels}
    assert job_summary({**job, "Status": "FAILED"}, emulator.client("s3")) is None


def test_a_deleted_results_object_names_the_object(emulator: Emulator) -> None:
    job, _ = _run_job(emulator)
    s3_object = job["Results"]["S3Object"]
    s3 = emulator.client("s3")
    s3.delete_object(Bucket=s3_object["Bucket"], Key=s3_object["Name"])
    with pytest.raises(SummaryUnavailable) as unavailable:
        read_summary(s3, s3_object["Bucket"], s3_object["Name"], 50)
    uri = f"s3://{s3_object['Bucket']}/{s3_object['Name']}"
    assert unavailable.value.reason == (
        f"the results object {uri} does not exist (NoSuchKey): deleted since the job wrote it?"
    )


def test_a_refused_read_names_s3_get_object_on_the_object(emulator: Emulator) -> None:
    job, _ = _run_job(emulator)
    s3_object = job["Results"]["S3Object"]
    bucket, key = s3_object["Bucket"], s3_object["Name"]
    s3 = emulator.client("s3")
    deny = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(deny))
    with pytest.raises(SummaryUnavailable) as unavailable:
        job_summary(job, s3)
    assert unavailable.value.reason == (
        f"no s3:GetObject on arn:aws:s3:::{bucket}/{key} (AccessDenied reading the results)"
    )


def test_a_refused_decrypt_names_kms_decrypt_on_the_key(emulator: Emulator) -> None:
    job, key_arn = _run_job(emulator)
    s3_object = job["Results"]["S3Object"]
    bucket, key = s3_object["Bucket"], s3_object["Name"]
    s3, kms = emulator.client("s3"), emulator.client("kms")
    owner = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}
    deny = {"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}
    kms.put_key_policy(
        KeyId=key_arn.split("/")[-1],
        PolicyName="default",
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [owner, deny]}),
    )
    with pytest.raises(SummaryUnavailable) as unavailable:
        read_summary(s3, bucket, key, 50)
    assert unavailable.value.reason.startswith(
        f"no kms:Decrypt for the results s3://{bucket}/{key}: "
    )
    assert f"kms:Decrypt on resource: {key_arn}" in unavailable.value.reason


def test_a_disabled_key_is_named_with_the_kms_error(emulator: Emulator) -> None:
    job, key_arn = _run_job(emulator)
    s3_object = job["Results"]["S3Object"]
    bucket, key = s3_object["Bucket"], s3_object["Name"]
    emulator.client("kms").disable_key(KeyId=key_arn.split("/")[-1])
    with pytest.raises(SummaryUnavailable) as unavailable:
        read_summary(emulator.client("s3"), bucket, key, 50)
    assert unavailable.value.reason == (
        f"cannot decrypt the results s3://{bucket}/{key}: kms:Decrypt failed: "
        f"KMS.DisabledException: {key_arn} is disabled"
    )


@pytest.mark.parametrize("algorithm", [None, "aws:kms:dsse"])
def test_an_access_denied_without_detail_is_told_apart_by_head_object(
    emulator: Emulator, algorithm: str | None
) -> None:
    """S3 may answer a refused decrypt with a bare "Access Denied": HeadObject, which needs
    s3:GetObject but not kms:Decrypt, then tells which one is missing. The bare answer is
    the one thing here the emulator does not give (it names kms:Decrypt): Stubber. So is a
    dual-layer (aws:kms:dsse) results object, written when the output bucket's default
    encryption is DSSE-KMS: moto does not return its key id."""
    job, key_arn = _run_job(emulator)
    s3_object = job["Results"]["S3Object"]
    bucket, key = s3_object["Bucket"], s3_object["Name"]
    s3 = emulator.client("s3")
    head = s3.head_object(Bucket=bucket, Key=key)  # the emulator's real answer
    answer = {k: v for k, v in head.items() if k != "ResponseMetadata"}
    if algorithm is not None:
        answer["ServerSideEncryption"] = algorithm
    stubber = Stubber(s3)
    stubber.add_client_error("get_object", "AccessDenied", "Access Denied", 403)
    stubber.add_response("head_object", answer)
    with stubber, pytest.raises(SummaryUnavailable) as unavailable:
        read_summary(s3, bucket, key, 50)
    assert unavailable.value.reason == (
        f"no kms:Decrypt on {head['SSEKMSKeyId']} (the key of the results s3://{bucket}/{key})"
    )
    assert key_arn.endswith(head["SSEKMSKeyId"].split("/")[-1])


def test_labels_read_in_taxonomy_order_with_children_under_their_parent() -> None:
    def count(name: str, parent: str, images: int) -> LabelCount:
        level = 1 if not parent else 2
        return LabelCount(
            name=name, parent_name=parent, taxonomy_level=level, images=images, max_confidence=90.0
        )

    labels = [
        count("Explicit", "", 3),
        count("Graphic Violence", "Violence", 2),
        count("Violence", "", 2),
        count("Explicit Nudity", "Explicit", 1),
        count("Smoking", "Drugs & Tobacco", 1),  # its parent was never seen
        count("Loop", "Loop", 1),  # untrusted data: its own parent
    ]
    names = [label.name for label in in_taxonomy_order(labels)]
    assert names == [
        "Explicit",
        "Explicit Nudity",
        "Violence",
        "Graphic Violence",
        "Smoking",
        "Loop",
    ]


def test_a_label_chain_deeper_than_the_recursion_limit_is_ordered() -> None:
    depth = 5000
    chain = [
        LabelCount(
            name=f"L{i}",
            parent_name=f"L{i - 1}" if i else "",
            taxonomy_level=3,
            images=1,
            max_confidence=60.0,
        )
        for i in range(depth)
    ]
    ordered = in_taxonomy_order(list(reversed(chain)))
    assert [label.name for label in ordered] == [f"L{i}" for i in range(depth)]
