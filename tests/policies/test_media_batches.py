"""media-analysis-batch-max-images, and the job policies on batches of both front ends."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.policy_harness import UNKNOWN_NUM, UNKNOWN_STR, Stack, check
from rekognition_media.api.resources import BATCH_TYPE_TOKEN, PLUGIN_BATCH_TYPE_TOKEN
from rekognition_media.policies import (
    cross_resource_links,
    media_analysis_batch_max_images,
    media_analysis_job_kms_key,
    media_analysis_job_min_confidence,
    media_analysis_job_output_encryption,
)
from rekognition_media.policies.media_analysis_batches import DEFAULT_MAX_IMAGES, MAX_IMAGES

BATCH = BATCH_TYPE_TOKEN
PLUGIN_BATCH = PLUGIN_BATCH_TYPE_TOKEN
BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
KEY = "aws:kms/key:Key"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:us-east-1:111122223333:key/{KEY_ID}"
OTHER_ID = "99999999-0000-0000-0000-000000000000"
OTHER_ARN = f"arn:aws:kms:us-east-1:111122223333:key/{OTHER_ID}"


def batch(**overrides: Any) -> dict[str, Any]:
    """The props the dynamic MediaAnalysisBatch registers (snake_case; outputs None)."""
    props: dict[str, Any] = {
        "source": {"bucket": "uploads", "prefix": "2026/12/", "suffixes": [".jpg", ".png"]},
        "max_images": 50_000,
        "operations_config": {"detect_moderation_labels": {"min_confidence": 80.0}},
        "output_config": {"s3_bucket": "media-out", "s3_key_prefix": "batches/"},
        "kms_key_id": KEY_ARN,
        "job_name": "nightly",
        "wait_for_completion": True,
        "job_ids": None,
        "status": None,
    }
    props.update(overrides)
    return props


def plugin_batch(**overrides: Any) -> dict[str, Any]:
    """What a program declares for the plugin's MediaAnalysisBatch (camelCase)."""
    props: dict[str, Any] = {
        "source": {"bucket": "uploads", "prefix": "2026/12/"},
        "maxImages": 50_000,
        "operationsConfig": {"detectModerationLabels": {"minConfidence": 80.0}},
        "outputConfig": {"s3Bucket": "media-out", "s3KeyPrefix": "batches/"},
        "kmsKeyId": KEY_ARN,
        "jobName": "nightly",
    }
    props.update(overrides)
    return {k: v for k, v in props.items() if v is not None}


# --- media-analysis-batch-max-images -------------------------------------------------------------


def test_the_default_limit_and_its_schema() -> None:
    assert DEFAULT_MAX_IMAGES == 100_000
    schema = media_analysis_batch_max_images.config_schema.properties["maxImages"]
    assert schema == MAX_IMAGES.schema
    assert (schema["type"], schema["minimum"], schema["default"]) == ("integer", 1, 100_000)


@pytest.mark.parametrize("value", [1, 50_000, 100_000])
def test_a_cap_within_the_limit_passes(value: int) -> None:
    props = batch(max_images=value)
    assert check(media_analysis_batch_max_images, BATCH, props).violations == []


def test_a_batch_without_a_cap_is_a_violation() -> None:
    message = check(
        media_analysis_batch_max_images, BATCH, batch(max_images=None), name="nightly"
    ).only()
    assert message == (
        f"{BATCH} 'nightly': `max_images` is absent - without a cap the batch analyses (and "
        "Rekognition bills) every image under the prefix, however many there are. Fix: pass "
        "max_images=<n> (at most 100000) to MediaAnalysisBatchArgs"
    )


def test_a_cap_over_the_limit_names_both_numbers() -> None:
    message = check(
        media_analysis_batch_max_images, BATCH, batch(max_images=250_000), name="nightly"
    ).only()
    assert message == (
        f"{BATCH} 'nightly': `max_images` is 250000 - more than the 100000 images one batch "
        "may analyse (media-analysis-batch-max-images.maxImages). Fix: set max_images to "
        "100000 or less in MediaAnalysisBatchArgs, or raise "
        "media-analysis-batch-max-images.maxImages"
    )


