"""One job through either front end, for tests whose behaviour is the core's and so must
read the same from both: the dynamic ``MediaAnalysisJob`` (examples/jobs, through the
Automation API) and the plugin's (a YAML program, through the plain CLI).

A test takes the ``one_job`` fixture (tests/front_ends/conftest.py), parametrized over
``FRONT_ENDS``; what differs between the two (the program, the resource's name, how a
failed ``up`` reports) stays here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pulumi import automation as auto

from devtools.engine import EngineStack
from rekognition_media.api.casing import snake_case
from rekognition_media.api.resources import JOB_TYPE_TOKEN, PLUGIN_JOB_TYPE_TOKEN
from tests.plugin.support import PulumiFailed, YamlStack

FRONT_ENDS = ("dynamic", "plugin")


class UpFailed(AssertionError):
    """A failed ``pulumi up``: ``said`` is everything it printed, the engine's line
    wrapping undone."""

    def __init__(self, said: str) -> None:
        super().__init__(said)
        self.said = said


@dataclass
class OneJob:
    """A stack declaring one job, named ``resource``."""

    front_end: str
    resource: str
    up: Callable[[], None]
    """Runs ``pulumi up``; raises ``UpFailed`` when it fails."""
    refresh: Callable[[], str]
    """Runs ``pulumi refresh``; returns what it printed."""
    _state: Callable[[], list[dict[str, Any]]]

    def recorded(self) -> dict[str, Any]:
        """The job's outputs in the state, snake_case whichever front end wrote them."""
        [job] = self._state()
        return _snake(job["outputs"])


def of_engine_stack(stack: EngineStack) -> OneJob:
    def up() -> None:
        try:
            stack.up()
        except auto.CommandError as failure:
            # The error's own text is cut short: what the engine printed is in outputs_seen.
            raise UpFailed(_unwrapped(*stack.outputs_seen, str(failure))) from failure

    def refresh() -> str:
        return str(stack.refresh().stdout)

    return OneJob("dynamic", "job-0", up, refresh, lambda: stack.resources(JOB_TYPE_TOKEN))


def of_yaml_stack(stack: YamlStack) -> OneJob:
    def up() -> None:
        try:
            stack.up()
        except PulumiFailed as failure:
            raise UpFailed(_unwrapped(failure.output)) from failure

    def refresh() -> str:
        return stack.run("refresh", "--yes").stdout

    return OneJob("plugin", "nightly", up, refresh, lambda: stack.resources(PLUGIN_JOB_TYPE_TOKEN))


def _unwrapped(*texts: str) -> str:
    return " ".join(" ".join(texts).split())


def _snake(value: Any) -> Any:
    if isinstance(value, dict):
        return {snake_case(key): _snake(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_snake(item) for item in value]
    return value
