"""Shared fixtures: the Rekognition media emulator, served in-process for the session.

``emulator`` is a running :class:`~rekognition_media.emulator.Emulator` on a free port;
its jobs take no time by default (created/queue/duration 0 s; a manifest can ask for
more with ``x-amz-meta-emulator-duration-seconds``). ``aws_client`` makes boto3 clients
pointed at it with dummy credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

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