def test_the_configured_limit_decides() -> None:
    props = batch(max_images=50_000)
    config = {"maxImages": 20_000}
    assert "more than the 20000 images" in (
        check(media_analysis_batch_max_images, BATCH, props, config=config).only()
    )
    assert (
        check(
            media_analysis_batch_max_images, BATCH, props, config={"maxImages": 50_000}
        ).violations
        == []
    )


def test_an_unknown_cap_passes_until_known() -> None:
    outcome = check(media_analysis_batch_max_images, BATCH, batch(max_images=UNKNOWN_NUM))
    assert outcome.violations == []
    assert outcome.not_applicable == "max_images is unknown during preview; checked once known"


@pytest.mark.parametrize("value", ["lots", 1.5, True])
def test_a_cap_that_is_not_a_whole_number_is_left_to_the_provider(value: Any) -> None:
    assert check(media_analysis_batch_max_images, BATCH, batch(max_images=value)).violations == []


def test_exempt_batches_are_skipped() -> None:
    outcome = check(
        media_analysis_batch_max_images,
        BATCH,
        batch(max_images=None),
        name="backfill",
        config={"exemptResources": ["backfill"]},
    )
    assert outcome.violations == []
    assert outcome.not_applicable is not None


def test_jobs_are_not_batches() -> None:
    job = {"kms_key_id": KEY_ARN, "input": {"s3_object": {"bucket": "b", "name": "m.jsonl"}}}
    from rekognition_media.api.resources import JOB_TYPE_TOKEN, PLUGIN_JOB_TYPE_TOKEN

    for token in (JOB_TYPE_TOKEN, PLUGIN_JOB_TYPE_TOKEN):
        assert check(media_analysis_batch_max_images, token, job).violations == []


def test_the_plugin_batch_is_named_in_camel_case() -> None:
    assert check(media_analysis_batch_max_images, PLUGIN_BATCH, plugin_batch()).violations == []
    missing = check(
        media_analysis_batch_max_images, PLUGIN_BATCH, plugin_batch(maxImages=None), name="n"
    ).only()
    assert missing.startswith(f"{PLUGIN_BATCH} 'n': `maxImages` is absent - ")
    assert missing.endswith("Fix: pass maxImages=<n> (at most 100000) in the resource's properties")
    over = check(
        media_analysis_batch_max_images, PLUGIN_BATCH, plugin_batch(maxImages=100_001)
    ).only()
    assert "`maxImages` is 100001 - more than the 100000 images" in over
    assert "Fix: set maxImages to 100000 or less in the resource's properties" in over


# --- the job policies check batches too ----------------------------------------------------------


def test_a_batch_without_a_kms_key() -> None:
    message = check(media_analysis_job_kms_key, BATCH, batch(kms_key_id=None), name="n").only()
    assert message.startswith(f"{BATCH} 'n': `kms_key_id` is absent - without it")
    assert message.endswith("to MediaAnalysisBatchArgs")
    assert check(media_analysis_job_kms_key, BATCH, batch()).violations == []
    plugin = check(media_analysis_job_kms_key, PLUGIN_BATCH, plugin_batch(kmsKeyId=None)).only()
    assert "`kmsKeyId` is absent" in plugin and "in the resource's properties" in plugin


def test_a_batch_with_an_aws_managed_key() -> None:
    props = batch(kms_key_id="alias/aws/rekognition")
    assert "an AWS-managed key" in check(media_analysis_job_kms_key, BATCH, props).only()


