"""The shared poller against the emulator: outcomes reach the right waiter, errors are absorbed."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from devtools.world import REGION, World, provider_env, seed
from rekognition_media.core import budget, client, pollers
from rekognition_media.core.budget import PageBoard
from rekognition_media.core.pollers import (
    EndpointUnreachable,
    GetPoller,
    JobPollFailed,
    JobWaitTimeout,
    SharedPoller,
)
from rekognition_media.core.schedule import Backoff
from rekognition_media.emulator import Emulator
from tests.support import until

# Measures elapsed time or rates: runs alone, before the parallel workers (scripts/test.sh).
# Waits on purpose (poll intervals, job durations, backoffs, Cancel): not in the fast tier.
pytestmark = [pytest.mark.timing, pytest.mark.slow]


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The provider's clients take credentials from the standard chain, as in Pulumi."""
    for name, value in provider_env().items():
        monkeypatch.setenv(name, value)


def start(world: World, output_bucket: str | None = None, name: str = "job") -> str:
    job_id: str = world.client("rekognition").start_media_analysis_job(
        JobName=name,
        OperationsConfig={"DetectModerationLabels": {"MinConfidence": 50.0}},
        Input={"S3Object": {"Bucket": world.input_bucket, "Name": world.manifest}},
        OutputConfig={"S3Bucket": output_bucket or world.output_bucket, "S3KeyPrefix": name},
    )["JobId"]
    return job_id


