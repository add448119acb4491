"""The machinery every policy of the pack shares.

* :func:`resource_policy` / :func:`stack_policy` build the pulumi_policy objects. The Python
  policy SDK has no filter by resource type, so :func:`resource_policy` is the ONE place
  that matches ``args.resource_type`` (and ``exemptResources``) before a check runs.
* Settings: every policy declares its ``config_schema`` from :class:`Setting` objects; the
  values reach the check with the schema defaults filled in (the CLI fills them in too)
  and coerced (``--policy-pack-config`` numbers arrive as floats through protobuf).
* Unknown values: during preview the engine hands properties whose value is not known yet
  as sentinels, and its proxy raises ``UnknownValueError`` when one is read. Checks work on
  :func:`plain` copies in which every such value is the :data:`UNKNOWN` marker, so a check
  decides per value to skip it (never a violation on a value nobody knows yet).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final, Literal, NoReturn, cast

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)
from pulumi_policy.secret import Secret

from rekognition_media.api.casing import camel_case, snake_case
from rekognition_media.api.messages import shorten

from ._controls import Control

PACK_TAGS: Final = ["rekognition-media"]

CONTROLS: dict[str, tuple[Control, ...]] = {}
"""Policy name -> the controls it enforces (every policy built here has an entry)."""


def control_metadata(name: str, controls: Sequence[Control]) -> dict[str, Any]:
    """The ``tags`` and ``framework`` of a policy enforcing ``controls``; records them.

    Tags: the pack's, then one ``"<framework>:<id>"`` per control. ``framework``: the
    controls' framework with their ids as its specification, or None without controls
    (pulumi-policy carries one framework per policy, hence one framework per policy here).
    """
    frameworks = {control.framework for control in controls}
    if len(frameworks) > 1:
        raise ValueError(f"policy {name}: controls of several frameworks; give one")
    CONTROLS[name] = tuple(controls)
    return {
        "tags": [*PACK_TAGS, *(control.tag for control in controls)],
        "framework": frameworks.pop().compliance(tuple(controls)) if frameworks else None,
    }


# --- unknown values ----------------------------------------------------------------------


class _Unknown:
    """A property value the engine does not know yet (preview, computed outputs)."""

    def __repr__(self) -> str:
        return "<unknown during preview>"


UNKNOWN: Final = _Unknown()

_SENTINELS: Final = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)


def plain(value: Any) -> Any:
    """A deep copy of engine properties as dicts/lists with unknowns as :data:`UNKNOWN`.

    Accepts what the engine passes (the unknown-checking proxy of ``Analyze``, the
    secrets-preserving proxy of ``Remediate``) as well as plain data; secrets are unwrapped.
    """
    if isinstance(value, Secret):
        return plain(value.value)
    if isinstance(value, str):
        return UNKNOWN if value in _SENTINELS else value
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key in list(value):  # iterating keys never raises; reading an unknown does
            try:
                item = value[key]
            except UnknownValueError:
                out[key] = UNKNOWN
                continue
            out[key] = plain(item)
        return out
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        items: list[Any] = []
        for index in range(len(value)):
            try:
                element = value[index]
            except UnknownValueError:
                items.append(UNKNOWN)
                continue
            items.append(plain(element))
        return items
    return value


def get(value: Any, *path: str | int) -> Any:
    """Walk ``path`` through plain data: None when absent, UNKNOWN when not known yet."""
    for step in path:
        if value is UNKNOWN:
            return UNKNOWN
        if isinstance(step, int):
            if not isinstance(value, list) or not -len(value) <= step < len(value):
                return None
            value = value[step]
        else:
            if not isinstance(value, dict):
                return None
            value = value.get(step)
        if value is None:
            return None
    return value


def as_list(value: Any) -> list[Any]:
    """IAM/provider style "one or many": None -> [], scalar/object -> [it], list -> list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def show(value: Any, limit: int = 120) -> str:
    """A value as the user wrote it (JSON style, camelCase world), for messages."""
    if value is None:
        return "absent"
    if value is UNKNOWN:
        return "unknown during preview"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = json.dumps(value)
    elif isinstance(value, int | float):
        text = f"{value:g}" if isinstance(value, float) else str(value)
    else:
        text = json.dumps(value, default=repr, separators=(",", ":"))
    return shorten(text, limit)


