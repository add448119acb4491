"""Drive the policies the way the analyzer does, without the CLI.

Properties go through the same path as in ``pulumi_policy``'s servicer: a protobuf
``Struct`` (so numbers become floats), ``json_format.MessageToDict``,
``deserialize_properties`` and the unknown-checking proxy. Args are built with the real
``ResourceValidationArgs`` / ``StackValidationArgs`` / ``PolicyResource`` constructors and
the policy's own ``validate`` / ``remediate`` are called, capturing ``report_violation``
and the public ``args.not_applicable(reason)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import (
    SPECIAL_SECRET_SIG,
    SPECIAL_SIG_KEY,
    deserialize_properties,
    serialize_properties,
)
from pulumi_policy.proxy import (
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    unknown_checking_proxy,
)

# What an Output that is not known yet looks like on the wire, by type.
UNKNOWN_STR = UNKNOWN_STRING_VALUE
UNKNOWN_BOOL = UNKNOWN_BOOLEAN_VALUE
UNKNOWN_NUM = UNKNOWN_NUMBER_VALUE
UNKNOWN_OBJ = UNKNOWN_OBJECT_VALUE

STACK = "urn:pulumi:dev::media::"


def urn(resource_type: str, name: str) -> str:
    return f"{STACK}{resource_type}::{name}"


def secret(value: Any) -> dict[str, Any]:
    """A secret value as the engine marshals it."""
    return {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG, "value": value}


def wire(props: Mapping[str, Any]) -> dict[str, Any]:
    struct = struct_pb2.Struct()
    struct.update(dict(props))
    return json_format.MessageToDict(struct)  # type: ignore[no-any-return]


def analyze_props(props: Mapping[str, Any]) -> Any:
    """Props as ``Analyze``/``AnalyzeStack`` hand them to a policy."""
    return unknown_checking_proxy(deserialize_properties(wire(props)))


def remediate_props(props: Mapping[str, Any]) -> Any:
    """Props as ``Remediate`` hands them to a policy (secrets preserved)."""
    return unknown_checking_proxy(deserialize_properties(wire(props), True))


class NotApplicable(Exception):
    """What ``args.not_applicable`` raises here: the policy declined, with a reason."""

    def __init__(self, reason: str | None) -> None:
        super().__init__(reason)
        self.reason = reason


def _not_applicable(reason: str | None = None) -> None:
    raise NotApplicable(reason)


def options(parent: str | None = None) -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], parent)


@dataclass
class Outcome:
    violations: list[str] = field(default_factory=list)
    urns: list[str | None] = field(default_factory=list)
    not_applicable: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.violations)

    def only(self) -> str:
        assert len(self.violations) == 1, self.violations
        return self.violations[0]


def resource_args(
    resource_type: str,
    props: Mapping[str, Any],
    *,
    name: str = "res",
    config: Mapping[str, Any] | None = None,
    for_remediation: bool = False,
) -> ResourceValidationArgs:
    engine = remediate_props(props) if for_remediation else analyze_props(props)
    args = ResourceValidationArgs(
        resource_type, engine, urn(resource_type, name), name, options(), None, config
    )
    args.not_applicable = _not_applicable  # type: ignore[method-assign]
    return args


def check(
    policy: ResourceValidationPolicy,
    resource_type: str,
    props: Mapping[str, Any],
    *,
    name: str = "res",
    config: Mapping[str, Any] | None = None,
) -> Outcome:
    """Run ``policy.validate`` on one resource and collect what it reports."""
    outcome = Outcome()
    args = resource_args(resource_type, props, name=name, config=config)

    def report(message: str, urn_: str | None = None) -> None:
        outcome.violations.append(message)
        outcome.urns.append(urn_)

    try:
        result = policy.validate(args, report)
        assert result is None
    except NotApplicable as exc:
        outcome.not_applicable = exc.reason or ""
    return outcome


def remediate(
    policy: ResourceValidationPolicy,
    resource_type: str,
    props: Mapping[str, Any],
    *,
    config: Mapping[str, Any] | None = None,
) -> dict[str, Any] | None:
    """Run ``policy.remediate`` like ``Remediate`` does; the wire form of the new props."""
    args = resource_args(resource_type, props, config=config, for_remediation=True)
    result = policy.remediate(args)
    if result is None:
        return None
    # The pack's remediations return the new properties at once, never an awaitable.
    assert isinstance(result, Mapping), result
    return dict(serialize_properties(result))


class Stack:
    """Resources of a stack as ``AnalyzeStack`` builds them (parents, property deps)."""

    def __init__(self) -> None:
        self.resources: list[PolicyResource] = []

    def add(
        self,
        resource_type: str,
        name: str,
        props: Mapping[str, Any],
        *,
        deps: Mapping[str, list[PolicyResource]] | None = None,
        parent: PolicyResource | None = None,
    ) -> PolicyResource:
        resource = PolicyResource(
            resource_type,
            analyze_props(props),
            urn(resource_type, name),
            name,
            options(parent.urn if parent else None),
            None,
            parent,
            [d for ds in (deps or {}).values() for d in ds],
            dict(deps or {}),
        )
        self.resources.append(resource)
        return resource

    def check(
        self, policy: StackValidationPolicy, config: Mapping[str, Any] | None = None
    ) -> Outcome:
        outcome = Outcome()

        def report(message: str, urn_: str | None = None) -> None:
            outcome.violations.append(message)
            outcome.urns.append(urn_)

        args = StackValidationArgs(self.resources, config)
        args.not_applicable = _not_applicable  # type: ignore[method-assign]
        try:
            assert policy.validate(args, report) is None
        except NotApplicable as exc:
            outcome.not_applicable = exc.reason or ""
        return outcome


def doc(*statements: Mapping[str, Any], as_json: bool = True) -> Any:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return json.dumps(document) if as_json else document
