"""s3-bucket-kms-encryption (resource level) and s3-bucket-encryption-configured (stack)."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.policy_harness import (
    UNKNOWN_BOOL,
    UNKNOWN_OBJ,
    UNKNOWN_STR,
    Stack,
    check,
    remediate,
    secret,
)
from rekognition_media.policies import (
    cross_resource_links,
    s3_bucket_encryption_configured,
    s3_bucket_kms_encryption,
)

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
SSE_V2 = (
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
)
KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def kms_default(algorithm: str = "aws:kms", key: Any = KEY_ARN) -> dict[str, Any]:
    default: dict[str, Any] = {"sseAlgorithm": algorithm}
    if key is not None:
        default["kmsMasterKeyId"] = key
    return default


def sse_rules(bucket_key: Any = True, **default: Any) -> list[dict[str, Any]]:
    rule: dict[str, Any] = {"applyServerSideEncryptionByDefault": kms_default(**default)}
    if bucket_key is not None:
        rule["bucketKeyEnabled"] = bucket_key
    return [rule]


def inline_bucket(bucket_key: Any = True, **default: Any) -> dict[str, Any]:
    """v7 Bucket: serverSideEncryptionConfiguration.rule (one object)."""
    rule: dict[str, Any] = {"applyServerSideEncryptionByDefault": kms_default(**default)}
    if bucket_key is not None:
        rule["bucketKeyEnabled"] = bucket_key
    return {"bucket": "media-in", "serverSideEncryptionConfiguration": {"rule": rule}}


def inline_bucket_v2(bucket_key: Any = True, **default: Any) -> dict[str, Any]:
    """Deprecated BucketV2: serverSideEncryptionConfigurations[].rules[]...Defaults[]."""
    rule: dict[str, Any] = {"applyServerSideEncryptionByDefaults": [kms_default(**default)]}
    if bucket_key is not None:
        rule["bucketKeyEnabled"] = bucket_key
    return {"bucket": "media-in", "serverSideEncryptionConfigurations": [{"rules": [rule]}]}


# --- s3-bucket-kms-encryption: every shape, compliant and violating -------------------------


@pytest.mark.parametrize(
    ("resource_type", "props"),
    [
        (BUCKET, inline_bucket()),
        (BUCKET_V2, inline_bucket_v2()),
        (SSE, {"bucket": "media-in", "rules": sse_rules()}),
        (SSE_V2, {"bucket": "media-in", "rules": sse_rules()}),
    ],
    ids=["bucket-inline", "bucketv2-inline", "sse", "sse-v2"],
)
def test_kms_encryption_compliant_in_every_shape(resource_type: str, props: dict[str, Any]) -> None:
    outcome = check(s3_bucket_kms_encryption, resource_type, props)
    assert outcome.violations == []
    assert outcome.not_applicable is None


@pytest.mark.parametrize(
    ("resource_type", "props", "path"),
    [
        (
            BUCKET,
            inline_bucket(algorithm="AES256", key=None),
            "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm",
        ),
        (
            BUCKET_V2,
            inline_bucket_v2(algorithm="AES256", key=None),
            "serverSideEncryptionConfigurations[0].rules[0]"
            ".applyServerSideEncryptionByDefaults[0].sseAlgorithm",
        ),
        (
            SSE,
            {"bucket": "b", "rules": sse_rules(algorithm="AES256", key=None)},
            "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm",
        ),
        (
            SSE_V2,
            {"bucket": "b", "rules": sse_rules(algorithm="AES256", key=None)},
            "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm",
        ),
    ],
    ids=["bucket-inline", "bucketv2-inline", "sse", "sse-v2"],
)
def test_aes256_is_reported_with_path_value_and_fix(
    resource_type: str, props: dict[str, Any], path: str
) -> None:
    message = check(s3_bucket_kms_encryption, resource_type, props, name="media").only()
    assert message.startswith(f"{resource_type} 'media': `{path}` is \"AES256\"")
    assert (
        "customer-managed KMS key (s3-bucket-kms-encryption.allowedSseAlgorithms: aws:kms, "
        "aws:kms:dsse)" in message
    )
    assert 'Fix: set sseAlgorithm to "aws:kms" or "aws:kms:dsse" and kmsMasterKeyId' in message


@pytest.mark.parametrize("key", [None, "alias/aws/s3", "arn:aws:kms:eu-west-1:1:alias/aws/s3"])
def test_aws_managed_key_is_reported(key: Any) -> None:
    props = {"bucket": "b", "rules": sse_rules(key=key)}
    message = check(s3_bucket_kms_encryption, SSE, props).only()
    found = "absent" if key is None else f'"{key}"'
    assert f"`rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId` is {found}" in message
    assert "AWS-managed" in message
    assert "Fix: set kmsMasterKeyId to a customer-managed key" in message


@pytest.mark.parametrize("bucket_key", [False, None])
def test_bucket_key_is_required(bucket_key: Any) -> None:
    message = check(s3_bucket_kms_encryption, SSE_V2, {"rules": sse_rules(bucket_key)}).only()
    shown = "false" if bucket_key is False else "absent"
    assert f"`rules[0].bucketKeyEnabled` is {shown}" in message
    assert "set bucketKeyEnabled to true" in message


def test_bucket_key_requirement_can_be_turned_off() -> None:
    props = {"rules": sse_rules(False)}
    assert check(s3_bucket_kms_encryption, SSE, props).violations
    outcome = check(s3_bucket_kms_encryption, SSE, props, config={"requireBucketKey": False})
    assert outcome.violations == []


# --- dual-layer SSE-KMS (aws:kms:dsse) ------------------------------------------------------


@pytest.mark.parametrize(
    ("resource_type", "props"),
    [
        (BUCKET, inline_bucket(None, algorithm="aws:kms:dsse")),
        (BUCKET_V2, inline_bucket_v2(None, algorithm="aws:kms:dsse")),
        (SSE, {"bucket": "media-in", "rules": sse_rules(None, algorithm="aws:kms:dsse")}),
        (SSE_V2, {"bucket": "media-in", "rules": sse_rules(False, algorithm="aws:kms:dsse")}),
    ],
    ids=["bucket-inline", "bucketv2-inline", "sse", "sse-v2-bucket-key-off"],
)
def test_dsse_with_a_customer_key_passes_by_default(
    resource_type: str, props: dict[str, Any]
) -> None:
    """Stronger than aws:kms, and S3 Bucket Keys aren't supported for it: none is asked for."""
    outcome = check(s3_bucket_kms_encryption, resource_type, props)
    assert outcome.violations == []
    assert outcome.not_applicable is None
    assert remediate(s3_bucket_kms_encryption, resource_type, props) is None


