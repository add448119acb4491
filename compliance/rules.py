"""The pack's policies as rules: what every output says about a policy, and its controls.

Read from the registered ``pulumi_policy`` objects (``rekognition_media.policies``), so a
policy's description, level, severity, remediation steps, tags and framework are stated
once, in the pack. A control is a tag ``<framework>:<ID>`` (``fsbp:S3.5``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

FRAMEWORKS = {"fsbp": "AWS Foundational Security Best Practices"}
"""``--framework`` choices -> the framework each maps to; its controls are ``<key>:<ID>``."""
FRAMEWORK_ENV = "REKOGNITION_MEDIA_POLICY_FRAMEWORK"
"""Set for the preview: the pack then registers only the policies mapped to that framework."""


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    enforcement_level: str  # mandatory | advisory | remediate | disabled
    severity: str | None  # low | medium | high | critical
    remediation_steps: str | None
    tags: tuple[str, ...]
    framework: str | None
    pack: str
    resource_types: tuple[str, ...] | None
    """The types a resource policy applies to; None for a stack policy (or not known)."""

    def controls(self, prefix: str | None = None) -> tuple[str, ...]:
        """The control tags (``fsbp:S3.5``), all or those of one framework key."""
        return tuple(
            tag
            for tag in self.tags
            if ":" in tag and (prefix is None or tag.startswith(f"{prefix}:"))
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "pack": self.pack,
            "description": self.description,
            "enforcementLevel": self.enforcement_level,
            "severity": self.severity,
            "remediationSteps": self.remediation_steps,
            "tags": list(self.tags),
            "controls": list(self.controls()),
            "framework": self.framework,
        }


def _value(attribute: Any) -> str | None:
    """An enum's value (EnforcementLevel, Severity) or a plain string."""
    if attribute is None:
        return None
    return str(getattr(attribute, "value", attribute))


def rule_of(policy: Any, pack: str, resource_types: Sequence[str] | None = None) -> Rule:
    framework = getattr(policy, "framework", None)
    return Rule(
        name=policy.name,
        description=policy.description or "",
        enforcement_level=_value(policy.enforcement_level) or "advisory",
        severity=_value(getattr(policy, "severity", None)),
        remediation_steps=getattr(policy, "remediation_steps", None),
        tags=tuple(getattr(policy, "tags", None) or ()),
        framework=getattr(framework, "name", None),
        pack=pack,
        resource_types=tuple(resource_types) if resource_types is not None else None,
    )


def pack_rules(framework: str | None = None) -> list[Rule]:
    """This pack's rules in report order; with ``framework``, only those mapped to it."""
    from rekognition_media import policies

    rules = [
        rule_of(policy, policies.PACK_NAME, policies.RESOURCE_TYPES.get(policy.name))
        for policy in policies.all_policies()
    ]
    return select(rules, framework)


def select(rules: Iterable[Rule], framework: str | None) -> list[Rule]:
    if framework is None:
        return list(rules)
    return [rule for rule in rules if rule.controls(framework)]
