"""``rekognition-media policy-check`` through the real Pulumi CLI (the policy-pack pin) on a
YAML program and on a Python program run inline: SARIF that validates and points at the
line of each violating resource, JUnit with the right failure count, exit codes 0, 1, 2.

The command runs as users run it, as its own process. pulumi-aws resources are previewed
by the stand-in plugin (devtools/aws_standin.py); the engine, the policy
analyzer and the pack are the real ones.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest
import yaml

from devtools.aws_standin import install
from devtools.engine import offline_env
from rekognition_media.api.resources import PLUGIN_JOB_TYPE_TOKEN
from rekognition_media.policies import policies_for
from tests.plugin.support import require_tools

from .sarif_check import validate_sarif

pytestmark = pytest.mark.engine

COMMAND = Path(sys.executable).parent / "rekognition-media"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

PYTHON_PROGRAM = """\
import pulumi_aws as aws

from rekognition_media.providers import (
    DetectModerationLabelsArgs,
    MediaAnalysisInputArgs,
    MediaAnalysisJob,
    MediaAnalysisJobArgs,
    OperationsConfigArgs,
    OutputConfigArgs,
    S3ObjectArgs,
)

ARGS = dict(
    operations_config=OperationsConfigArgs(
        detect_moderation_labels=DetectModerationLabelsArgs(min_confidence=60)
    ),
    input=MediaAnalysisInputArgs(s3_object=S3ObjectArgs(bucket="media-in", name="m.jsonl")),
    output_config=OutputConfigArgs(s3_bucket="media-out", s3_key_prefix="results/"),
)

