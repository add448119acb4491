"""Every job of a stack in one dynamic provider process, through the real Pulumi CLI.

The SDK's dynamic provider server serves four calls at a time; the provider widens it
from inside the process (``core.pulumi_internals``), so more jobs than four wait in one
process while another dynamic resource of that process is checked, diffed and updated;
and the engine's Cancel (the first Ctrl-C) stops every waiting create within seconds,
leaving no provider process, and the next `pulumi up` resumes the same jobs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from devtools.engine import EngineStack, StackFactory
from devtools.processes import provider_processes
from devtools.world import World, provider_env, seed
from rekognition_media.emulator import Emulator
from rekognition_media.providers import TYPE_TOKEN
from tests.support import ROOT, until, until_another_call

pytestmark = pytest.mark.engine

PROGRAM = ROOT / "tests" / "providers" / "programs" / "busy_process"
JOBS_PROGRAM = ROOT / "examples" / "jobs" / "__main__.py"
JOBS = 6  # more than the four threads the SDK's server has on its own
# The CLI must be gone this soon after Ctrl-C (the waits wake every second).
EXIT_WITHIN = 15.0


def busy_stack(
    engine_stack: StackFactory, world: World, marker: Path, **config: str
) -> EngineStack:
    return engine_stack(
        PROGRAM,
        "busy",
        env=provider_env(),
        config=world.config(
            jobsProgram=str(JOBS_PROGRAM), marker=str(marker), witnessValue="before", **config
        ),
    )


def all_running(world: World, count: int) -> Callable[[], list[dict[str, Any]]]:
    def check() -> list[dict[str, Any]]:
        jobs = world.jobs_reading_input()
        running = len(jobs) == count and all(j["Status"] == "IN_PROGRESS" for j in jobs)
        return jobs if running else []

    return check


def dynamic_servers(stack: EngineStack) -> list[int]:
    """This stack's ``python -m pulumi.dynamic`` processes (not their sh wrappers)."""
    return [
        p.pid
        for p in provider_processes(stack.state_dir)
        if " -m pulumi.dynamic " in f" {p.command} "
    ]


def test_other_resources_update_while_more_jobs_than_four_wait_in_one_process(
    emulator: Emulator, engine_stack: StackFactory, tmp_path: Path
) -> None:
    world = seed(emulator, duration_seconds=45)
    marker = tmp_path / "witness"
    stack = busy_stack(engine_stack, world, marker, jobs="0")
    stack.up()
    assert marker.read_text() == "before"

    stack.stack.set_config("jobs", auto.ConfigValue(str(JOBS)))
    stack.stack.set_config("witnessValue", auto.ConfigValue("after"))
    outcome: dict[str, Any] = {}

    def up() -> None:
        try:
            outcome["up"] = stack.up(parallel=32)
        except auto.CommandError as error:
            outcome["error"] = error

    runner = threading.Thread(target=up, daemon=True)
    runner.start()
    # With four threads at most four creates could wait at once.
    jobs = until(all_running(world, JOBS), 90, f"{JOBS} jobs waited for at once")
    # The witness is checked, diffed and updated while every job still waits.
    until(lambda: marker.read_text() == "after", 60, "the witness to update")
    ended = [j["JobName"] for j in world.jobs_reading_input() if j["Status"] != "IN_PROGRESS"]
    assert not ended, f"the witness updated only after {ended} ended"
    assert len(dynamic_servers(stack)) == 1, "one provider process for every job"
    runner.join(timeout=300)
    assert not runner.is_alive(), "pulumi up still running 300 s later"
    assert "error" not in outcome, outcome.get("error")

    outputs = stack.outputs()
    assert {outputs[f"job_{i}_id"] for i in range(JOBS)} == {j["JobId"] for j in jobs}
    assert all(outputs[f"job_{i}_status"] == "SUCCEEDED" for i in range(JOBS))
    providers = [r["urn"] for r in stack.resources("pulumi:providers:pulumi-python")]
    assert not [urn for urn in providers if "-lane-" in urn], providers
    assert "is not the one this package knows" not in outcome["up"].stdout


