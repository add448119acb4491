"""What tests of every part share: the repository root, a wait on a condition, and the
product's type tokens.

``ROOT`` is computed here only (tests/test_support.py fails on another computation), so a
moved test module cannot point at the wrong folder. ``until`` replaces hand-written
polling loops. The type tokens come from the product (``rekognition_media.api.resources``),
so a renamed resource is edited once, not retyped in the tests. The shared emulator's
settings are changed through the ``emulator_settings`` fixture (tests/conftest.py), which
restores what a test changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rekognition_media.api.resources import (
    ACCESS_TYPE_TOKEN,
    BUCKET_TYPE_TOKEN,
    JOB_TYPE_TOKEN,
    KEY_TYPE_TOKEN,
    PIPELINE_TYPE_TOKEN,
    PLUGIN_JOB_TYPE_TOKEN,
    PLUGIN_MODULE,
    STACK_IDENTITY_TYPE_TOKEN,
    dynamic_type_token,
    plugin_type_token,
)

if TYPE_CHECKING:
    from rekognition_media.emulator import Emulator

__all__ = [
    "ACCESS_TYPE_TOKEN",
    "BUCKET_TYPE_TOKEN",
    "JOB_TYPE_TOKEN",
    "KEY_TYPE_TOKEN",
    "PIPELINE_TYPE_TOKEN",
    "PLUGIN_JOB_TYPE_TOKEN",
    "PLUGIN_MODULE",
    "ROOT",
    "STACK_IDENTITY_TYPE_TOKEN",
    "dynamic_type_token",
    "plugin_type_token",
    "until",
    "until_another_call",
]

ROOT = Path(__file__).resolve().parents[1]
"""The repository root (the checkout the tests run from)."""

T = TypeVar("T")


def until(
    condition: Callable[[], T],
    timeout: float,
    what: str | Callable[[], str],
    interval: float = 0.2,
) -> T:
    """Poll ``condition()`` every ``interval`` seconds until it returns a true value, and
    return that value; fail with ``what`` (a callable is asked only then, so it can say
    what the state was at the end) when ``timeout`` seconds have passed."""
    began = time.monotonic()
    while not (found := condition()):
        if time.monotonic() - began > timeout:
            said = what() if callable(what) else what
            raise AssertionError(f"not within {timeout:g} s: {said}")
        time.sleep(interval)  # the poll interval
    return found


def until_another_call(emulator: Emulator, what: str, timeout: float = 30.0) -> None:
    """Wait until ``emulator`` has answered a Rekognition call made after this one starts:
    the process under test has acted since (a Start answered, a job being polled). Call it
    when the test itself makes no call meanwhile."""
    before = emulator.stats()["calls"]["total"]
    until(lambda: emulator.stats()["calls"]["total"] > before, timeout, what)
