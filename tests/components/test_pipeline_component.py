"""MediaAnalysisPipeline: wiring, uploads, the job, outputs, bring-your-own."""

from __future__ import annotations

import base64
import json

import pytest

from devtools.media import sample_images
from rekognition_media.api.manifest import manifest_jsonl
from rekognition_media.components import MediaAnalysisPipeline, MediaAnalysisPipelineArgs
from tests.support import (
    JOB_TYPE_TOKEN,
    PIPELINE_TYPE_TOKEN,
    PLUGIN_MODULE,
    STACK_IDENTITY_TYPE_TOKEN,
)

JOB = JOB_TYPE_TOKEN
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
EXISTING_KEY = "arn:aws:kms:us-east-1:123456789012:key/0f0f0f0f-1111-2222-3333-444444444444"
EXISTING_POLICY = "arn:aws:iam::123456789012:policy/media-analysis"
OUTPUT_NAMES = (
    "input_bucket_name",
    "input_bucket_arn",
    "output_bucket_name",
    "output_bucket_arn",
    "key_arn",
    "policy_arn",
    "job_id",
    "job_status",
    "results_uri",
    "manifest_summary_uri",
)


def _outputs(pipeline: MediaAnalysisPipeline) -> dict[str, object]:
    return {name: getattr(pipeline, name) for name in OUTPUT_NAMES}


def _byo(**kwargs: object) -> MediaAnalysisPipelineArgs:
    base: dict[str, object] = {
        "existing_input_bucket_name": "media-in",
        "existing_output_bucket_name": "arn:aws:s3:::media-out",
        "existing_key_arn": EXISTING_KEY,
        "existing_policy_arn": EXISTING_POLICY,
        "manifest_key": "manifests/sample.jsonl",
    }
    return MediaAnalysisPipelineArgs(**{**base, **kwargs})  # type: ignore[arg-type]


def test_managed_pipeline_creates_everything_and_outputs_resolve(mocks, deploy) -> None:
    out = deploy(
        lambda: _outputs(
            MediaAnalysisPipeline(
                "media",
                MediaAnalysisPipelineArgs(
                    account_id="123456789012",
                    input_bucket_name="media-in",
                    output_bucket_name="media-out",
                    policy_name="media",
                    manifest_key="manifests/sample.jsonl",
                    min_confidence=60.0,
                    endpoint_url="http://127.0.0.1:5000",
                    region="us-east-1",
                ),
            )
        )
    )
    assert mocks.type_counts("aws:") == {
        "aws:kms/key:Key": 1,
        "aws:kms/alias:Alias": 1,
        "aws:s3/bucket:Bucket": 2,
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 2,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 2,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 2,
        "aws:s3/bucketVersioning:BucketVersioning": 2,
        "aws:s3/bucketPolicy:BucketPolicy": 2,
        "aws:iam/policy:Policy": 1,
    }
    key_arn = out["key_arn"]
    assert isinstance(key_arn, str) and key_arn.startswith("arn:aws:kms:us-east-1:")
    assert out == {
        "input_bucket_name": "media-in",
        "input_bucket_arn": "arn:aws:s3:::media-in",
        "output_bucket_name": "media-out",
        "output_bucket_arn": "arn:aws:s3:::media-out",
        "key_arn": key_arn,
        "policy_arn": "arn:aws:iam::123456789012:policy/media",
        "job_id": "job-media-job",
        "job_status": "SUCCEEDED",
        "results_uri": "s3://media-out/results/job-media-job/results.jsonl",
        "manifest_summary_uri": "s3://media-out/results/job-media-job/manifest-summary.json",
    }
    job = mocks.one(JOB).inputs
    assert job["operations_config"] == {"detect_moderation_labels": {"min_confidence": 60.0}}
    assert job["input"] == {"s3_object": {"bucket": "media-in", "name": "manifests/sample.jsonl"}}
    assert job["output_config"] == {"s3_bucket": "media-out", "s3_key_prefix": "results/"}
    assert job["kms_key_id"] == key_arn
    assert job["endpoint_url"] == "http://127.0.0.1:5000"
    assert job["region"] == "us-east-1"
    # both buckets are encrypted with the pipeline's key, and the policy names it
    sse = mocks.of_type(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    assert {
        r.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] for r in sse
    } == {key_arn}
    statements = mocks.one("aws:iam/policy:Policy").policy()["Statement"]
    assert statements[-1]["Resource"] == key_arn
    assert statements[1]["Resource"] == "arn:aws:s3:::media-in/*"
    assert statements[2]["Resource"] == "arn:aws:s3:::media-out/results/*"


