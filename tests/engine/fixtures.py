"""Pytest fixtures for tests that drive the real Pulumi CLI (see harness.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engine.harness import EngineStack, cli_bin_dir, cli_version

StackFactory = Callable[..., EngineStack]


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
