"""start_job against the emulator: quota waits, their timeout, and an endpoint that is silent."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from devtools.world import REGION, World, provider_env, seed
from rekognition_media.core import client, start
from rekognition_media.core.start import StartSlotTimeout, StartUnreachable, start_job
from rekognition_media.emulator import Emulator, EmulatorSettings

# Measures elapsed time or rates: runs alone, before the parallel workers (scripts/test.sh).
# Waits on purpose (poll intervals, job durations, backoffs, Cancel): not in the fast tier.
pytestmark = [pytest.mark.timing, pytest.mark.slow]


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in provider_env().items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def quota_emulator() -> Iterator[Emulator]:
    """Quota mode with one concurrent job, in an emulator of this test's own."""
    settings = EmulatorSettings(
        created_delay=0, queue_delay=0, job_duration=0, quota_mode=True, concurrent_jobs=1
    )
    with Emulator(settings, host="127.0.0.1", port=0) as emulator:
        yield emulator


def request(world: World, name: str) -> dict[str, Any]:
    return {
        "JobName": name,
        "ClientRequestToken": f"token-{name}",
        "OperationsConfig": {"DetectModerationLabels": {"MinConfidence": 50.0}},
        "Input": {"S3Object": {"Bucket": world.input_bucket, "Name": world.manifest}},
        "OutputConfig": {"S3Bucket": world.output_bucket, "S3KeyPrefix": name},
    }


def test_a_start_over_the_concurrent_quota_waits_for_the_slot(quota_emulator: Emulator) -> None:
    world = seed(quota_emulator, duration_seconds=4)
    rekognition = client.rekognition(REGION, quota_emulator.url)
    lines: list[str] = []
    first = start_job(
        rekognition, request(world, "first"), resource="first", timeout=60, report=lines.append
    )
    began = time.monotonic()
    second = start_job(
        rekognition, request(world, "second"), resource="second", timeout=60, report=lines.append
    )
    assert time.monotonic() - began >= 2  # it waited for the first job to finish
    assert second["JobId"] != first["JobId"]
    assert "date" in second["ResponseMetadata"]["HTTPHeaders"]  # the full response
    assert "waiting for a concurrent-job slot: 1 of 1 in use" in lines
    assert any(line.startswith("got a concurrent-job slot after") for line in lines)
    # The same request and token again is the same job, not a new one.
    again = start_job(
        rekognition, request(world, "second"), resource="second", timeout=60, report=lines.append
    )
    assert again["JobId"] == second["JobId"]
    assert len(world.jobs_reading_input()) == 2


def test_a_slot_that_never_frees_times_out_naming_the_resource(quota_emulator: Emulator) -> None:
    world = seed(quota_emulator, duration_seconds=120)
    rekognition = client.rekognition(REGION, quota_emulator.url)
    start_job(rekognition, request(world, "holder"), resource="holder", timeout=30, report=print)
    with pytest.raises(StartSlotTimeout) as timeout:
        start_job(rekognition, request(world, "late"), resource="job-late", timeout=3, report=print)
    assert "resource 'job-late'" in str(timeout.value)
    assert "1 of 1 in use" in str(timeout.value)
    assert len(world.jobs_reading_input()) == 1


def test_a_silent_endpoint_is_reported_per_retry_and_given_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(start, "UNREACHABLE_LIMIT", 12.0)
    lines: list[str] = []
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        began = time.monotonic()
        with pytest.raises(StartUnreachable) as unreachable:
            start_job(
                client.rekognition(REGION, url),
                {
                    "OperationsConfig": {"DetectModerationLabels": {}},
                    "Input": {"S3Object": {"Bucket": "in-bucket", "Name": "m.jsonl"}},
                    "OutputConfig": {"S3Bucket": "out-bucket"},
                },
                resource="job-silent",
                timeout=600,
                report=lines.append,
            )
        took = time.monotonic() - began
    assert took < 40
    assert f"Cannot reach {url} to start the media analysis job of resource 'job-silent'" in str(
        unreachable.value
    )
    assert lines and all(f"cannot reach {url}" in line and "retrying" in line for line in lines)
