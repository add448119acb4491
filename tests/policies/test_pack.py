"""The pack as a whole: policy metadata, type tokens and property names against the
installed pulumi-aws, the pack directory (PulumiPolicy.yaml, __main__.py) running
standalone, and the README table matching the code."""

from __future__ import annotations

import os
import re
import runpy
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pulumi_aws
import pulumi_policy
import pytest
import yaml
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

import rekognition_media.policies as pack
from rekognition_media.policies import RESOURCE_TYPES, _model, all_policies
from tests.support import ROOT

PACK_DIR = ROOT / "policies"
AWS_DIR = Path(pulumi_aws.__file__).parent

EXPECTED = {
    # name: (kind, default level, settings besides exemptResources)
    "s3-bucket-kms-encryption": (
        "resource",
        "mandatory",
        {"allowedSseAlgorithms", "requireBucketKey"},
    ),
    "s3-bucket-encryption-configured": ("stack", "mandatory", set()),
    "s3-bucket-public-access-block": ("stack", "mandatory", set()),
    "s3-bucket-deny-insecure-transport": ("stack", "mandatory", set()),
    "s3-bucket-policy-no-public-access": ("resource", "mandatory", set()),
    "s3-acl-no-public-access": ("resource", "mandatory", set()),
    "s3-bucket-ownership-enforced": ("resource", "advisory", set()),
    "s3-object-kms-encryption": ("resource", "mandatory", {"allowedSseAlgorithms"}),
    "s3-object-kms-key-matches-bucket": ("stack", "mandatory", set()),
    "kms-key-rotation": ("resource", "mandatory", set()),
    "kms-key-deletion-window": ("resource", "advisory", {"minimumDeletionWindowDays"}),
    "kms-key-policy-no-public-access": ("resource", "mandatory", set()),
    "kms-key-policy-no-cross-account-admin": (
        "resource",
        "mandatory",
        {"keyAccounts", "trustedAccounts"},
    ),
    "media-analysis-job-kms-key": ("resource", "mandatory", set()),
    "media-analysis-job-min-confidence": ("resource", "advisory", {"minimumConfidence"}),
    "media-analysis-job-output-encryption": ("stack", "mandatory", set()),
    "media-analysis-batch-max-images": ("resource", "mandatory", {"maxImages"}),
    "iam-no-wildcard-actions": ("resource", "mandatory", {"allowedActionPatterns"}),
    "iam-no-wildcard-resources": (
        "resource",
        "mandatory",
        {"services", "wildcardResourceActions", "allowedResourcePatterns"},
    ),
    "iam-no-broad-managed-policies": (
        "resource",
        "mandatory",
        {"deniedManagedPolicies", "allowedManagedPolicies"},
    ),
    "iam-role-trust-policy-no-public-access": ("resource", "mandatory", set()),
    "cross-resource-links": ("stack", "advisory", set()),
}
REMEDIATES = {"s3-bucket-kms-encryption", "kms-key-rotation", "kms-key-deletion-window"}


def test_policies_metadata() -> None:
    policies = all_policies()
    assert [p.name for p in policies] == list(EXPECTED)
    for policy in policies:
        kind, level, settings = EXPECTED[policy.name]
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", policy.name)
        expected_class = ResourceValidationPolicy if kind == "resource" else StackValidationPolicy
        assert isinstance(policy, expected_class)
        assert policy.enforcement_level == EnforcementLevel(level)
        assert policy.severity is not None
        assert policy.description.endswith(".")
        assert policy.remediation_steps
        assert set(policy.config_schema.properties) == settings | {"exemptResources"}
        if isinstance(policy, ResourceValidationPolicy):
            assert policy.has_remediation() == (policy.name in REMEDIATES)


def _aws_sources(module: str) -> Iterator[str]:
    for path in (AWS_DIR / module).glob("*.py"):
        yield path.read_text()


def test_type_tokens_exist_in_pulumi_aws() -> None:
    tokens = {t for types in RESOURCE_TYPES.values() for t in types}
    tokens |= {_model.BUCKET_PUBLIC_ACCESS_BLOCK, _model.BUCKET_POLICY, _model.KMS_ALIAS}
    tokens -= set(_model.MEDIA_ANALYSIS_RESOURCES)
    assert len(tokens) == 30
    for token in tokens:
        module = token.split(":")[1].split("/")[0]
        constructor = f"__init__(\n            '{token}',"
        assert any(constructor in source for source in _aws_sources(module)), token


@pytest.mark.parametrize(
    ("module", "names"),
    [
        (
            "s3",
            [
                "serverSideEncryptionConfiguration",
                "serverSideEncryptionConfigurations",
                "applyServerSideEncryptionByDefault",
                "applyServerSideEncryptionByDefaults",
                "sseAlgorithm",
                "kmsMasterKeyId",
                "bucketKeyEnabled",
                "blockPublicAcls",
                "blockPublicPolicy",
                "ignorePublicAcls",
                "restrictPublicBuckets",
                "accessControlPolicy",
                "objectOwnership",
                "serverSideEncryption",
                "kmsKeyId",
                "customerAlgorithm",
            ],
        ),
        (
            "kms",
            [
                "enableKeyRotation",
                "deletionWindowInDays",
                "customerMasterKeySpec",
                "customKeyStoreId",
                "xksKeyId",
                "keyId",
                "targetKeyId",
                "primaryKeyArn",
            ],
        ),
        (
            "iam",
            ["inlinePolicies", "managedPolicyArns", "policyArn", "policyArns", "assumeRolePolicy"],
        ),
    ],
)
def test_camel_case_property_names_exist_in_pulumi_aws(module: str, names: list[str]) -> None:
    text = "\n".join(_aws_sources(module))
    for name in names:
        assert f'@pulumi.getter(name="{name}")' in text, name