def _cli_under(runner: subprocess.Popen[bytes]) -> int:
    """The pid of the ``pulumi`` CLI the runner's Automation API started."""

    def child() -> int | None:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == runner.pid and argv[0].endswith(b"/pulumi") and b"up" in argv:
                return int(entry.name)
        return None

    return until(child, 30, "the pulumi CLI under the runner")


def test_first_ctrl_c_stops_every_waiting_create_and_the_next_up_resumes_them(
    emulator: Emulator, engine_stack: StackFactory, tmp_path: Path
) -> None:
    world = seed(emulator, duration_seconds=40)
    stack = busy_stack(engine_stack, world, tmp_path / "witness", jobs=str(JOBS))
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(stack.spec()))
    log = tmp_path / "up.log"
    with log.open("wb") as out:
        runner = subprocess.Popen(
            [sys.executable, "-m", "devtools.run", str(spec), "up"],
            cwd=ROOT,
            start_new_session=True,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        jobs = until(all_running(world, JOBS), 90, f"{JOBS} jobs waited for at once")
        until_another_call(emulator, "the creates poll their jobs")
        assert len(dynamic_servers(stack)) == 1, "one provider process for every job"
        # One SIGINT to the CLI, as a terminal's Ctrl-C reaches it. Not to the group: the
        # runner hosts the inline program, which a terminal's program is not.
        cli = _cli_under(runner)
        sent = time.monotonic()
        os.kill(cli, signal.SIGINT)
        try:
            runner.wait(timeout=EXIT_WITHIN)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"pulumi up still running {EXIT_WITHIN:.0f} s after Ctrl-C"
            ) from None
        took = time.monotonic() - sent
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait()
    out = log.read_text(errors="replace")
    assert runner.returncode != 0, out
    assert took < EXIT_WITHIN
    for job in jobs:
        assert (
            f"Cancelled (Ctrl-C) while waiting for media analysis job {job['JobId']} of "
            f"resource '{job['JobName']}'" in out
        ), out
    until(lambda: not provider_processes(stack.state_dir), 10, "provider processes to exit")
    assert len(world.jobs_reading_input()) == JOBS
    assert all(j["Status"] == "IN_PROGRESS" for j in world.jobs_reading_input())
    # A graceful cancel leaves no lock and no pending create behind.
    assert stack.resources(TYPE_TOKEN) == []
    assert "pending_operations" not in json.dumps(stack.export()["deployment"])

    up = stack.up(parallel=32)
    again = world.jobs_reading_input()
    assert sorted(j["JobId"] for j in again) == sorted(j["JobId"] for j in jobs)  # no new job
    assert all(j["Status"] == "SUCCEEDED" for j in again)
    for job in jobs:
        assert f"media analysis job {job['JobId']}: resumed ({job['JobName']})" in up.stdout


def test_a_stack_made_with_lanes_moves_its_jobs_to_the_one_process_untouched(
    emulator: Emulator, engine_stack: StackFactory, tmp_path: Path
) -> None:
    """Stacks made before the widening have their jobs on lane providers; the next up
    deletes the lanes and leaves the jobs (even those whose destroy deletes outputs)."""
    world = seed(emulator, duration_seconds=1)
    stack = busy_stack(
        engine_stack,
        world,
        tmp_path / "witness",
        jobs="4",
        deleteOutputs="true",
        **{"rekognition-media:jobsPerProvider": "3"},
    )
    stack.up()
    lanes = [r for r in stack.resources("pulumi:providers:pulumi-python") if "-lane-" in r["urn"]]
    assert len(lanes) == 2
    before = {r["urn"]: r["id"] for r in stack.resources(TYPE_TOKEN)}

    stack.stack.remove_config("rekognition-media:jobsPerProvider")
    assert stack.preview().change_summary == {"delete": 2, "same": 7}
    up = stack.up()
    assert up.summary.resource_changes == {"delete": 2, "same": 7}
    assert {r["urn"]: r["id"] for r in stack.resources(TYPE_TOKEN)} == before
    assert len(world.jobs_reading_input()) == 4
    assert not [r for r in stack.resources() if "-lane-" in r["urn"]]
