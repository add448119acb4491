"""The pack through pulumi_policy's analyzer servicer: the code the CLI's gRPC calls reach.

Covers what only exists at that level: ``--policy-pack-config`` (Configure) overriding
enforcement levels and settings, severities on diagnostics, the remediate level
(Remediate), not-applicable reporting, and AnalyzeStack's property dependencies.
"""

from __future__ import annotations

import json
from typing import Any

from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer

from devtools.policy_harness import UNKNOWN_STR, urn
from rekognition_media.api.resources import JOB_TYPE_TOKEN
from rekognition_media.policies import PACK_NAME, all_policies

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
JOB = JOB_TYPE_TOKEN
BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
LEVELS = {
    "advisory": proto.ADVISORY,
    "mandatory": proto.MANDATORY,
    "remediate": proto.REMEDIATE,
    "disabled": proto.DISABLED,
}


def struct(value: dict[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(value)
    return s


def servicer(config: dict[str, dict[str, Any]] | None = None) -> _PolicyAnalyzerServicer:
    """The pack's servicer, configured like ``--policy-pack-config`` does (name -> settings)."""
    service = _PolicyAnalyzerServicer(PACK_NAME, "0.1.0", all_policies(), EnforcementLevel.ADVISORY)
    if config:
        policy_config = {}
        for name, settings in config.items():
            settings = dict(settings)
            level = settings.pop("enforcementLevel", None)
            entry = proto.PolicyConfig(properties=struct(settings))
            if level is not None:
                entry.enforcementLevel = LEVELS[level]
            policy_config[name] = entry
        service.Configure(proto.ConfigureAnalyzerRequest(policyConfig=policy_config), None)
    return service


def analyze(service: _PolicyAnalyzerServicer, resource_type: str, props: dict[str, Any]) -> Any:
    request = proto.AnalyzeRequest(
        type=resource_type, properties=struct(props), urn=urn(resource_type, "r"), name="r"
    )
    return service.Analyze(request, None)


def by_policy(response: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for diagnostic in response.diagnostics:
        found.setdefault(diagnostic.policyName, []).append(diagnostic)
    return found


def test_default_levels_and_severity_reach_the_diagnostics() -> None:
    response = analyze(servicer(), KEY, {"enableKeyRotation": False, "deletionWindowInDays": 7})
    diagnostics = by_policy(response)
    assert list(diagnostics) == ["kms-key-rotation"]
    (rotation,) = diagnostics["kms-key-rotation"]
    assert rotation.enforcementLevel == proto.MANDATORY
    assert rotation.severity == proto.POLICY_SEVERITY_MEDIUM
    assert rotation.message.startswith("KMS keys must have automatic key rotation enabled.\n")
    assert "`enableKeyRotation` is false" in rotation.message
    assert rotation.urn == urn(KEY, "r")


def test_policy_pack_config_sets_levels_and_settings() -> None:
    config = {
        "kms-key-rotation": {"enforcementLevel": "disabled"},
        "kms-key-deletion-window": {
            "enforcementLevel": "mandatory",
            "minimumDeletionWindowDays": 14,
        },
    }
    diagnostics = by_policy(
        analyze(servicer(config), KEY, {"enableKeyRotation": False, "deletionWindowInDays": 7})
    )
    assert list(diagnostics) == ["kms-key-deletion-window"]
    (window,) = diagnostics["kms-key-deletion-window"]
    assert window.enforcementLevel == proto.MANDATORY
    assert "at least 14 days" in window.message


def test_confidence_floor_from_config() -> None:
    job = {
        "operations_config": {"detect_moderation_labels": {"min_confidence": 55}},
        "kms_key_id": "k",
    }
    assert "media-analysis-job-min-confidence" not in by_policy(analyze(servicer(), JOB, job))
    raised = servicer({"media-analysis-job-min-confidence": {"minimumConfidence": 60}})
    (diagnostic,) = by_policy(analyze(raised, JOB, job))["media-analysis-job-min-confidence"]
    assert diagnostic.enforcementLevel == proto.ADVISORY
    assert "is 55 - labels with confidence below 60" in diagnostic.message


def test_unknown_values_are_not_applicable_not_violations() -> None:
    response = analyze(servicer(), JOB, {"kms_key_id": UNKNOWN_STR})
    assert "media-analysis-job-kms-key" not in by_policy(response)
    reasons = {n.policy_name: n.reason for n in response.not_applicable}
    assert reasons["media-analysis-job-kms-key"] == (
        "kms_key_id is unknown during preview; checked once known"
    )


def test_remediate_level_fixes_the_key_then_analysis_passes() -> None:
    service = servicer({"kms-key-rotation": {"enforcementLevel": "remediate"}})
    request = proto.AnalyzeRequest(
        type=KEY, properties=struct({"enableKeyRotation": False}), urn=urn(KEY, "r"), name="r"
    )
    response = service.Remediate(request, None)
    (remediation,) = response.remediations
    assert remediation.policyName == "kms-key-rotation"
    fixed = json_format.MessageToDict(remediation.properties)
    assert fixed == {"enableKeyRotation": True}
    assert "kms-key-rotation" not in by_policy(analyze(service, KEY, fixed))


def test_stack_analysis_links_through_property_dependencies() -> None:
    bucket_urn, sse_urn = urn(BUCKET, "media"), urn(SSE, "media-sse")
    rules = [
        {
            "applyServerSideEncryptionByDefault": {
                "sseAlgorithm": "aws:kms",
                "kmsMasterKeyId": "k",
            },
            "bucketKeyEnabled": True,
        }
    ]
    resources = [
        proto.AnalyzerResource(
            type=BUCKET, urn=bucket_urn, name="media", properties=struct({"bucket": "media-1"})
        ),
        proto.AnalyzerResource(
            type=SSE,
            urn=sse_urn,
            name="media-sse",
            properties=struct({"bucket": UNKNOWN_STR, "rules": rules}),
            propertyDependencies={"bucket": proto.AnalyzerPropertyDependencies(urns=[bucket_urn])},
        ),
    ]
    response = servicer().AnalyzeStack(proto.AnalyzeStackRequest(resources=resources), None)
    diagnostics = by_policy(response)
    assert "s3-bucket-encryption-configured" not in diagnostics  # linked by the dependency
    assert "cross-resource-links" not in diagnostics
    (pab,) = diagnostics["s3-bucket-public-access-block"]  # but nothing blocks public access
    assert pab.urn == bucket_urn
    assert pab.severity == proto.POLICY_SEVERITY_CRITICAL
    (tls,) = diagnostics["s3-bucket-deny-insecure-transport"]
    assert tls.enforcementLevel == proto.MANDATORY


def test_analyzer_info_exposes_schemas_with_defaults() -> None:
    info = servicer().GetAnalyzerInfo(empty_pb2.Empty(), None)
    assert info.supportsConfig
    policies = {p.name: p for p in info.policies}
    assert set(policies) == {p.name for p in all_policies()}
    for name, policy in policies.items():
        schema = json.loads(json_format.MessageToJson(policy.configSchema))
        for prop, spec in schema["properties"].items():
            assert "default" in spec, (name, prop)
            assert "type" in spec, (name, prop)
    window = json_format.MessageToDict(policies["kms-key-deletion-window"].configSchema)
    assert window["properties"]["minimumDeletionWindowDays"]["default"] == 7
    assert (
        policies["s3-bucket-encryption-configured"].policy_type
        == proto.PolicyType.POLICY_TYPE_STACK
    )
    assert policies["kms-key-rotation"].policy_type == proto.PolicyType.POLICY_TYPE_RESOURCE


def test_key_policy_checks_through_the_servicer_with_array_settings() -> None:
    key_arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    statements = [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"},
    ]
    props = {"keyId": key_arn, "policy": json.dumps({"Statement": statements})}
    diagnostics = by_policy(analyze(servicer(), KEY_POLICY, props))
    (public,) = diagnostics["kms-key-policy-no-public-access"]
    assert public.severity == proto.POLICY_SEVERITY_CRITICAL
    assert public.enforcementLevel == proto.MANDATORY
    (admin,) = diagnostics["kms-key-policy-no-cross-account-admin"]
    assert "outside the key's account 111122223333 (from `keyId`)" in admin.message
    trusted = servicer(
        {
            "kms-key-policy-no-cross-account-admin": {"trustedAccounts": ["444455556666"]},
            "kms-key-policy-no-public-access": {"enforcementLevel": "advisory"},
        }
    )
    diagnostics = by_policy(analyze(trusted, KEY_POLICY, props))
    assert list(diagnostics) == ["kms-key-policy-no-public-access"]
    assert diagnostics["kms-key-policy-no-public-access"][0].enforcementLevel == proto.ADVISORY
