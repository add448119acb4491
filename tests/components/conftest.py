"""Fixtures of the component tests: Pulumi mocks that record every registration.

``mocks`` installs a fresh ``RecordingMocks`` (tests/mocks.py) for each test; ``deploy``
runs a function as a Pulumi program under them and returns its outputs, resolved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pytest

from tests.mocks import RecordingMocks, RecordingMonitor


@pytest.fixture
def mocks() -> RecordingMocks:
    recording = RecordingMocks()
    pulumi.runtime.set_mocks(
        recording,
        project="rekognition-media-test",
        stack="test",
        preview=False,
        monitor=RecordingMonitor(recording),
    )
    return recording


Deploy = Callable[[Callable[[], Mapping[str, Any]]], dict[str, Any]]


@pytest.fixture
def deploy(mocks: RecordingMocks) -> Deploy:
    """Run ``build`` as a Pulumi program under the mocks; return its outputs, resolved.

    ``build`` returns a mapping of names to ``Output``s (or plain values). When ``deploy``
    returns, every registration has completed, so ``mocks`` can be inspected.
    """

    def run(build: Callable[[], Mapping[str, Any]]) -> dict[str, Any]:
        values: dict[str, Any] = {}

        @pulumi.runtime.test
        def program() -> pulumi.Output[None]:
            outputs = build()
            return pulumi.Output.all(**outputs).apply(values.update)

        program()
        return values

    return run
