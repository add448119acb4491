"""media-analysis-job-kms-key, -min-confidence and -output-encryption."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.policy_harness import UNKNOWN_NUM, UNKNOWN_OBJ, UNKNOWN_STR, Stack, check
from rekognition_media.api import shapes
from rekognition_media.api.resources import JOB_TYPE_TOKEN, PLUGIN_JOB_TYPE_TOKEN
from rekognition_media.policies import (
    cross_resource_links,
    media_analysis_job_kms_key,
    media_analysis_job_min_confidence,
    media_analysis_job_output_encryption,
)
from rekognition_media.policies.media_analysis_jobs import CONFIDENCE_RANGE, MINIMUM_CONFIDENCE

JOB = JOB_TYPE_TOKEN
BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:us-east-1:111122223333:key/{KEY_ID}"
OTHER_ARN = "arn:aws:kms:us-east-1:111122223333:key/99999999-0000-0000-0000-000000000000"


def job(**overrides: Any) -> dict[str, Any]:
    """The props MediaAnalysisJob registers (snake_case, outputs None before create)."""
    props: dict[str, Any] = {
        "job_name": "moderate-uploads",
        "operations_config": {"detect_moderation_labels": {"min_confidence": 80.0}},
        "input": {"s3_object": {"bucket": "media-in", "name": "manifest.jsonl"}},
        "output_config": {"s3_bucket": "media-out", "s3_key_prefix": "results/"},
        "kms_key_id": KEY_ARN,
        "client_request_token": "tok",
        "wait_for_completion": True,
        "job_id": None,
        "status": None,
    }
    props.update(overrides)
    return props


# --- media-analysis-job-kms-key ----------------------------------------------------------------


def test_job_with_kms_key() -> None:
    assert check(media_analysis_job_kms_key, JOB, job()).violations == []


@pytest.mark.parametrize(("value", "shown"), [(None, "absent"), ("", '""')])
def test_job_without_kms_key(value: Any, shown: str) -> None:
    message = check(media_analysis_job_kms_key, JOB, job(kms_key_id=value), name="moderate").only()
    assert message.startswith(f"{JOB} 'moderate': `kms_key_id` is {shown} - without it")
    assert message.endswith(
        "Fix: pass kms_key_id=<key>.arn (a customer-managed aws.kms.Key) to MediaAnalysisJobArgs"
    )


def test_job_with_aws_managed_key() -> None:
    message = check(media_analysis_job_kms_key, JOB, job(kms_key_id="alias/aws/rekognition")).only()
    assert '`kms_key_id` is "alias/aws/rekognition" - an AWS-managed key' in message


def test_job_key_unknown_during_preview() -> None:
    outcome = check(media_analysis_job_kms_key, JOB, job(kms_key_id=UNKNOWN_STR))
    assert outcome.violations == []
    assert outcome.not_applicable == "kms_key_id is unknown during preview; checked once known"


# --- media-analysis-job-min-confidence ---------------------------------------------------------


def test_confidence_range_comes_from_the_botocore_model() -> None:
    member = (
        shapes.service_model()
        .operation_model(shapes.START)
        .input_shape.members["OperationsConfig"]
        .members["DetectModerationLabels"]
        .members["MinConfidence"]
    )
    assert (member.metadata["min"], member.metadata["max"]) == CONFIDENCE_RANGE
    assert MINIMUM_CONFIDENCE.schema["minimum"] == CONFIDENCE_RANGE[0]
    assert MINIMUM_CONFIDENCE.schema["maximum"] == CONFIDENCE_RANGE[1]


def test_confidence_at_or_above_the_floor() -> None:
    assert check(media_analysis_job_min_confidence, JOB, job()).violations == []
    at_floor = job(operations_config={"detect_moderation_labels": {"min_confidence": 50}})
    assert check(media_analysis_job_min_confidence, JOB, at_floor).violations == []


def test_confidence_below_the_floor() -> None:
    low = job(operations_config={"detect_moderation_labels": {"min_confidence": 40}})
    message = check(media_analysis_job_min_confidence, JOB, low, name="moderate").only()
    assert message == (
        f"{JOB} 'moderate': `operations_config.detect_moderation_labels.min_confidence` is 40 - "
        "labels with confidence below 50 would be returned "
        "(media-analysis-job-min-confidence.minimumConfidence). Fix: set min_confidence to 50 "
        "or more in DetectModerationLabelsArgs"
    )


@pytest.mark.parametrize(
    "operations_config",
    [{"detect_moderation_labels": {"project_version": None}}, {"detect_moderation_labels": None}],
)
def test_absent_confidence_is_the_api_default(operations_config: dict[str, Any]) -> None:
    props = job(operations_config=operations_config)
    assert check(media_analysis_job_min_confidence, JOB, props).violations == []  # 50 >= 50
    message = check(
        media_analysis_job_min_confidence, JOB, props, config={"minimumConfidence": 60}
    ).only()
    assert (
        "`operations_config.detect_moderation_labels.min_confidence` is absent "
        "(the API default 50 applies)" in message
    )
    assert "below 60" in message


def test_configured_floor_changes_the_outcome() -> None:
    props = job(operations_config={"detect_moderation_labels": {"min_confidence": 70}})
    assert check(media_analysis_job_min_confidence, JOB, props).violations == []
    outcome = check(
        media_analysis_job_min_confidence, JOB, props, config={"minimumConfidence": 75.5}
    )
    assert "below 75.5" in outcome.only()


def test_confidence_unknown_during_preview() -> None:
    for props in (
        job(operations_config={"detect_moderation_labels": {"min_confidence": UNKNOWN_NUM}}),
        job(operations_config=UNKNOWN_OBJ),
    ):
        outcome = check(media_analysis_job_min_confidence, JOB, props)
        assert outcome.violations == []
        assert outcome.not_applicable is not None


# --- media-analysis-job-output-encryption (stack) ----------------------------------------------


def sse_for(key_id: Any, algorithm: str = "aws:kms") -> list[dict[str, Any]]:
    default = {"sseAlgorithm": algorithm}
    if key_id is not None:
        default["kmsMasterKeyId"] = key_id
    return [{"applyServerSideEncryptionByDefault": default, "bucketKeyEnabled": True}]


def test_same_key_by_arn_after_deployment() -> None:
    stack = Stack()
    stack.add(KEY, "key", {"arn": KEY_ARN, "keyId": KEY_ID})
    stack.add(BUCKET, "out", {"bucket": "media-out", "id": "media-out"})
    stack.add(SSE, "out-sse", {"bucket": "media-out", "rules": sse_for(KEY_ID)})  # id vs ARN
    stack.add(JOB, "moderate", job())
    assert stack.check(media_analysis_job_output_encryption).violations == []
    assert stack.check(cross_resource_links).violations == []


@pytest.mark.parametrize("bucket_key", [KEY_ID, OTHER_ARN])
def test_dsse_output_bucket_is_compared_by_key(bucket_key: str) -> None:
    """Dual-layer SSE-KMS under the job's key passes; under another key it does not."""
    stack = Stack()
    stack.add(KEY, "job-key", {"arn": KEY_ARN, "keyId": KEY_ID})
    stack.add(KEY, "other-key", {"arn": OTHER_ARN, "keyId": OTHER_ARN.rsplit("/", 1)[1]})
    stack.add(BUCKET, "out", {"bucket": "media-out", "id": "media-out"})
    rules = sse_for(bucket_key, "aws:kms:dsse")
    stack.add(SSE, "out-sse", {"bucket": "media-out", "rules": rules})
    stack.add(JOB, "moderate", job())
    outcome = stack.check(media_analysis_job_output_encryption)
    assert stack.check(cross_resource_links).violations == []
    if bucket_key == KEY_ID:
        assert outcome.violations == []
    else:
        assert "encrypts with aws:kms/key:Key 'other-key'" in outcome.only()


