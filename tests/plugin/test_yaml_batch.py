"""``rekognition-media:index:MediaAnalysisBatch`` from a ``runtime: yaml`` program, through
the real CLI against the session's emulator.

Two shards need more than 10,000 images: the prefix gets 10,001 tiny keys written
straight into the in-process emulator's moto backend (``devtools.world.put_many``, a
second), never a smaller shard size. The tiny keys are not images, so their lines are
invalid in the jobs (counted, not fatal); the three sample images are analysed.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from devtools.engine import offline_env
from devtools.world import World, no_credentials_env, provider_env, put_many, seed
from rekognition_media.emulator import Emulator
from rekognition_media.plugin import BATCH_TYPE, JOB_TYPE
from tests.plugin.support import PulumiFailed, YamlStack, require_tools
from tests.support import until

pytestmark = pytest.mark.engine

YamlStackFactory = Callable[..., YamlStack]
TINY = 10_001
IMAGES = TINY + 3


@pytest.fixture
def yaml_stack(pulumi_bin: Path, tmp_path: Path) -> YamlStackFactory:
    require_tools(pulumi_bin)

    def make(
        program: dict[str, Any], name: str = "test", env: dict[str, str] | None = None
    ) -> YamlStack:
        stack = YamlStack(
            program_dir=tmp_path / f"program-{name}",
            state_dir=tmp_path / f"state-{name}",
            bin_dir=pulumi_bin,
            name=name,
            env=provider_env() if env is None else env,
        )
        stack.write(program)
        stack.init()
        return stack

    return make


@pytest.fixture(scope="module")
def big(emulator: Emulator) -> World:
    """Under ``big/``: the three sample images, 10,001 tiny keys and a text file."""
    world = seed(emulator)
    s3 = world.client("s3")
    for key in ("images/sample-1.png", "images/sample-2.png", "images/sample-3.png"):
        source = s3.get_object(Bucket=world.input_bucket, Key=key)
        s3.put_object(
            Bucket=world.input_bucket,
            Key=f"big/{key.rsplit('/', 1)[1]}",
            Body=source["Body"].read(),
            Metadata=source["Metadata"],
        )
    put_many(world.input_bucket, range(TINY), key_format="big/tiny/{:06d}.jpg")
    put_many(world.input_bucket, ["big/readme.txt"], body=b"text")
    return world


def batch_program(world: World, prefix: str = "big/", **extra: Any) -> dict[str, Any]:
    properties = {
        "source": {"bucket": world.input_bucket, "prefix": prefix},
        "maxImages": 20_000,
        "operationsConfig": {"detectModerationLabels": {"minConfidence": 60}},
        "outputConfig": {"s3Bucket": world.output_bucket, "s3KeyPrefix": "results/"},
        "kmsKeyId": world.key_arn,
        "jobName": "yb",
        **extra,
    }
    return {
        "name": "yaml-batch",
        "runtime": "yaml",
        "config": {"rekognition-media:endpointUrl": {"value": world.emulator.url}},
        "resources": {"nightly": {"type": BATCH_TYPE, "properties": properties}},
        "outputs": {
            name: f"${{nightly.{name}}}"
            for name in (
                "jobIds",
                "manifestUris",
                "imagesListed",
                "imagesSkipped",
                "status",
                "shardStatuses",
                "manifestStatistics",
                "moderationSummary",
                "estimatedImages",
                "estimatedCostUsd",
            )
        },
    }


def test_preview_estimates_then_up_runs_two_shards_and_refresh_counts_unlisted(
    big: World, yaml_stack: YamlStackFactory
) -> None:
    stack = yaml_stack(batch_program(big))
    preview = stack.preview()
    assert (
        f"will analyse {IMAGES:,} images in 2 jobs (about USD 10.00 at USD 0.001 per image; "
        "Rekognition bills successfully processed images)"
    ) in preview
    assert not big.jobs_of()  # a preview starts nothing

    out = stack.up()
    outputs = stack.outputs()
    assert outputs["status"] == "SUCCEEDED"
    assert outputs["shardStatuses"] == ["SUCCEEDED", "SUCCEEDED"]
    assert len(outputs["jobIds"]) == 2
    assert outputs["imagesListed"] == IMAGES
    assert outputs["imagesSkipped"] == {"wrongSuffix": 1, "tooLarge": 0, "empty": 0}
    assert outputs["estimatedImages"] == IMAGES
    assert outputs["manifestStatistics"]["totalJsonLines"] == IMAGES
    assert outputs["moderationSummary"]["imagesFlagged"] == 2
    assert all(
        uri.startswith(f"s3://{big.output_bucket}/results/batches/")
        for uri in outputs["manifestUris"]
    )
    assert (
        f"media analysis batch nightly: 2 jobs, 3 of {IMAGES:,} images analysed, 2 flagged" in out
    )
    assert {job["JobName"] for job in big.jobs_of()} == {"yb-0", "yb-1"}

    stack.run("preview", "--expect-no-changes")
    put_many(big.input_bucket, ["big/late.png"], body=b"\x89PNG")
    program = stack.program()
    program["resources"]["nightly"]["properties"]["countUnlistedOnRefresh"] = True
    stack.write(program)
    stack.up()  # a setting: updated in place, no job
    assert len(big.jobs_of()) == 2
    refreshed = stack.run("refresh", "--yes").stdout
    assert "1 images under s3://" in refreshed and "were never listed by this batch" in refreshed
    stack.run("destroy", "--yes")


def test_killed_up_resumes_from_the_manifests_without_a_duplicate_job(
    emulator: Emulator,
    yaml_stack: YamlStackFactory,
    emulator_settings: Callable[..., Any],
) -> None:
    world = seed(emulator)
    put_many(world.input_bucket, range(TINY), key_format="p/{:06d}.png")
    emulator_settings(job_duration=6)
    stack = yaml_stack(batch_program(world, "p/"))
    runner = subprocess.Popen(
        [str(stack.bin_dir / "pulumi"), "up", "--yes", "--skip-preview", "--non-interactive"],
        cwd=stack.program_dir,
        env={**os.environ, **offline_env(stack.bin_dir, stack.state_dir), **stack.env},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        until(world.jobs_of, 90, "a shard's job started")
    finally:
        os.killpg(runner.pid, signal.SIGKILL)
        runner.wait()
    before = {job["JobId"] for job in world.jobs_of()}
    stack.run("cancel", "--yes")  # the killed run still holds the stack's lock
    out = stack.up()
    assert "not listing again" in out
    jobs = world.jobs_of()
    assert len(jobs) == 2 and before <= {job["JobId"] for job in jobs}
    assert stack.outputs()["status"] == "SUCCEEDED"
    stack.run("refresh", "--yes", "--clear-pending-creates")
    stack.run("preview", "--expect-no-changes")


def test_a_failed_shard_fails_the_update_and_only_it_runs_again(
    emulator: Emulator,
    yaml_stack: YamlStackFactory,
    emulator_settings: Callable[..., Any],
) -> None:
    world = seed(emulator)
    put_many(world.input_bucket, range(TINY), key_format="p/{:06d}.png")
    emulator_settings(job_failures={"yb-1": "INTERNAL_ERROR"})
    stack = yaml_stack(batch_program(world, "p/"))
    with pytest.raises(PulumiFailed) as failed:
        stack.up()
    assert "1 of 2 jobs ended FAILED: shard 1 (job " in failed.value.output
    first = {job["JobName"]: job["JobId"] for job in world.jobs_of()}
    emulator_settings(job_failures={})
    stack.up()
    outputs = stack.outputs()
    assert len(world.jobs_of()) == 3  # shard 1's successor only
    assert outputs["jobIds"][0] == first["yb-0"] and outputs["jobIds"][1] != first["yb-1"]
    assert outputs["status"] == "SUCCEEDED"


def test_the_cap_fails_the_preview_naming_both_numbers_before_anything_is_written(
    big: World, yaml_stack: YamlStackFactory
) -> None:
    stack = yaml_stack(batch_program(big, maxImages=10_000))
    with pytest.raises(PulumiFailed) as failed:
        stack.preview()
    assert f"holds {IMAGES:,} images to analyse, more than max_images = 10,000" in (
        failed.value.output
    )


def test_an_unknown_prefix_or_no_credentials_is_said_in_one_line(
    big: World, yaml_stack: YamlStackFactory, tmp_path: Path
) -> None:
    program = batch_program(big)
    program["resources"]["first"] = {
        "type": JOB_TYPE,
        "properties": {
            "operationsConfig": {"detectModerationLabels": {"minConfidence": 60}},
            "input": {"s3Object": {"bucket": big.input_bucket, "name": big.manifest}},
            "outputConfig": {"s3Bucket": big.output_bucket, "s3KeyPrefix": "first/"},
        },
    }
    program["resources"]["nightly"]["properties"]["source"]["prefix"] = "${first.jobId}/"
    stack = yaml_stack(program)
    assert "the prefix is not known until the update runs: no estimate" in stack.preview()

    stack = yaml_stack(batch_program(big), name="nocreds", env=no_credentials_env(tmp_path))
    preview = stack.preview()
    assert "cannot count the images under" in preview and "no AWS credentials found" in preview
