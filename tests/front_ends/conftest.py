"""``one_job``: a stack of one job, made once per front end (tests/front_ends/support.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from devtools.engine import StackFactory
from devtools.world import World, provider_env
from tests.front_ends.support import FRONT_ENDS, OneJob, of_engine_stack, of_yaml_stack
from tests.plugin.support import one_job as yaml_one_job
from tests.plugin.support import yaml_stacks
from tests.support import ROOT

OneJobFactory = Callable[..., OneJob]
"""``make(world, env=None, **settings)``: the job of ``world``'s manifest, ``settings`` in
camelCase (``jobName``, ...), with ``env`` for its provider (default: the emulator's)."""


@pytest.fixture(params=FRONT_ENDS)
def one_job(
    request: pytest.FixtureRequest,
    engine_stack: StackFactory,
    pulumi_bin: Path,
    tmp_path: Path,
) -> OneJobFactory:
    def make(world: World, env: dict[str, str] | None = None, **settings: Any) -> OneJob:
        env = provider_env() if env is None else env
        if request.param == "dynamic":
            config = world.config(**{name: _config(value) for name, value in settings.items()})
            return of_engine_stack(engine_stack(ROOT / "examples" / "jobs", env=env, config=config))
        stack = yaml_stacks(pulumi_bin, tmp_path)(yaml_one_job(world, **settings), env=env)
        return of_yaml_stack(stack)

    return make


def _config(value: Any) -> str:
    # examples/jobs reads its settings from stack configuration, which is text.
    return str(value).lower() if isinstance(value, bool) else str(value)
