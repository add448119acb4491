"""The CI recipes in examples/ci are valid YAML, run commands the command accepts, and hand
its files to the steps that publish them."""

from __future__ import annotations

import shlex
from typing import Any

import pytest
import yaml

from rekognition_media.report.access import UsageError
from rekognition_media.report.cli import build_parser
from tests.support import ROOT

CI = ROOT / "examples" / "ci"


def commands(lines: list[str]) -> list[Any]:
    """The parsed arguments of every ``rekognition-media`` command in shell ``lines``."""
    found = []
    for text in lines:
        for line in text.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] == "rekognition-media":
                found.append(build_parser().parse_args(words[1:]))
    return found


def test_github_actions_uploads_the_sarif_and_keeps_the_junit() -> None:
    workflow = yaml.safe_load((CI / "github-actions.yml").read_text())
    assert workflow["permissions"]["security-events"] == "write"
    [job] = workflow["jobs"].values()
    steps = job["steps"]
    [check] = commands([step["run"] for step in steps if "run" in step])
    assert check.command == "policy-check" and check.stack
    uses = {step.get("uses", "").split("@")[0]: step for step in steps}
    upload = uses["github/codeql-action/upload-sarif"]
    assert upload["with"]["sarif_file"] == check.sarif
    assert "always()" in upload["if"]
    artifact = uses["actions/upload-artifact"]
    assert check.junit in artifact["with"]["path"].split()
    assert "always()" in artifact["if"]


def test_gitlab_ci_reports_the_junit() -> None:
    pipeline = yaml.safe_load((CI / "gitlab-ci.yml").read_text())
    job = pipeline["policy-check"]
    [check] = commands(job["script"])
    assert check.command == "policy-check" and check.stack
    assert job["artifacts"]["reports"]["junit"] == check.junit
    assert job["artifacts"]["when"] == "always"
    assert check.sarif in job["artifacts"]["paths"]


def test_a_command_the_parser_refuses_is_noticed() -> None:
    # what the tests above rely on: a wrong option in a recipe would fail them
    with pytest.raises(UsageError, match="unrecognized arguments: --sarif-file"):
        commands(["rekognition-media policy-check infra --sarif-file x.sarif"])
