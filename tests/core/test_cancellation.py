"""The engine's Cancel in the core: waits end within about a second, and no Start follows.

In-process against an emulator of the test's own; the plugin's ``cancel`` sets the same
event (``core.cancellation``), tested through the CLI in tests/plugin/test_yaml_cancel.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from devtools.world import REGION, provider_env, seed
from rekognition_media.core import cancellation, client
from rekognition_media.core.cancellation import Cancelled
from rekognition_media.core.lifecycle import MediaAnalysisJobCancelled
from rekognition_media.core.pollers import GetPoller, SharedPoller
from rekognition_media.core.start import start_job
from rekognition_media.emulator import Emulator, EmulatorSettings
from rekognition_media.providers.job import MediaAnalysisJobProvider
from tests.core.test_start import request

# Measures elapsed time or rates: runs alone, before the parallel workers (scripts/test.sh).
# Waits on purpose (poll intervals, job durations, backoffs, Cancel): not in the fast tier.
pytestmark = [pytest.mark.timing, pytest.mark.slow]


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in provider_env().items():
        monkeypatch.setenv(name, value)
    cancellation.reset()
    yield
    cancellation.reset()  # the event is process-wide: other tests must not see it


@pytest.fixture
def quota_emulator() -> Iterator[Emulator]:
    settings = EmulatorSettings(
        created_delay=0, queue_delay=0, job_duration=0, quota_mode=True, concurrent_jobs=1
    )
    with Emulator(settings, host="127.0.0.1", port=0) as emulator:
        yield emulator


def _cancelled_after(delay: float, call: Callable[[], Any]) -> tuple[BaseException, float]:
    """Run ``call``; cancel ``delay`` s in; the exception it ended with and when."""
    timer = threading.Timer(delay, cancellation.cancel)
    timer.start()
    began = time.monotonic()
    try:
        call()
    except BaseException as error:
        return error, time.monotonic() - began - delay
    finally:
        timer.cancel()
    raise AssertionError("the call returned: it was not cancelled")


@pytest.mark.parametrize("poller_class", [SharedPoller, GetPoller])
def test_a_wait_ends_within_a_second_of_cancel(
    quota_emulator: Emulator, poller_class: type[SharedPoller] | type[GetPoller]
) -> None:
    world = seed(quota_emulator, duration_seconds=120)
    rekognition = client.rekognition(REGION, quota_emulator.url)
    job_id = start_job(
        rekognition, request(world, "long"), resource="long", timeout=30, report=print
    )["JobId"]
    poller = poller_class(client.rekognition(REGION, quota_emulator.url, polling=True))
    error, late = _cancelled_after(2.0, lambda: poller.wait(job_id, 300, lambda *_: None))
    assert isinstance(error, Cancelled)
    assert error.job_id == job_id and error.status in ("CREATED", "QUEUED", "IN_PROGRESS")
    assert late < 1.5


def test_a_start_waiting_for_a_slot_ends_and_starts_nothing(quota_emulator: Emulator) -> None:
    world = seed(quota_emulator, duration_seconds=120)
    rekognition = client.rekognition(REGION, quota_emulator.url)
    start_job(rekognition, request(world, "holder"), resource="holder", timeout=30, report=print)
    lines: list[str] = []
    error, late = _cancelled_after(
        2.0,
        lambda: start_job(
            rekognition, request(world, "late"), resource="late", timeout=60, report=lines.append
        ),
    )
    assert isinstance(error, Cancelled) and error.job_id is None
    assert late < 1.5
    assert "waiting for a concurrent-job slot: 1 of 1 in use" in lines
    # Once cancelled, no Start is made at all.
    with pytest.raises(Cancelled):
        start_job(rekognition, request(world, "next"), resource="next", timeout=60, report=print)
    quota_emulator.update_settings(concurrent_jobs=5)
    with pytest.raises(Cancelled):
        start_job(rekognition, request(world, "free"), resource="free", timeout=60, report=print)
    assert len(world.jobs_reading_input()) == 1


def test_the_core_create_names_the_resource_and_the_job(quota_emulator: Emulator) -> None:
    world = seed(quota_emulator, duration_seconds=120)
    props = {
        "operations_config": {"detect_moderation_labels": {"min_confidence": 60}},
        "input": {"s3_object": {"bucket": world.input_bucket, "name": world.manifest}},
        "output_config": {"s3_bucket": world.output_bucket, "s3_key_prefix": "results/"},
        "endpoint_url": quota_emulator.url,
        "resource_name": "nightly",
        "token_scope": "project/stack/nightly/identity",
    }
    error, _ = _cancelled_after(2.0, lambda: MediaAnalysisJobProvider().create(dict(props)))
    [job] = world.jobs_reading_input()
    assert isinstance(error, MediaAnalysisJobCancelled)
    assert str(error).startswith(
        f"Cancelled (Ctrl-C) while waiting for media analysis job {job['JobId']} of resource "
        "'nightly'"
    )
    assert "keeps running" in str(error)
    # The re-run's token is the same: the same job, resumed.
    cancellation.reset()
    props_again = {**props, "wait_for_completion": False}
    result = MediaAnalysisJobProvider().create(props_again)
    assert result.id == job["JobId"]
    assert len(world.jobs_reading_input()) == 1
