"""A ``runtime: yaml`` Pulumi program run with the plain ``pulumi`` CLI, offline.

The CLI and Pulumi's YAML language host come from ``scripts/pulumi-cli.sh``; the
``rekognition-media`` plugin is the ``pulumi-resource-rekognition-media`` executable that
installing this package put beside the test interpreter, found by the engine on PATH.
Each stack gets its own file backend and PULUMI_HOME
(``devtools.engine.offline_env``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from devtools.engine import offline_env
from devtools.world import World, provider_env
from rekognition_media.api.resources import PLUGIN_JOB_TYPE_TOKEN

PLUGIN = "pulumi-resource-rekognition-media"
YAML_HOST = "pulumi-language-yaml"


class PulumiFailed(AssertionError):
    def __init__(self, args: list[str], result: subprocess.CompletedProcess[str]) -> None:
        super().__init__(
            f"pulumi {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
        self.output = result.stdout + result.stderr


def require_tools(bin_dir: Path) -> Path:
    """The plugin's directory; fails (never skips) when the YAML host or the plugin is missing."""
    if not (bin_dir / YAML_HOST).is_file():
        raise AssertionError(
            f"{bin_dir / YAML_HOST} is missing: scripts/pulumi-cli.sh builds it "
            "(see its output for why it could not)"
        )
    plugin_dir = Path(sys.executable).parent
    if not (plugin_dir / PLUGIN).is_file():
        raise AssertionError(
            f"{plugin_dir / PLUGIN} is missing: run scripts/setup.sh (pip install -e .)"
        )
    return plugin_dir


@dataclass
class YamlStack:
    program_dir: Path
    state_dir: Path
    bin_dir: Path
    name: str = "test"
    env: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.program_dir.mkdir(parents=True, exist_ok=True)
        (self.state_dir / "backend").mkdir(parents=True, exist_ok=True)

    def write(self, program: Mapping[str, Any]) -> None:
        text = yaml.safe_dump(dict(program), sort_keys=False)
        (self.program_dir / "Pulumi.yaml").write_text(text)

    def program(self) -> dict[str, Any]:
        loaded: dict[str, Any] = yaml.safe_load((self.program_dir / "Pulumi.yaml").read_text())
        return loaded

    def init(self) -> None:
        self.run("stack", "init", self.name)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / "pulumi"), *args, "--non-interactive"]
        result = subprocess.run(
            command,
            cwd=self.program_dir,
            env={**os.environ, **offline_env(self.bin_dir, self.state_dir), **self.env},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if check and result.returncode != 0:
            raise PulumiFailed(list(args), result)
        return result

    def up(self, *args: str) -> str:
        return self.run("up", "--yes", "--skip-preview", *args).stdout

    def preview(self, *args: str) -> str:
        return self.run("preview", *args).stdout

    def outputs(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.run("stack", "output", "--json").stdout)
        return loaded

    def resources(self, type_: str | None = None) -> list[dict[str, Any]]:
        state = json.loads(self.run("stack", "export").stdout)
        found: list[dict[str, Any]] = state["deployment"].get("resources") or []
        return [r for r in found if type_ is None or r["type"] == type_]


YamlStackFactory = Callable[..., YamlStack]
"""``make(program, name="test", env=None)``: a stack of the program, initialised."""


def yaml_stacks(bin_dir: Path, tmp_path: Path) -> YamlStackFactory:
    """Stacks of YAML programs, each in its own folder and backend under ``tmp_path``."""
    require_tools(bin_dir)

    def make(
        program: dict[str, Any], name: str = "test", env: dict[str, str] | None = None
    ) -> YamlStack:
        stack = YamlStack(
            program_dir=tmp_path / f"program-{name}",
            state_dir=tmp_path / f"state-{name}",
            bin_dir=bin_dir,
            name=name,
            env=provider_env() if env is None else env,
        )
        stack.write(program)
        stack.init()
        return stack

    return make


def job_properties(world: World, prefix: str = "results/", **extra: Any) -> dict[str, Any]:
    return {
        "operationsConfig": {"detectModerationLabels": {"minConfidence": 60}},
        "input": {"s3Object": {"bucket": world.input_bucket, "name": world.manifest}},
        "outputConfig": {"s3Bucket": world.output_bucket, "s3KeyPrefix": prefix},
        "kmsKeyId": world.key_arn,
        **extra,
    }


def program(world: World, resources: dict[str, Any], **outputs: str) -> dict[str, Any]:
    """A YAML program whose provider gets the emulator's endpoint from stack config."""
    return {
        "name": "yaml-job",
        "runtime": "yaml",
        "config": {"rekognition-media:endpointUrl": {"value": world.emulator.url}},
        "resources": resources,
        "outputs": outputs,
    }


def one_job(world: World, **extra: Any) -> dict[str, Any]:
    """A program of one job, ``nightly``, with its outputs as the stack's."""
    return program(
        world,
        {"nightly": {"type": PLUGIN_JOB_TYPE_TOKEN, "properties": job_properties(world, **extra)}},
        status="${nightly.status}",
        jobId="${nightly.jobId}",
        resultsUri="${nightly.resultsUri}",
        manifestStatistics="${nightly.manifestStatistics}",
        moderationSummary="${nightly.moderationSummary}",
    )