def test_every_resource_is_parented_under_the_pipeline(mocks, deploy) -> None:
    deploy(lambda: _outputs(MediaAnalysisPipeline("media", _full_managed_args())))
    pipeline = mocks.one(PIPELINE_TYPE_TOKEN)
    assert pipeline.parent.endswith("pulumi:pulumi:Stack::rekognition-media-test-test")
    by_urn = {r.urn: r for r in mocks.registrations}
    owned = [
        r
        for r in mocks.registrations
        if r.typ.startswith(("aws:", f"{PLUGIN_MODULE}:", "pulumi-python:dynamic"))
        and r is not pipeline
        # One per stack, shared by every job in it (see providers/identity.py).
        and r.typ != STACK_IDENTITY_TYPE_TOKEN
    ]
    assert len(owned) > 20
    for r in owned:
        chain = [r]
        while chain[-1].parent in by_urn:
            chain.append(by_urn[chain[-1].parent])
        assert pipeline in chain, [c.name for c in chain]


def test_job_waits_for_hardening_and_uploads(mocks, deploy) -> None:
    deploy(lambda: _outputs(MediaAnalysisPipeline("media", _full_managed_args())))
    job = mocks.one(JOB)
    must_precede = [
        *mocks.of_type(OBJECT),
        *mocks.of_type("aws:s3/bucketPolicy:BucketPolicy"),
        *mocks.of_type(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
        ),
        *mocks.of_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"),
        mocks.one("aws:iam/policy:Policy"),
        mocks.one("aws:kms/key:Key"),
    ]
    assert len(must_precede) == 4 + 2 + 2 + 2 + 2
    for r in must_precede:
        assert r.urn in job.dependencies, r.name
    # uploads go only into a hardened bucket
    input_policy = mocks.named("media-input-policy")
    for upload in mocks.of_type(OBJECT):
        assert input_policy.urn in upload.dependencies, upload.name


def test_samples_are_uploaded_encrypted_with_their_manifest(mocks, deploy) -> None:
    out = deploy(lambda: _outputs(MediaAnalysisPipeline("media", _full_managed_args())))
    images = sample_images()
    uploads = {r.inputs["key"]: r.inputs for r in mocks.of_type(OBJECT)}
    assert set(uploads) == {*images, "manifests/sample.jsonl"}
    for key, body in images.items():
        assert base64.b64decode(uploads[key]["contentBase64"]) == body
        assert uploads[key]["contentType"] == "image/png"
    for upload in uploads.values():
        # what the bucket policy demands of every PUT
        assert upload["serverSideEncryption"] == "aws:kms"
        assert upload["kmsKeyId"] == out["key_arn"]
        assert upload["bucketKeyEnabled"] is True
        assert upload["bucket"] == out["input_bucket_name"]
    manifest = uploads["manifests/sample.jsonl"]["content"]
    assert manifest == manifest_jsonl(str(out["input_bucket_name"]), sorted(images))
    assert [json.loads(line) for line in manifest.splitlines()] == [
        {"source-ref": f"s3://{out['input_bucket_name']}/{key}"} for key in sorted(images)
    ]


def test_results_expiry_on_output_bucket(mocks, deploy) -> None:
    deploy(
        lambda: _outputs(
            MediaAnalysisPipeline(
                "media",
                MediaAnalysisPipelineArgs(account_id="123456789012", results_expire_after_days=14),
            )
        )
    )
    lifecycle = mocks.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    assert lifecycle.name == "media-output-lifecycle"
    assert lifecycle.inputs["rules"][0]["filter"] == {"prefix": "results/"}
    assert lifecycle.inputs["rules"][0]["expiration"] == {"days": 14}


def test_full_bring_your_own_creates_no_aws_resource(mocks, deploy) -> None:
    out = deploy(lambda: _outputs(MediaAnalysisPipeline("media", _byo(min_confidence=55.0))))
    assert mocks.aws() == []
    assert mocks.type_counts("aws") == {}
    assert out == {
        "input_bucket_name": "media-in",
        "input_bucket_arn": "arn:aws:s3:::media-in",
        "output_bucket_name": "media-out",
        "output_bucket_arn": "arn:aws:s3:::media-out",
        "key_arn": EXISTING_KEY,
        "policy_arn": EXISTING_POLICY,
        "job_id": "job-media-job",
        "job_status": "SUCCEEDED",
        "results_uri": "s3://media-out/results/job-media-job/results.jsonl",
        "manifest_summary_uri": "s3://media-out/results/job-media-job/manifest-summary.json",
    }
    job = mocks.one(JOB).inputs
    assert job["kms_key_id"] == EXISTING_KEY
    assert job["input"]["s3_object"] == {"bucket": "media-in", "name": "manifests/sample.jsonl"}
    assert job["output_config"]["s3_bucket"] == "media-out"
    assert mocks.calls == []


