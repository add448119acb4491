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

import contextlib
import json
import os
import runpy
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
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
    checked: dict[tuple[str, str], set[str]] | None = None
    """(pack, policy) -> the URNs it checked ("" for the stack), from the engine's policy
    summaries; None when the engine sent none."""


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
    raw: list[dict[str, Any]] = []
    stdout: list[str] = []
    try:
        with _raw_engine_events(raw.append):
            stack.preview(
                policy_packs=list(policy_packs),
                policy_pack_configs=list(policy_pack_configs) or None,
                on_event=lambda event: None,  # what turns the event stream on
                on_output=stdout.append,
                color="never",
                json=True,
            )
        failure = None
    except auto.CommandError as error:
        failure = str(error)
    errors = _read_events(raw, run)
    run.states = _states("\n".join(stdout))
    mandatory = [event for event in run.events if event.level == "mandatory"]
    if failure is not None and (errors or not mandatory):
        raise PreviewError(_reason(failure, errors))
    return run


@contextlib.contextmanager
def _raw_engine_events(sink: Callable[[dict[str, Any]], None]) -> Iterator[None]:
    """Every engine event as the engine wrote it, to ``sink``, during the block.

    The Python Automation API (pulumi 3.272) parses only ``policyEvent`` of the policy
    events and drops the rest before ``on_event``: the remediations
    (``policyRemediationEvent``) and which policies checked which resource
    (``policyAnalyzeSummaryEvent``, ``policyAnalyzeStackSummaryEvent``). Its event reader
    builds every event with the public ``EngineEvent.from_json``, which is wrapped here.
    """
    from pulumi.automation import events

    original = events.EngineEvent.__dict__["from_json"]

    def from_json(cls: type, data: dict[str, Any]) -> Any:
        sink(data)
        return original.__func__(cls, data)

    setattr(events.EngineEvent, "from_json", classmethod(from_json))  # noqa: B010
    try:
        yield
    finally:
        setattr(events.EngineEvent, "from_json", original)  # noqa: B010


def _read_events(raw: Sequence[Mapping[str, Any]], run: PreviewRun) -> list[str]:
    """Fills ``run`` with the policy events; returns the errors other than the closing
    "preview failed"."""
    errors: list[str] = []
    for event in raw:
        if policy := event.get("policyEvent"):
            run.events.append(
                PolicyEventRecord(
                    pack=policy.get("policyPackName", ""),
                    policy=policy.get("policyName", ""),
                    level=_level(policy.get("enforcementLevel", "")),
                    message=str(policy.get("message", "")).strip(),
                    urn=policy.get("resourceUrn") or None,
                )
            )
        elif remediation := event.get("policyRemediationEvent"):
            run.events.append(
                PolicyEventRecord(
                    pack=remediation.get("policyPackName", ""),
                    policy=remediation.get("policyName", ""),
                    level="remediate",
                    message=_changes(remediation.get("before"), remediation.get("after")),
                    urn=remediation.get("resourceUrn") or None,
                )
            )
        elif summary := event.get("policyAnalyzeSummaryEvent"):
            _note_checked(run, summary, summary.get("resourceUrn") or "")
        elif summary := event.get("policyAnalyzeStackSummaryEvent"):
            _note_checked(run, summary, "")
        elif (diagnostic := event.get("diagnosticEvent")) and diagnostic.get("severity") == "error":
            message = str(diagnostic.get("message", "")).strip()
            if message.removeprefix("error:").strip().rstrip(".").lower() != PREVIEW_FAILED:
                errors.append(message)
    return errors


def _note_checked(run: PreviewRun, summary: Mapping[str, Any], urn: str) -> None:
    if run.checked is None:
        run.checked = {}
    pack = summary.get("policyPackName", "")
    for policy in (*(summary.get("passed") or ()), *(summary.get("failed") or ())):
        run.checked.setdefault((pack, policy), set()).add(urn)


def _changes(before: Any, after: Any) -> str:
    """What a remediation changed, property by property."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    changed = [
        f"`{key}` {json.dumps(before.get(key))} -> {json.dumps(after.get(key))}"
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]
    return "remediated: " + ("; ".join(changed) if changed else "no property changed")


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