key = aws.kms.Key("media-key", description="media", enable_key_rotation=False)
nightly = MediaAnalysisJob(
    "nightly",
    MediaAnalysisJobArgs(**ARGS),
)
weekly = MediaAnalysisJob("weekly", MediaAnalysisJobArgs(**ARGS, kms_key_id="{key_arn}"))
"""


class Check:
    """Runs the command in a fresh backend with the offline environment of the tests."""

    def __init__(self, bin_dir: Path, tmp_path: Path) -> None:
        self.state = tmp_path / "state"
        (self.state / "backend").mkdir(parents=True)
        standin = tmp_path / "standin"
        install(standin)
        self.env = offline_env(bin_dir, self.state)
        self.env["PATH"] = f"{standin}{os.pathsep}{self.env['PATH']}"
        self.env |= {"AWS_REGION": "us-east-1", "COLUMNS": "200"}
        self.bin_dir = bin_dir
        self.out = tmp_path / "out"
        self.out.mkdir()

    def init(self, project_dir: Path, stack: str = "ci") -> None:
        subprocess.run(
            [str(self.bin_dir / "pulumi"), "stack", "init", stack, "--non-interactive"],
            cwd=project_dir,
            env={**os.environ, **self.env},
            check=True,
            capture_output=True,
        )

    def run(self, *args: str, unset: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, **self.env}
        if unset is not None:
            del env[unset]
        return subprocess.run(
            [str(COMMAND), "policy-check", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def outputs(self) -> list[str]:
        return [
            f"--sarif={self.out / 'findings.sarif'}",
            f"--junit={self.out / 'junit.xml'}",
            f"--json={self.out / 'findings.json'}",
        ]

    def sarif(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads((self.out / "findings.sarif").read_text())
        validate_sarif(document)
        return document

    def junit_failures(self) -> tuple[int, list[tuple[str | None, str | None]]]:
        root = ElementTree.parse(self.out / "junit.xml").getroot()
        failed = [
            (suite.get("name"), case.get("name"))
            for suite in root.iter("testsuite")
            for case in suite.iter("testcase")
            if case.find("failure") is not None
        ]
        assert int(root.get("failures") or -1) == len(failed)
        assert sum(int(s.get("failures") or 0) for s in root.iter("testsuite")) == len(failed)
        return len(failed), failed


def located(document: dict[str, Any]) -> list[tuple[str, str, int, str]]:
    """(ruleId, file, line, logical name) of every result."""
    found = []
    for result in document["runs"][0]["results"]:
        [where] = result["locations"]
        physical = where["physicalLocation"]
        found.append(
            (
                result["ruleId"],
                physical["artifactLocation"]["uri"],
                physical["region"]["startLine"],
                where["logicalLocations"][0]["name"],
            )
        )
    return sorted(found)


def yaml_program(project_dir: Path, **job: Any) -> None:
    project_dir.mkdir(parents=True, exist_ok=True)
    properties = {
        "operationsConfig": {"detectModerationLabels": {"minConfidence": 60}},
        "input": {"s3Object": {"bucket": "media-in", "name": "manifests/batch.jsonl"}},
        "outputConfig": {"s3Bucket": "media-out", "s3KeyPrefix": "results/"},
    }
    program = {
        "name": "yaml-findings",
        "runtime": "yaml",
        "resources": {
            "nightly": {"type": PLUGIN_JOB_TYPE_TOKEN, "properties": {**properties, **job}},
            "weekly": {
                "type": PLUGIN_JOB_TYPE_TOKEN,
                "properties": {**properties, "kmsKeyId": KEY_ARN},
            },
        },
    }
    # (through JSON: the shared dicts would be written as YAML aliases, which pulumi-yaml refuses)
    text = yaml.safe_dump(json.loads(json.dumps(program)), sort_keys=False)
    (project_dir / "Pulumi.yaml").write_text(text)


def test_a_yaml_program_with_violations(policy_pulumi_bin: Path, tmp_path: Path) -> None:
    require_tools(policy_pulumi_bin)
    check = Check(policy_pulumi_bin, tmp_path)
    project = tmp_path / "program"
    low = {"detectModerationLabels": {"minConfidence": 40}}
    yaml_program(project, operationsConfig=low)  # no kmsKeyId, a confidence below the floor
    check.init(project)
    result = check.run(str(project), "--stack", "ci", *check.outputs())
    assert result.returncode == 1, result.stderr
    lines = (project / "Pulumi.yaml").read_text().splitlines()
    nightly = lines.index("  nightly:") + 1
    assert located(check.sarif()) == [
        ("media-analysis-job-kms-key", "Pulumi.yaml", nightly, "nightly"),
        ("media-analysis-job-min-confidence", "Pulumi.yaml", nightly, "nightly"),
    ]
    count, failed = check.junit_failures()
    assert count == 2
    assert (
        "rekognition-media/media-analysis-job-kms-key",
        f"{PLUGIN_JOB_TYPE_TOKEN}::nightly",
    ) in failed
    # the passing job was checked too
    root = ElementTree.parse(check.out / "junit.xml").getroot()
    suite = root.find("testsuite[@name='rekognition-media/media-analysis-job-kms-key']")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("2", "1")
    summary = json.loads((check.out / "findings.json").read_text())["summary"]
    assert (summary["mandatory"], summary["advisory"]) == (1, 1)
    assert "media-analysis-job-kms-key" in result.stdout
    assert "1 mandatory violation(s)" in result.stdout


def test_a_framework_limits_the_run_to_its_policies(
    policy_pulumi_bin: Path, tmp_path: Path
) -> None:
    require_tools(policy_pulumi_bin)
    check = Check(policy_pulumi_bin, tmp_path)
    project = tmp_path / "program"
    # The same violations as above, of job policies no FSBP control maps to.
    yaml_program(project, operationsConfig={"detectModerationLabels": {"minConfidence": 40}})
    check.init(project)
    result = check.run(str(project), "--stack", "ci", "--framework", "fsbp", *check.outputs())
    assert result.returncode == 0, result.stderr
    document = check.sarif()
    assert document["runs"][0]["results"] == []
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert {rule["id"] for rule in rules} == {p.name for p in policies_for("fsbp")}
    assert all(any(tag.startswith("fsbp:") for tag in rule["properties"]["tags"]) for rule in rules)
    assert check.junit_failures()[0] == 0


def test_a_yaml_program_without_mandatory_violations_passes(
    policy_pulumi_bin: Path, tmp_path: Path
) -> None:
    require_tools(policy_pulumi_bin)
    check = Check(policy_pulumi_bin, tmp_path)
    project = tmp_path / "program"
    low = {"detectModerationLabels": {"minConfidence": 40}}
    yaml_program(project, kmsKeyId=KEY_ARN, operationsConfig=low)
    check.init(project)
    result = check.run("--cwd", str(project), *check.outputs())  # the stack init selected
    assert result.returncode == 0, result.stdout + result.stderr
    # the advisory finding is reported, and does not fail the check
    assert [r["level"] for r in check.sarif()["runs"][0]["results"]] == ["warning"]
    assert check.junit_failures()[0] == 1
    assert "no mandatory violation" in result.stdout


def test_a_python_program_inline_with_violations(policy_pulumi_bin: Path, tmp_path: Path) -> None:
    check = Check(policy_pulumi_bin, tmp_path)
    repository = tmp_path / "repo"
    project = repository / "infra"
    project.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    (project / "Pulumi.yaml").write_text("name: py-findings\nruntime: python\n")
    (project / "__main__.py").write_text(PYTHON_PROGRAM.replace("{key_arn}", KEY_ARN))
    check.init(project)
    result = check.run(str(project), "--stack", "ci", "--inline", *check.outputs())
    assert result.returncode == 1, result.stdout + result.stderr
    # relative to the git root; the job's line is the program's, not this package's job.py
    lines = PYTHON_PROGRAM.splitlines()
    key_line = next(i for i, line in enumerate(lines, 1) if line.startswith("key = "))
    job_line = lines.index("nightly = MediaAnalysisJob(") + 1
    assert located(check.sarif()) == [
        ("kms-key-rotation", "infra/__main__.py", key_line, "media-key"),
        ("media-analysis-job-kms-key", "infra/__main__.py", job_line, "nightly"),
    ]
    assert check.junit_failures()[0] == 2


def test_a_program_error_is_exit_2_with_its_reason(policy_pulumi_bin: Path, tmp_path: Path) -> None:
    check = Check(policy_pulumi_bin, tmp_path)
    project = tmp_path / "program"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: broken\nruntime: python\n")
    (project / "__main__.py").write_text(
        textwrap.dedent(
            """\
            import pulumi
            raise ValueError("the bucket name is missing from the config")
            """
        )
    )
    check.init(project)
    result = check.run(str(project), "--stack", "ci", "--inline", *check.outputs())
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("rekognition-media policy-check: error: the preview could not run:")
    assert "the bucket name is missing from the config" in line
    assert not (check.out / "findings.sarif").exists()


def test_no_stack_and_no_credentials_are_exit_2(policy_pulumi_bin: Path, tmp_path: Path) -> None:
    check = Check(policy_pulumi_bin, tmp_path)
    project = tmp_path / "program"
    yaml_program(project)
    result = check.run(str(project), "--stack", "missing")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "rekognition-media policy-check: error: the preview could not run: "
        "no stack 'missing' in project 'yaml-findings'"
    ]
    check.init(project)
    result = check.run(str(project), "--stack", "ci", unset="PULUMI_CONFIG_PASSPHRASE")
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert "passphrase must be set with PULUMI_CONFIG_PASSPHRASE" in line


def test_a_pack_config_sets_the_level_reported(policy_pulumi_bin: Path, tmp_path: Path) -> None:
    require_tools(policy_pulumi_bin)
    check = Check(policy_pulumi_bin, tmp_path)
    project = tmp_path / "program"
    yaml_program(project)  # nightly has no kmsKeyId: mandatory by default
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"media-analysis-job-kms-key": {"enforcementLevel": "advisory"}}))
    check.init(project)
    result = check.run(
        str(project), "-s", "ci", "--policy-pack-config", str(config), *check.outputs()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    [finding] = check.sarif()["runs"][0]["results"]
    assert (finding["ruleId"], finding["level"]) == ("media-analysis-job-kms-key", "warning")
    failure = ElementTree.parse(check.out / "junit.xml").getroot().find(".//failure")
    assert failure is not None and failure.get("type") == "advisory"


def test_a_remediation_is_reported_as_a_note(policy_pulumi_bin: Path, tmp_path: Path) -> None:
    check = Check(policy_pulumi_bin, tmp_path)
    project = tmp_path / "program"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: py-findings\nruntime: python\n")
    (project / "__main__.py").write_text(PYTHON_PROGRAM.replace("{key_arn}", KEY_ARN))
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"kms-key-rotation": {"enforcementLevel": "remediate"}}))
    check.init(project)
    result = check.run(
        str(project), "-s", "ci", "--inline", "--policy-pack-config", str(config), *check.outputs()
    )
    assert result.returncode == 1, result.stdout + result.stderr  # the job's key still missing
    results = {r["ruleId"]: r for r in check.sarif()["runs"][0]["results"]}
    rotation = results["kms-key-rotation"]
    assert rotation["level"] == "note"
    assert "`enableKeyRotation` false -> true" in rotation["message"]["text"]
    assert results["media-analysis-job-kms-key"]["level"] == "error"
    root = ElementTree.parse(check.out / "junit.xml").getroot()
    [case] = root.findall("testsuite[@name='rekognition-media/kms-key-rotation']/testcase")
    assert case.find("failure") is None
    assert "remediated" in (case.findtext("system-out") or "")
    assert check.junit_failures()[0] == 1


def test_a_python_project_runs_with_its_language_host(
    policy_pulumi_bin: Path, tmp_path: Path
) -> None:
    # Without --inline the program runs as `pulumi preview` runs it, through Pulumi's Python
    # language host, which this machine does not have: the preview cannot run, and says so.
    check = Check(policy_pulumi_bin, tmp_path)
    project = tmp_path / "program"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: py-findings\nruntime: python\n")
    (project / "__main__.py").write_text(PYTHON_PROGRAM.replace("{key_arn}", KEY_ARN))
    check.init(project)
    result = check.run(str(project), "-s", "ci", *check.outputs())
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert "no language plugin 'pulumi-language-python' found" in line
