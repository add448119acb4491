"""SARIF 2.1.0 as GitHub code scanning reads it.

One rule per policy (id: the policy name), its level from the enforcement level and its
``security-severity`` from the policy's severity on GitHub's bands; one result per
finding, on the line of the user's program that declared the resource (a path relative
to the repository root), the URN as its logical location, and a fingerprint of policy
and URN so a finding keeps its alert across runs.
"""

from __future__ import annotations

from typing import Any

from rekognition_media import __version__

from .findings import Finding, Report
from .rules import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"mandatory": "error", "advisory": "warning", "remediate": "note", "disabled": "none"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
"""GitHub's bands: critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9."""
FINGERPRINT = "policyUrn/v1"


def _rule(rule: Rule) -> dict[str, Any]:
    help_text = rule.description
    if rule.remediation_steps:
        help_text += f"\n\nRemediation: {rule.remediation_steps}"
    controls = rule.controls()
    if controls:
        help_text += "\n\nControls: " + ", ".join(controls)
    properties: dict[str, Any] = {"tags": ["security", "compliance", *rule.tags]}
    if rule.severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
        properties["problem.severity"] = (
            "error"
            if rule.severity in ("critical", "high")
            else ("warning" if rule.severity == "medium" else "recommendation")
        )
    properties["policyPack"] = rule.pack
    if rule.framework:
        properties["framework"] = rule.framework
    return {
        "id": rule.name,
        "name": rule.name,
        "shortDescription": {"text": rule.description.split("\n", 1)[0]},
        "fullDescription": {"text": rule.description},
        "help": {"text": help_text, "markdown": help_text},
        "defaultConfiguration": {"level": LEVELS.get(rule.enforcement_level, "warning")},
        "properties": properties,
    }


def _result(report: Report, finding: Finding, index: dict[tuple[str, str], int]) -> dict[str, Any]:
    resource = finding.resource
    location = resource.location if resource and resource.location else None
    location = location or report.fallback_location()
    # The pack's messages name the resource; another pack's may not.
    subject = f"{resource.type} {resource.name!r}: " if resource else ""
    if resource is not None and resource.name in finding.message:
        subject = ""
    physical = {
        "artifactLocation": {"uri": report.path_of(location), "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": location.line},
    }
    located: dict[str, Any] = {"physicalLocation": physical}
    if resource is not None:
        located["logicalLocations"] = [
            {"name": resource.name, "fullyQualifiedName": resource.urn, "kind": "resource"}
        ]
    return {
        "ruleId": finding.rule.name,
        "ruleIndex": index[(finding.rule.pack, finding.rule.name)],
        "level": LEVELS.get(finding.level, "warning"),
        "message": {"text": f"{subject}{finding.message}"},
        "locations": [located],
        "partialFingerprints": {FINGERPRINT: finding.fingerprint},
        "properties": {
            "enforcementLevel": finding.level,
            "policyPack": finding.rule.pack,
            "controls": list(finding.rule.controls()),
        },
    }


def sarif(report: Report) -> dict[str, Any]:
    index = {(rule.pack, rule.name): position for position, rule in enumerate(report.rules)}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "rekognition-media policy-check",
                        "version": __version__,
                        "rules": [_rule(rule) for rule in report.rules],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": report.repository_root.as_uri() + "/"}},
                "automationDetails": {"id": f"policy-check/{report.project}/{report.stack}/"},
                "results": [
                    _result(report, finding, index)
                    for finding in report.findings
                    if (finding.rule.pack, finding.rule.name) in index
                ],
            }
        ],
    }
