"""How a stack of jobs breaks, through the real Pulumi CLI against the emulator.

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

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from devtools.engine import EngineStack, StackFactory
from devtools.processes import provider_processes
from devtools.world import World, provider_env, seed
from rekognition_media.emulator import Emulator, EmulatorSettings
from rekognition_media.providers import TYPE_TOKEN
from tests.support import ROOT, until, until_another_call

pytestmark = pytest.mark.engine

PROGRAM = ROOT / "examples" / "jobs"
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


def run_in_own_process(
    stack: EngineStack, tmp_path: Path, log: Path | None = None
) -> subprocess.Popen[bytes]:
    """`pulumi up` of ``stack`` in a process group of its own, to be killed; what the
    engine writes goes to ``log`` when given."""
    spec = tmp_path / f"spec-{stack.stack_name}.json"
    spec.write_text(json.dumps(stack.spec()))
    with open(log or os.devnull, "wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "devtools.run", str(spec), "up"],
            cwd=ROOT,
            start_new_session=True,
            stdout=output,
            stderr=subprocess.DEVNULL,
        )


def rekognition_calls(emulator: Emulator) -> int:
    return int(emulator.stats()["calls"]["total"])


def running_jobs(world: World, count: int) -> Callable[[], bool]:
    def check() -> bool:
        jobs = world.jobs_reading_input()
        return len(jobs) == count and all(j["Status"] == "IN_PROGRESS" for j in jobs)

    return check


def test_killed_up_leaves_no_provider_process_and_makes_no_further_calls(
    emulator: Emulator, engine_stack: StackFactory, tmp_path: Path
) -> None:
    world = seed(emulator, duration_seconds=120)
    stack = job_stack(engine_stack, world, jobs="4")  # one provider process for all four
    runner = run_in_own_process(stack, tmp_path)
    try:
        until(running_jobs(world, 4), 90, "four jobs started and waited for")
        until_another_call(emulator, "the creates poll their jobs")
        assert provider_processes(stack.state_dir), "the up runs provider processes"
    finally:
        os.killpg(runner.pid, signal.SIGKILL)
        runner.wait()

    killed = time.monotonic()
    until(
        lambda: not provider_processes(stack.state_dir),
        PROVIDER_EXIT_LIMIT,
        lambda: f"provider processes exit: {[str(p) for p in provider_processes(stack.state_dir)]}",
    )
    took = time.monotonic() - killed
    calls = rekognition_calls(emulator)
    time.sleep(5)  # a window in which no call may come
    assert rekognition_calls(emulator) == calls, "a Rekognition call after the providers exited"
    print(f"provider processes exited {took:.1f} s after the kill")

    # The next up (after releasing the killed run's lock) adopts the same four jobs.
    stack.cancel()
    stack.stack.set_config("waitTimeout", auto.ConfigValue("1"))
    with pytest.raises(auto.CommandError) as timeout:
        stack.up(continue_on_error=True)
    assert "resume waiting for the same job" in str(timeout.value)
    assert len(world.jobs_reading_input()) == 4


def test_more_jobs_than_the_concurrent_job_quota_wait_for_slots_and_converge(
    own_emulator: Emulator, engine_stack: StackFactory
) -> None:
    # Jobs long enough that the second two must wait for a slot. (Start's client makes one
    # attempt per call, and botocore does not retry LimitExceededException anyway: the
    # slot lines below show the provider's own wait got them started.)
    duration = 30.0
    own_emulator.update_settings(quota_mode=True, concurrent_jobs=2)
    world = seed(own_emulator, duration_seconds=duration)
    stack = job_stack(engine_stack, world, jobs="4")  # one provider process for all four
    up = stack.up()

    jobs = world.jobs_reading_input()
    outputs = stack.outputs()
    assert len(jobs) == 4, "exactly one job per resource"
    assert {outputs[f"job_{i}_id"] for i in range(4)} == {j["JobId"] for j in jobs}
    assert all(outputs[f"job_{i}_status"] == "SUCCEEDED" for i in range(4))
    # Never more than the quota at once.
    spans = [(j["CreationTimestamp"], j["CompletionTimestamp"]) for j in jobs]
    for created, _ in spans:
        assert sum(1 for c, done in spans if c <= created < done) <= 2
    assert "waiting for a concurrent-job slot: 2 of 2 in use" in up.stdout
    assert "got a concurrent-job slot after" in up.stdout
    # All processes' Starts together stayed within the Start TPS quota.
    starts = own_emulator.stats()["calls"]["by_operation"]["StartMediaAnalysisJob"]["outcomes"]
    assert "ProvisionedThroughputExceededException" not in starts
    assert starts["Success"] == 4


def test_one_job_whose_poll_fails_does_not_fail_its_lane_mates(
    emulator: Emulator, engine_stack: StackFactory, emulator_settings: Callable[..., Any]
) -> None:
    world = seed(emulator, duration_seconds=4)
    stack = job_stack(engine_stack, world, jobs="3")  # one process, one poller
    emulator_settings(job_poll_faults={"job-1": "AccessDeniedException"})
    with pytest.raises(auto.CommandError) as failure:
        stack.up(continue_on_error=True)
    emulator_settings(job_poll_faults={})  # so that List shows the job again
    by_name = {j["JobName"]: j for j in world.jobs_reading_input()}
    text = str(failure.value)
    assert f"Cannot poll media analysis job {by_name['job-1']['JobId']}" in text
    assert "AccessDeniedException" in text
    recorded = {r["urn"].rsplit("::", 1)[1]: r for r in stack.resources(TYPE_TOKEN)}
    assert sorted(recorded) == ["job-0", "job-2"]
    for name, resource in recorded.items():
        assert resource["id"] == by_name[name]["JobId"]
        assert resource["outputs"]["status"] == "SUCCEEDED"


def test_an_endpoint_killed_while_a_job_waits_fails_the_create_in_bounded_time(
    own_emulator: Emulator, engine_stack: StackFactory
) -> None:
    world = seed(own_emulator, duration_seconds=600)
    stack = job_stack(engine_stack, world)
    outcome: dict[str, Any] = {}

    def up() -> None:
        try:
            stack.up()
        except auto.CommandError as error:
            outcome["error"] = error
        outcome["ended"] = time.monotonic()

    runner = threading.Thread(target=up, daemon=True)
    runner.start()
    until(running_jobs(world, 1), 90, "the job started and is waited for")
    [job] = world.jobs_reading_input()
    until_another_call(own_emulator, "the create polls its job")
    own_emulator.stop()
    stopped = time.monotonic()
    runner.join(timeout=300)
    assert not runner.is_alive(), "pulumi up still running 300 s after the endpoint died"
    took = outcome["ended"] - stopped
    assert took < 150, f"failed {took:.0f} s after the endpoint died"
    text = str(outcome["error"])
    assert "Cannot reach http://127.0.0.1:" in text
    assert f"resume waiting for job {job['JobId']}" in text
    progress = [line for line in stack.outputs_seen if "cannot reach http://127.0.0.1:" in line]
    assert progress, "the connection failures were not shown while waiting"
    assert "retrying" in progress[0]


def test_a_start_against_a_silent_endpoint_fails_within_about_a_minute(
    emulator: Emulator, engine_stack: StackFactory
) -> None:
    world = seed(emulator)
    # Accepts connections (the kernel completes them into the backlog) and never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        stack = job_stack(engine_stack, world, endpointUrl=url)
        began = time.monotonic()
        with pytest.raises(auto.CommandError) as failure:
            stack.up()
        took = time.monotonic() - began
    assert took < 150, f"the up failed after {took:.0f} s"
    text = str(failure.value)
    assert f"Cannot reach {url} to start the media analysis job of resource 'job-0'" in text
    retries = [line for line in stack.outputs_seen if f"cannot reach {url}" in line]
    assert len(retries) >= 2, "each retry is reported as it happens"
    assert world.jobs_reading_input() == []


def test_ctrl_c_during_a_wait_then_up_again_resumes_the_same_job(
    emulator: Emulator, engine_stack: StackFactory, tmp_path: Path
) -> None:
    world = seed(emulator, duration_seconds=20)
    stack = job_stack(engine_stack, world)
    log = tmp_path / "up.log"
    runner = run_in_own_process(stack, tmp_path, log)
    try:
        until(running_jobs(world, 1), 90, "the job started and is waited for")
        until_another_call(emulator, "the create polls its job")
        # Ctrl-C signals the terminal's foreground process group; a second one, once the
        # engine has taken the first, makes Pulumi stop without waiting for the operations
        # under way.
        os.killpg(runner.pid, signal.SIGINT)
        until(lambda: "^C received; cancelling" in log.read_text(), 30, "the engine took Ctrl-C")
        with contextlib.suppress(ProcessLookupError):  # the first may have ended it already
            os.killpg(runner.pid, signal.SIGINT)
        runner.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(runner.pid, signal.SIGKILL)
        runner.wait()
    [job] = world.jobs_reading_input()
    assert job["Status"] not in ("SUCCEEDED", "FAILED")
    until(
        lambda: not provider_processes(stack.state_dir),
        PROVIDER_EXIT_LIMIT,
        "provider processes exit after the interrupted up",
    )

    with contextlib.suppress(auto.CommandError):
        stack.cancel()  # in case the interrupted run still holds the stack's lock
    stack.up()
    [again] = world.jobs_reading_input()
    assert again["JobId"] == job["JobId"]
    assert stack.outputs()["job_0_id"] == job["JobId"]
    assert stack.outputs()["job_0_status"] == "SUCCEEDED"
