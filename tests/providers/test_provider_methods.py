"""The provider's methods called directly against the emulator (no engine)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from devtools.world import World, provider_env, seed
from rekognition_media.core import budget, pollers
from rekognition_media.core.request import JobSettings, build_request
from rekognition_media.core.token import derive_token
from rekognition_media.emulator import Emulator
from rekognition_media.providers import MediaAnalysisJobFailed, MediaAnalysisJobProvider
from tests.support import until

# Runs jobs in the emulator and waits for them through the real pollers.
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in provider_env().items():
        monkeypatch.setenv(name, value)


def props(world: World, **overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "operations_config": {"detect_moderation_labels": {"min_confidence": 50}},
        "input": {"s3_object": {"bucket": world.input_bucket, "name": world.manifest}},
        "output_config": {"s3_bucket": world.output_bucket, "s3_key_prefix": "direct/"},
        "kms_key_id": world.key_arn,
        "endpoint_url": world.emulator.url,
        "wait_timeout_seconds": 60,
    }
    base |= overrides
    base["client_request_token"] = derive_token("direct-test", build_request(base))
    return base


def test_create_waits_and_returns_the_job_outputs(emulator: Emulator) -> None:
    world = seed(emulator)
    result = MediaAnalysisJobProvider().create(props(world))
    outs = result.outs
    assert result.id == outs["job_id"]
    assert outs["status"] == "SUCCEEDED"
    assert outs["results_uri"].startswith(f"s3://{world.output_bucket}/direct/")
    assert outs["results"]["model_versions"]["moderation"]
    assert outs["manifest_summary"]["s3_object"]["bucket"] == world.output_bucket
    assert outs["creation_timestamp"] <= outs["completion_timestamp"]
    # Inputs are carried into the outputs unchanged.
    assert outs["kms_key_id"] == world.key_arn


def test_create_twice_with_the_same_token_is_one_job(emulator: Emulator) -> None:
    world = seed(emulator)
    first = MediaAnalysisJobProvider().create(props(world))
    second = MediaAnalysisJobProvider().create(props(world))
    assert first.id == second.id
    assert len(world.jobs_of()) == 1


def test_create_without_waiting_returns_at_once(emulator: Emulator) -> None:
    world = seed(emulator, duration_seconds=30)
    outs = MediaAnalysisJobProvider().create(props(world, wait_for_completion=False)).outs
    assert outs["status"] in ("CREATED", "QUEUED", "IN_PROGRESS")
    assert outs["results_uri"] is None


def test_failed_job_raises_with_code_and_job_id(emulator: Emulator) -> None:
    world = seed(emulator)
    bad = props(world, output_config={"s3_bucket": "no-such-bucket-direct"})
    with pytest.raises(MediaAnalysisJobFailed) as failure:
        MediaAnalysisJobProvider().create(bad)
    assert failure.value.code == "INVALID_OUTPUT_CONFIG"
    assert failure.value.job_id in str(failure.value)


def test_read_refreshes_and_a_vanished_job_leaves_the_state(emulator: Emulator) -> None:
    world = seed(emulator)
    provider = MediaAnalysisJobProvider()
    created = provider.create(props(world))
    stale = {**created.outs, "status": "IN_PROGRESS"}
    read = provider.read(created.id, stale)
    assert read.id == created.id
    assert read.outs["status"] == "SUCCEEDED"
    gone = provider.read("0" * 64, created.outs)
    assert gone.id is None


def test_the_moderation_summary_is_read_once_when_the_job_ends(
    emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    world = seed(emulator, duration_seconds=10)
    provider = MediaAnalysisJobProvider()
    # Not waited for: no summary yet; the refresh after the job ended reads it.
    created = provider.create(props(world, wait_for_completion=False))
    assert created.outs["status"] != "SUCCEEDED"
    assert created.outs["moderation_summary"] is None
    rekognition = world.client("rekognition")
    until(
        lambda: rekognition.get_media_analysis_job(JobId=created.id)["Status"] == "SUCCEEDED",
        60,
        "the job ended",
    )
    read = provider.read(created.id, created.outs).outs
    found = read["moderation_summary"]
    assert (found["images_analysed"], found["images_flagged"]) == (3, 2)
    assert found["categories"] == {"Violence": 1, "Explicit": 1}
    assert found["min_confidence"] == 50
    assert (
        f"media analysis job {created.id}: 2 of 3 images flagged (MinConfidence 50): "
        f"Violence 1, Explicit 1 — report: rekognition-media report {created.id}"
    ) in capsys.readouterr().err
    # Once recorded it is kept: a refresh does not read the results again.
    s3 = world.client("s3")
    s3.delete_object(Bucket=world.output_bucket, Key=read["results"]["s3_object"]["name"])
    assert provider.read(created.id, read).outs["moderation_summary"] == found
    assert "no moderation summary" not in capsys.readouterr().err
    # Missing, with the results gone: still no error, one line naming the object.
    again = provider.read(created.id, {**read, "moderation_summary": None}).outs
    assert again["status"] == "SUCCEEDED" and again["moderation_summary"] is None
    [line] = [x for x in capsys.readouterr().err.splitlines() if "moderation summary" in x]
    assert line == (
        f"media analysis job {created.id}: no moderation summary: the results object "
        f"{read['results_uri']} does not exist (NoSuchKey): deleted since the job wrote it?"
    )


def test_update_changes_settings_and_keeps_the_job_outputs(emulator: Emulator) -> None:
    world = seed(emulator)
    provider = MediaAnalysisJobProvider()
    created = provider.create(props(world))
    news = props(world, wait_timeout_seconds=10, fail_on_job_failure=False)
    calls_before = emulator.stats()["calls"]["total"]
    updated = provider.update(created.id, created.outs, news).outs
    assert emulator.stats()["calls"]["total"] == calls_before
    assert updated["wait_timeout_seconds"] == 10
    assert updated["job_id"] == created.id
    assert updated["status"] == "SUCCEEDED"
    assert updated["moderation_summary"] == created.outs["moderation_summary"]
    assert updated["moderation_summary"]["images_flagged"] == 2


def test_delete_removes_outputs_only_when_asked(emulator: Emulator) -> None:
    world = seed(emulator)
    provider = MediaAnalysisJobProvider()
    kept = provider.create(props(world))
    provider.delete(kept.id, kept.outs)
    s3 = world.client("s3")
    key = kept.outs["results"]["s3_object"]["name"]
    assert s3.head_object(Bucket=world.output_bucket, Key=key)

    removed = provider.create(props(world, delete_outputs_on_destroy=True, job_name="removed"))
    provider.delete(removed.id, removed.outs)
    listed = {o["Key"] for o in s3.list_objects_v2(Bucket=world.output_bucket).get("Contents", [])}
    assert removed.outs["results"]["s3_object"]["name"] not in listed
    assert removed.outs["manifest_summary"]["s3_object"]["name"] not in listed
    # Rekognition has no delete call: the job itself remains.
    assert removed.id in {j["JobId"] for j in world.jobs_of()}


@pytest.mark.parametrize("prefix", ["kept", "kept/"])
def test_a_destroy_deletes_nothing_outside_the_jobs_own_prefix(
    emulator: Emulator, capfd: pytest.CaptureFixture[str], prefix: str
) -> None:
    # A recorded location is only as good as what recorded it (a state edited by hand, or a
    # page forged by another local user): a destroy never follows it out of the job's prefix.
    world = seed(emulator)
    provider = MediaAnalysisJobProvider()
    created = provider.create(
        props(
            world,
            delete_outputs_on_destroy=True,
            output_config={"s3_bucket": world.output_bucket, "s3_key_prefix": prefix},
        )
    )
    job_id = created.id
    s3 = world.client("s3")
    sibling = f"kept/{job_id}-sibling/results.jsonl"  # shares the prefix's text, not its '/'
    s3.put_object(Bucket=world.output_bucket, Key=sibling, Body=b"another job's")
    tampered = {
        **created.outs,
        "results": {"s3_object": {"bucket": world.input_bucket, "name": world.manifest}},
        "manifest_summary": {"s3_object": {"bucket": world.output_bucket, "name": sibling}},
    }
    capfd.readouterr()
    provider.delete(job_id, tampered)
    said = capfd.readouterr().err
    assert s3.head_object(Bucket=world.input_bucket, Key=world.manifest)
    assert s3.head_object(Bucket=world.output_bucket, Key=sibling)
    for refused in (
        f"s3://{world.input_bucket}/{world.manifest}",
        f"s3://{world.output_bucket}/{sibling}",
    ):
        assert (
            f"not deleting {refused}: it is outside the job's own output prefix s3://{world.output_bucket}/kept/{job_id}/"
            in said
        )

    # The same job's own record: its outputs are under the prefix, with or without the '/'.
    provider.delete(job_id, created.outs)
    listed = {o["Key"] for o in s3.list_objects_v2(Bucket=world.output_bucket).get("Contents", [])}
    assert listed == {sibling}


def test_a_page_on_the_board_cannot_make_another_stacks_job_this_stacks(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Two stacks declaring one client_request_token reach one job; only the one that started
    # it records started_by_stack (and may delete its outputs). That rests on the job's
    # CreationTimestamp, which a page on the board, a file, could misstate: "brand new".
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # this test's own board
    monkeypatch.setattr(pollers, "BOARD_MAX_AGE", 30.0)  # the forged page stays "fresh"
    pollers._poller.cache_clear()
    try:
        world = seed(emulator, duration_seconds=30)
        declared = props(world, wait_for_completion=False)
        provider = MediaAnalysisJobProvider()
        first = provider.create(declared)
        assert first.outs["started_by_stack"] is True
        # The job is now seconds older than any later Start's answer.
        emulator.backdate_job(first.id, 2.5)
        settings = JobSettings.from_props(declared)
        board = pollers.poller(settings.region, settings.endpoint_url)._board
        assert board is not None
        job = world.client("rekognition").get_media_analysis_job(JobId=first.id)
        job.pop("ResponseMetadata")
        brand_new = {**job, "CreationTimestamp": time.time() + 60}
        stored = {
            "fetched_at": time.time(),
            "page": budget._jsonable({"MediaAnalysisJobs": [brand_new]}),
        }
        (board._directory.path / board._name).write_text(json.dumps(stored))

        second = provider.create(declared)  # the other stack, same declared token
    finally:
        pollers._poller.cache_clear()
    assert second.id == first.id
    assert second.outs["started_by_stack"] is False


def _gets(emulator: Emulator) -> int:
    calls = emulator.stats()["calls"]["by_operation"]
    return int(calls.get("GetMediaAnalysisJob", {}).get("total", 0))


def test_a_create_that_sees_its_job_on_its_own_pages_makes_no_get(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Its first read and its end both come from List pages this process fetched: as good
    # as the job's Get, even for a declared token (props declares one).
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # no other process's pages
    pollers._poller.cache_clear()
    try:
        world = seed(emulator, duration_seconds=1)
        emulator.reset_stats()
        created = MediaAnalysisJobProvider().create(props(world))
    finally:
        pollers._poller.cache_clear()
    assert created.outs["status"] == "SUCCEEDED"
    assert created.outs["started_by_stack"] is True
    assert created.outs["results_uri"].startswith(f"s3://{world.output_bucket}/direct/")
    assert _gets(emulator) == 0


def test_a_create_that_does_not_wait_records_no_other_processs_page(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Without waiting, the first read is what the create records: not from a page on the
    # board, which may say anything (here: a brand-new job with results elsewhere).
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # this test's own board
    # and no page kept from an earlier test: "fresh" for 30 s, it would not show the job.
    monkeypatch.setattr(budget, "_LOCAL_PAGES", {})
    monkeypatch.setattr(pollers, "BOARD_MAX_AGE", 30.0)  # the forged page stays "fresh"
    pollers._poller.cache_clear()
    try:
        world = seed(emulator, duration_seconds=30)
        derived = props(world, wait_for_completion=False, token_scope="no-wait-forged")
        del derived["client_request_token"]
        provider = MediaAnalysisJobProvider()
        first = provider.create(derived)
        settings = JobSettings.from_props(derived)
        board = pollers.poller(settings.region, settings.endpoint_url)._board
        assert board is not None
        job = world.client("rekognition").get_media_analysis_job(JobId=first.id)
        job.pop("ResponseMetadata")
        elsewhere = {"Bucket": "someone-elses-bucket", "Name": "their/data.jsonl"}
        forged = {
            **job,
            "CreationTimestamp": time.time() + 60,
            "Results": {"S3Object": elsewhere, "ModelVersions": {"Moderation": "7.0"}},
        }
        stored = {
            "fetched_at": time.time() + 1,  # newer than any page this process fetched
            "page": budget._jsonable({"MediaAnalysisJobs": [forged]}),
        }
        (board._directory.path / board._name).write_text(json.dumps(stored))

        second = provider.create(derived)  # a re-run: the same derived token, the same job
    finally:
        pollers._poller.cache_clear()
    assert second.id == first.id
    assert second.outs["results"] is None
    assert second.outs["creation_timestamp"] == first.outs["creation_timestamp"]


def test_standard_aws_environment_is_used_when_no_endpoint_is_given(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AWS_ENDPOINT_URL and AWS_REGION (set by provider_env) reach the provider's clients."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.url)
    world = seed(emulator)
    given = props(world)
    del given["endpoint_url"]
    created = MediaAnalysisJobProvider().create(given)
    assert created.outs["status"] == "SUCCEEDED"
    assert created.id in {j["JobId"] for j in world.jobs_of()}


def test_a_rerun_after_a_successor_was_started_resumes_it_never_a_third_job(
    emulator: Emulator,
) -> None:
    world = seed(emulator)
    missing = f"{world.output_bucket}-direct-later"
    bad = props(world, output_config={"s3_bucket": missing})
    with pytest.raises(MediaAnalysisJobFailed):
        MediaAnalysisJobProvider().create(bad)
    world.client("s3").create_bucket(Bucket=missing)
    # A person fixing the cause takes longer than the slack within which a failed job is
    # the current run's own (core/lifecycle.py, _FRESH_SLACK).
    [failed] = world.jobs_of(missing)
    emulator.backdate_job(failed["JobId"], 3)
    successor = MediaAnalysisJobProvider().create(bad)
    # The same create again -- a re-run after `pulumi up` was killed once the successor
    # had started -- walks the same chain of tokens and resumes it.
    again = MediaAnalysisJobProvider().create(bad)
    assert again.id == successor.id
    assert again.outs["request_token"] == successor.outs["request_token"]
    assert len(world.jobs_of(missing)) == 2
    assert again.outs["status"] == "SUCCEEDED"
