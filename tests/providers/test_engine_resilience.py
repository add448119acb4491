"""How a stack of jobs breaks, through the real Pulumi CLI against the emulator (issue 11).

* more jobs than the account's concurrent-job quota: the creates wait for slots;
* `pulumi up` killed (SIGKILL) or interrupted (Ctrl-C): no provider process stays, no
  further Rekognition call is made, and the next `pulumi up` converges on the same jobs;
* one job whose poll fails: only that job fails;
* an endpoint killed while a job waits, and one that accepts connections and never
  answers: a clear error in bounded time.

Tests that change emulator-wide settings (quota mode) or kill the endpoint run their own
emulator, so the session's emulator and other tests' jobs are unaffected.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from rekognition_media.emulator import Emulator, EmulatorSettings
from tests.engine.fixtures import StackFactory
from tests.engine.harness import EngineStack
from tests.engine.processes import provider_processes
from tests.providers.world import World, provider_env, seed

pytestmark = pytest.mark.engine

PROGRAM = Path(__file__).parent / "programs" / "jobs"
REPO_ROOT = Path(__file__).parents[2]
# The engine-is-gone watchdog (providers/lifeline.py) must end provider processes within this.
PROVIDER_EXIT_LIMIT = 60.0


def job_stack(
    engine_stack: StackFactory, world: World, name: str = "test", **config: str
) -> EngineStack:
    return engine_stack(PROGRAM, name, env=provider_env(), config=world.config(**config))


@pytest.fixture
def own_emulator() -> Iterator[Emulator]:
    """An emulator for this test alone (quota settings, or to be stopped mid-test)."""
    settings = EmulatorSettings(created_delay=0, queue_delay=0, job_duration=0)
    emulator = Emulator(settings, host="127.0.0.1", port=0).start()
    try:
        yield emulator
    finally:
        emulator.stop()


def run_in_own_process(stack: EngineStack, tmp_path: Path) -> subprocess.Popen[bytes]:
    """`pulumi up` of ``stack`` in a process group of its own, to be killed."""
    spec = tmp_path / f"spec-{stack.stack_name}.json"
    spec.write_text(json.dumps(stack.spec()))
    return subprocess.Popen(
        [sys.executable, "-m", "tests.engine.run", str(spec), "up"],
        cwd=REPO_ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def rekognition_calls(emulator: Emulator) -> int:
    return int(emulator.stats()["calls"]["total"])


def until(condition: Callable[[], Any], timeout: float, what: str) -> float:
    """Seconds it took until ``condition()`` held; fails after ``timeout``."""
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > timeout:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.2)
    return time.monotonic() - began


def running_jobs(world: World, count: int) -> Callable[[], bool]:
    def check() -> bool:
        jobs = world.jobs_reading_input()
        return len(jobs) == count and all(j["Status"] == "IN_PROGRESS" for j in jobs)

    return check


def test_killed_up_leaves_no_provider_process_and_makes_no_further_calls(
    emulator: Emulator, engine_stack: StackFactory, tmp_path: Path
) -> None:
    world = seed(emulator, duration_seconds=120)
    stack = job_stack(engine_stack, world, jobs="4")  # two lanes: two provider processes
    runner = run_in_own_process(stack, tmp_path)
    try:
        until(running_jobs(world, 4), 90, "four jobs started and waited for")
        time.sleep(2)  # the creates are now polling
        assert provider_processes(stack.state_dir), "the up runs provider processes"
    finally:
        os.killpg(runner.pid, signal.SIGKILL)
        runner.wait()

    took = until(
        lambda: not provider_processes(stack.state_dir),
        PROVIDER_EXIT_LIMIT,
        f"provider processes exit: {[str(p) for p in provider_processes(stack.state_dir)]}",
    )
    calls = rekognition_calls(emulator)
    time.sleep(5)
    assert rekognition_calls(emulator) == calls, "a Rekognition call after the providers exited"
    print(f"provider processes exited {took:.1f} s after the kill")

    # The next up (after releasing the killed run's lock) adopts the same four jobs.
    stack.cancel()
    stack.stack.set_config("waitTimeout", auto.ConfigValue("1"))
    with pytest.raises(auto.CommandError) as timeout:
        stack.up(continue_on_error=True)
    assert "resume waiting for the same job" in str(timeout.value)
    assert len(world.jobs_reading_input()) == 4
