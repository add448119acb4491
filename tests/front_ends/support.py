"""A stack on either front end, for tests whose behaviour is the core's and so must read
the same from both: the dynamic resources (a Python program through the Automation API)
and the plugin's (a YAML program through the plain CLI).

``DynamicFront`` and ``PluginFront`` give one interface (``Front``) over the two: the
commands, the outputs in snake_case, the state, a command that fails raising
``FrontFailed`` with what it printed. Tests take a fixture parametrized over
``FRONT_ENDS`` (``one_job`` in tests/front_ends/conftest.py; ``make_front`` for the
batch) and never ask which front end runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pulumi import automation as auto

from devtools.engine import EngineStack, offline_env
from rekognition_media.api.casing import snake_case
from rekognition_media.api.resources import JOB_TYPE_TOKEN, PLUGIN_JOB_TYPE_TOKEN
from tests.plugin.support import PulumiFailed, YamlStack
from tests.support import ROOT

FRONT_ENDS = ("dynamic", "plugin")

# The nested outputs whose own keys are camelCase in the plugin (their maps below are
# keyed by data, label names and the like, which stay as they are).
NESTED_OUTPUTS = ("images_skipped", "manifest_statistics", "moderation_summary")


class FrontFailed(AssertionError):
    """A Pulumi command failed: ``output`` is what it printed, ``said`` the same with the
    engine's line wrapping undone."""

    def __init__(self, output: str) -> None:
        super().__init__(output)
        self.output = output
        self.said = " ".join(output.split())


class Front(Protocol):
    name: str
    """``dynamic`` or ``plugin``."""

    def up(self) -> str: ...
    def preview(self) -> str: ...
    def refresh(self) -> str: ...
    def outputs(self) -> dict[str, Any]: ...
    def state(self, type_token: str) -> list[dict[str, Any]]: ...
    def set_config(self, key: str, value: str) -> None: ...
    def spawn_up(self) -> subprocess.Popen[bytes]: ...
    def cancel(self) -> None: ...
    def clear_pending_creates(self) -> None: ...
    def expect_no_changes(self) -> None: ...


class DynamicFront:
    name = "dynamic"

    def __init__(self, stack: EngineStack, tmp_path: Path) -> None:
        self.stack = stack
        self.tmp_path = tmp_path

    def _run(self, call: Callable[[], Any]) -> str:
        seen = len(self.stack.outputs_seen)
        try:
            return str(call().stdout)
        except auto.CommandError as error:
            # The error's own text is cut short: what the engine printed is in outputs_seen.
            printed = self.stack.outputs_seen[seen:]
            raise FrontFailed("\n".join([*printed, str(error)])) from None

    def up(self) -> str:
        return self._run(self.stack.up)

    def preview(self) -> str:
        return self._run(self.stack.preview)

    def refresh(self) -> str:
        return self._run(self.stack.refresh)

    def outputs(self) -> dict[str, Any]:
        return self.stack.outputs()

    def state(self, type_token: str) -> list[dict[str, Any]]:
        return self.stack.resources(type_token)

    def set_config(self, key: str, value: str) -> None:
        self.stack.stack.set_config(key, auto.ConfigValue(value))

    def spawn_up(self) -> subprocess.Popen[bytes]:
        spec = self.tmp_path / "spec.json"
        spec.write_text(json.dumps(self.stack.spec()))
        return subprocess.Popen(
            [sys.executable, "-m", "devtools.run", str(spec), "up"],
            cwd=ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def cancel(self) -> None:
        self.stack.cancel()

    def clear_pending_creates(self) -> None:
        self.stack.refresh(clear_pending_creates=True)

    def expect_no_changes(self) -> None:
        self._run(lambda: self.stack.preview(expect_no_changes=True))


class PluginFront:
    name = "plugin"

    def __init__(self, stack: YamlStack) -> None:
        self.stack = stack

    def _run(self, *args: str) -> str:
        try:
            return self.stack.run(*args).stdout
        except PulumiFailed as failed:
            raise FrontFailed(failed.output) from None

    def up(self) -> str:
        return self._run(*_UP)

    def preview(self) -> str:
        return self._run("preview")

    def refresh(self) -> str:
        return self._run("refresh", "--yes")

    def outputs(self) -> dict[str, Any]:
        return snake_cased(self.stack.outputs())

    def state(self, type_token: str) -> list[dict[str, Any]]:
        return self.stack.resources(type_token)

    def set_config(self, key: str, value: str) -> None:
        self._run("config", "set", key, value)

    def spawn_up(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [str(self.stack.bin_dir / "pulumi"), *_UP, "--non-interactive"],
            cwd=self.stack.program_dir,
            env={
                **os.environ,
                **offline_env(self.stack.bin_dir, self.stack.state_dir),
                **self.stack.env,
            },
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def cancel(self) -> None:
        self._run("cancel", "--yes")

    def clear_pending_creates(self) -> None:
        self._run("refresh", "--yes", "--clear-pending-creates")

    def expect_no_changes(self) -> None:
        self._run("preview", "--expect-no-changes")


_UP = ("up", "--yes", "--skip-preview")


def snake_cased(values: Mapping[str, Any]) -> dict[str, Any]:
    """Outputs or state with the plugin's camelCase names as the dynamic resource's: the
    top level and the own keys of ``NESTED_OUTPUTS``."""
    found = {snake_case(name): value for name, value in values.items()}
    for name in NESTED_OUTPUTS:
        if isinstance(found.get(name), dict):
            found[name] = {snake_case(key): value for key, value in found[name].items()}
    return found


@dataclass
class OneJob:
    """A stack declaring one job, named ``resource``."""

    front: Front
    resource: str

    def recorded(self) -> dict[str, Any]:
        """The job's outputs in the state, snake_case whichever front end wrote them."""
        token = JOB_TYPE_TOKEN if self.front.name == "dynamic" else PLUGIN_JOB_TYPE_TOKEN
        [job] = self.front.state(token)
        return snake_cased(job["outputs"])
