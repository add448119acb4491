"""The one-command server (CLI) and --state-dir: jobs survive a restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest

from rekognition_media.emulator import Emulator, EmulatorSettings
from tests.support import until

from .support import Aws

FAST = {"created_delay": 0, "queue_delay": 0, "job_duration": 0}


def emulator_client_factory(emulator: Emulator) -> Any:
    def make(service: str, region_name: str = "us-east-1", max_attempts: int | None = None) -> Any:
        return emulator.client(service, region_name=region_name)

    return make


def test_in_process_restart_keeps_jobs_tokens_and_pages(tmp_path: Path) -> None:
    settings = EmulatorSettings(state_dir=tmp_path, **FAST)
    with Emulator(settings) as first:
        aws = Aws(emulator_client_factory(first))
        source, output = aws.bucket("in"), aws.bucket("out")
        quick = aws.manifest(source, [{"source-ref": aws.image(source)}])
        slow = aws.manifest(source, [{"source-ref": aws.image(source)}], duration_seconds=0.5)
        request = aws.request(source, quick, output)
        done = aws.rekognition.start_media_analysis_job(ClientRequestToken="tok-1", **request)[
            "JobId"
        ]
        finished = aws.wait(done)
        pending = aws.start(source, slow, output)
        token = aws.rekognition.list_media_analysis_jobs(MaxResults=1)["NextToken"]
    assert len(list((tmp_path / "jobs").glob("*.json"))) == 2

    # moto's S3 lives in this process, so the objects are still there for the new server.
    with Emulator(settings) as second:
        aws = Aws(emulator_client_factory(second))
        again = aws.rekognition.get_media_analysis_job(JobId=done)
        for member in ("Status", "CreationTimestamp", "CompletionTimestamp", "Results", "Input"):
            assert again[member] == finished[member]
        assert aws.wait(pending)["Status"] == "SUCCEEDED"
        page = aws.rekognition.list_media_analysis_jobs(NextToken=token)["MediaAnalysisJobs"]
        assert [job["JobId"] for job in page] == [done]
        replay = aws.rekognition.start_media_analysis_job(ClientRequestToken="tok-1", **request)
        assert replay["JobId"] == done
        new = aws.start(source, quick, output)
        listed = aws.rekognition.list_media_analysis_jobs()["MediaAnalysisJobs"]
        assert [job["JobId"] for job in listed] == [new, pending, done]


@contextmanager
def cli(
    *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Run ``python -m rekognition_media.emulator`` and yield its URL once ready."""
    process = subprocess.Popen(
        [sys.executable, "-m", "rekognition_media.emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("Rekognition media emulator listening on http://"), line + (
            process.stderr.read() if process.stderr else ""
        )
        yield line.rsplit(" ", 1)[1].strip(), process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=15)
    assert process.returncode == 0
    return out


def boto(url: str, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="any",
        aws_secret_access_key="any",
    )


@pytest.mark.slow
def test_cli_serves_stops_on_sigterm_and_keeps_jobs_in_state_dir(tmp_path: Path) -> None:
    state = str(tmp_path / "state")
    env = {"REKOGNITION_EMULATOR_JOB_DURATION": "0", "REKOGNITION_EMULATOR_QUEUE_DELAY": "9"}
    with cli("--state-dir", state, "--created-delay", "0", "--queue-delay", "0", env=env) as (
        url,
        process,
    ):
        with urllib.request.urlopen(f"{url}/_emulator/settings") as response:
            settings = json.load(response)
        assert settings["job_duration"] == 0  # env var
        assert settings["queue_delay"] == 0  # flag wins over env var
        s3, rekognition = boto(url, "s3"), boto(url, "rekognition")
        s3.create_bucket(Bucket="cli-in")
        s3.create_bucket(Bucket="cli-out")
        s3.put_object(Bucket="cli-in", Key="m.jsonl", Body=b'{"source-ref": "s3://cli-in/x.png"}\n')
        job_id = rekognition.start_media_analysis_job(
            OperationsConfig={"DetectModerationLabels": {}},
            Input={"S3Object": {"Bucket": "cli-in", "Name": "m.jsonl"}},
            OutputConfig={"S3Bucket": "cli-out"},
        )["JobId"]
        until(
            lambda: rekognition.get_media_analysis_job(JobId=job_id)["Status"] == "SUCCEEDED",
            10,
            "the job succeeded",
            interval=0.02,
        )
        before = rekognition.get_media_analysis_job(JobId=job_id)
        assert "stopped" in stop(process)

    with cli("--state-dir", state) as (url, process):
        rekognition = boto(url, "rekognition")
        after = rekognition.get_media_analysis_job(JobId=job_id)
        assert after["Status"] == "SUCCEEDED"
        assert after["CreationTimestamp"] == before["CreationTimestamp"]
        assert after["Results"] == before["Results"]
        # moto's S3 is in memory: its objects did not survive the restart (documented).
        with pytest.raises(boto(url, "s3").exceptions.ClientError):
            boto(url, "s3").head_bucket(Bucket="cli-out")
        stop(process)


@pytest.mark.slow
def test_cli_rejects_invalid_settings() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rekognition_media.emulator", "--job-duration", "-1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "job_duration" in result.stderr
