"""The outputs of ``policy-check`` from recorded previews: the line each finding points at,
SARIF (validated against the OASIS schema), JUnit, JSON, and the framework filter.

The preview records here have the shapes the engine gives (``pulumi preview --json``
steps, ``PolicyEvent``s); tests/compliance/test_policy_check_cli.py gets them from the
real CLI.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest

import rekognition_media.providers.job as job_module
from rekognition_media import policies
from rekognition_media.compliance import findings, junit, sarif
from rekognition_media.compliance.locations import Locator, parse_position
from rekognition_media.compliance.preview import PolicyEventRecord, PreviewRun, load_project
from rekognition_media.compliance.rules import pack_rules, rule_of
from tests.support import JOB_TYPE_TOKEN, PLUGIN_JOB_TYPE_TOKEN

from .sarif_check import validate_sarif

STACK = "urn:pulumi:dev::media::pulumi:pulumi:Stack::media-dev"
KEY = "urn:pulumi:dev::media::aws:kms/key:Key::media-key"
JOB = f"urn:pulumi:dev::media::{JOB_TYPE_TOKEN}::nightly"
PIPELINE = "urn:pulumi:dev::media::rekognition-media:index:Pipeline::media"
CHILD_KEY = (
    "urn:pulumi:dev::media::rekognition-media:index:Pipeline$aws:kms/key:Key::media-child-key"
)
PYTHON_SOURCE = "import pulumi_aws as aws\n" + "\n" * 10 + "key = aws.kms.Key('media-key')\n"


def _position(project: Path, file: Path, line: int) -> str:
    return f"project:///{Path(os.path.relpath(file, project)).as_posix()}#{line}"


def python_run(tmp_path: Path) -> PreviewRun:
    """A Python project in ``infra/`` of a repository: a key on line 12 of __main__.py and a
    dynamic job whose recorded position is this package's constructor (the user's line,
    20, is further down its trace); a component on line 30 whose key has no position."""
    project_dir = tmp_path / "repo" / "infra"
    project_dir.mkdir(parents=True)
    (project_dir / "Pulumi.yaml").write_text("name: media\nruntime: python\n")
    main = project_dir / "__main__.py"
    main.write_text(PYTHON_SOURCE)
    job_file = Path(job_module.__file__)
    sdk_file = Path(json.__file__)  # any file outside the project and this package
    states: dict[str, dict[str, Any]] = {
        STACK: {"type": "pulumi:pulumi:Stack"},
        KEY: {
            "parent": STACK,
            "sourcePosition": _position(project_dir, main, 12),
            "stackTrace": [{"sourcePosition": _position(project_dir, main, 12)}],
        },
        JOB: {
            "parent": STACK,
            "sourcePosition": _position(project_dir, job_file, 400),
            "stackTrace": [
                {"sourcePosition": _position(project_dir, job_file, 400)},
                {},  # a frame the engine could not parse
                {"sourcePosition": _position(project_dir, main, 20)},
                {"sourcePosition": _position(project_dir, sdk_file, 5)},
            ],
        },
        PIPELINE: {"parent": STACK, "sourcePosition": _position(project_dir, main, 30)},
        CHILD_KEY: {"parent": PIPELINE},
    }
    events = [
        PolicyEventRecord(
            "rekognition-media",
            "kms-key-rotation",
            "mandatory",
            f"{policies.kms_key_rotation.description}\naws:kms/key:Key 'media-key': no rotation",
            KEY,
        ),
        PolicyEventRecord(
            "rekognition-media", "media-analysis-job-kms-key", "mandatory", "no key", JOB
        ),
        PolicyEventRecord(
            "rekognition-media", "kms-key-rotation", "advisory", "child: no rotation", CHILD_KEY
        ),
        PolicyEventRecord("other-pack", "tagged", "advisory", "untagged", KEY),
    ]
    return PreviewRun(load_project(project_dir), "dev", events, states)


def report_of(run: PreviewRun, root: Path, framework: str | None = None) -> findings.Report:
    return findings.build(run, pack_rules(framework), framework, root)


def test_python_findings_point_at_the_users_lines(tmp_path: Path) -> None:
    report = report_of(python_run(tmp_path), tmp_path / "repo")
    where = {
        (f.rule.name, f.resource.name if f.resource else ""): (
            report.path_of(f.resource.location if f.resource else None),
            f.resource.location.line if f.resource and f.resource.location else None,
        )
        for f in report.findings
    }
    assert where == {
        ("kms-key-rotation", "media-key"): ("infra/__main__.py", 12),
        # past this package's constructor to the program
        ("media-analysis-job-kms-key", "nightly"): ("infra/__main__.py", 20),
        # no position of its own: the component's line
        ("kms-key-rotation", "media-child-key"): ("infra/__main__.py", 30),
        ("tagged", "media-key"): ("infra/__main__.py", 12),
    }


def test_yaml_resources_are_found_by_name_in_the_program(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: media\nruntime: yaml\nmain: program/\n")
    (tmp_path / "program").mkdir()
    (tmp_path / "program" / "Main.yaml").write_text(
        "variables:\n  nightly: 1\nresources:\n  media-key:\n    type: aws:kms:Key\n"
        f"  # the job\n  nightly:\n    type: {PLUGIN_JOB_TYPE_TOKEN}\n"
    )
    project = load_project(tmp_path)
    assert project.program_file == tmp_path / "program" / "Main.yaml"
    go_source = "project:///../../github.com/pulumi/pulumi-yaml@v1.25.0/pkg/server/server.go#317"
    job = JOB.replace(JOB_TYPE_TOKEN, PLUGIN_JOB_TYPE_TOKEN)
    states = {
        KEY: {"sourcePosition": go_source},
        job: {"sourcePosition": go_source},
        "urn:pulumi:dev::media::aws:s3/bucketV2:BucketV2::unnamed": {"parent": job},
    }
    locator = Locator(project.directory, "yaml", project.program_file, states)
    assert [(loc.path.name, loc.line) for loc in map(locator.find, states) if loc] == [
        ("Main.yaml", 4),
        ("Main.yaml", 7),  # the key under resources:, not the variable of the same name
        ("Main.yaml", 7),  # the ancestor's line
    ]


def test_positions_parse_with_columns_and_reject_other_schemes(tmp_path: Path) -> None:
    assert parse_position("project:///a%20b/main.py#7,3", tmp_path) is not None
    located = parse_position("project:///main.py#7,3", tmp_path)
    assert located is not None and (located.path, located.line) == (tmp_path / "main.py", 7)
    assert parse_position("https://example.com/x.py#1", tmp_path) is None
    assert parse_position("project:///main.py", tmp_path) is None
    assert parse_position("", tmp_path) is None


def test_sarif_validates_and_says_what_github_reads(tmp_path: Path) -> None:
    report = report_of(python_run(tmp_path), tmp_path / "repo")
    document = sarif.sarif(report)
    validate_sarif(document)
    [run] = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    by_id = {rule["id"]: rule for rule in rules}
    assert [rule["id"] for rule in rules[: len(policies.all_policies())]] == [
        policy.name for policy in policies.all_policies()
    ]
    rotation = by_id["kms-key-rotation"]
    assert rotation["defaultConfiguration"]["level"] == "error"
    assert rotation["fullDescription"]["text"] == policies.kms_key_rotation.description
    assert policies.kms_key_rotation.remediation_steps in rotation["help"]["text"]
    severity = policies.kms_key_rotation.severity.value
    assert rotation["properties"]["security-severity"] == sarif.SECURITY_SEVERITY[severity]
    assert by_id["media-analysis-job-min-confidence"]["defaultConfiguration"]["level"] == (
        "warning"
    )
    assert "security-severity" not in by_id["tagged"]["properties"]  # another pack's policy
    levels = [(result["ruleId"], result["level"]) for result in run["results"]]
    assert levels == [
        ("kms-key-rotation", "error"),
        ("media-analysis-job-kms-key", "error"),
        ("kms-key-rotation", "warning"),
        ("tagged", "warning"),
    ]
    first = run["results"][0]
    assert rules[first["ruleIndex"]]["id"] == "kms-key-rotation"
    # the description is the rule's; the result says what is wrong with this resource
    assert first["message"]["text"] == "aws:kms/key:Key 'media-key': no rotation"
    [location] = first["locations"]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "infra/__main__.py"
    assert location["physicalLocation"]["region"] == {"startLine": 12}
    assert location["logicalLocations"][0]["fullyQualifiedName"] == KEY
    assert run["results"][3]["message"]["text"] == "aws:kms/key:Key 'media-key': untagged"


def test_fingerprints_follow_policy_and_urn_only(tmp_path: Path) -> None:
    run = python_run(tmp_path)
    before = sarif.sarif(report_of(run, tmp_path / "repo"))["runs"][0]["results"]
    # The program moved (new lines, new message): the same findings, the same fingerprints.
    run.states[KEY]["stackTrace"] = [
        {"sourcePosition": run.states[JOB]["stackTrace"][2]["sourcePosition"]}
    ]
    run.events[0] = PolicyEventRecord(
        "rekognition-media", "kms-key-rotation", "mandatory", "reworded", KEY
    )
    after = sarif.sarif(report_of(run, tmp_path / "repo"))["runs"][0]["results"]
    fingerprints = [result["partialFingerprints"][sarif.FINGERPRINT] for result in before]
    assert fingerprints == [result["partialFingerprints"][sarif.FINGERPRINT] for result in after]
    assert after[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 20
    assert len(set(fingerprints)) == 4


def test_controls_are_tags_in_sarif_json_and_junit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        policies.kms_key_rotation, "tags", [*policies.kms_key_rotation.tags, "fsbp:KMS.4"]
    )
    report = report_of(python_run(tmp_path), tmp_path / "repo")
    document = sarif.sarif(report)
    validate_sarif(document)
    rules = {rule["id"]: rule for rule in document["runs"][0]["tool"]["driver"]["rules"]}
    assert "fsbp:KMS.4" in rules["kms-key-rotation"]["properties"]["tags"]
    assert document["runs"][0]["results"][0]["properties"]["controls"] == ["fsbp:KMS.4"]
    assert report.to_json()["findings"][0]["controls"] == ["fsbp:KMS.4"]
    failure = ElementTree.fromstring(ElementTree.tostring(junit.junit(report).getroot())).find(
        ".//testcase[@name='aws:kms/key:Key::media-key']/failure"
    )
    assert failure is not None and "controls: fsbp:KMS.4" in (failure.text or "")


def test_framework_limits_the_rules_and_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Key rotation (KMS.4) is not in FSBP; tagged so here, its findings stay in.
    monkeypatch.setattr(policies.kms_key_rotation, "tags", ["rekognition-media", "fsbp:KMS.4"])
    report = report_of(python_run(tmp_path), tmp_path / "repo", framework="fsbp")
    mapped = {policy.name for policy in policies.policies_for("fsbp")} | {"kms-key-rotation"}
    assert {rule.name for rule in report.rules} == mapped
    assert "media-analysis-job-kms-key" not in mapped
    assert [(f.rule.name, f.level) for f in report.findings] == [
        ("kms-key-rotation", "mandatory"),
        ("kms-key-rotation", "advisory"),
    ]
    validate_sarif(sarif.sarif(report))


def test_junit_counts_every_policy_and_resource_checked(tmp_path: Path) -> None:
    report = report_of(python_run(tmp_path), tmp_path / "repo")
    path = tmp_path / "junit.xml"
    junit.write(report, str(path))
    root = ElementTree.parse(path).getroot()
    assert root.tag == "testsuites"
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    rotation = suites["rekognition-media/kms-key-rotation"]
    # a resource policy: one case per key in the preview, both failing
    assert (rotation.get("tests"), rotation.get("failures")) == ("2", "2")
    cases = rotation.findall("testcase")
    assert [case.get("name") for case in cases] == [
        "aws:kms/key:Key::media-key",
        "aws:kms/key:Key::media-child-key",
    ]
    assert cases[0].get("classname") == "rekognition-media.kms-key-rotation"
    assert (cases[0].get("file"), cases[0].get("line")) == ("infra/__main__.py", "12")
    failure = cases[0].find("failure")
    assert failure is not None
    assert (failure.get("type"), failure.get("message")) == (
        "mandatory",
        "aws:kms/key:Key 'media-key': no rotation",
    )
    # a policy that found nothing: the keys it checked, passing
    deletion = suites["rekognition-media/kms-key-deletion-window"]
    assert (deletion.get("tests"), deletion.get("failures")) == ("2", "0")
    # a stack policy: one case for the stack
    links = suites["rekognition-media/cross-resource-links"]
    assert [case.get("name") for case in links.findall("testcase")] == [junit.STACK_CASE]
    # another pack's policy: the resources it reported
    assert suites["other-pack/tagged"].get("failures") == "1"
    failed = sum(1 for case in root.iter("testcase") if case.find("failure") is not None)
    assert root.get("failures") == str(failed) == "4"
    assert root.get("tests") == str(len(list(root.iter("testcase"))))
    assert sum(int(suite.get("tests") or 0) for suite in suites.values()) == int(
        root.get("tests") or 0
    )


def test_json_report_shape(tmp_path: Path) -> None:
    report = report_of(python_run(tmp_path), tmp_path / "repo")
    document = json.loads(json.dumps(report.to_json()))
    assert document["exitCode"] == 1 and document["summary"]["mandatory"] == 2
    rule = next(rule for rule in document["rules"] if rule["name"] == "kms-key-rotation")
    assert set(rule) == {
        "name",
        "pack",
        "description",
        "enforcementLevel",
        "severity",
        "remediationSteps",
        "tags",
        "controls",
        "framework",
    }
    assert isinstance(rule["controls"], list)
    first = document["findings"][0]
    assert first["resource"] == {"urn": KEY, "type": "aws:kms/key:Key", "name": "media-key"}
    assert first["location"] == {"file": "infra/__main__.py", "line": 12}
    assert len(first["fingerprint"]) == 64


def test_rules_read_the_policy_objects() -> None:
    rule = rule_of(policies.media_analysis_job_min_confidence, policies.PACK_NAME)
    assert rule.enforcement_level == "advisory"
    assert rule.severity == policies.media_analysis_job_min_confidence.severity.value
    assert rule.tags == tuple(policies.media_analysis_job_min_confidence.tags or ())
    assert {r.name for r in pack_rules()} == {p.name for p in policies.all_policies()}


def test_junit_cases_follow_the_engines_policy_summaries(tmp_path: Path) -> None:
    run = python_run(tmp_path)
    provider = "urn:pulumi:dev::media::pulumi:providers:aws::default"
    run.states[provider] = {}
    run.checked = {
        # every resource policy runs on every resource; ours declare their types
        ("rekognition-media", "kms-key-rotation"): {STACK, provider, KEY, JOB, CHILD_KEY},
        ("rekognition-media", "cross-resource-links"): {""},
        ("other-pack", "tagged"): {STACK, provider, KEY, JOB},
        # kms-key-deletion-window did not run (disabled, or not in --framework)
    }
    root = junit.junit(report_of(run, tmp_path / "repo")).getroot()
    cases = {
        suite.get("name"): [case.get("name") for case in suite.iter("testcase")]
        for suite in root.iter("testsuite")
    }
    assert cases["rekognition-media/kms-key-rotation"] == [
        "aws:kms/key:Key::media-key",
        "aws:kms/key:Key::media-child-key",
    ]
    assert cases["rekognition-media/cross-resource-links"] == [junit.STACK_CASE]
    assert cases["other-pack/tagged"] == [
        "aws:kms/key:Key::media-key",
        f"{JOB_TYPE_TOKEN}::nightly",
    ]
    assert cases["rekognition-media/kms-key-deletion-window"] == []
    # a policy reported on a resource the summaries did not list still gets its case
    assert cases["rekognition-media/media-analysis-job-kms-key"] == [f"{JOB_TYPE_TOKEN}::nightly"]


def test_the_terminal_table_keeps_names_and_lines_whole_at_80_columns(tmp_path: Path) -> None:
    from rich.console import Console

    from rekognition_media.compliance import table

    report = report_of(python_run(tmp_path), tmp_path / "repo")
    console = Console(width=80, record=True, force_terminal=False, color_system=None)
    table.show(console, report)
    lines = console.export_text().splitlines()
    assert max(len(line) for line in lines) <= 80
    cells = [cell.strip() for line in lines for cell in line.split("│")]
    for whole in ("media-key", "media-child-key", "nightly", "infra/__main__.py:20"):
        assert whole in cells, whole
    assert lines[-1] == "2 mandatory violation(s), 2 other finding(s): the policy check fails"
