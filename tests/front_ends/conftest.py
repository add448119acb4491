"""Stacks made once per front end (tests/front_ends/support.py): ``one_job`` (a job) and
``make_front`` (a batch, from examples/batch and examples/yaml-batch)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from devtools.engine import StackFactory
from devtools.world import World, provider_env
from tests.front_ends.support import (
    FRONT_ENDS,
    DynamicFront,
    Front,
    OneJob,
    PluginFront,
)
from tests.plugin.support import YamlStack, require_tools, yaml_stacks
from tests.plugin.support import one_job as yaml_one_job
from tests.support import ROOT

OneJobFactory = Callable[..., OneJob]
"""``make(world, env=None, **settings)``: the job of ``world``'s manifest, ``settings`` in
camelCase (``jobName``, ...), with ``env`` for its provider (default: the emulator's)."""
MakeFront = Callable[..., Front]
"""``make(world, prefix, **config)``: a batch over ``prefix`` of ``world``'s input bucket."""


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
            stack = engine_stack(ROOT / "examples" / "jobs", env=env, config=config)
            return OneJob(DynamicFront(stack, tmp_path), "job-0")
        stack = yaml_stacks(pulumi_bin, tmp_path)(yaml_one_job(world, **settings), env=env)
        return OneJob(PluginFront(stack), "nightly")

    return make


@pytest.fixture(params=FRONT_ENDS)
def make_front(
    request: pytest.FixtureRequest,
    engine_stack: StackFactory,
    pulumi_bin: Path,
    tmp_path: Path,
) -> MakeFront:
    def make(world: World, prefix: str, **config: str) -> Front:
        settings = {
            "inputBucket": world.input_bucket,
            "prefix": prefix,
            "outputBucket": world.output_bucket,
            "kmsKeyArn": world.key_arn,
            "maxImages": "20000",
            "jobName": "nightly",
            **config,
        }
        if request.param == "dynamic":
            stack = engine_stack(
                ROOT / "examples" / "batch",
                env=provider_env(),
                config={**settings, "endpointUrl": world.emulator.url},
            )
            return DynamicFront(stack, tmp_path)
        require_tools(pulumi_bin)
        yaml_stack = YamlStack(
            program_dir=tmp_path / "program",
            state_dir=tmp_path / "state-yaml",
            bin_dir=pulumi_bin,
            env=provider_env(),
        )
        yaml_stack.write(
            yaml.safe_load((ROOT / "examples" / "yaml-batch" / "Pulumi.yaml").read_text())
        )
        yaml_stack.init()
        front = PluginFront(yaml_stack)
        for key, value in {**settings, "rekognition-media:endpointUrl": world.emulator.url}.items():
            front.set_config(key, value)
        return front

    return make


def _config(value: Any) -> str:
    # examples/jobs reads its settings from stack configuration, which is text.
    return str(value).lower() if isinstance(value, bool) else str(value)
