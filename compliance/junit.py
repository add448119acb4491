"""JUnit XML: one test case per policy and resource it checked, a failure per violation.

What "checked" means: what the engine's policy summaries say each policy ran on (every
resource policy runs on every resource, so ours are limited to the types they declare,
``RESOURCE_TYPES``; another pack's to the resources other than the stack and providers),
a stack policy being one case for the stack; plus every resource a policy reported. An
engine that sends no summaries: a resource policy of ours checks every resource of its
types in the preview, any other policy is one case for the stack.

Every violation, mandatory or advisory, is a ``<failure>`` whose ``type`` is its
enforcement level (a CI's test report should show warnings too; the exit
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


ENGINE_TYPES = ("pulumi:pulumi:Stack", "pulumi:providers:")
"""Resources every resource policy "passes" without looking: the stack, the providers."""


def _subjects(
    report: Report, rule: Rule, by_case: dict[tuple[str, str, str], list[Finding]]
) -> list[Resource | None]:
    """The stack (None) and the resources ``rule`` checked, in the preview's order."""
    reported = {urn for (pack, name, urn) in by_case if pack == rule.pack and name == rule.name}
    if report.checked is not None:
        # What the engine says each policy ran on; a policy of ours "passes" a resource of
        # another type without looking, so those are left out by its declared types.
        checked = report.checked.get((rule.pack, rule.name), set())
        subjects: list[Resource | None] = [None] if "" in checked else []
        subjects += [
            resource
            for resource in report.resources.values()
            if resource.urn in checked and _applies(rule, resource)
        ]
    elif rule.resource_types is not None:
        wanted = set(rule.resource_types)
        subjects = [r for r in report.resources.values() if r.type in wanted]
    else:
        subjects = [None]
    listed = {r.urn if r is not None else "" for r in subjects}
    for urn in sorted(reported - listed):
        if urn == "":
            subjects.append(None)
        else:
            subjects.append(
                report.resources.get(urn)
                or next(f.resource for f in by_case[(rule.pack, rule.name, urn)] if f.resource)
            )
    return subjects


def _applies(rule: Rule, resource: Resource) -> bool:
    if rule.resource_types is not None:
        return resource.type in rule.resource_types
    return not resource.type.startswith(ENGINE_TYPES)


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