def test_a_batch_below_the_confidence_floor() -> None:
    low = batch(operations_config={"detect_moderation_labels": {"min_confidence": 40}})
    message = check(media_analysis_job_min_confidence, BATCH, low).only()
    assert "`operations_config.detect_moderation_labels.min_confidence` is 40" in message
    plugin_low = plugin_batch(operationsConfig={"detectModerationLabels": {"minConfidence": 40}})
    message = check(media_analysis_job_min_confidence, PLUGIN_BATCH, plugin_low).only()
    assert "`operationsConfig.detectModerationLabels.minConfidence` is 40" in message
    assert check(media_analysis_job_min_confidence, BATCH, batch()).violations == []


def sse_for(key_id: str) -> list[dict[str, Any]]:
    default = {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_id}
    return [{"applyServerSideEncryptionByDefault": default, "bucketKeyEnabled": True}]


@pytest.mark.parametrize(("token", "make"), [(BATCH, batch), (PLUGIN_BATCH, plugin_batch)])
def test_a_batch_s_output_bucket_under_its_key_passes(token: str, make: Any) -> None:
    stack = Stack()
    stack.add(KEY, "key", {"arn": KEY_ARN, "keyId": KEY_ID})
    stack.add(BUCKET, "out", {"bucket": "media-out"})
    stack.add(SSE, "out-sse", {"bucket": "media-out", "rules": sse_for(KEY_ID)})
    stack.add(token, "nightly", make())
    assert stack.check(media_analysis_job_output_encryption).violations == []
    assert stack.check(cross_resource_links).violations == []


def test_a_batch_s_output_bucket_under_another_key_is_a_violation() -> None:
    stack = Stack()
    stack.add(KEY, "batch-key", {"arn": KEY_ARN, "keyId": KEY_ID})
    stack.add(KEY, "bucket-key", {"arn": OTHER_ARN, "keyId": OTHER_ID})
    stack.add(BUCKET, "out", {"bucket": "media-out"})
    stack.add(SSE, "out-sse", {"bucket": "media-out", "rules": sse_for(OTHER_ARN)})
    # The input bucket is another one, outside the stack: only the output bucket is compared.
    stack.add(BATCH, "nightly", batch())
    outcome = stack.check(media_analysis_job_output_encryption)
    assert outcome.only() == (
        f"{BATCH} 'nightly' (output bucket aws:s3/bucket:Bucket 'out' (bucket \"media-out\")): "
        f"`kms_key_id` is aws:kms/key:Key 'batch-key', but the bucket via {SSE} 'out-sse' "
        "encrypts with aws:kms/key:Key 'bucket-key' - results and manifests must be protected "
        "by the same key the bucket enforces (matched by ARN, key id, or alias). Fix: use one "
        "key for both: kms_key_id=<key>.arn on the batch and kmsMasterKeyId=<key>.arn on the "
        "bucket's encryption configuration"
    )
    assert outcome.urns == [f"urn:pulumi:dev::media::{BATCH}::nightly"]


def test_a_plugin_batch_s_output_bucket_without_kms() -> None:
    stack = Stack()
    stack.add(BUCKET, "out", {"bucket": "media-out"})
    stack.add(PLUGIN_BATCH, "nightly", plugin_batch())
    message = stack.check(media_analysis_job_output_encryption).only()
    assert '`outputConfig.s3Bucket` is "media-out" - the bucket\'s default encryption' in message
    assert "not the batch's KMS key" in message


def test_a_batch_s_unknown_output_bucket_is_advisory() -> None:
    stack = Stack()
    stack.add(BUCKET, "out", {"bucket": "media-out"})
    stack.add(BATCH, "nightly", batch(output_config={"s3_bucket": UNKNOWN_STR}))
    assert stack.check(media_analysis_job_output_encryption).violations == []
    (advisory,) = stack.check(cross_resource_links).violations
    assert advisory.startswith(f"[media-analysis-job-output-encryption] {BATCH} 'nightly'")
    assert "output_config.s3_bucket is unknown during preview" in advisory
