"""``rekognition-media report <JobId> <JobId> ...``: a batch's shards as one report.

The labelled images of conftest, split over two jobs as a batch shards them (the first
three in one, the rest in the other), must report what the one labelled job over all of
them reports; a FAILED and a still-running job given with them are named, not dropped.
Every run is the installed console script against the emulator.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devtools.flagged import run_job
from rekognition_media.core.summary import job_summary
from rekognition_media.emulator import Emulator

from .conftest import REGION, SCRIPT_LABEL, LabelledJob, Report, Shards
from .test_cli import assert_one_line_error

pytestmark = pytest.mark.slow


def test_two_shards_report_as_the_one_job_over_the_same_images(
    shards: Shards, labelled_job: LabelledJob, report: Report
) -> None:
    done = report(*shards.ids, "--json")

    assert done.returncode == 0, done.stderr
    merged = json.loads(done.stdout)
    jobs = merged.pop("jobs")
    whole = job_summary(labelled_job.job, labelled_job.s3)
    assert whole is not None
    # counts summed, labels merged, the top flagged images across both shards
    assert merged == json.loads(json.dumps(whole.to_output()))
    assert [(job["job_id"], job["status"], job["images"]) for job in jobs] == [
        (shards.ids[0], "SUCCEEDED", 3),
        (shards.ids[1], "SUCCEEDED", 2),  # its third line is invalid: not analysed
    ]


def test_terminal_names_each_shard_then_one_summary(shards: Shards, report: Report) -> None:
    done = report(*shards.ids)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:3] == [
        "Batch of 2 jobs: 2 SUCCEEDED",
        f"  {shards.ids[0]} SUCCEEDED: 3 images",
        f"  {shards.ids[1]} SUCCEEDED: 2 images, 1 invalid manifest lines",
    ]
    assert lines[3] == "4 of 5 images flagged; MinConfidence 60; model 7.0"
    assert "invalid manifest lines: 1 of 6" in done.stdout
    top = done.stdout[done.stdout.index("Most confident flagged images") :].splitlines()[2:]
    assert [row.split()[0] for row in top] == ["95.0", "91.0", "88.5", "70.0"]
    assert top[0].split()[1] == SCRIPT_LABEL  # first shard
    assert top[3].split()[-1] == f"s3://{shards.input_bucket}/images/broken.png"  # 2nd shard
    assert done.stderr == ""


def test_a_failed_and_an_unfinished_shard_are_named_and_exit_1(
    shards: Shards, report: Report
) -> None:
    failed, running = shards.failed["JobId"], shards.running["JobId"]
    code = shards.failed["FailureDetails"]["Code"]

    done = report(*shards.ids, failed, running)

    assert done.returncode == 1
    status = "IN_PROGRESS" if "IN_PROGRESS" in done.stdout else "SUBMITTED"
    lines = done.stdout.splitlines()
    assert lines[0] == f"Batch of 4 jobs: 2 SUCCEEDED, 1 FAILED, 1 {status}"
    assert lines[3].startswith(f"  {failed} FAILED: not in this report: {code}: ")
    assert lines[4] == f"  {running} {status}: not finished: not in this report"
    assert lines[5] == "4 of 5 images flagged; MinConfidence 60; model 7.0"
    assert_one_line_error(
        done.stderr,
        f"the report covers 2 of 4 jobs: {failed} is FAILED, {running} is {status}",
    )

    assert done.stderr.strip().endswith("; run it again when they have finished)")
    only_failed = report(*shards.ids, failed)
    assert only_failed.returncode == 1
    assert only_failed.stderr.strip().endswith(
        f"{failed} is FAILED (a report needs SUCCEEDED jobs)"
    )

    as_json = report(*shards.ids, failed, running, "--json")
    assert as_json.returncode == 1
    jobs = json.loads(as_json.stdout)["jobs"]
    assert [(job["status"], job["images"]) for job in jobs[2:]] == [
        ("FAILED", None),
        (status, None),
    ]
    assert jobs[2]["failure"].startswith(f"{code}: ")


def test_no_succeeded_shard_is_one_line(shards: Shards, report: Report) -> None:
    failed, running = shards.failed["JobId"], shards.running["JobId"]

    done = report(failed, running)

    assert done.returncode == 1
    assert done.stdout == ""
    assert_one_line_error(done.stderr, "none of the 2 jobs has SUCCEEDED", f"{failed} FAILED")


def test_shards_at_different_thresholds_need_min_confidence(
    emulator: Emulator, shards: Shards, report: Report
) -> None:
    rekognition = emulator.client("rekognition", region_name=REGION)
    other = run_job(
        rekognition,
        shards.s3,
        shards.input_bucket,
        shards.output_bucket,
        ["images/violence.png"],
        min_confidence=80,
        manifest_key="batch/manifest-80.jsonl",
    )

    done = report(shards.ids[0], other["JobId"])
    assert done.returncode == 1
    assert_one_line_error(done.stderr, "different MinConfidence (60, 80)", "--min-confidence")

    given = report(shards.ids[0], other["JobId"], "--min-confidence", "90", "--json")
    assert given.returncode == 0, given.stderr
    assert json.loads(given.stdout)["images_flagged"] == 2  # Explicit Nudity 91, <script> 95


def test_several_targets_must_be_distinct_job_ids(shards: Shards, report: Report) -> None:
    for args, expected in [
        ([shards.ids[0], "s3://bucket/results.jsonl"], "give one results URI alone"),
        ([shards.ids[0], shards.ids[0]], f"JobId {shards.ids[0]} is given twice"),
        ([shards.ids[0], "not a job id!"], "is neither a JobId"),
    ]:
        done = report(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert_one_line_error(done.stderr, expected)


def test_an_unknown_job_among_several_is_one_line(shards: Shards, report: Report) -> None:
    done = report(shards.ids[0], "no-such-job-4711")

    assert done.returncode == 1
    assert_one_line_error(done.stderr, "no media analysis job no-such-job-4711 in us-east-1")


def test_unreadable_lines_name_their_shard(shards: Shards, report: Report, tmp_path: Path) -> None:
    results = shards.second["Results"]["S3Object"]
    good = shards.s3.get_object(Bucket=results["Bucket"], Key=results["Name"])["Body"].read()
    shards.s3.put_object(
        Bucket=results["Bucket"], Key=results["Name"], Body=good + b"this is not json\n"
    )
    try:
        done = report(*shards.ids)
        page = tmp_path / "batch.html"
        written = report(*shards.ids, "--html", str(page))
    finally:
        shards.s3.put_object(Bucket=results["Bucket"], Key=results["Name"], Body=good)

    assert done.returncode == 0, done.stderr
    assert "unreadable results lines: 1" in done.stdout
    assert f"job {shards.ids[1]} line 3: the line is not valid JSON" in done.stdout
    assert written.returncode == 0, written.stderr
    html = page.read_text()
    assert 'id="malformed"' in html and f'<td class="mono">{shards.ids[1]}</td>' in html


def test_html_into_a_folder_is_named_after_the_first_job(
    shards: Shards, report: Report, tmp_path: Path
) -> None:
    done = report(*shards.ids, "--html", str(tmp_path))

    assert done.returncode == 0, done.stderr
    page = tmp_path / f"report-{shards.ids[0]}-and-1-more.html"
    assert (
        done.stdout.splitlines()[-1]
        == f"report written to {page} (4 image(s), 1 without a preview)"
    )
    assert page.stat().st_mode & 0o777 == 0o600
