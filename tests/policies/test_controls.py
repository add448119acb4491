"""The controls each policy enforces: declared once, carried by the pulumi-policy objects
(tags and framework) as the analyzer serves them, listed in the README, and the pack-wide
framework filter (REKOGNITION_MEDIA_POLICY_FRAMEWORK) of the pack directory."""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
from typing import Any

import grpc
import pulumi_policy
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2_grpc

import rekognition_media.policies as pack
from rekognition_media.policies import (
    ALL_CONTROLS,
    FRAMEWORK_ENV,
    FRAMEWORKS,
    all_policies,
    controls_of,
    policies_for,
)
from tests.support import ROOT

from .test_pack import _read_port

PACK_DIR = ROOT / "policies"
FSBP_REFERENCE = "https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html"

# The mapping as checked against AWS's documentation (policies/README.md, "Controls").
EXPECTED = {
    "s3-bucket-public-access-block": ("S3.8",),
    "s3-bucket-deny-insecure-transport": ("S3.5",),
    "s3-bucket-policy-no-public-access": ("S3.2", "S3.3"),
    "s3-acl-no-public-access": ("S3.2", "S3.3"),
    "s3-bucket-ownership-enforced": ("S3.12",),
    "kms-key-policy-no-public-access": ("KMS.5",),
    "iam-no-wildcard-actions": ("IAM.1", "IAM.21"),
    "iam-no-wildcard-resources": ("KMS.1", "KMS.2"),
}
FSBP_POLICIES = list(EXPECTED)


def test_each_policy_carries_its_controls_in_tags_and_framework() -> None:
    for policy in all_policies():
        ids = EXPECTED.get(policy.name, ())
        assert tuple(c.id for c in controls_of(policy.name)) == ids, policy.name
        assert policy.tags == ["rekognition-media", *(f"fsbp:{i}" for i in ids)], policy.name
        if not ids:
            assert policy.framework is None, policy.name
            continue
        framework = policy.framework
        assert framework is not None
        assert framework.name == "AWS Foundational Security Best Practices"
        assert framework.version == "1.0.0"
        assert framework.reference == FSBP_REFERENCE
        assert framework.specification == ",".join(ids)


def test_controls_are_declared_once_with_their_aws_page() -> None:
    ids = [c.id for c in ALL_CONTROLS]
    assert len(ids) == len(set(ids))
    used = {c for p in all_policies() for c in controls_of(p.name)}
    assert used == set(ALL_CONTROLS)  # nothing declared and never used
    for control in ALL_CONTROLS:
        service, number = control.id.lower().split(".")
        assert control.framework is FRAMEWORKS["fsbp"]
        assert control.tag == f"fsbp:{control.id}"
        assert control.url == (
            "https://docs.aws.amazon.com/securityhub/latest/userguide/"
            f"{service}-controls.html#{service}-{number}"
        )
        assert control.title and not control.title.endswith(".")
    assert controls_of("not-a-policy-of-this-pack") == ()


def test_readme_lists_the_controls_and_their_sources() -> None:
    text = (PACK_DIR / "README.md").read_text()
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) >= 6:
            rows[cells[0].strip("`")] = cells
    assert list(rows) == [p.name for p in all_policies()]
    for name, cells in rows.items():
        found = re.findall(r"FSBP ([A-Za-z0-9]+\.\d+)", cells[5])
        assert tuple(found) == EXPECTED.get(name, ()), name
        if name not in EXPECTED:
            assert cells[5] == "—", name
    for control in ALL_CONTROLS:
        assert control.url in text, control.id
        assert control.title in text, control.id
    assert FSBP_REFERENCE in text
    assert FRAMEWORK_ENV in text


def test_policies_for_a_framework() -> None:
    assert [p.name for p in policies_for("fsbp")] == FSBP_POLICIES
    assert [p.name for p in policies_for(" FSBP ")] == FSBP_POLICIES
    assert policies_for(None) == all_policies()
    assert policies_for("") == all_policies()
    with pytest.raises(ValueError, match=r"^unknown compliance framework 'cis' \(known: fsbp\)$"):
        policies_for("cis")


def _main_builds(monkeypatch: pytest.MonkeyPatch, framework: str | None) -> list[str]:
    built: list[dict[str, Any]] = []
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kwargs: built.append(kwargs))
    if framework is None:
        monkeypatch.delenv(FRAMEWORK_ENV, raising=False)
    else:
        monkeypatch.setenv(FRAMEWORK_ENV, framework)
    monkeypatch.chdir(PACK_DIR)
    runpy.run_path(".", run_name="__main__")
    (kwargs,) = built
    return [p.name for p in kwargs["policies"]]


def test_main_registers_only_the_framework_s_policies(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _main_builds(monkeypatch, "fsbp") == FSBP_POLICIES
    assert _main_builds(monkeypatch, None) == [p.name for p in all_policies()]


def test_main_refuses_an_unknown_framework_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _main_builds(monkeypatch, "nist")
    assert exit_info.value.code == (
        f"{FRAMEWORK_ENV}: unknown compliance framework 'nist' (known: fsbp)"
    )


def _analyzer_info(framework: str | None) -> Any:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    env.pop(FRAMEWORK_ENV, None)
    if framework is not None:
        env[FRAMEWORK_ENV] = framework
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", "."],
        cwd=PACK_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        port = _read_port(process)
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            return analyzer_pb2_grpc.AnalyzerStub(channel).GetAnalyzerInfo(
                empty_pb2.Empty(), timeout=30
            )
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_the_analyzer_serves_controls_and_the_framework_filter() -> None:
    """What a client of the analyzer (the CLI, policy-check) reads: tags and framework."""
    info = _analyzer_info("fsbp")
    assert info.name == pack.PACK_NAME
    assert [p.name for p in info.policies] == FSBP_POLICIES
    for policy in info.policies:
        ids = EXPECTED[policy.name]
        assert list(policy.tags) == ["rekognition-media", *(f"fsbp:{i}" for i in ids)]
        assert policy.framework.name == "AWS Foundational Security Best Practices"
        assert policy.framework.version == "1.0.0"
        assert policy.framework.reference == FSBP_REFERENCE
        assert policy.framework.specification == ",".join(ids)
    unfiltered = _analyzer_info(None)
    assert [p.name for p in unfiltered.policies] == [p.name for p in all_policies()]
    rotation = next(p for p in unfiltered.policies if p.name == "kms-key-rotation")
    assert list(rotation.tags) == ["rekognition-media"]
    assert not rotation.HasField("framework")


def test_an_unknown_framework_stops_the_pack_with_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    env[FRAMEWORK_ENV] = "nist"
    result = subprocess.run(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", "."],
        cwd=PACK_DIR,
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == b""
    stderr = result.stderr.decode()
    assert f"{FRAMEWORK_ENV}: unknown compliance framework 'nist' (known: fsbp)" in stderr
    assert "Traceback" not in stderr, stderr