def test_same_key_during_preview_through_dependencies() -> None:
    """New key: its ARN is unknown, but job.kms_key_id and the SSE rules both depend on it."""
    stack = Stack()
    key = stack.add(KEY, "key", {"arn": UNKNOWN_STR, "keyId": UNKNOWN_STR})
    bucket = stack.add(BUCKET, "out", {"bucket": "media-out-5f3a", "id": UNKNOWN_STR})
    stack.add(
        SSE,
        "out-sse",
        {"bucket": UNKNOWN_STR, "rules": sse_for(UNKNOWN_STR)},
        deps={"bucket": [bucket], "rules": [key]},
    )
    stack.add(
        JOB,
        "moderate",
        job(kms_key_id=UNKNOWN_STR, output_config={"s3_bucket": UNKNOWN_STR}),
        deps={"kms_key_id": [key], "output_config": [bucket]},
    )
    assert stack.check(media_analysis_job_output_encryption).violations == []
    assert stack.check(cross_resource_links).violations == []


def test_same_key_through_an_alias() -> None:
    stack = Stack()
    key = stack.add(KEY, "key", {"arn": UNKNOWN_STR, "keyId": UNKNOWN_STR})
    stack.add(
        ALIAS,
        "media-alias",
        {"name": "alias/media", "targetKeyId": UNKNOWN_STR},
        deps={"targetKeyId": [key]},
    )
    bucket = stack.add(BUCKET, "out", {"bucket": "media-out"})
    stack.add(SSE, "out-sse", {"bucket": "media-out", "rules": sse_for("alias/media")})
    stack.add(
        JOB,
        "moderate",
        job(kms_key_id=UNKNOWN_STR),
        deps={"kms_key_id": [key], "output_config": [bucket]},
    )
    assert stack.check(media_analysis_job_output_encryption).violations == []


