"""Shared fixtures: the Rekognition media emulator, served in-process for the session.

``emulator`` is a running :class:`~rekognition_media.emulator.Emulator` on a free port;
its jobs take no time by default (created/queue/duration 0 s; a manifest can ask for
more with ``x-amz-meta-emulator-duration-seconds``). ``aws_client`` makes boto3 clients
pointed at it with dummy credentials. ``pulumi_bin`` and ``engine_stack`` run programs
through the real Pulumi CLI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from rekognition_media.devtools.engine import EngineStack, StackFactory, cli_bin_dir, cli_version
from rekognition_media.emulator import Emulator, EmulatorSettings

AwsClientFactory = Callable[..., Any]


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    settings = EmulatorSettings(created_delay=0, queue_delay=0, job_duration=0)
    with Emulator(settings, host="127.0.0.1", port=0) as running:
        yield running


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


# --- the real Pulumi CLI ----------------------------------------------------------------
# Tests that drive it are marked ``engine``; the CLI comes from PULUMI_CLI_DIR or
# scripts/pulumi-cli.sh (rekognition_media.devtools.engine), and never skips.


@pytest.fixture(scope="session")
def pulumi_bin() -> Path:
    bin_dir = cli_bin_dir()
    print(f"\nreal Pulumi CLI {cli_version(bin_dir)} at {bin_dir}")
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
