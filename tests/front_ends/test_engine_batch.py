"""``MediaAnalysisBatch`` through the real Pulumi CLI on both front ends, one scenario each.

The dynamic resource runs ``examples/batch`` (a Python program, Automation API), the
plugin's runs ``examples/yaml-batch`` (YAML, the plain CLI); both programs take the same
stack configuration and export the same outputs, so each test below runs on both
(``front``). Two shards need more than 10,000 images: the prefix gets 10,001 tiny keys
written straight into the in-process emulator's moto backend (``devtools.world.put_many``,
about a second), never a smaller shard size. The tiny keys are not images, so their
lines are invalid in the jobs (counted, not fatal); the three sample images are analysed.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from typing import Any

import pytest

from devtools.world import World, put_many, seed, seed_prefix
from rekognition_media.emulator import Emulator
from tests.front_ends.conftest import MakeFront
from tests.front_ends.support import FrontFailed
from tests.support import until

pytestmark = pytest.mark.engine

TINY = 10_001
IMAGES = TINY + 3


@pytest.fixture(scope="module")
def big(emulator: Emulator) -> World:
    """Under ``big/``: the three sample images, 10,001 tiny keys and a text file."""
    world = seed_prefix(emulator, "big/", TINY)
    put_many(world.input_bucket, ["big/readme.txt"], body=b"text")
    return world


def tiny_world(emulator: Emulator) -> World:
    world = seed(emulator)
    put_many(world.input_bucket, range(TINY), key_format="p/{:06d}.png")
    return world


def test_preview_estimates_then_up_runs_two_shards_and_refresh_counts_unlisted(
    big: World, make_front: MakeFront
) -> None:
    front = make_front(big, "big/")
    preview = front.preview()
    assert (
        f"will analyse {IMAGES:,} images in 2 jobs (about USD 10.00 at USD 0.001 per image; "
        "Rekognition bills successfully processed images)"
    ) in preview
    before = {job["JobId"] for job in big.jobs_of()}

    out = front.up()
    outputs = front.outputs()
    assert outputs["status"] == "SUCCEEDED"
    assert outputs["shard_statuses"] == ["SUCCEEDED", "SUCCEEDED"]
    assert len(outputs["job_ids"]) == 2 and not before & set(outputs["job_ids"])
    assert outputs["images_listed"] == outputs["estimated_images"] == IMAGES
    assert outputs["images_skipped"] == {"wrong_suffix": 1, "too_large": 0, "empty": 0}
    assert outputs["manifest_statistics"]["total_json_lines"] == IMAGES
    assert outputs["moderation_summary"]["images_flagged"] == 2
    assert all(
        uri.startswith(f"s3://{big.output_bucket}/results/batches/")
        for uri in outputs["manifest_uris"]
    )
    assert (
        f"media analysis batch nightly: 2 jobs, 3 of {IMAGES:,} images analysed, 2 flagged"
    ) in out
    jobs = {job["JobId"]: job for job in big.jobs_of()}
    assert sorted(jobs[i]["JobName"] for i in outputs["job_ids"]) == ["nightly-0", "nightly-1"]
    front.expect_no_changes()
    assert "will analyse" not in front.preview()  # nothing will run: no estimate

    # A key uploaded since: the other front end's run shares ``big``, so it goes again.
    put_many(big.input_bucket, ["big/zzz-late.png"], body=b"\x89PNG")
    try:
        front.set_config("countUnlistedOnRefresh", "true")
        front.up()  # a setting: updated in place, no job started
        assert len(big.jobs_of()) == len(jobs)
        refreshed = front.refresh()
    finally:
        big.client("s3").delete_object(Bucket=big.input_bucket, Key="big/zzz-late.png")
    assert "1 images under s3://" in refreshed
    assert "were never listed by this batch" in refreshed


def test_killed_up_resumes_from_the_manifests_without_a_duplicate_job(
    emulator: Emulator, make_front: MakeFront, emulator_settings: Callable[..., Any]
) -> None:
    world = tiny_world(emulator)
    emulator_settings(job_duration=6)
    front = make_front(world, "p/")
    runner = front.spawn_up()
    try:
        until(world.jobs_of, 120, "a shard's job started")
    finally:
        os.killpg(runner.pid, signal.SIGKILL)
        runner.wait()
    before = {job["JobId"] for job in world.jobs_of()}
    front.cancel()  # the killed run still holds the stack's lock
    out = front.up()
    assert "not listing again" in out
    jobs = world.jobs_of()
    assert len(jobs) == 2 and before <= {job["JobId"] for job in jobs}
    assert front.outputs()["status"] == "SUCCEEDED"
    front.clear_pending_creates()
    front.expect_no_changes()


def test_a_failed_shard_fails_the_update_and_only_it_runs_again(
    emulator: Emulator, make_front: MakeFront, emulator_settings: Callable[..., Any]
) -> None:
    world = tiny_world(emulator)
    emulator_settings(job_failures={"retry-1": "INTERNAL_ERROR"})
    front = make_front(world, "p/", jobName="retry")
    with pytest.raises(FrontFailed) as failed:
        front.up()
    assert "1 of 2 jobs ended FAILED: shard 1 (job " in failed.value.output
    first = {job["JobName"]: job["JobId"] for job in world.jobs_of()}
    emulator_settings(job_failures={})
    front.up()
    outputs = front.outputs()
    assert len(world.jobs_of()) == 3  # shard 1's successor only
    assert outputs["job_ids"][0] == first["retry-0"]
    assert outputs["job_ids"][1] != first["retry-1"]
    assert outputs["status"] == "SUCCEEDED"


def test_the_cap_fails_the_preview_naming_both_numbers(big: World, make_front: MakeFront) -> None:
    front = make_front(big, "big/", maxImages="10000")
    with pytest.raises(FrontFailed) as failed:
        front.preview()
    assert f"holds {IMAGES:,} images to analyse, more than max_images = 10,000" in (
        failed.value.output
    )