def test_different_keys_are_a_violation() -> None:
    stack = Stack()
    stack.add(KEY, "job-key", {"arn": KEY_ARN, "keyId": KEY_ID})
    stack.add(
        KEY, "bucket-key", {"arn": OTHER_ARN, "keyId": "99999999-0000-0000-0000-000000000000"}
    )
    stack.add(BUCKET, "out", {"bucket": "media-out"})
    stack.add(SSE, "out-sse", {"bucket": "media-out", "rules": sse_for(OTHER_ARN)})
    stack.add(JOB, "moderate", job())
    outcome = stack.check(media_analysis_job_output_encryption)
    assert outcome.only() == (
        f"{JOB} 'moderate' (output bucket aws:s3/bucket:Bucket 'out' (bucket \"media-out\")): "
        f"`kms_key_id` is aws:kms/key:Key 'job-key', but the bucket via {SSE} 'out-sse' "
        "encrypts with aws:kms/key:Key 'bucket-key' - results and manifests must be protected "
        "by the same key the bucket enforces (matched by ARN, key id, or alias). Fix: use one "
        "key for both: kms_key_id=<key>.arn on the job and kmsMasterKeyId=<key>.arn on the "
        "bucket's encryption configuration"
    )
    assert outcome.urns == [f"urn:pulumi:dev::media::{JOB}::moderate"]


def test_job_key_outside_the_stack_against_a_new_bucket_key() -> None:
    stack = Stack()
    key = stack.add(KEY, "bucket-key", {"arn": UNKNOWN_STR, "keyId": UNKNOWN_STR})
    stack.add(BUCKET, "out", {"bucket": "media-out"})
    stack.add(
        SSE,
        "out-sse",
        {"bucket": "media-out", "rules": sse_for(UNKNOWN_STR)},
        deps={"rules": [key]},
    )
    stack.add(JOB, "moderate", job(kms_key_id=OTHER_ARN))
    message = stack.check(media_analysis_job_output_encryption).only()
    assert (
        '`kms_key_id` is key id "99999999-0000-0000-0000-000000000000", but the bucket' in message
    )


