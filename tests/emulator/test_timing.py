"""Time control: per-job hooks and settings decide how long each status lasts, precisely."""

from __future__ import annotations

import time
from typing import Any

import pytest

from rekognition_media.emulator import Emulator

from .support import Aws

# Measures elapsed time or rates: runs alone, before the parallel workers (scripts/test.sh).
# Waits on purpose (poll intervals, job durations, backoffs, Cancel): not in the fast tier.
pytestmark = [pytest.mark.timing, pytest.mark.slow]

PRECISION = 0.05  # seconds: completion must be visible this soon after the configured time


def poll(
    aws: Aws, job_id: str, interval: float = 0.005
) -> list[tuple[float, float, dict[str, Any]]]:
    """(sent, received, job) for every Get until the job is terminal."""
    observations = []
    while True:
        sent = time.time()
        job = aws.rekognition.get_media_analysis_job(JobId=job_id)
        observations.append((sent, time.time(), job))
        if job["Status"] in ("SUCCEEDED", "FAILED"):
            return observations
        time.sleep(interval)  # the poll interval being measured


def test_completion_flips_at_the_configured_duration(aws: Aws, buckets: tuple[str, str]) -> None:
    source, output = buckets
    manifest = aws.manifest(source, [{"source-ref": aws.image(source)}], duration_seconds=1.0)
    job_id = aws.start(source, manifest, output)
    observations = poll(aws, job_id)
    final = observations[-1][2]
    created = final["CreationTimestamp"].timestamp()
    completed = final["CompletionTimestamp"].timestamp()
    assert abs((completed - created) - 1.0) < 0.01
    # The server's answer flips at the configured time: no terminal answer to a request
    # that arrived before it, no IN_PROGRESS answer to one sent PRECISION after it.
    for sent, received, job in observations:
        if received < completed:
            assert job["Status"] == "IN_PROGRESS"
        if sent > completed + PRECISION:
            assert job["Status"] == "SUCCEEDED"
    assert observations[0][1] < completed
    assert observations[-2][1] > completed - 0.2  # the polls did reach the flip


def test_every_status_lasts_as_configured(
    emulator: Emulator, aws: Aws, buckets: tuple[str, str]
) -> None:
    emulator.update_settings(created_delay=0.2)
    source, output = buckets
    manifest = aws.manifest(
        source, [{"source-ref": aws.image(source)}], queue_seconds=0.2, duration_seconds=0.2
    )
    job_id = aws.start(source, manifest, output)
    observations = poll(aws, job_id, interval=0.01)
    created = observations[-1][2]["CreationTimestamp"].timestamp()
    expected = [("CREATED", 0.0, 0.2), ("QUEUED", 0.2, 0.4), ("IN_PROGRESS", 0.4, 0.6)]
    for sent, received, job in observations[:-1]:
        status = job["Status"]
        start, end = next((s, e) for name, s, e in expected if name == status)
        # The server answered somewhere between sent and received.
        assert received - created >= start - 0.01, (status, received - created)
        assert sent - created <= end + 0.01, (status, sent - created)
    assert {job["Status"] for _, _, job in observations} == {
        "CREATED",
        "QUEUED",
        "IN_PROGRESS",
        "SUCCEEDED",
    }


def test_the_default_duration_is_a_setting(
    emulator: Emulator, aws: Aws, buckets: tuple[str, str]
) -> None:
    emulator.update_settings(job_duration=0.3)
    source, output = buckets
    job = aws.wait(
        aws.start(source, aws.manifest(source, [{"source-ref": aws.image(source)}]), output)
    )
    elapsed = job["CompletionTimestamp"].timestamp() - job["CreationTimestamp"].timestamp()
    assert 0.3 - 0.001 <= elapsed < 0.3 + PRECISION


def test_zero_second_jobs_finish_at_once(aws: Aws, buckets: tuple[str, str]) -> None:
    source, output = buckets
    manifest = aws.manifest(source, [{"source-ref": aws.image(source)}], duration_seconds=0)
    started = time.monotonic()
    job = aws.wait(aws.start(source, manifest, output), interval=0.002)
    assert job["Status"] == "SUCCEEDED"
    assert time.monotonic() - started < 0.5
