"""The findings as a table in the terminal, then one line saying whether the gate passed."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .findings import Report

STYLE = {"mandatory": "bold red", "advisory": "yellow", "remediate": "cyan"}


def show(console: Console, report: Report) -> None:
    if report.findings:
        table = Table(title=f"Policy findings: {report.project}/{report.stack}", expand=True)
        table.add_column("Level", no_wrap=True)
        table.add_column("Policy and finding", ratio=3, overflow="fold")
        table.add_column("Resource", ratio=1, overflow="fold")
        table.add_column("Declared at", no_wrap=True)
        for finding in report.findings:
            resource = finding.resource
            location = resource.location if resource else None
            controls = ", ".join(finding.rule.controls())
            title = f"[bold]{escape(finding.rule.name)}[/]" + (
                f" ({escape(controls)})" if controls else ""
            )
            table.add_row(
                f"[{STYLE.get(finding.level, '')}]{finding.level}[/]",
                f"{title}\n{escape(finding.message)}",
                f"{escape(resource.name)}\n[dim]{escape(resource.type)}[/]"
                if resource
                else "(stack)",
                escape(f"{report.path_of(location)}:{location.line}") if location else "",
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