@pytest.mark.parametrize(
    ("bucket_props", "found"),
    [
        ({"bucket": "media-out"}, "is not KMS"),
        (
            {
                "bucket": "media-out",
                "serverSideEncryptionConfiguration": {
                    "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
                },
            },
            'is "AES256"',
        ),
    ],
)
def test_output_bucket_not_encrypted_with_kms(bucket_props: dict[str, Any], found: str) -> None:
    stack = Stack()
    stack.add(BUCKET, "out", bucket_props)
    stack.add(JOB, "moderate", job())
    message = stack.check(media_analysis_job_output_encryption).only()
    assert (
        f'`output_config.s3_bucket` is "media-out" - the bucket\'s default encryption {found}'
        in message
    )
    assert 'not the job\'s KMS key (key id "1234abcd-12ab-34cd-56ef-1234567890ab")' in message


def test_output_bucket_on_the_aws_managed_key() -> None:
    stack = Stack()
    stack.add(BUCKET, "out", {"bucket": "media-out"})
    stack.add(SSE, "out-sse", {"bucket": "media-out", "rules": sse_for(None)})
    stack.add(JOB, "moderate", job())
    message = stack.check(media_analysis_job_output_encryption).only()
    assert "encrypts with the AWS-managed key aws/s3" in message


def test_output_bucket_outside_the_stack_and_job_without_key_are_skipped() -> None:
    stack = Stack()
    stack.add(JOB, "external", job(output_config={"s3_bucket": "someone-elses"}))
    stack.add(BUCKET, "out", {"bucket": "media-out"})
    stack.add(JOB, "keyless", job(kms_key_id=None))  # media-analysis-job-kms-key reports it
    assert stack.check(media_analysis_job_output_encryption).violations == []


def test_undecidable_cases_are_advisory() -> None:
    stack = Stack()
    stack.add(BUCKET, "out", {"bucket": "media-out"})
    stack.add(SSE, "out-sse", {"bucket": "media-out", "rules": sse_for("alias/shared")})
    stack.add(JOB, "by-alias", job())  # alias outside the stack vs a key id: can't tell
    stack.add(JOB, "unknown-bucket", job(output_config={"s3_bucket": UNKNOWN_STR}))
    assert stack.check(media_analysis_job_output_encryption).violations == []
    advisory = stack.check(cross_resource_links).violations
    assert len(advisory) == 2
    assert advisory[0].startswith(f"[media-analysis-job-output-encryption] {JOB} 'by-alias'")
    assert "can't tell whether the bucket key via" in advisory[0]
    assert '(alias "alias/shared") is the job\'s key' in advisory[0]
    assert "output_config.s3_bucket is unknown during preview" in advisory[1]


def test_output_bucket_with_provider_computed_encryption_is_a_violation() -> None:
    """Preview of a new bucket: inline encryption is computed (unknown, no dependency)."""
    stack = Stack()
    stack.add(
        BUCKET, "out", {"bucket": "media-out", "serverSideEncryptionConfiguration": UNKNOWN_OBJ}
    )
    stack.add(JOB, "moderate", job())
    assert "the bucket's default encryption is not KMS" in (
        stack.check(media_analysis_job_output_encryption).only()
    )


def test_unlinked_encryption_resource_makes_it_advisory() -> None:
    stack = Stack()
    stack.add(BUCKET, "out", {"bucket": "media-out"})
    stack.add(SSE, "mystery-sse", {"bucket": UNKNOWN_STR, "rules": sse_for(KEY_ARN)})
    stack.add(JOB, "moderate", job())
    assert stack.check(media_analysis_job_output_encryption).violations == []
    advisory = [
        m
        for m in stack.check(cross_resource_links).violations
        if m.startswith("[media-analysis-job-output-encryption]")
    ]
    assert len(advisory) == 1
    assert "could not be linked to its bucket and may be it" in advisory[0]


