"""``rekognition-media report`` in the terminal and as JSON, and how it fails.

Every run is the installed console script against the emulator, as a user runs it.
"""

from __future__ import annotations

import json
import os
import pty
import re
import stat
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from devtools.world import seed
from rekognition_media.core.summary import job_summary
from rekognition_media.emulator import Emulator

from .conftest import SCRIPT_LABEL, LabelledJob, Report, make_job, run_report

# Runs the command as a user does, in its own process (about 2 s each).
pytestmark = pytest.mark.slow

ANSI_ESCAPE = "\x1b["


def assert_one_line_error(stderr: str, *expected: str) -> None:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("rekognition-media report: error: "), stderr
    for text in expected:
        assert text in lines[0], stderr


def test_terminal_summary_is_plain_text_when_piped(labelled_job: LabelledJob, report: Report):
    done = report(labelled_job.job_id)

    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert ANSI_ESCAPE not in out and "─" not in out  # no colour, no box drawing
    assert f"Job {labelled_job.job_id} SUCCEEDED" in out
    assert "4 of 5 images flagged; MinConfidence 60; model 7.0" in out
    assert "invalid manifest lines: 1 of 6" in out
    # the label table: name, parent, level, images, highest confidence
    assert any(
        line.split() == ["Explicit", "Nudity", "Explicit", "2", "1", "91.0"]
        for line in out.splitlines()
    )
    # the most confident flagged images, most confident first, HTML shown as text
    top = out[out.index("Most confident flagged images") :].splitlines()[2:]
    assert top[0].split()[:2] == ["95.0", SCRIPT_LABEL]
    assert top[1].split() == [
        "91.0",
        "Explicit",
        "Nudity",
        f"s3://{labelled_job.input_bucket}/images/explicit.jpg",
    ]
    assert done.stderr == ""  # no progress bar when stderr is not a terminal


def test_json_is_the_stack_outputs_summary(labelled_job: LabelledJob, report: Report):
    done = report(labelled_job.job_id, "--json")

    assert done.returncode == 0, done.stderr
    expected = job_summary(labelled_job.job, labelled_job.s3)
    assert expected is not None
    assert json.loads(done.stdout) == json.loads(json.dumps(expected.to_output()))
    assert json.loads(done.stdout)["images_flagged"] == 4


def test_results_uri_reads_the_object_without_the_job(labelled_job: LabelledJob, report: Report):
    done = report(labelled_job.results_uri, "--json", "--min-confidence", "90")

    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["min_confidence"] == 90
    assert summary["images_flagged"] == 2  # Explicit Nudity 91, the <script> label 95


def test_unknown_job_id_is_one_line(report: Report):
    done = report("no-such-job-4711")

    assert done.returncode == 1
    assert_one_line_error(done.stderr, "no media analysis job no-such-job-4711 in us-east-1")


def test_job_not_succeeded_says_its_status(emulator: Emulator, report: Report):
    running = make_job(emulator, timeout=0, duration_seconds="120")
    assert running.job["Status"] != "SUCCEEDED"

    done = report(running.job_id)

    assert done.returncode == 1
    status = running.rekognition.get_media_analysis_job(JobId=running.job_id)["Status"]
    assert_one_line_error(done.stderr, f"job {running.job_id} is {status}", "SUCCEEDED job")


def test_failed_job_names_its_failure(
    emulator: Emulator, labelled_job: LabelledJob, report: Report
):
    from devtools.flagged import run_job

    failed = run_job(
        labelled_job.rekognition,
        labelled_job.s3,
        labelled_job.input_bucket,
        "report-no-such-output-bucket",
        ["images/clean.png"],
        manifest_key="manifests/failing.jsonl",
    )
    assert failed["Status"] == "FAILED"

    done = report(failed["JobId"])

    assert done.returncode == 1
    assert_one_line_error(
        done.stderr, f"is FAILED: {failed['FailureDetails']['Code']}", "a report needs a SUCCEEDED"
    )


