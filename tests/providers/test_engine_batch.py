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

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
import yaml
from pulumi import automation as auto

from devtools.engine import EngineStack, StackFactory, offline_env
from devtools.world import World, provider_env, put_many, seed
from rekognition_media.api.casing import snake_case
from rekognition_media.emulator import Emulator
from tests.plugin.support import PulumiFailed, YamlStack, require_tools
from tests.support import ROOT, until

pytestmark = pytest.mark.engine

TINY = 10_001
IMAGES = TINY + 3
FRONTS = ("dynamic", "plugin")


class FrontFailed(AssertionError):
    """A Pulumi command failed; ``output`` is what it printed."""

    def __init__(self, output: str) -> None:
        super().__init__(output)
        self.output = output


class Front(Protocol):
    def up(self) -> str: ...
    def preview(self) -> str: ...
    def refresh(self) -> str: ...
    def outputs(self) -> dict[str, Any]: ...
    def set_config(self, key: str, value: str) -> None: ...
    def spawn_up(self) -> subprocess.Popen[bytes]: ...
    def cancel(self) -> None: ...
    def clear_pending_creates(self) -> None: ...
    def expect_no_changes(self) -> None: ...


class DynamicFront:
    def __init__(self, stack: EngineStack, tmp_path: Path) -> None:
        self.stack = stack
        self.tmp_path = tmp_path

    def _run(self, call: Callable[[], Any]) -> str:
        try:
            return str(call().stdout)
        except auto.CommandError as error:
            raise FrontFailed(str(error)) from None

    def up(self) -> str:
        return self._run(self.stack.up)

    def preview(self) -> str:
        return self._run(self.stack.preview)

    def refresh(self) -> str:
        return self._run(self.stack.refresh)

    def outputs(self) -> dict[str, Any]:
        return self.stack.outputs()

    def set_config(self, key: str, value: str) -> None:
        self.stack.stack.set_config(key, auto.ConfigValue(value))

    def spawn_up(self) -> subprocess.Popen[bytes]:
        spec = self.tmp_path / "spec.json"
        spec.write_text(json.dumps(self.stack.spec()))
        return subprocess.Popen(
            [sys.executable, "-m", "devtools.run", str(spec), "up"],
            cwd=ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def cancel(self) -> None:
        self.stack.cancel()

    def clear_pending_creates(self) -> None:
        self.stack.refresh(clear_pending_creates=True)

    def expect_no_changes(self) -> None:
        self._run(lambda: self.stack.preview(expect_no_changes=True))


class PluginFront:
    def __init__(self, stack: YamlStack) -> None:
        self.stack = stack

    def _run(self, *args: str) -> str:
        try:
            return self.stack.run(*args).stdout
        except PulumiFailed as failed:
            raise FrontFailed(failed.output) from None

    def up(self) -> str:
        return self._run("up", "--yes", "--skip-preview")

    def preview(self) -> str:
        return self._run("preview")

    def refresh(self) -> str:
        return self._run("refresh", "--yes")

    def outputs(self) -> dict[str, Any]:
        # The plugin's nested keys are camelCase: as the dynamic resource's, snake_case
        # (moderation_summary's maps are keyed by data, so only its own keys).
        found = self.stack.outputs()
        for name in ("images_skipped", "manifest_statistics", "moderation_summary"):
            if isinstance(found.get(name), dict):
                found[name] = {snake_case(k): v for k, v in found[name].items()}
        return found

    def set_config(self, key: str, value: str) -> None:
        self._run("config", "set", key, value)

    def spawn_up(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [str(self.stack.bin_dir / "pulumi"), *_UP],
            cwd=self.stack.program_dir,
            env={
                **os.environ,
                **offline_env(self.stack.bin_dir, self.stack.state_dir),
                **self.stack.env,
            },
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def cancel(self) -> None:
        self._run("cancel", "--yes")

    def clear_pending_creates(self) -> None:
        self._run("refresh", "--yes", "--clear-pending-creates")

    def expect_no_changes(self) -> None:
        self._run("preview", "--expect-no-changes")


_UP = ("up", "--yes", "--skip-preview", "--non-interactive")
MakeFront = Callable[..., Front]


@pytest.fixture(params=FRONTS)
def make_front(
    request: pytest.FixtureRequest,
    engine_stack: StackFactory,
    pulumi_bin: Path,
    tmp_path: Path,
) -> Iterator[MakeFront]:
    def make(world: World, prefix: str, **config: str) -> Front:
        settings = {
            "inputBucket": world.input_bucket,
            "prefix": prefix,
            "outputBucket": world.output_bucket,
            "kmsKeyArn": world.key_arn,
            "maxImages": "20000",
            "jobName": "nightly",
            **config,
        }
        if request.param == "dynamic":
            stack = engine_stack(
                ROOT / "examples" / "batch",
                env=provider_env(),
                config={**settings, "endpointUrl": world.emulator.url},
            )
            return DynamicFront(stack, tmp_path)
        require_tools(pulumi_bin)
        yaml_stack = YamlStack(
            program_dir=tmp_path / "program",
            state_dir=tmp_path / "state-yaml",
            bin_dir=pulumi_bin,
            env=provider_env(),
        )
        yaml_stack.write(
            yaml.safe_load((ROOT / "examples" / "yaml-batch" / "Pulumi.yaml").read_text())
        )
        yaml_stack.init()
        front = PluginFront(yaml_stack)
        for key, value in {
            **settings,
            "rekognition-media:endpointUrl": world.emulator.url,
        }.items():
            front.set_config(key, value)
        return front

    yield make


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