def test_dependency_on_a_key_and_its_alias_is_that_key() -> None:
    stack = Stack()
    key = stack.add(KEY, "key", {"arn": UNKNOWN_STR, "keyId": UNKNOWN_STR})
    alias = stack.add(
        ALIAS,
        "alias",
        {"name": UNKNOWN_STR, "targetKeyId": UNKNOWN_STR},
        deps={"targetKeyId": [key]},
    )
    other = stack.add(KEY, "other", {"arn": UNKNOWN_STR, "keyId": UNKNOWN_STR})
    stack.add(BUCKET, "out", {"bucket": "media-out"})
    stack.add(
        SSE,
        "out-sse",
        {"bucket": "media-out", "rules": sse_for(UNKNOWN_STR)},
        deps={"rules": [key]},
    )
    stack.add(JOB, "same", job(kms_key_id=UNKNOWN_STR), deps={"kms_key_id": [key, alias]})
    stack.add(JOB, "ambiguous", job(kms_key_id=UNKNOWN_STR), deps={"kms_key_id": [key, other]})
    assert stack.check(media_analysis_job_output_encryption).violations == []
    (advisory,) = stack.check(cross_resource_links).violations
    assert f"{JOB} 'ambiguous'" in advisory
    assert "is the job's key (unknown during preview)" in advisory


# --- the plugin's job (rekognition-media:index:MediaAnalysisJob, camelCase) ---------------------

PLUGIN_JOB = PLUGIN_JOB_TYPE_TOKEN


def plugin_job(**overrides: Any) -> dict[str, Any]:
    """The props the plugin's MediaAnalysisJob has: what the program declares, camelCase."""
    props: dict[str, Any] = {
        "operationsConfig": {"detectModerationLabels": {"minConfidence": 80.0}},
        "input": {"s3Object": {"bucket": "media-in", "name": "manifest.jsonl"}},
        "outputConfig": {"s3Bucket": "media-out", "s3KeyPrefix": "results/"},
        "kmsKeyId": KEY_ARN,
    }
    props.update(overrides)
    return {k: v for k, v in props.items() if v is not None}


def test_plugin_job_kms_key() -> None:
    assert check(media_analysis_job_kms_key, PLUGIN_JOB, plugin_job()).violations == []
    message = check(
        media_analysis_job_kms_key, PLUGIN_JOB, plugin_job(kmsKeyId=None), name="nightly"
    ).only()
    assert message == (
        f"{PLUGIN_JOB} 'nightly': `kmsKeyId` is absent - without it Rekognition encrypts the "
        "copied images and the results with a key you neither control nor audit. Fix: pass "
        "kmsKeyId=<key>.arn (a customer-managed aws.kms.Key) in the resource's properties"
    )
    managed = check(
        media_analysis_job_kms_key, PLUGIN_JOB, plugin_job(kmsKeyId="alias/aws/rekognition")
    ).only()
    assert '`kmsKeyId` is "alias/aws/rekognition" - an AWS-managed key' in managed
    # A snake_case name is not the plugin's property (its check rejects it): still absent.
    assert check(
        media_analysis_job_kms_key, PLUGIN_JOB, plugin_job(kmsKeyId=None, kms_key_id=KEY_ARN)
    ).violations
    unknown = check(media_analysis_job_kms_key, PLUGIN_JOB, plugin_job(kmsKeyId=UNKNOWN_STR))
    assert unknown.violations == []
    assert unknown.not_applicable == "kmsKeyId is unknown during preview; checked once known"