def test_usage_errors_exit_2(report: Report):
    for args, expected in [
        (["s3://bucket-only"], "is not an s3://bucket/key URI"),
        (["https://example.com/results.jsonl"], "is not an s3://bucket/key URI"),
        (["not a job id!"], "is neither a JobId"),
        (["job", "--min-confidence", "101"], "must be a number from 0 to 100"),
        ([], "the following arguments are required"),
    ]:
        done = report(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert_one_line_error(done.stderr, expected)


def test_missing_results_object_names_it(labelled_job: LabelledJob, report: Report):
    uri = f"s3://{labelled_job.output_bucket}/results/nothing-here.jsonl"

    done = report(uri)

    assert done.returncode == 1
    assert_one_line_error(done.stderr, uri, "does not exist")


def test_malformed_results_lines_are_counted_and_listed(
    labelled_job: LabelledJob, report: Report, tmp_path: Path
):
    good = labelled_job.s3.get_object(
        Bucket=labelled_job.job["Results"]["S3Object"]["Bucket"],
        Key=labelled_job.job["Results"]["S3Object"]["Name"],
    )["Body"].read()
    body = good + b"this is not json\n" + b'{"detect-moderation-labels": {}}\n'
    key = "handmade/results.jsonl"
    labelled_job.s3.put_object(Bucket=labelled_job.output_bucket, Key=key, Body=body)
    uri = f"s3://{labelled_job.output_bucket}/{key}"

    terminal = report(uri, "--min-confidence", "60")
    page = tmp_path / "report.html"
    written = report(uri, "--min-confidence", "60", "--html", str(page))

    assert terminal.returncode == 0, terminal.stderr
    assert "unreadable results lines: 2" in terminal.stdout
    assert "line 6: the line is not valid JSON" in terminal.stdout
    assert 'line 7: the line has no "source-ref" string' in terminal.stdout
    assert written.returncode == 0, written.stderr
    html = page.read_text()
    assert 'id="malformed"' in html and "the line is not valid JSON" in html


def test_html_report_is_private_and_replaces_atomically(
    labelled_job: LabelledJob, report: Report, tmp_path: Path
):
    page = tmp_path / "report.html"
    page.write_text("old")

    done = report(labelled_job.job_id, "--html", str(page))

    assert done.returncode == 0, done.stderr
    assert f"report written to {page} (4 image(s), 1 without a preview)" in done.stdout
    assert stat.S_IMODE(page.stat().st_mode) == 0o600  # it shows flagged images
    assert page.read_text().startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary left


def test_html_into_a_folder_writes_the_page_there_named_after_the_job(
    labelled_job: LabelledJob, report: Report, tmp_path: Path
):
    folder = tmp_path / "reports"
    folder.mkdir()
    (tmp_path / "link").symlink_to(folder, target_is_directory=True)
    page = folder / f"report-{labelled_job.job_id}.html"

    done = report(labelled_job.job_id, "--html", str(folder))
    first = page.read_text()
    # Again, through a link to the folder with a trailing separator: the page is replaced.
    again = report(labelled_job.job_id, "--html", f"{tmp_path / 'link'}{os.sep}")

    assert done.returncode == 0, done.stderr
    assert f"report written to {page} (4 image(s), 1 without a preview)" in done.stdout
    assert first.startswith("<!DOCTYPE html>") and first.rstrip().endswith("</html>")
    assert first.count('<article class="card') == 4
    assert again.returncode == 0, again.stderr
    assert f"report written to {tmp_path / 'link' / page.name} (4 image(s)" in again.stdout
    assert stat.S_IMODE(page.stat().st_mode) == 0o600  # it shows flagged images
    assert page.read_text().rstrip().endswith("</html>")
    # Staged beside the page and renamed: nothing left in the folder or its parent.
    assert [p.name for p in folder.iterdir()] == [page.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "reports"]


def test_json_with_html_keeps_stdout_json(
    labelled_job: LabelledJob, report: Report, tmp_path: Path
):
    done = report(labelled_job.job_id, "--json", "--html", str(tmp_path / "r.html"))

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["images_analysed"] == 5
    assert "report written to" in done.stderr


def test_colour_only_on_a_terminal_without_no_color(labelled_job: LabelledJob, emulator: Emulator):
    coloured = on_a_terminal(emulator, [labelled_job.job_id], {})
    no_color = on_a_terminal(emulator, [labelled_job.job_id], {"NO_COLOR": "1"})

    assert ANSI_ESCAPE in coloured and "─" in coloured  # rich's styles and table rules
    assert ANSI_ESCAPE not in no_color and "─" not in no_color
    assert "4 of 5 images flagged" in no_color


def test_on_an_80_column_terminal_the_bucket_is_said_once_and_keys_stay_whole(
    labelled_job: LabelledJob, emulator: Emulator
):
    shown = re.sub(
        r"\x1b\[[0-9;?]*[A-Za-z]",
        "",
        on_a_terminal(emulator, [labelled_job.job_id], {"COLUMNS": "80"}),
    )
    lines = shown.splitlines()

    assert max(len(line) for line in lines) <= 80
    assert f"Most confident flagged images in s3://{labelled_job.input_bucket}/" in shown
    assert any(line.rstrip().endswith("images/violence.png") for line in lines), shown
    assert any(line.rstrip().endswith("images/explicit.jpg") for line in lines), shown


def test_a_progress_bar_on_a_terminal_while_images_load(
    labelled_job: LabelledJob, emulator: Emulator, tmp_path: Path
):
    page = tmp_path / "report.html"
    drawn = on_a_terminal(emulator, [labelled_job.job_id, "--html", str(page)], {}, "stderr")

    assert "Fetching images" in drawn and "4/4" in drawn
    assert page.exists()


def on_a_terminal(
    emulator: Emulator, args: list[str], env: dict[str, str], stream: str = "stdout"
) -> str:
    """What the command writes to ``stream`` when it is a terminal (a pseudo-terminal)."""
    main, secondary = pty.openpty()
    try:
        done = run_report(emulator, args, {"COLUMNS": "160", **env}, **{stream: secondary})
        assert done.returncode == 0, done.stderr
        os.close(secondary)
        secondary = -1
        chunks = []
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the other end is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks).decode()
    finally:
        os.close(main)
        if secondary >= 0:
            os.close(secondary)