def path_text(*path: str | int) -> str:
    """``("rules", 0, "bucketKeyEnabled")`` -> ``rules[0].bucketKeyEnabled``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


@dataclass(frozen=True)
class Text:
    """A ``found`` value that is already prose (e.g. "computed by the provider")."""

    text: str


def violation(subject: str, prop: str, found: Any, problem: str, fix: str) -> str:
    """The one message format: who, which property, what was found, why, how to fix."""
    shown = found.text if isinstance(found, Text) else show(found)
    return f"{subject}: `{prop}` is {shown} - {problem}. Fix: {fix}"


@dataclass(frozen=True)
class Finding:
    """A stack-level result: a violation, or something that could not be verified."""

    verdict: Literal["violation", "unverified"]
    urn: str | None
    message: str


# --- settings (config_schema) ------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """One ``--policy-pack-config`` setting of a policy, with its JSON schema and default."""

    name: str
    schema: Mapping[str, Any]

    @property
    def default(self) -> Any:
        return self.schema["default"]

    def coerce(self, value: Any) -> Any:
        kind = self.schema.get("type")
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
        if kind == "boolean":
            return bool(value)
        if kind == "array":
            return [str(v) for v in value] if value is not None else []
        return value


EXEMPT_RESOURCES: Final = Setting(
    "exemptResources",
    {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "Resources this policy skips, by resource name, URN or (for buckets) "
        "bucket name. Record why next to the config entry.",
    },
)


def config_schema(settings: Iterable[Setting]) -> PolicyConfigSchema:
    return PolicyConfigSchema(properties={s.name: dict(s.schema) for s in settings})


def resolve_config(settings: Iterable[Setting], given: Mapping[str, Any] | None) -> dict[str, Any]:
    given = given or {}
    return {s.name: s.coerce(given.get(s.name, s.default)) for s in settings}


# --- resource policies ---------------------------------------------------------------------


@dataclass
class ResourceContext:
    """What a resource check sees: the engine's args plus plain props and resolved config."""

    args: ResourceValidationArgs
    policy_name: str
    config: Mapping[str, Any]
    props: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.props = plain(self.args.props)

    @property
    def type(self) -> str:
        return str(self.args.resource_type)

    @property
    def name(self) -> str:
        return str(self.args.name)

    @property
    def urn(self) -> str:
        return str(self.args.urn)

    @property
    def label(self) -> str:
        return f"{self.type} '{self.name}'"

    def not_applicable(self, reason: str) -> NoReturn:
        self.args.not_applicable(reason)
        raise AssertionError("not_applicable returned")  # pragma: no cover


Report = Callable[[str], None]

RESOURCE_TYPES: dict[str, tuple[str, ...]] = {}
"""Policy name -> the resource types its check sees (for docs and tests)."""
ResourceCheck = Callable[[ResourceContext, Report], None]
Remediation = Callable[[ResourceContext], Mapping[str, Any] | None]


def _exempt(config: Mapping[str, Any], *identities: Any) -> bool:
    exempt = set(config.get(EXEMPT_RESOURCES.name) or ())
    return any(isinstance(i, str) and i in exempt for i in identities)


