"""The preview with the policy packs, through the Automation API, and what it recorded.

One ``pulumi preview --json`` of the stack, in the project's own directory: the
``on_event`` stream carries each policy event (pack, policy, level, message, URN) and the
JSON digest on stdout each step's new state with its ``sourcePosition`` and
``stackTrace`` (the JSON digest itself leaves policy events out: pulumi/pulumi#18851).
The digest is printed whether or not a mandatory policy failed the preview.

A YAML (or any other language's) program runs with its own language host, as ``pulumi
preview`` would run it. A Python program does too, unless ``inline``: then its
``__main__.py`` runs in this process as an Automation API inline program, for machines
without Pulumi's Python language host.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PREVIEW_FAILED = "preview failed"
"""The engine's closing diagnostic of any failed preview; says nothing about why."""


class PreviewError(Exception):
    """The preview could not run: the one-line reason."""


@dataclass(frozen=True)
class Project:
    directory: Path  # absolute
    name: str
    runtime: str
    program_file: Path | None
    """The YAML program (Pulumi.yaml or Main.yaml); None for other languages."""


@dataclass(frozen=True)
class PolicyEventRecord:
    pack: str
    policy: str
    level: str  # mandatory | advisory | remediate | disabled
    message: str
    urn: str | None


@dataclass
class PreviewRun:
    project: Project
    stack: str
    events: list[PolicyEventRecord] = field(default_factory=list)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    """URN -> the step's new state (old state for a delete) from the JSON digest."""


def load_project(directory: Path) -> Project:
    directory = directory.resolve()
    for candidate in ("Pulumi.yaml", "Pulumi.yml"):
        settings_file = directory / candidate
        if settings_file.is_file():
            break
    else:
        raise PreviewError(f"{directory} has no Pulumi.yaml: not a Pulumi project directory")
    try:
        settings = yaml.safe_load(settings_file.read_text()) or {}
    except yaml.YAMLError as error:
        raise PreviewError(f"{settings_file} is not valid YAML: {error}") from None
    if not isinstance(settings, dict) or not isinstance(settings.get("name"), str):
        raise PreviewError(f"{settings_file} names no project (`name:`)")
    runtime = settings.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if not isinstance(runtime_name, str):
        raise PreviewError(f"{settings_file} names no runtime (`runtime:`)")
    program_file = None
    if runtime_name == "yaml":
        if any(key in settings for key in ("resources", "variables", "outputs")):
            program_file = settings_file
        else:
            main = directory / str(settings.get("main") or ".")
            program_file = next(
                (main / name for name in ("Main.yaml", "Main.yml") if (main / name).is_file()),
                None,
            )
    return Project(directory, settings["name"], runtime_name, program_file)


def _inline_program(project: Project) -> Any:
    def program() -> None:
        # What the Python language host does: __main__.py as the main module, run in the
        # project directory with its siblings importable.
        previous = os.getcwd()
        sys.path.insert(0, str(project.directory))
        os.chdir(project.directory)
        try:
            runpy.run_path(str(project.directory / "__main__.py"), run_name="__main__")
        finally:
            os.chdir(previous)
            sys.path.remove(str(project.directory))

    return program


def run_preview(
    project: Project,
    stack_name: str | None,
    policy_packs: Sequence[str],
    policy_pack_configs: Sequence[str],
    env: Mapping[str, str],
    inline: bool,
) -> PreviewRun:
    from pulumi import automation as auto

    options = auto.LocalWorkspaceOptions(work_dir=str(project.directory), env_vars=dict(env))
    try:
        if stack_name is None:
            current = auto.LocalWorkspace(work_dir=str(project.directory)).stack()
            if current is None:
                raise PreviewError(f"no stack selected in {project.directory}: pass --stack NAME")
            stack_name = current.name
        if inline:
            stack = auto.select_stack(
                stack_name=stack_name,
                project_name=project.name,
                program=_inline_program(project),
                opts=options,
            )
        else:
            stack = auto.select_stack(
                stack_name=stack_name, work_dir=str(project.directory), opts=options
            )
    except auto.StackNotFoundError:
        raise PreviewError(f"no stack {stack_name!r} in project {project.name!r}") from None
    except auto.CommandError as error:
        raise PreviewError(_reason(str(error), [])) from None
    except FileNotFoundError as error:
        raise PreviewError(f"the Pulumi CLI was not found: {error}") from None

    run = PreviewRun(project, stack_name)
    errors: list[str] = []
    stdout: list[str] = []

    def on_event(event: Any) -> None:
        policy = event.policy_event
        if policy is not None:
            run.events.append(
                PolicyEventRecord(
                    pack=policy.policy_pack_name,
                    policy=policy.policy_name,
                    level=_level(policy.enforcement_level),
                    message=policy.message.strip(),
                    urn=policy.resource_urn or None,
                )
            )
        diagnostic = event.diagnostic_event
        if diagnostic is not None and diagnostic.severity == "error":
            errors.append(diagnostic.message)

    try:
        stack.preview(
            policy_packs=list(policy_packs),
            policy_pack_configs=list(policy_pack_configs) or None,
            on_event=on_event,
            on_output=stdout.append,
            color="never",
            json=True,
        )
        failure = None
    except auto.CommandError as error:
        failure = str(error)
    run.states = _states("\n".join(stdout))
    mandatory = [event for event in run.events if event.level == "mandatory"]
    program_errors = [line for line in errors if line.strip().rstrip(".") != PREVIEW_FAILED]
    if failure is not None and (program_errors or not mandatory):
        raise PreviewError(_reason(failure, program_errors))
    return run


def _level(level: Any) -> str:
    text = str(getattr(level, "value", level))
    return {"warning": "advisory", "none": "disabled"}.get(text, text)


def _states(text: str) -> dict[str, dict[str, Any]]:
    start = text.find("{")
    if start < 0:
        return {}
    try:
        digest = json.loads(text[start:])
    except json.JSONDecodeError:
        return {}
    states: dict[str, dict[str, Any]] = {}
    for step in digest.get("steps") or ():
        state = step.get("newState") or step.get("oldState")
        if isinstance(state, dict) and step.get("urn"):
            states[step["urn"]] = state
    return states


def _reason(failure: str, errors: Sequence[str]) -> str:
    """One line saying why the preview could not run: the first line of the first error
    (a program's error is its exception's message, its traceback left out)."""
    for text in (*errors, *_error_lines(failure)):
        lines = [line.strip().lstrip("-").strip() for line in text.splitlines()]
        lines = [line.removeprefix("error:").strip() for line in lines if line]
        if not lines or lines[0].rstrip(".").lower() == PREVIEW_FAILED:
            continue
        line = lines[0]
        for more in lines[1:]:
            if not line.endswith(":"):
                break
            line = f"{line} {more}"  # "failed to ...:" says why on the next line
        return line
    return "the preview failed without saying why (run `pulumi preview` for its output)"


def _error_lines(text: str) -> list[str]:
    """The CLI's error lines in a ``CommandError``'s text (code, stdout, stderr)."""
    lines = [line.strip().removeprefix("stderr:").strip() for line in text.splitlines()]
    first = next((i for i, line in enumerate(lines) if line.startswith("error:")), None)
    return [] if first is None else ["\n".join(lines[first:])]