def deny_get_object(s3: Any, bucket: str, prefix: str) -> None:
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/{prefix}*",
    }
    s3.put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny]})
    )


def test_no_access_to_the_results_names_the_permission(emulator: Emulator, report: Report):
    job = make_job(emulator)
    deny_get_object(job.s3, job.output_bucket, "results/")

    done = report(job.job_id)

    assert done.returncode == 1
    assert_one_line_error(done.stderr, "no s3:GetObject on arn:aws:s3:::" + job.output_bucket)


def test_an_image_without_access_gets_a_placeholder_naming_the_permission(
    emulator: Emulator, report: Report, tmp_path: Path
):
    job = make_job(emulator)
    deny_get_object(job.s3, job.input_bucket, "images/violence")
    page = tmp_path / "report.html"

    done = report(job.job_id, "--html", str(page))

    assert done.returncode == 0, done.stderr
    assert "(4 image(s), 2 without a preview)" in done.stdout
    html = page.read_text()
    assert f"no permission s3:GetObject on s3://{job.input_bucket}/images/violence.png" in html


def test_control_characters_in_results_never_reach_the_terminal(
    labelled_job: LabelledJob, report: Report, tmp_path: Path
):
    escape = "\x1b]0;owned\x07\x1b[2J"  # retitle the terminal, clear the screen
    line = {
        "source-ref": f"s3://{labelled_job.input_bucket}/images/{escape}.png",
        "detect-moderation-labels": {
            "ModerationLabels": [
                {"Name": f"Evil{escape}", "Confidence": 99.0, "ParentName": "", "TaxonomyLevel": 1}
            ],
            "ContentTypes": [],
        },
    }
    key = "handmade/escapes.jsonl"
    labelled_job.s3.put_object(
        Bucket=labelled_job.output_bucket, Key=key, Body=json.dumps(line).encode() + b"\n"
    )
    uri = f"s3://{labelled_job.output_bucket}/{key}"

    done = report(uri, env={"NO_COLOR": "1"})

    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "Evil\N{REPLACEMENT CHARACTER}]0;owned" in done.stdout
    # the JSON keeps the data as it is (escaped by JSON itself)
    assert json.loads(report(uri, "--json").stdout)["labels"][0]["name"] == f"Evil{escape}"


def test_the_grid_drops_the_lines_the_summary_counts_malformed(
    labelled_job: LabelledJob, report: Report, tmp_path: Path
):
    long_name = {
        "source-ref": f"s3://{labelled_job.input_bucket}/images/violence.png",
        "detect-moderation-labels": {
            "ModerationLabels": [{"Name": "x" * 300, "Confidence": 99.0}],
        },
    }
    key = "handmade/long-name.jsonl"
    labelled_job.s3.put_object(
        Bucket=labelled_job.output_bucket, Key=key, Body=json.dumps(long_name).encode() + b"\n"
    )
    uri = f"s3://{labelled_job.output_bucket}/{key}"
    page = tmp_path / "report.html"

    summary = json.loads(report(uri, "--json").stdout)
    done = report(uri, "--html", str(page))

    assert summary["malformed_lines"] == 1 and summary["images_analysed"] == 0
    assert done.returncode == 0, done.stderr
    assert "(0 image(s))" in done.stdout
    assert "longer than 256 characters" in page.read_text()


def test_no_credentials_name_the_call_the_chain_and_the_emulator(
    labelled_job: LabelledJob, report: Report
):
    done = report(
        labelled_job.job_id,
        env={
            "AWS_ACCESS_KEY_ID": "",
            "AWS_SECRET_ACCESS_KEY": "",
            "AWS_EC2_METADATA_DISABLED": "true",
        },
    )

    assert done.returncode == 1
    assert_one_line_error(
        done.stderr,
        f"rekognition:GetMediaAnalysisJob on {labelled_job.job_id}: no AWS credentials found. ",
        "The standard AWS credential chain looked at: the environment (AWS_ACCESS_KEY_ID",
        "`aws sso login`",
        "any AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY pair works",
    )


def test_expired_credentials_say_so(
    emulator: Emulator, emulator_settings: Callable[..., Any], report: Report
):
    world = seed(emulator)
    name = f"expiring-{uuid.uuid4().hex[:8]}"
    job_id = world.client("rekognition").start_media_analysis_job(
        JobName=name,
        OperationsConfig={"DetectModerationLabels": {}},
        Input={"S3Object": {"Bucket": world.input_bucket, "Name": world.manifest}},
        OutputConfig={"S3Bucket": world.output_bucket},
    )["JobId"]
    # Its Get answers ExpiredTokenException, as for a session token that has expired.
    emulator_settings(job_poll_faults={name: "ExpiredTokenException"})

    done = report(job_id)

    assert done.returncode == 1
    assert_one_line_error(
        done.stderr,
        f"rekognition:GetMediaAnalysisJob on {job_id}: the AWS credentials have expired "
        "(ExpiredTokenException: ",
        "refresh them",
        "The standard AWS credential chain looked at",
    )