def wait_all(poller: Any, job_ids: list[str], timeout: float = 60) -> dict[str, Any]:
    """Wait for every job from its own thread, as concurrent creates do."""
    results: dict[str, Any] = {}

    def wait(job_id: str) -> None:
        try:
            results[job_id] = poller.wait(job_id, timeout, lambda status, waited: None)
        except Exception as error:  # recorded for the assertions
            results[job_id] = error

    threads = [threading.Thread(target=wait, args=(job_id,)) for job_id in job_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def polling_client(emulator: Emulator) -> Any:
    return client.rekognition(REGION, emulator.url, polling=True)


def test_each_job_gets_its_own_outcome_and_a_failure_stays_with_its_job(
    emulator: Emulator,
) -> None:
    world = seed(emulator, duration_seconds=1)
    good = [start(world, name=f"good-{i}") for i in range(6)]
    bad = start(world, output_bucket="no-such-bucket-for-poller", name="bad")
    results = wait_all(SharedPoller(polling_client(emulator)), [*good, bad])
    for job_id in good:
        assert results[job_id]["JobId"] == job_id
        assert results[job_id]["Status"] == "SUCCEEDED"
    assert results[bad]["JobId"] == bad
    assert results[bad]["Status"] == "FAILED"
    assert results[bad]["FailureDetails"]["Code"] == "INVALID_OUTPUT_CONFIG"


def test_waiters_share_list_calls(emulator: Emulator) -> None:
    world = seed(emulator, duration_seconds=3)
    jobs = [start(world, name=f"shared-{i}") for i in range(10)]
    emulator.reset_stats()
    wait_all(SharedPoller(polling_client(emulator)), jobs)
    calls = emulator.stats()["calls"]["by_operation"]
    lists = calls.get("ListMediaAnalysisJobs", {}).get("total", 0)
    gets = calls.get("GetMediaAnalysisJob", {}).get("total", 0)
    # One poller round serves all ten jobs: a few rounds in 3 s, not ten loops; the pages
    # are this process's own, so the ends they show need no Get.
    assert 1 <= lists <= 8
    assert gets == 0


@pytest.mark.parametrize("poller_type", [SharedPoller, GetPoller])
def test_throttling_and_server_errors_are_absorbed(
    emulator: Emulator, emulator_settings: Callable[..., Any], poller_type: Any
) -> None:
    world = seed(emulator, duration_seconds=1)
    jobs = [start(world, name=f"throttled-{i}") for i in range(4)]
    emulator_settings(throttling_rate=0.4, internal_error_rate=0.1, fault_seed=11)
    # Absorbing is what is tested, not how long the backoff grows: with the default 30 s
    # cap, a streak of seven failed rounds (one run in a few hundred at this error rate)
    # outlasted the 60 s wait.
    quick = Backoff(base=0.2, cap=2.0)
    results = wait_all(poller_type(polling_client(emulator), backoff=quick), jobs)
    assert all(results[job_id]["Status"] == "SUCCEEDED" for job_id in jobs)


def test_timeout_names_the_job_and_its_last_status(emulator: Emulator) -> None:
    world = seed(emulator, duration_seconds=30)
    job_id = start(world, name="slow")
    with pytest.raises(JobWaitTimeout) as timeout:
        SharedPoller(polling_client(emulator)).wait(job_id, 2.5, lambda status, waited: None)
    assert job_id in str(timeout.value)
    assert timeout.value.status == "IN_PROGRESS"
    assert "run `pulumi up` again" in str(timeout.value)


def test_progress_reports_status_changes(emulator: Emulator) -> None:
    world = seed(emulator, duration_seconds=2)
    job_id = start(world, name="progress")
    seen: list[str] = []
    SharedPoller(polling_client(emulator)).wait(
        job_id, 30, lambda status, waited: seen.append(status)
    )
    assert "IN_PROGRESS" in seen


@pytest.mark.parametrize("code", ["ResourceNotFoundException", "AccessDeniedException"])
@pytest.mark.parametrize("poller_type", [SharedPoller, GetPoller])
def test_a_poll_error_about_one_job_ends_only_that_jobs_wait(
    emulator: Emulator, emulator_settings: Callable[..., Any], poller_type: Any, code: str
) -> None:
    world = seed(emulator, duration_seconds=2)
    good = [start(world, name=f"mate-{i}") for i in range(2)]
    bad = start(world, name=f"refused-{code}")
    emulator_settings(job_poll_faults={f"refused-{code}": code})
    results = wait_all(poller_type(polling_client(emulator)), [*good, bad])
    assert isinstance(results[bad], JobPollFailed)
    assert bad in str(results[bad]) and code in str(results[bad])
    assert all(results[job_id]["Status"] == "SUCCEEDED" for job_id in good)


def _stubbed_client() -> tuple[Any, Stubber]:
    # What the emulator cannot produce: an expired session token (it checks no signature).
    stubbed = boto3.client("rekognition", region_name=REGION)
    return stubbed, Stubber(stubbed)


def test_an_expired_token_on_list_ends_every_wait() -> None:
    stubbed, stubber = _stubbed_client()
    stubber.add_client_error(
        "list_media_analysis_jobs", "ExpiredTokenException", "The security token has expired."
    )
    with stubber:
        results = wait_all(SharedPoller(stubbed), ["job-a", "job-b"], timeout=20)
    for job_id in ("job-a", "job-b"):
        assert isinstance(results[job_id], ClientError)
        assert "ExpiredTokenException" in str(results[job_id])


def test_an_expired_token_on_get_ends_every_wait() -> None:
    stubbed, stubber = _stubbed_client()
    stubber.add_response("list_media_analysis_jobs", {"MediaAnalysisJobs": []})
    stubber.add_client_error(
        "get_media_analysis_job", "ExpiredTokenException", "The security token has expired."
    )
    poller = SharedPoller(stubbed)
    with stubber:
        results = wait_all(poller, ["job-a", "job-b"], timeout=20)
    for job_id in ("job-a", "job-b"):
        assert isinstance(results[job_id], ClientError)
        assert "ExpiredTokenException" in str(results[job_id])


@pytest.mark.parametrize("poller_type", [SharedPoller, GetPoller])
def test_an_unreachable_endpoint_is_reported_and_ends_the_wait(
    monkeypatch: pytest.MonkeyPatch, poller_type: Any
) -> None:
    monkeypatch.setattr(pollers, "UNREACHABLE_LIMIT", 3.0)
    with socket.socket() as placeholder:  # a port nothing listens on
        placeholder.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{placeholder.getsockname()[1]}"
    lines: list[str] = []
    began = time.monotonic()
    with pytest.raises(EndpointUnreachable) as unreachable:
        poller_type(client.rekognition(REGION, url, polling=True)).wait(
            "job-x", 60, lambda status, waited: lines.append(status)
        )
    assert time.monotonic() - began < 20
    assert f"Cannot reach {url}" in str(unreachable.value)
    assert "resume waiting for job job-x" in str(unreachable.value)
    assert any(f"cannot reach {url}" in line and "retrying" in line for line in lines)


def _observed(*statuses: str) -> pollers._Watch:
    watch = pollers._Watch("job-a", time.time(), 0.0, 0.0)
    for status in statuses:
        pollers._observe(watch, {"JobId": "job-a", "Status": status, "CreationTimestamp": 0.0})
    return watch


def test_a_stale_read_never_moves_the_status_backwards() -> None:
    watch = _observed("QUEUED", "IN_PROGRESS", "QUEUED", "CREATED")
    assert watch.status == "IN_PROGRESS" and not watch.done.is_set()


@pytest.mark.parametrize(("first", "then"), [("SUCCEEDED", "FAILED"), ("FAILED", "SUCCEEDED")])
def test_a_terminal_status_is_final(first: str, then: str) -> None:
    watch = _observed("IN_PROGRESS", first, then, "IN_PROGRESS")
    assert watch.done.is_set()
    assert watch.status == first
    assert watch.job is not None and watch.job["Status"] == first


def _gets(emulator: Emulator) -> int:
    calls = emulator.stats()["calls"]["by_operation"]
    return int(calls.get("GetMediaAnalysisJob", {}).get("total", 0))


def test_a_look_reads_the_started_job_from_the_shared_page_without_a_get(
    emulator: Emulator,
) -> None:
    world = seed(emulator, duration_seconds=2)
    job_ids = [start(world, name=f"look-{i}") for i in range(3)]
    emulator.reset_stats()
    poller = SharedPoller(polling_client(emulator))
    looks: dict[str, Any] = {}
    threads = [
        threading.Thread(target=lambda j=job_id: looks.update({j: poller.look(j, 30).job}))
        for job_id in job_ids
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for job_id in job_ids:
        # What a create decides on: the status and when the service created the job.
        assert looks[job_id]["JobId"] == job_id
        assert looks[job_id]["Status"] in ("CREATED", "QUEUED", "IN_PROGRESS", "SUCCEEDED")
        assert looks[job_id]["CreationTimestamp"].timestamp() > 0
    assert _gets(emulator) == 0


def test_a_job_started_after_the_shared_page_was_fetched_waits_for_the_next_page(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A create's look right after its Start may get a page another waiter fetched just
    # before: the job is missing from it because it is new, not because it is deep in the
    # account's history, so the next page is awaited instead of a Get.
    monkeypatch.setattr(pollers, "BOARD_MAX_AGE", 2.5)  # the stale page outlives the first round
    # Still running when the next page comes (a page showing it ended is confirmed by a Get).
    world = seed(emulator, duration_seconds=10)
    polling = polling_client(emulator)
    board = PageBoard("look-stale-page", rate=100, directory=tmp_path)
    board.first_page(lambda: polling.list_media_analysis_jobs(MaxResults=100), 2.5)
    job_id = start(world, name="after-the-page")
    emulator.reset_stats()
    looked = SharedPoller(polling, board=board).look(job_id, 30)
    assert looked.job["JobId"] == job_id and looked.confirmed
    assert _gets(emulator) == 0


def test_a_look_ending_does_not_stop_a_wait_on_the_same_job(emulator: Emulator) -> None:
    world = seed(emulator, duration_seconds=2)
    job_id = start(world, name="look-and-wait")
    poller = SharedPoller(polling_client(emulator))
    results = {}
    waiter = threading.Thread(
        target=lambda: results.update(job=poller.wait(job_id, 30, lambda status, waited: None))
    )
    waiter.start()
    assert poller.look(job_id, 30).job["JobId"] == job_id
    waiter.join(timeout=30)
    assert not waiter.is_alive()
    assert results["job"]["Status"] == "SUCCEEDED"


@pytest.mark.parametrize("poller_type", [SharedPoller, GetPoller])
def test_a_look_at_a_job_no_page_shows_gets_it_and_a_refusal_is_that_jobs(
    emulator: Emulator, emulator_settings: Callable[..., Any], poller_type: Any
) -> None:
    world = seed(emulator, duration_seconds=2)
    job_id = start(world, name="look-refused")
    # The emulator lists no page with this job and refuses its Gets: a page asked for after
    # the look began does not show it, so the look falls back to a Get, refused.
    emulator_settings(job_poll_faults={"look-refused": "AccessDeniedException"})
    with pytest.raises(JobPollFailed) as failed:
        poller_type(polling_client(emulator)).look(job_id, 10)
    assert job_id in str(failed.value) and "AccessDeniedException" in str(failed.value)


def _forge_board(directory: Path, scope: str, jobs: list[dict[str, Any]]) -> None:
    """Write a page onto the board of ``scope`` as anyone able to write its file could: a
    well-formed ListMediaAnalysisJobs page, fresh, saying what they like."""
    stored = {"fetched_at": time.time(), "page": budget._jsonable({"MediaAnalysisJobs": jobs})}
    (directory / f"{budget._name(scope)}.json").write_text(json.dumps(stored))


def test_a_forged_page_never_becomes_a_jobs_outcome(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The board is a cache: a running job shown SUCCEEDED, with results somewhere else,
    # is checked with the job's own Get, and the Get's description is what a create records.
    monkeypatch.setattr(pollers, "BOARD_MAX_AGE", 2.5)  # the forged page stays "fresh"
    world = seed(emulator, duration_seconds=3)
    job_id = start(world, name="forged")
    polling = polling_client(emulator)
    running = polling.get_media_analysis_job(JobId=job_id)
    running.pop("ResponseMetadata")
    elsewhere = {"Bucket": "someone-elses-bucket", "Name": "their/data.jsonl"}
    forged = {
        **running,
        "Status": "SUCCEEDED",
        "CompletionTimestamp": running["CreationTimestamp"],
        "Results": {"S3Object": elsewhere, "ModelVersions": {"Moderation": "7.0"}},
        "ManifestSummary": {"S3Object": elsewhere},
    }
    _forge_board(tmp_path, "forged-page", [forged])
    poller = SharedPoller(polling, board=PageBoard("forged-page", rate=100, directory=tmp_path))

    looked = poller.look(job_id, 30)
    assert looked.confirmed  # the job's own Get
    assert looked.job["Status"] in ("CREATED", "QUEUED", "IN_PROGRESS")
    assert "Results" not in looked.job and "ManifestSummary" not in looked.job

    job = poller.wait(job_id, 60, lambda status, waited: None)
    assert job["Status"] == "SUCCEEDED"
    for output in ("Results", "ManifestSummary"):
        assert job[output]["S3Object"]["Bucket"] == world.output_bucket
        assert job[output]["S3Object"]["Name"].startswith(f"forged/{job_id}/")


def _calls(emulator: Emulator) -> dict[str, int]:
    calls = emulator.stats()["calls"]["by_operation"]
    return {
        op: int(calls.get(op, {}).get("total", 0))
        for op in ("GetMediaAnalysisJob", "ListMediaAnalysisJobs")
    }


def test_an_end_this_process_saw_on_its_own_page_needs_no_get(
    emulator: Emulator, tmp_path: Path
) -> None:
    # A page this process fetched itself (and wrote to the board, and read back from its
    # own keeping) is the service's answer, as good as a Get: its description is the outcome.
    world = seed(emulator, duration_seconds=1)
    job_ids = [start(world, name=f"own-page-{i}") for i in range(3)]
    emulator.reset_stats()
    board = PageBoard("own-page", rate=100, directory=tmp_path)
    results = wait_all(SharedPoller(polling_client(emulator), board=board), job_ids)
    for job_id in job_ids:
        assert results[job_id]["Status"] == "SUCCEEDED"
        results_object = results[job_id]["Results"]["S3Object"]
        assert results_object["Bucket"] == world.output_bucket
        assert results_object["Name"].startswith(f"own-page-{job_ids.index(job_id)}/{job_id}/")
    calls = _calls(emulator)
    assert calls["GetMediaAnalysisJob"] == 0
    assert calls["ListMediaAnalysisJobs"] >= 1


def test_an_end_seen_on_another_processs_page_is_confirmed_with_a_get(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A true page, but fetched by another process: read from the board's file, it is
    # indistinguishable from a forged one, so the end it shows costs the job's own Get.
    monkeypatch.setattr(pollers, "BOARD_MAX_AGE", 5.0)  # the other process's page stays fresh
    world = seed(emulator, duration_seconds=0.5)
    job_id = start(world, name="foreign-page")
    other = world.client("rekognition")
    until(
        lambda: other.get_media_analysis_job(JobId=job_id)["Status"] == "SUCCEEDED",
        30,
        "the job ended",
        interval=0.1,
    )
    listed = other.list_media_analysis_jobs(MaxResults=100)["MediaAnalysisJobs"]
    _forge_board(tmp_path, "foreign-page", listed)
    emulator.reset_stats()
    board = PageBoard("foreign-page", rate=100, directory=tmp_path)
    job = SharedPoller(polling_client(emulator), board=board).wait(
        job_id, 30, lambda status, waited: None
    )
    assert job["Status"] == "SUCCEEDED"
    assert _calls(emulator) == {"GetMediaAnalysisJob": 1, "ListMediaAnalysisJobs": 0}
