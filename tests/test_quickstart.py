"""The README's quickstart runs end to end: emulator, real Pulumi CLI, example stack."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.engine import cli_bin_dir
from tests.support import ROOT

pytestmark = pytest.mark.engine


def test_quickstart_runs_the_example_stack_against_the_emulator(tmp_path: Path) -> None:
    env = {**os.environ, "PULUMI_CLI_DIR": str(cli_bin_dir())}
    page = tmp_path / "report.html"
    quickstart = [sys.executable, str(ROOT / "scripts" / "quickstart.py"), "--job-seconds", "1"]
    run = subprocess.run(
        [*quickstart, "--report", str(page)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    # Without the pulumi-aws plugin (as here) it must say it ran in bring-your-own mode.
    assert any(
        line.startswith("mode: existing (the pulumi-aws plugin is not installed") for line in lines
    )
    assert "status:    SUCCEEDED" in lines
    assert "images:    3 analysed, 0 invalid, of 3" in lines
    assert any(line.startswith("results:   s3://media-output-") for line in lines)
    # The samples carry labels: the quickstart shows what the job found, in pulumi up's
    # output (one line under the job) and from the stack output at the end.
    assert "2 of 3 images flagged (MinConfidence 50): Violence 1, Explicit 1 — report: " in (
        run.stdout
    )
    assert "  2 of 3 images flagged (MinConfidence 50, model 7.0)" in lines
    assert any(line.endswith("/images/sample-1.png") and "Violence" in line for line in lines)
    # ... and writes the HTML report, saying where.
    assert any(line.startswith(f"report:    {page.resolve()} ") for line in lines), run.stdout
    html = page.read_text()
    assert "sample-1.png" in html
    assert "Violence" in html
    assert "pulumi destroy: done" in run.stdout