@pytest.mark.parametrize("key", [None, "", "alias/aws/s3", "arn:aws:kms:eu-west-1:1:alias/aws/s3"])
def test_dsse_with_the_aws_managed_key_fails_as_aws_kms_does(key: Any) -> None:
    dsse = check(
        s3_bucket_kms_encryption, SSE, {"rules": sse_rules(None, algorithm="aws:kms:dsse", key=key)}
    )
    kms = check(s3_bucket_kms_encryption, SSE, {"rules": sse_rules(True, key=key)})
    assert dsse.violations == kms.violations
    assert "`rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId`" in dsse.only()
    assert "AWS-managed key" in dsse.only()


def test_narrowing_the_setting_to_aws_kms_refuses_dsse_and_names_the_setting() -> None:
    props = {"rules": sse_rules(None, algorithm="aws:kms:dsse")}
    config = {"allowedSseAlgorithms": ["aws:kms"]}
    message = check(s3_bucket_kms_encryption, SSE, props, name="media-sse", config=config).only()
    assert message == (
        f"{SSE} 'media-sse': `rules[0].applyServerSideEncryptionByDefault.sseAlgorithm` is "
        '"aws:kms:dsse" - aws:kms:dsse uses a customer-managed KMS key too, but '
        "s3-bucket-kms-encryption.allowedSseAlgorithms allows only aws:kms. Fix: set "
        'sseAlgorithm to "aws:kms", or add "aws:kms:dsse" to '
        "s3-bucket-kms-encryption.allowedSseAlgorithms"
    )
    assert (
        check(s3_bucket_kms_encryption, SSE, {"rules": sse_rules()}, config=config).violations == []
    )


def test_requiring_dsse_refuses_single_layer_kms() -> None:
    config = {"allowedSseAlgorithms": ["aws:kms:dsse"]}
    message = check(s3_bucket_kms_encryption, SSE, {"rules": sse_rules()}, config=config).only()
    assert '`rules[0].applyServerSideEncryptionByDefault.sseAlgorithm` is "aws:kms"' in message
    assert "allows only aws:kms:dsse" in message
    assert 'Fix: set sseAlgorithm to "aws:kms:dsse", or add "aws:kms" to' in message
    aes = check(
        s3_bucket_kms_encryption,
        SSE,
        {"rules": sse_rules(None, algorithm="AES256", key=None)},
        config=config,
    ).only()
    assert "(s3-bucket-kms-encryption.allowedSseAlgorithms: aws:kms:dsse)" in aes
    assert 'Fix: set sseAlgorithm to "aws:kms:dsse" and kmsMasterKeyId' in aes