def resource_policy(
    *,
    name: str,
    description: str,
    types: Sequence[str],
    enforcement_level: EnforcementLevel,
    severity: Severity,
    settings: Sequence[Setting] = (),
    remediate: Remediation | None = None,
    remediation_steps: str | None = None,
    controls: Sequence[Control] = (),
) -> Callable[[ResourceCheck], ResourceValidationPolicy]:
    """Build a ``ResourceValidationPolicy`` that only ever sees resources of ``types``.

    The decorated check receives a :class:`ResourceContext` and a ``report(message)``.
    ``remediate`` (optional) receives the same context and returns the fixed properties
    (mutating ``ctx.args.props`` so secrets keep their secretness) or None for "no change".
    ``controls``: the benchmark controls the check enforces (tags and framework).
    """
    all_settings = (*settings, EXEMPT_RESOURCES)
    wanted = frozenset(types)

    def context(args: ResourceValidationArgs) -> ResourceContext | None:
        if args.resource_type not in wanted:
            return None
        ctx = ResourceContext(args, name, resolve_config(all_settings, args.get_config()))
        if _exempt(ctx.config, ctx.name, ctx.urn, ctx.props.get("bucket")):
            ctx.not_applicable(f"{ctx.name} is listed in {name}.exemptResources")
        return ctx

    def decorate(check: ResourceCheck) -> ResourceValidationPolicy:
        def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
            ctx = context(args)
            if ctx is not None:
                check(ctx, lambda message: report_violation(message, args.urn))

        def fix(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
            ctx = context(args)
            return None if ctx is None or remediate is None else remediate(ctx)

        policy = ResourceValidationPolicy(
            name=name,
            description=description,
            validate=validate,
            enforcement_level=enforcement_level,
            config_schema=config_schema(all_settings),
            # The SDK accepts a plain (non-awaitable) result; its annotation only names Awaitable.
            remediate=cast(Any, fix) if remediate is not None else None,
            severity=severity,
            remediation_steps=remediation_steps,
            **control_metadata(name, controls),
        )
        policy.__doc__ = check.__doc__
        RESOURCE_TYPES[name] = tuple(types)
        return policy

    return decorate


def set_path(props: Any, path: Sequence[str | int], value: Any) -> None:
    """Set ``props[path...] = value`` in place on the engine's (secret-preserving) props."""
    target = props
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


# --- stack policies ------------------------------------------------------------------------


class StackResource:
    """A resource of the stack with plain props and its property dependencies as URNs.

    ``props`` and ``deps`` are converted from the engine's objects when first read: a stack
    check reads the few types it links, so the rest of a large stack costs it nothing.
    """

    def __init__(self, resource: PolicyResource) -> None:
        self._resource = resource
        self.urn = str(resource.urn)
        self.type = str(resource.resource_type)
        self.name = str(resource.name)
        parent = resource.parent.urn if resource.parent is not None else None
        if parent is None and resource.opts is not None:
            parent = resource.opts.parent
        self.parent: str | None = parent

    @cached_property
    def props(self) -> dict[str, Any]:
        return cast(dict[str, Any], plain(self._resource.props))

    @cached_property
    def deps(self) -> Mapping[str, tuple[str, ...]]:
        return {
            str(key): tuple(str(dep.urn) for dep in value)
            for key, value in (self._resource.property_dependencies or {}).items()
        }

    @property
    def label(self) -> str:
        return f"{self.type} '{self.name}'"

    def __repr__(self) -> str:
        return f"StackResource({self.urn!r})"

    def depends_on(self, *properties: str) -> tuple[str, ...]:
        """URNs the given top-level properties depend on (snake_case or camelCase key)."""
        urns: list[str] = []
        for prop in properties:
            for key in {prop, camel_case(prop), snake_case(prop)}:
                urns.extend(u for u in self.deps.get(key, ()) if u not in urns)
        return tuple(urns)

    @classmethod
    def of(cls, resource: PolicyResource) -> StackResource:
        return cls(resource)


class StackContext:
    """The stack as a stack check sees it."""

    def __init__(self, args: StackValidationArgs, policy_name: str, config: Mapping[str, Any]):
        self.args = args
        self.policy_name = policy_name
        self.config = config
        self.resources = [StackResource.of(r) for r in args.resources]
        self._by_urn = {r.urn: r for r in self.resources}
        self._order = {id(r): i for i, r in enumerate(self.resources)}
        self._by_type: dict[str, list[StackResource]] = {}
        for resource in self.resources:
            self._by_type.setdefault(resource.type, []).append(resource)
        self.cache: dict[str, Any] = {}
        """Derived data shared by helpers within one validation (e.g. the link index)."""

    def get(self, urn: str) -> StackResource | None:
        return self._by_urn.get(urn)

    def of_type(self, *types: str) -> list[StackResource]:
        """Resources of ``types`` in stack order (the engine's registration order)."""
        groups = [group for t in dict.fromkeys(types) if (group := self._by_type.get(t))]
        if len(groups) == 1:
            return list(groups[0])
        merged = [r for group in groups for r in group]
        merged.sort(key=lambda r: self._order[id(r)])
        return merged

    def subjects(self, *types: str) -> list[StackResource]:
        """Resources of ``types`` this policy checks (``exemptResources`` left out)."""
        return [
            r
            for r in self.of_type(*types)
            if not _exempt(self.config, r.name, r.urn, r.props.get("bucket"))
        ]


StackReport = Callable[[str, str | None], None]
StackCheck = Callable[[StackContext, StackReport], None]


def report_violations(findings: Iterable[Finding], report: StackReport) -> None:
    """Report a stack check's violations; its "unverified" findings are cross-resource-links'."""
    for finding in findings:
        if finding.verdict == "violation":
            report(finding.message, finding.urn)


def stack_policy(
    *,
    name: str,
    description: str,
    enforcement_level: EnforcementLevel,
    severity: Severity,
    settings: Sequence[Setting] = (),
    remediation_steps: str | None = None,
    controls: Sequence[Control] = (),
) -> Callable[[StackCheck], StackValidationPolicy]:
    """Build a ``StackValidationPolicy``; the check gets a :class:`StackContext`."""
    all_settings = (*settings, EXEMPT_RESOURCES)

    def decorate(check: StackCheck) -> StackValidationPolicy:
        def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
            stack = StackContext(args, name, resolve_config(all_settings, args.get_config()))
            check(stack, lambda message, urn: report_violation(message, urn))

        policy = StackValidationPolicy(
            name=name,
            description=description,
            validate=validate,
            enforcement_level=enforcement_level,
            config_schema=config_schema(all_settings),
            severity=severity,
            remediation_steps=remediation_steps,
            **control_metadata(name, controls),
        )
        policy.__doc__ = check.__doc__
        return policy

    return decorate
