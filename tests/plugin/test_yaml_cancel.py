"""Ctrl-C during `pulumi up` of a ``runtime: yaml`` program: the engine's Cancel.

The first SIGINT makes the CLI cancel the deployment: it starts no new steps, sends
``Cancel`` to the plugin and waits for the steps in flight. The plugin's creates stop
waiting at once and fail naming their jobs, which keep running; the next `pulumi up`
resumes them (derived idempotency tokens), starting no second job.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.engine import offline_env
from devtools.processes import ProviderProcess, provider_processes
from devtools.world import World, seed
from rekognition_media.emulator import Emulator, EmulatorSettings
from rekognition_media.plugin import JOB_TYPE
from tests.plugin import test_yaml_job as base
from tests.plugin.support import PLUGIN, YamlStack
from tests.support import until

pytestmark = pytest.mark.engine

yaml_stack = base.yaml_stack  # the fixture, shared (not its tests)

# The CLI must be gone this soon after Ctrl-C (the plugin's waits wake every second).
EXIT_WITHIN = 15.0


@pytest.fixture
def quota_emulator() -> Iterator[Emulator]:
    """An emulator of this test's own: it enforces a concurrent-job quota of 1."""
    settings = EmulatorSettings(
        created_delay=0, queue_delay=0, job_duration=0, quota_mode=True, concurrent_jobs=1
    )
    with Emulator(settings, host="127.0.0.1", port=0) as running:
        yield running


def _start_up(stack: YamlStack, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(stack.bin_dir / "pulumi"), "up", "--yes", "--skip-preview", "--non-interactive"],
            cwd=stack.program_dir,
            env={**os.environ, **offline_env(stack.bin_dir, stack.state_dir), **stack.env},
            # Its own process group, as a shell gives a foreground job: Ctrl-C goes to the
            # group (the engine starts its plugins in groups of their own).
            start_new_session=True,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _ctrl_c(runner: subprocess.Popen[bytes]) -> float:
    """SIGINT to the CLI's process group, as a terminal's Ctrl-C; seconds until it exited."""
    sent = time.monotonic()
    os.killpg(runner.pid, signal.SIGINT)
    try:
        runner.wait(timeout=EXIT_WITHIN)
    except subprocess.TimeoutExpired:
        os.killpg(runner.pid, signal.SIGKILL)
        runner.wait()
        raise AssertionError(f"pulumi up still running {EXIT_WITHIN:.0f} s after Ctrl-C") from None
    return time.monotonic() - sent


def _plugin_processes(stack: YamlStack) -> list[ProviderProcess]:
    """This stack's plugin processes (their PULUMI_HOME is the stack's)."""
    return [p for p in provider_processes(stack.state_dir) if PLUGIN in p.command]


def _running(world: World) -> list[dict[str, Any]]:
    return [j for j in world.jobs_of() if j["Status"] == "IN_PROGRESS"]


def test_ctrl_c_stops_waiting_and_the_rerun_resumes_the_same_job(
    emulator: Emulator, yaml_stack: base.YamlStackFactory, tmp_path: Path
) -> None:
    world = seed(emulator, duration_seconds=30)
    stack = yaml_stack(base.one_job(world))
    log = tmp_path / "up.log"
    runner = _start_up(stack, log)
    try:
        [job] = until(lambda: _running(world), 60, "the job to run")
        # The create now waits for the job (its "started" line is out).
        until(lambda: "started (nightly)" in log.read_text(), 60, "the plugin to wait")
        took = _ctrl_c(runner)
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait()
    out = log.read_text()
    assert runner.returncode != 0, out
    assert took < EXIT_WITHIN
    job_id = job["JobId"]
    assert (
        f"Cancelled (Ctrl-C) while waiting for media analysis job {job_id} of resource "
        "'nightly'" in out
    ), out
    assert "The job keeps running in Rekognition" in out
    assert f"the next `pulumi up` resumes waiting for job {job_id}" in out
    # The engine closes the plugin when the cancelled deployment ends.
    until(lambda: not _plugin_processes(stack), 10, "the plugin process to exit")
    [still] = world.jobs_of()
    assert still["JobId"] == job_id and still["Status"] == "IN_PROGRESS"
    # A graceful cancel leaves no lock and no pending create behind.
    assert stack.resources(JOB_TYPE) == []
    assert "pending_operations" not in stack.run("stack", "export").stdout

    out = stack.up()
    [resumed] = world.jobs_of()  # one job: resumed, not duplicated
    assert resumed["JobId"] == job_id and resumed["Status"] == "SUCCEEDED"
    assert f"media analysis job {job_id}: resumed (nightly)" in out
    assert stack.outputs()["jobId"] == job_id
    stack.run("preview", "--expect-no-changes")
    stack.run("destroy", "--yes")


def test_ctrl_c_also_stops_a_create_waiting_for_a_quota_slot(
    quota_emulator: Emulator, yaml_stack: base.YamlStackFactory, tmp_path: Path
) -> None:
    """With a quota of one job, the second waits for a slot; Ctrl-C ends that wait too, and
    it never starts (no Start after Cancel)."""
    world = seed(quota_emulator, duration_seconds=30)
    program = base.one_job(world)
    program["resources"]["second"] = {
        "type": JOB_TYPE,
        "properties": base.job_properties(world, "results/second/"),
    }
    stack = yaml_stack(program)
    log = tmp_path / "up.log"
    runner = _start_up(stack, log)
    try:
        [job] = until(lambda: _running(world), 60, "the first job to run")
        until(
            lambda: "waiting for a concurrent-job slot" in log.read_text(),
            60,
            "the second create to wait for a slot",
        )
        took = _ctrl_c(runner)
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait()
    out = log.read_text()
    assert took < EXIT_WITHIN
    assert "waiting for a concurrent-job slot: 1 of 1 in use" in out
    # Which of the two got the slot is the engine's order: the running job's prefix says.
    # (Not the "started (...)" line: it comes after the first List page that shows the
    # job, which Ctrl-C can precede.)
    first = "second" if job["OutputConfig"]["S3KeyPrefix"] == "results/second/" else "nightly"
    other = "second" if first == "nightly" else "nightly"
    assert (
        f"Cancelled (Ctrl-C) while waiting for media analysis job {job['JobId']} of resource "
        f"'{first}'" in out
    ), out
    assert (
        f"Cancelled (Ctrl-C) before the media analysis job of resource '{other}' was started" in out
    ), out
    until(lambda: not _plugin_processes(stack), 10, "the plugin process to exit")
    time.sleep(2)  # a Start made after Cancel would show by now
    assert [j["JobId"] for j in world.jobs_of()] == [job["JobId"]]

    quota_emulator.update_settings(concurrent_jobs=2)
    out = stack.up()
    jobs = world.jobs_of()
    assert len(jobs) == 2 and {j["Status"] for j in jobs} == {"SUCCEEDED"}
    assert f"media analysis job {job['JobId']}: resumed ({first})" in out
    stack.run("destroy", "--yes")