def test_dsse_inline_counts_as_kms_encryption_for_the_stack_check() -> None:
    stack = Stack()
    stack.add(BUCKET, "media", inline_bucket(None, algorithm="aws:kms:dsse"))
    assert stack.check(s3_bucket_encryption_configured).violations == []


def test_several_problems_in_one_rule_are_each_reported() -> None:
    props = {"rules": sse_rules(False, key="alias/aws/s3")}
    outcome = check(s3_bucket_kms_encryption, SSE, props)
    assert len(outcome.violations) == 2
    assert "kmsMasterKeyId" in outcome.violations[0]
    assert "bucketKeyEnabled" in outcome.violations[1]


def test_rules_missing_or_without_default_block() -> None:
    assert (
        "`rules` is absent - no rule is defined" in check(s3_bucket_kms_encryption, SSE, {}).only()
    )
    message = check(s3_bucket_kms_encryption, SSE, {"rules": [{"bucketKeyEnabled": True}]}).only()
    assert "`rules[0].applyServerSideEncryptionByDefault` is absent" in message


def test_unknown_values_are_not_violations() -> None:
    props = {"rules": sse_rules(UNKNOWN_BOOL, key=UNKNOWN_STR)}
    assert check(s3_bucket_kms_encryption, SSE, props).violations == []
    props = {"rules": sse_rules(algorithm=UNKNOWN_STR)}
    assert check(s3_bucket_kms_encryption, SSE, props).violations == []
    assert check(s3_bucket_kms_encryption, SSE, {"rules": UNKNOWN_OBJ}).violations == []


def test_bucket_without_inline_configuration_is_not_applicable() -> None:
    outcome = check(s3_bucket_kms_encryption, BUCKET, {"bucket": "b"})
    assert outcome.violations == []
    assert outcome.not_applicable is not None
    assert "s3-bucket-encryption-configured" in outcome.not_applicable


def test_other_resource_types_are_ignored() -> None:
    outcome = check(s3_bucket_kms_encryption, "aws:s3/bucketObject:BucketObject", {"rules": []})
    assert outcome.violations == []
    assert outcome.not_applicable is None


def test_exempt_resources_are_not_applicable() -> None:
    props = {"rules": sse_rules(algorithm="AES256", key=None)}
    config = {"exemptResources": ["access-logs"]}
    outcome = check(s3_bucket_kms_encryption, SSE, props, name="access-logs", config=config)
    assert outcome.violations == []
    assert (
        outcome.not_applicable
        == "access-logs is listed in s3-bucket-kms-encryption.exemptResources"
    )


# --- remediation: bucketKeyEnabled -----------------------------------------------------------


def test_remediation_enables_the_bucket_key_on_the_separate_resource() -> None:
    props = {"bucket": "b", "rules": sse_rules(False)}
    fixed = remediate(s3_bucket_kms_encryption, SSE, props)
    assert fixed == {"bucket": "b", "rules": sse_rules(True)}
    assert check(s3_bucket_kms_encryption, SSE, fixed).violations == []


def test_remediation_enables_the_bucket_key_inline_in_both_bucket_shapes() -> None:
    fixed = remediate(s3_bucket_kms_encryption, BUCKET, inline_bucket(None))
    assert fixed == inline_bucket(True)
    fixed_v2 = remediate(s3_bucket_kms_encryption, BUCKET_V2, inline_bucket_v2(False))
    assert fixed_v2 == inline_bucket_v2(True)


def test_remediation_keeps_secrets_secret() -> None:
    props = {"bucket": secret("b"), "rules": sse_rules(False, key=secret(KEY_ARN))}
    fixed = remediate(s3_bucket_kms_encryption, SSE, props)
    assert fixed is not None
    assert fixed["bucket"] == secret("b")
    assert fixed["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == secret(
        KEY_ARN
    )
    assert fixed["rules"][0]["bucketKeyEnabled"] is True


def test_remediation_changes_nothing_it_cannot_fix_safely() -> None:
    assert remediate(s3_bucket_kms_encryption, SSE, {"rules": sse_rules(True)}) is None
    aes = {"rules": sse_rules(None, algorithm="AES256", key=None)}
    assert remediate(s3_bucket_kms_encryption, SSE, aes) is None
    off = {"requireBucketKey": False}
    assert remediate(s3_bucket_kms_encryption, SSE, {"rules": sse_rules(False)}, config=off) is None


# --- s3-bucket-encryption-configured (stack) -------------------------------------------------


