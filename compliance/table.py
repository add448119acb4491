"""The findings as a table in the terminal, then one line saying whether the gate passed."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .findings import Report

STYLE = {"mandatory": "bold red", "advisory": "yellow", "remediate": "cyan"}


def show(console: Console, report: Report) -> None:
    if report.findings:
        table = Table(title=f"Policy findings: {report.project}/{report.stack}", expand=False)
        for column in ("Level", "Policy", "Resource", "Declared at", "Controls", "Message"):
            table.add_column(column, overflow="fold")
        for finding in report.findings:
            resource = finding.resource
            location = resource.location if resource else None
            table.add_row(
                f"[{STYLE.get(finding.level, '')}]{finding.level}[/]",
                finding.rule.name,
                f"{resource.type}\n{resource.name}" if resource else "(stack)",
                f"{report.path_of(location)}:{location.line}" if location else "",
                ", ".join(finding.rule.controls()),
                finding.message,
            )
        console.print(table)
    blocking = sum(finding.blocking for finding in report.findings)
    others = len(report.findings) - blocking
    if blocking:
        console.print(
            f"[bold red]{blocking} mandatory violation(s)[/], {others} other finding(s): "
            "the policy check fails"
        )
    else:
        console.print(
            f"[green]no mandatory violation[/] ({others} other finding(s), "
            f"{len(report.rules)} policies): the policy check passes"
        )
