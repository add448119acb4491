"""The preview's policy events joined to the rules and to the lines that declared them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .locations import Location, Locator, urn_name, urn_type
from .preview import PreviewRun
from .rules import Rule, select


@dataclass(frozen=True)
class Resource:
    urn: str
    type: str
    name: str
    location: Location | None


@dataclass(frozen=True)
class Finding:
    rule: Rule
    level: str  # the level it was reported at (a pack config can change the default)
    message: str
    resource: Resource | None  # None: a stack policy's finding about no one resource

    @property
    def fingerprint(self) -> str:
        """Stable across runs: the policy and the resource, never the message or the line."""
        subject = self.resource.urn if self.resource else ""
        key = f"{self.rule.pack}/{self.rule.name}\n{subject}"
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def blocking(self) -> bool:
        return self.level == "mandatory"


@dataclass
class Report:
    project: str
    stack: str
    project_dir: Path
    repository_root: Path
    rules: list[Rule]
    resources: dict[str, Resource]
    findings: list[Finding]
    checked: dict[tuple[str, str], set[str]] | None = None
    """(pack, policy) -> the URNs it checked ("" the stack), as the engine reported."""

    @property
    def exit_code(self) -> int:
        return 1 if any(finding.blocking for finding in self.findings) else 0

    def path_of(self, location: Location | None) -> str | None:
        return location.relative_to(self.repository_root) if location else None

    def fallback_location(self) -> Location:
        """Where a finding about no resource (or one without a line) points: the project."""
        for name in ("Pulumi.yaml", "Pulumi.yml"):
            if (self.project_dir / name).is_file():
                return Location(self.project_dir / name, 1)
        return Location(self.project_dir / "Pulumi.yaml", 1)

    def to_json(self) -> dict[str, Any]:
        counts = {level: 0 for level in ("mandatory", "advisory", "remediate")}
        for finding in self.findings:
            counts[finding.level] = counts.get(finding.level, 0) + 1
        return {
            "version": 1,
            "project": self.project,
            "stack": self.stack,
            "exitCode": self.exit_code,
            "summary": counts,
            "rules": [rule.to_json() for rule in self.rules],
            "findings": [
                {
                    "policyPack": finding.rule.pack,
                    "policy": finding.rule.name,
                    "level": finding.level,
                    "severity": finding.rule.severity,
                    "controls": list(finding.rule.controls()),
                    "message": finding.message,
                    "resource": None
                    if finding.resource is None
                    else {
                        "urn": finding.resource.urn,
                        "type": finding.resource.type,
                        "name": finding.resource.name,
                    },
                    "location": _location_json(self, finding),
                    "fingerprint": finding.fingerprint,
                }
                for finding in self.findings
            ],
        }


def _location_json(report: Report, finding: Finding) -> dict[str, Any] | None:
    location = finding.resource.location if finding.resource else None
    if location is None:
        return None
    return {"file": report.path_of(location), "line": location.line}


def build(
    run: PreviewRun, rules: list[Rule], framework: str | None, repository_root: Path
) -> Report:
    project = run.project
    locator = Locator(project.directory, project.runtime, project.program_file, run.states)
    resources = {
        urn: Resource(urn, urn_type(urn), urn_name(urn), locator.find(urn)) for urn in run.states
    }
    known = {(rule.pack, rule.name): rule for rule in rules}
    findings: list[Finding] = []
    for event in run.events:
        rule = known.get((event.pack, event.policy))
        if rule is None:
            # A policy of another pack (or one this version of the pack does not list):
            # what the event says is all there is to say about it.
            rule = Rule(
                name=event.policy,
                description=event.policy,
                enforcement_level=event.level,
                severity=None,
                remediation_steps=None,
                tags=(),
                framework=None,
                pack=event.pack,
                resource_types=None,
            )
            if framework is not None:
                continue  # not mapped to the framework the run is limited to
            known[(event.pack, event.policy)] = rule
        resource = None
        if event.urn:
            resource = resources.get(event.urn) or Resource(
                event.urn, urn_type(event.urn), urn_name(event.urn), locator.find(event.urn)
            )
        findings.append(Finding(rule, event.level, _violation(event.message, rule), resource))
    return Report(
        project=project.name,
        stack=run.stack,
        project_dir=project.directory,
        repository_root=repository_root,
        rules=select(known.values(), framework),
        resources=resources,
        findings=findings,
        checked=run.checked,
    )


def _violation(message: str, rule: Rule) -> str:
    """The event's message without the policy's description, which the engine puts first
    (every output states the description once, with the rule)."""
    text = message.strip()
    if rule.description and text.startswith(rule.description):
        text = text[len(rule.description) :].strip()
    return text or message.strip()