def test_bucket_linked_by_dependency_while_its_name_is_unknown() -> None:
    """Preview: SSE(bucket=b.id) has an unknown `bucket`, but its dependency names b."""
    stack = Stack()
    bucket = stack.add(BUCKET, "media", {"bucket": "media-123", "id": UNKNOWN_STR})
    stack.add(
        SSE, "media-sse", {"bucket": UNKNOWN_STR, "rules": sse_rules()}, deps={"bucket": [bucket]}
    )
    assert stack.check(s3_bucket_encryption_configured).violations == []
    assert stack.check(cross_resource_links).violations == []


@pytest.mark.parametrize("sse_type", [SSE, SSE_V2])
def test_bucket_linked_by_name(sse_type: str) -> None:
    stack = Stack()
    stack.add(BUCKET_V2, "media", {"bucket": "media-123"})
    stack.add(sse_type, "media-sse", {"bucket": "media-123", "rules": sse_rules()})
    assert stack.check(s3_bucket_encryption_configured).violations == []


def test_bucket_with_inline_kms_needs_no_separate_resource() -> None:
    stack = Stack()
    stack.add(BUCKET, "media", inline_bucket())
    assert stack.check(s3_bucket_encryption_configured).violations == []


@pytest.mark.parametrize(
    ("bucket_type", "props", "found"),
    [
        (BUCKET, {"bucket": "media-123"}, "`serverSideEncryptionConfiguration` is absent"),
        (BUCKET_V2, {"bucket": "media-123"}, "`serverSideEncryptionConfigurations` is absent"),
        (
            BUCKET,
            {"bucket": "media-123", "serverSideEncryptionConfiguration": UNKNOWN_OBJ},
            "is computed by the provider (the program does not set it)",
        ),
        (
            BUCKET,
            {**inline_bucket(algorithm="AES256", key=None), "bucket": "media-123"},
            'is sseAlgorithm "AES256"',
        ),
    ],
    ids=["absent", "absent-v2", "provider-computed", "aws-default-aes256"],
)
def test_bucket_without_kms_encryption_is_a_violation(
    bucket_type: str, props: dict[str, Any], found: str
) -> None:
    stack = Stack()
    stack.add(bucket_type, "media", props)
    stack.add(SSE, "other-sse", {"bucket": "someone-elses-bucket", "rules": sse_rules()})
    outcome = stack.check(s3_bucket_encryption_configured)
    message = outcome.only()
    assert message.startswith(f"{bucket_type} 'media' (bucket \"media-123\"): ")
    assert found in message
    assert "no BucketServerSideEncryptionConfiguration in this stack targets it" in message
    assert "Fix: add aws.s3.BucketServerSideEncryptionConfiguration(bucket=<bucket>.id" in message
    assert outcome.urns == [f"urn:pulumi:dev::media::{bucket_type}::media"]


def test_inline_configuration_built_from_unknown_values_is_only_advisory() -> None:
    stack = Stack()
    key = stack.add("aws:kms/key:Key", "key", {"arn": UNKNOWN_STR})
    stack.add(
        BUCKET,
        "media",
        {"bucket": "media-123", "serverSideEncryptionConfiguration": UNKNOWN_OBJ},
        deps={"serverSideEncryptionConfiguration": [key]},
    )
    assert stack.check(s3_bucket_encryption_configured).violations == []
    message = stack.check(cross_resource_links).only()
    assert message.startswith("[s3-bucket-encryption-configured] aws:s3/bucket:Bucket 'media'")
    assert "unknown during preview" in message


def test_unlinked_configuration_makes_a_missing_one_advisory() -> None:
    """An SSE resource whose bucket can't be told: no false violation, an advisory instead."""
    stack = Stack()
    stack.add(BUCKET, "media", {"bucket": "media-123"})
    stack.add(SSE, "mystery-sse", {"bucket": UNKNOWN_STR, "rules": sse_rules()})
    assert stack.check(s3_bucket_encryption_configured).violations == []
    message = stack.check(cross_resource_links).only()
    assert "no aws.s3.BucketServerSideEncryptionConfiguration is linked to it" in message
    assert (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
        in message
    )
    assert "'mystery-sse' (`bucket` is unknown during preview" in message


def test_exempt_bucket_by_bucket_name() -> None:
    stack = Stack()
    stack.add(BUCKET, "logs", {"bucket": "access-logs-1"})
    assert stack.check(s3_bucket_encryption_configured).violations
    config = {"exemptResources": ["access-logs-1"]}
    assert stack.check(s3_bucket_encryption_configured, config).violations == []


def test_exempt_bucket_name_also_exempts_its_configuration_resources() -> None:
    props = {"bucket": "access-logs-1", "rules": sse_rules(algorithm="AES256", key=None)}
    config = {"exemptResources": ["access-logs-1"]}
    outcome = check(s3_bucket_kms_encryption, SSE, props, name="logs-sse", config=config)
    assert outcome.violations == []
    assert outcome.not_applicable is not None
