"""Shared fixtures: the Rekognition media emulator, served in-process for the session.

``emulator`` is a running :class:`~rekognition_media.emulator.Emulator` on a free port;
its jobs take no time by default (created/queue/duration 0 s; a manifest can ask for
more with ``x-amz-meta-emulator-duration-seconds``). ``aws_client`` makes boto3 clients
pointed at it with dummy credentials. ``pulumi_bin`` and ``engine_stack`` run programs
through the real Pulumi CLI.

``no_provider_process_left`` fails the run when a Pulumi provider process started by
these tests outlives them (see providers/lifeline.py).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from devtools.engine import EngineStack, StackFactory, cli_bin_dir, cli_version
from devtools.processes import language_hosts, provider_processes
from rekognition_media.emulator import Emulator, EmulatorSettings

# A provider process exits within 60 s of its engine's end (providers/lifeline.py); a
# test that killed `pulumi up` just before the session ended gets this long.
LEFTOVER_GRACE = 75.0


@pytest.fixture(scope="session", autouse=True)
def no_provider_process_left(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Fail the run if a provider process of a stack these tests made survives them.

    Every stack's PULUMI_HOME is under the session's temporary directory, and provider
    processes inherit it: that tells ours from other runs' on the same machine.
    """
    yield
    root = tmp_path_factory.getbasetemp()
    deadline = time.monotonic() + LEFTOVER_GRACE
    left = provider_processes(root)
    while left and time.monotonic() < deadline:
        time.sleep(0.5)  # the poll interval
        left = provider_processes(root)
    # Pulumi's YAML language host outlives a `pulumi up` the tests SIGKILL on purpose (it
    # is Pulumi's, not ours: it never exits by itself); end it with the run that started it.
    for host in language_hosts(root):
        with contextlib.suppress(ProcessLookupError):
            os.kill(host.pid, signal.SIGKILL)
    if left:
        for process in left:  # so that they do not outlive this run too
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
        pytest.fail(
            f"{len(left)} Pulumi provider process(es) started by the tests were still running "
            f"{LEFTOVER_GRACE:.0f} s after the last test (now killed): "
            + "; ".join(str(process) for process in left)
        )


AwsClientFactory = Callable[..., Any]


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    settings = EmulatorSettings(created_delay=0, queue_delay=0, job_duration=0)
    with Emulator(settings, host="127.0.0.1", port=0) as running:
        yield running


@pytest.fixture
def emulator_settings(emulator: Emulator) -> Iterator[Callable[..., EmulatorSettings]]:
    """``emulator_settings(name=value, ...)`` changes the session emulator's settings for
    this test only: the ones changed get their values back when it ends."""
    before = emulator.settings
    changed: set[str] = set()

    def update(**changes: Any) -> EmulatorSettings:
        changed.update(changes)
        return emulator.update_settings(**changes)

    yield update
    if changed:
        emulator.update_settings(**{name: getattr(before, name) for name in changed})


@pytest.fixture(scope="session")
def aws_client(emulator: Emulator) -> AwsClientFactory:
    """``aws_client("s3", region_name="eu-west-1", max_attempts=1)`` -> boto3 client.

    ``max_attempts`` counts all attempts, so 1 disables botocore's retries (needed to
    assert retryable errors such as ThrottlingException).
    """

    def make(service: str, region_name: str = "us-east-1", max_attempts: int | None = None) -> Any:
        config = Config(retries={"total_max_attempts": max_attempts}) if max_attempts else None
        return boto3.client(
            service,
            endpoint_url=emulator.url,
            region_name=region_name,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=config,
        )

    return make


# --- test tiers ---------------------------------------------------------------------------
# The fast tier (scripts/test.sh --fast) leaves out tests marked engine, slow, network or
# browser. A test that uses the CLI's fixtures is an engine test whether or not its module
# says so, so the fast tier can never start the CLI by accident.
ENGINE_FIXTURES = frozenset({"pulumi_bin", "policy_pulumi_bin", "engine_stack"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & ENGINE_FIXTURES and item.get_closest_marker("engine") is None:
            item.add_marker(pytest.mark.engine)


# --- the real Pulumi CLI ----------------------------------------------------------------
# Tests that drive it are marked ``engine``; the CLI comes from PULUMI_CLI_DIR or
# scripts/pulumi-cli.sh (devtools.engine), and never skips.


@pytest.fixture(scope="session")
def pulumi_bin() -> Path:
    bin_dir = cli_bin_dir()
    print(f"\nreal Pulumi CLI {cli_version(bin_dir)} at {bin_dir}")
    return bin_dir


@pytest.fixture(scope="session")
def policy_pulumi_bin() -> Path:
    """The newest CLI that runs Python policy packs without pulumi-language-python, which
    cannot be obtained here (scripts/pulumi-cli.sh --policy-packs says why)."""
    bin_dir = cli_bin_dir(policy_packs=True)
    print(f"\nreal Pulumi CLI {cli_version(bin_dir)} for policy packs at {bin_dir}")
    return bin_dir


@pytest.fixture
def engine_stack(pulumi_bin: Path, tmp_path: Path) -> Iterator[StackFactory]:
    """Make stacks of program directories, each in its own backend under tmp_path."""
    made: list[EngineStack] = []

    def make(program_dir: Path, name: str = "test", **kwargs: Any) -> EngineStack:
        stack = EngineStack(
            program_dir=program_dir,
            state_dir=tmp_path / f"state-{name}",
            bin_dir=pulumi_bin,
            stack_name=name,
            **kwargs,
        )
        made.append(stack)
        return stack

    yield make
