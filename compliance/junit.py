"""JUnit XML: one test case per policy and resource it checked, a failure per violation.

What "checked" means: a resource policy checks every resource of the types it declares
(``RESOURCE_TYPES``, recorded by the pack) that the preview registered; a stack policy, or
another pack's policy whose types are unknown, is one case for the stack plus one case per
resource it reported. Every violation, mandatory or advisory, is a ``<failure>`` whose
``type`` is its enforcement level (a CI's test report should show warnings too; the exit
code alone says whether the gate passed); a remediation is a passing case with the change
in ``<system-out>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections import defaultdict

from .findings import Finding, Report, Resource
from .rules import Rule

STACK_CASE = "(stack)"


def _case_name(resource: Resource | None) -> str:
    return STACK_CASE if resource is None else f"{resource.type}::{resource.name}"


def junit(report: Report) -> ElementTree.ElementTree:
    by_case: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
    for finding in report.findings:
        urn = finding.resource.urn if finding.resource else ""
        by_case[(finding.rule.pack, finding.rule.name, urn)].append(finding)

    root = ElementTree.Element("testsuites", name=f"policy-check {report.project}/{report.stack}")
    total = failed = 0
    for rule in report.rules:
        suite = ElementTree.SubElement(root, "testsuite", name=f"{rule.pack}/{rule.name}")
        subjects = _subjects(report, rule, by_case)
        failures = 0
        for resource in subjects:
            urn = resource.urn if resource else ""
            case = ElementTree.SubElement(
                suite,
                "testcase",
                classname=f"{rule.pack}.{rule.name}",
                name=_case_name(resource),
            )
            location = resource.location if resource else None
            if location is not None:
                case.set("file", report.path_of(location) or "")
                case.set("line", str(location.line))
            out: list[str] = []
            case_failed = False
            for finding in by_case.get((rule.pack, rule.name, urn), ()):
                if finding.level in ("mandatory", "advisory"):
                    failure = ElementTree.SubElement(
                        case,
                        "failure",
                        message=finding.message.splitlines()[0] if finding.message else "",
                        type=finding.level,
                    )
                    failure.text = _failure_text(report, rule, finding)
                    case_failed = True
                else:
                    out.append(f"[{finding.level}] {finding.message}")
            if out:
                ElementTree.SubElement(case, "system-out").text = "\n".join(out)
            failures += case_failed
        suite.set("tests", str(len(subjects)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total += len(subjects)
        failed += failures
    root.set("tests", str(total))
    root.set("failures", str(failed))
    root.set("errors", "0")
    ElementTree.indent(root)
    return ElementTree.ElementTree(root)


def _subjects(
    report: Report, rule: Rule, by_case: dict[tuple[str, str, str], list[Finding]]
) -> list[Resource | None]:
    reported = {urn for (pack, name, urn) in by_case if pack == rule.pack and name == rule.name}
    subjects: list[Resource | None] = []
    if rule.resource_types is not None:
        wanted = set(rule.resource_types)
        subjects = [r for r in report.resources.values() if r.type in wanted]
    else:
        subjects = [None]
    listed = {r.urn for r in subjects if r is not None} | ({""} if None in subjects else set())
    for urn in sorted(reported - listed):
        if urn == "":
            subjects.append(None)
        else:
            subjects.append(
                report.resources.get(urn)
                or next(f.resource for f in by_case[(rule.pack, rule.name, urn)] if f.resource)
            )
    return subjects


def _failure_text(report: Report, rule: Rule, finding: Finding) -> str:
    lines = [finding.message]
    if finding.resource is not None:
        lines.append(f"resource: {finding.resource.urn}")
        if finding.resource.location is not None:
            where = report.path_of(finding.resource.location)
            lines.append(f"declared at: {where}:{finding.resource.location.line}")
    if rule.severity:
        lines.append(f"severity: {rule.severity}")
    if rule.controls():
        lines.append("controls: " + ", ".join(rule.controls()))
    if rule.remediation_steps:
        lines.append(f"remediation: {rule.remediation_steps}")
    return "\n".join(lines)


def write(report: Report, path: str) -> None:
    junit(report).write(path, encoding="utf-8", xml_declaration=True)
