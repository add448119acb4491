"""Fixtures of the emulator tests: a boto3 facade per test, settings restored after each."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from rekognition_media.emulator import Emulator

from .support import Aws


@pytest.fixture(autouse=True)
def restore_settings(emulator: Emulator) -> Iterator[None]:
    """Tests may change settings on the shared emulator; put them back afterwards."""
    before = emulator.settings
    yield
    if emulator.settings != before:
        emulator.update_settings(**before.model_dump())


@pytest.fixture
def aws(aws_client: Callable[..., Any]) -> Aws:
    return Aws(aws_client)


@pytest.fixture
def buckets(aws: Aws) -> tuple[str, str]:
    """A fresh (input, output) bucket pair in us-east-1."""
    return aws.bucket("media-in"), aws.bucket("media-out")