def test_plugin_job_min_confidence() -> None:
    assert check(media_analysis_job_min_confidence, PLUGIN_JOB, plugin_job()).violations == []
    low = plugin_job(operationsConfig={"detectModerationLabels": {"minConfidence": 40}})
    message = check(media_analysis_job_min_confidence, PLUGIN_JOB, low, name="nightly").only()
    assert message == (
        f"{PLUGIN_JOB} 'nightly': `operationsConfig.detectModerationLabels.minConfidence` is 40 "
        "- labels with confidence below 50 would be returned "
        "(media-analysis-job-min-confidence.minimumConfidence). Fix: set "
        "operationsConfig.detectModerationLabels.minConfidence to 50 or more in the resource's "
        "properties"
    )
    absent = plugin_job(operationsConfig={"detectModerationLabels": {}})
    assert "is absent (the API default 50 applies)" in (
        check(
            media_analysis_job_min_confidence, PLUGIN_JOB, absent, config={"minimumConfidence": 60}
        ).only()
    )
    unknown = plugin_job(
        operationsConfig={"detectModerationLabels": {"minConfidence": UNKNOWN_NUM}}
    )
    outcome = check(media_analysis_job_min_confidence, PLUGIN_JOB, unknown)
    assert outcome.violations == []
    assert outcome.not_applicable == (
        "operationsConfig.detectModerationLabels.minConfidence is unknown during preview; "
        "checked once known"
    )


def test_plugin_job_output_bucket_on_its_key_through_dependencies() -> None:
    """Preview: the plugin's camelCase property names carry the dependencies."""
    stack = Stack()
    key = stack.add(KEY, "key", {"arn": UNKNOWN_STR, "keyId": UNKNOWN_STR})
    bucket = stack.add(BUCKET, "out", {"bucket": "media-out-5f3a", "id": UNKNOWN_STR})
    stack.add(
        SSE,
        "out-sse",
        {"bucket": UNKNOWN_STR, "rules": sse_for(UNKNOWN_STR)},
        deps={"bucket": [bucket], "rules": [key]},
    )
    stack.add(
        PLUGIN_JOB,
        "nightly",
        plugin_job(kmsKeyId=UNKNOWN_STR, outputConfig={"s3Bucket": UNKNOWN_STR}),
        deps={"kmsKeyId": [key], "outputConfig": [bucket]},
    )
    assert stack.check(media_analysis_job_output_encryption).violations == []
    assert stack.check(cross_resource_links).violations == []


def test_plugin_job_output_bucket_on_another_key_or_no_kms() -> None:
    stack = Stack()
    stack.add(KEY, "job-key", {"arn": KEY_ARN, "keyId": KEY_ID})
    stack.add(
        KEY, "bucket-key", {"arn": OTHER_ARN, "keyId": "99999999-0000-0000-0000-000000000000"}
    )
    stack.add(BUCKET, "out", {"bucket": "media-out"})
    stack.add(SSE, "out-sse", {"bucket": "media-out", "rules": sse_for(OTHER_ARN)})
    stack.add(BUCKET, "plain", {"bucket": "media-plain"})
    stack.add(PLUGIN_JOB, "nightly", plugin_job())
    stack.add(PLUGIN_JOB, "weekly", plugin_job(outputConfig={"s3Bucket": "media-plain"}))
    outcome = stack.check(media_analysis_job_output_encryption)
    assert len(outcome.violations) == 2
    other_key, not_kms = outcome.violations
    assert other_key.startswith(f"{PLUGIN_JOB} 'nightly' (output bucket ")
    assert "`kmsKeyId` is aws:kms/key:Key 'job-key', but the bucket via" in other_key
    assert "Fix: use one key for both: kmsKeyId=<key>.arn on the job" in other_key
    assert not_kms.startswith(f"{PLUGIN_JOB} 'weekly' (output bucket ")
    assert '`outputConfig.s3Bucket` is "media-plain" - the bucket\'s default encryption' in not_kms
    assert outcome.urns == [
        f"urn:pulumi:dev::media::{PLUGIN_JOB}::nightly",
        f"urn:pulumi:dev::media::{PLUGIN_JOB}::weekly",
    ]


def test_plugin_job_with_an_unknown_output_bucket_is_advisory() -> None:
    stack = Stack()
    stack.add(BUCKET, "out", {"bucket": "media-out"})
    stack.add(PLUGIN_JOB, "nightly", plugin_job(outputConfig={"s3Bucket": UNKNOWN_STR}))
    assert stack.check(media_analysis_job_output_encryption).violations == []
    (advisory,) = stack.check(cross_resource_links).violations
    assert "outputConfig.s3Bucket is unknown during preview" in advisory