def test_job_type_tokens_match_the_providers() -> None:
    from rekognition_media.plugin import schema
    from rekognition_media.providers import job

    assert job.TYPE_TOKEN == _model.MEDIA_ANALYSIS_JOB
    assert schema.JOB_TYPE == _model.MEDIA_ANALYSIS_JOB_PLUGIN
    # The plugin's custom resources are the job and the batch the pack knows; its components
    # are not checked themselves (the pack checks the resources they create).
    resources = schema.package_schema()["resources"]
    custom = {token for token, spec in resources.items() if not spec.get("isComponent")}
    assert _model.MEDIA_ANALYSIS_JOB_PLUGIN in custom
    assert custom == {_model.MEDIA_ANALYSIS_JOB_PLUGIN, _model.MEDIA_ANALYSIS_BATCH_PLUGIN}
    for name in ("media-analysis-job-kms-key", "media-analysis-job-min-confidence"):
        assert RESOURCE_TYPES[name] == _model.MEDIA_ANALYSIS_RESOURCES
    assert RESOURCE_TYPES["media-analysis-batch-max-images"] == _model.MEDIA_ANALYSIS_BATCHES


def test_pack_modules_do_not_shadow_other_modules() -> None:
    """The CLI puts the pack directory first on sys.path: its modules must not hide others."""
    ours = {p.stem for p in PACK_DIR.glob("*.py")} | {
        p.name for p in PACK_DIR.iterdir() if p.is_dir()
    }
    ours -= {"__init__", "__main__", "__pycache__"}
    site = Path(pulumi_policy.__file__).parents[1]
    installed = {p.name.split(".")[0] for p in site.iterdir()}
    assert ours.isdisjoint(sys.stdlib_module_names)
    assert ours.isdisjoint(installed), ours & installed


def test_pulumi_policy_yaml() -> None:
    project = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python"
    assert project["description"]
    # pulumi-analyzer-policy-python runs in the pack directory and resolves a relative
    # virtualenv as $PWD/<virtualenv>.
    venv = PACK_DIR / project["runtime"]["options"]["virtualenv"]
    assert (venv / "bin" / "python").exists()
    assert venv.resolve() == Path(sys.prefix).resolve()


def test_main_builds_the_pack_when_policy_pack_is_stubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[dict[str, Any]] = []
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kwargs: built.append(kwargs))
    monkeypatch.chdir(PACK_DIR)
    runpy.run_path(".", run_name="__main__")
    (kwargs,) = built
    assert kwargs["name"] == pack.PACK_NAME
    assert [p.name for p in kwargs["policies"]] == list(EXPECTED)
    runpy.run_path("__main__.py", run_name="not-main")  # importing it starts nothing
    assert len(built) == 1


def _read_port(process: subprocess.Popen[bytes], timeout: float = 60.0) -> int:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, "the policy pack did not report its port"
    line = process.stdout.readline().decode().strip()
    assert line.isdigit(), line
    return int(line)


def test_pack_directory_serves_the_analyzer_standalone() -> None:
    """Start the pack exactly as pulumi-analyzer-policy-python does and talk gRPC to it."""
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", "."],
        cwd=PACK_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")},
    )
    try:
        port = _read_port(process)
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = analyzer_pb2_grpc.AnalyzerStub(channel)
            info = stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
            assert info.name == pack.PACK_NAME
            assert [p.name for p in info.policies] == list(EXPECTED)
            props = struct_pb2.Struct()
            props.update({"enableKeyRotation": False})
            response = stub.Analyze(
                proto.AnalyzeRequest(type="aws:kms/key:Key", properties=props, urn="u", name="k"),
                timeout=30,
            )
            assert [d.policyName for d in response.diagnostics] == ["kms-key-rotation"]
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert b"Traceback" not in stderr, stderr.decode()


# --- docs ----------------------------------------------------------------------------------------


def _readme_rows() -> dict[str, list[str]]:
    text = (PACK_DIR / "README.md").read_text()
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) >= 4:
            rows[cells[0].strip("`")] = cells
    return rows


def test_readme_table_matches_the_policies() -> None:
    rows = _readme_rows()
    assert list(rows) == list(EXPECTED)
    for name, (_, level, settings) in EXPECTED.items():
        kind_cell, level_cell, config_cell = rows[name][1], rows[name][3], rows[name][4]
        assert EXPECTED[name][0] in kind_cell, name
        assert level_cell.startswith(level), name
        for setting in settings:
            assert f"`{setting}`" in config_cell, (name, setting)


def test_example_workflow_runs_the_gate() -> None:
    workflow = yaml.safe_load(
        (PACK_DIR / "examples" / "github-actions-policy-gate.yml").read_text()
    )
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    commands = "\n".join(step.get("run", "") for step in steps)
    assert "pulumi preview" in commands
    assert '--policy-pack "$GITHUB_WORKSPACE/policies"' in commands
    assert "--policy-pack-config" in commands
    readme = (PACK_DIR / "README.md").read_text()
    assert "## Compliance in CI" in readme
    assert "examples/github-actions-policy-gate.yml" in readme


def test_example_config_matches_the_schemas() -> None:
    import json

    import jsonschema

    config = json.loads((PACK_DIR / "examples" / "policy-config.json").read_text())
    policies = {p.name: p for p in all_policies()}
    for name, entry in config.items():
        settings = dict(entry)
        assert settings.pop("enforcementLevel", "advisory") in {
            lvl.value for lvl in EnforcementLevel
        }
        schema = {"type": "object", "properties": policies[name].config_schema.properties}
        assert set(settings) <= set(schema["properties"]), name
        jsonschema.validate(settings, schema)