@pytest.mark.parametrize(
    ("brought", "absent_types"),
    [
        ({"existing_key_arn": EXISTING_KEY}, {"aws:kms/key:Key", "aws:kms/alias:Alias"}),
        ({"existing_policy_arn": EXISTING_POLICY}, {"aws:iam/policy:Policy"}),
        (
            {"existing_input_bucket_name": "media-in", "existing_output_bucket_name": "media-out"},
            {
                "aws:s3/bucket:Bucket",
                "aws:s3/bucketPolicy:BucketPolicy",
                "aws:s3/bucketVersioning:BucketVersioning",
                "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            },
        ),
    ],
    ids=["key", "policy", "buckets"],
)
def test_partial_bring_your_own_creates_the_rest(
    mocks, deploy, brought: dict[str, str], absent_types: set[str]
) -> None:
    out = deploy(
        lambda: _outputs(
            MediaAnalysisPipeline(
                "media",
                MediaAnalysisPipelineArgs(account_id="123456789012", **brought),  # type: ignore[arg-type]
            )
        )
    )
    created = set(mocks.type_counts("aws:"))
    assert created.isdisjoint(absent_types)
    assert created  # the rest is created
    if "existing_key_arn" in brought:
        assert out["key_arn"] == EXISTING_KEY
        sse = mocks.of_type(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
        )
        assert len(sse) == 2
        for r in sse:
            assert r.inputs["rules"][0]["applyServerSideEncryptionByDefault"] == {
                "sseAlgorithm": "aws:kms",
                "kmsMasterKeyId": EXISTING_KEY,
            }
        policies = mocks.of_type("aws:s3/bucketPolicy:BucketPolicy")
        for p in policies:
            condition = p.policy()["Statement"][2]["Condition"]["StringNotEquals"]
            assert condition == {"s3:x-amz-server-side-encryption-aws-kms-key-id": EXISTING_KEY}
    if "existing_input_bucket_name" in brought:
        policy = mocks.one("aws:iam/policy:Policy").policy()["Statement"]
        assert policy[1]["Resource"] == "arn:aws:s3:::media-in/*"
        assert policy[2]["Resource"] == "arn:aws:s3:::media-out/results/*"


def test_without_manifest_there_is_no_job(mocks, deploy) -> None:
    out = deploy(lambda: _outputs(MediaAnalysisPipeline("media", _byo(manifest_key=None))))
    assert mocks.of_type(JOB) == []
    assert {k: out[k] for k in ("job_id", "job_status", "results_uri")} == {
        "job_id": None,
        "job_status": None,
        "results_uri": None,
    }
    assert out["key_arn"] == EXISTING_KEY


def test_metadata_must_belong_to_an_uploaded_object() -> None:
    with pytest.raises(ValueError, match=r"input_object_metadata: got metadata for \['b.png'\]"):
        MediaAnalysisPipelineArgs(
            input_objects={"a.png": b"x"}, input_object_metadata={"b.png": {"k": "v"}}
        )


def test_manifest_image_keys_need_a_manifest_key() -> None:
    with pytest.raises(ValueError, match=r"MediaAnalysisPipelineArgs.manifest_key: got None"):
        MediaAnalysisPipelineArgs(manifest_image_keys=["images/a.png"])


def test_pipeline_rejects_short_deletion_window() -> None:
    with pytest.raises(
        ValueError,
        match=r"MediaAnalysisPipelineArgs.deletion_window_in_days: got 1, must be at least 7",
    ):
        MediaAnalysisPipelineArgs(deletion_window_in_days=1)


def _full_managed_args() -> MediaAnalysisPipelineArgs:
    images = sample_images()
    return MediaAnalysisPipelineArgs(
        account_id="123456789012",
        input_objects=images,
        manifest_key="manifests/sample.jsonl",
        manifest_image_keys=sorted(images),
    )
