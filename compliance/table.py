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
        # At 80 columns: the resource's name over the line that declared it, its type
        # with the finding (long dynamic and plugin types would fold a narrow column).
        table.add_column("Level", no_wrap=True)
        table.add_column("Policy and finding", ratio=3, overflow="fold")
        table.add_column("Resource, declared at", ratio=2, overflow="fold")
        for finding in report.findings:
            resource = finding.resource
            location = resource.location if resource else None
            controls = ", ".join(finding.rule.controls())
            title = f"[bold]{escape(finding.rule.name)}[/]" + (
                f" ({escape(controls)})" if controls else ""
            )
            kind = f"\n[dim]{escape(resource.type)}[/]" if resource else ""
            declared = (
                f"\n[dim]{escape(f'{report.path_of(location)}:{location.line}')}[/]"
                if location
                else ""
            )
            table.add_row(
                f"[{STYLE.get(finding.level, '')}]{finding.level}[/]",
                f"{title}\n{escape(finding.message)}{kind}",
                f"{escape(resource.name)}{declared}" if resource else "(stack)",
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
