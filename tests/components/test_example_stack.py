"""The example stack (``__main__.py`` at the repository root) under Pulumi mocks."""

from __future__ import annotations

import runpy
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest
import yaml

from devtools.media import SAMPLE_MANIFEST_KEY, sample_images, sample_metadata
from rekognition_media.api.resources import JOB_TYPE_TOKEN
from tests.mocks import EXAMPLE_PROGRAM as PROGRAM
from tests.mocks import EXISTING_KEY, EXISTING_POLICY
from tests.support import ROOT

EXPORTS = (
    "mode",
    "input_bucket",
    "input_bucket_arn",
    "output_bucket",
    "output_bucket_arn",
    "kms_key_arn",
    "access_policy_arn",
    "job_id",
    "status",
    "results_uri",
    "manifest_summary_uri",
)


@pytest.fixture
def config() -> Iterator[dict[str, str]]:
    values: dict[str, str] = {}
    yield values
    pulumi.runtime.set_all_config({})


def _run_program(deploy: Any, config: dict[str, str]) -> dict[str, Any]:
    pulumi.runtime.set_all_config({f"rekognition-media:{k}": v for k, v in config.items()})

    def build() -> dict[str, Any]:
        runpy.run_path(str(PROGRAM), run_name="__main__")
        stack = pulumi.runtime.get_root_resource()
        outputs: dict[str, Any] = stack.outputs  # type: ignore[union-attr]
        return {name: outputs[name] for name in EXPORTS}

    result: dict[str, Any] = deploy(build)
    return result


def test_project_file() -> None:
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["name"] == "rekognition-media-example"
    assert project["runtime"] == {"name": "python", "options": {"virtualenv": ".venv"}}
    assert project["description"]
    assert not list(ROOT.glob("Pulumi.*.yaml")), "no stack config files are committed"


def test_managed_mode_creates_everything_and_uploads_samples(mocks, deploy, config) -> None:
    config.update(accountId="123456789012", endpointUrl="http://127.0.0.1:5123", minConfidence="60")
    out = _run_program(deploy, config)
    assert out["mode"] == "managed"
    assert out["status"] == "SUCCEEDED"
    assert out["job_id"] == "job-media-job"
    assert out["results_uri"].startswith(f"s3://{out['output_bucket']}/results/")
    assert out["kms_key_arn"].startswith("arn:aws:kms:")
    assert out["access_policy_arn"].startswith("arn:aws:iam::123456789012:policy/")
    counts = mocks.type_counts("aws:")
    assert counts["aws:s3/bucket:Bucket"] == 2
    assert counts["aws:kms/key:Key"] == 1
    assert counts["aws:iam/policy:Policy"] == 1
    uploads = {r.inputs["key"]: r for r in mocks.of_type("aws:s3/bucketObjectv2:BucketObjectv2")}
    assert set(uploads) == {*sample_images(), SAMPLE_MANIFEST_KEY}
    labels = sample_metadata()
    for key, upload in uploads.items():
        assert upload.inputs.get("metadata") == labels.get(key)  # none on the manifest
        assert upload.inputs["bucket"] == out["input_bucket"]
        assert upload.inputs["serverSideEncryption"] == "aws:kms"
        assert upload.inputs["kmsKeyId"] == out["kms_key_arn"]
    # the example lets `pulumi destroy` remove buckets that still hold samples/results
    assert {r.inputs["forceDestroy"] for r in mocks.of_type("aws:s3/bucket:Bucket")} == {True}
    job = mocks.one(JOB_TYPE_TOKEN).inputs
    assert job["endpoint_url"] == "http://127.0.0.1:5123"
    assert job["operations_config"] == {"detect_moderation_labels": {"min_confidence": 60.0}}
    assert job["input"]["s3_object"]["name"] == SAMPLE_MANIFEST_KEY


def test_existing_mode_creates_no_aws_resource(mocks, deploy, config) -> None:
    config.update(
        mode="existing",
        inputBucket="media-in",
        outputBucket="media-out",
        kmsKeyArn=EXISTING_KEY,
        accessPolicyArn=EXISTING_POLICY,
        endpointUrl="http://127.0.0.1:5123",
    )
    out = _run_program(deploy, config)
    assert mocks.aws() == []
    assert out == {
        "mode": "existing",
        "input_bucket": "media-in",
        "input_bucket_arn": "arn:aws:s3:::media-in",
        "output_bucket": "media-out",
        "output_bucket_arn": "arn:aws:s3:::media-out",
        "kms_key_arn": EXISTING_KEY,
        "access_policy_arn": EXISTING_POLICY,
        "job_id": "job-media-job",
        "status": "SUCCEEDED",
        "results_uri": "s3://media-out/results/job-media-job/results.jsonl",
        "manifest_summary_uri": "s3://media-out/results/job-media-job/manifest-summary.json",
    }
    job = mocks.one(JOB_TYPE_TOKEN).inputs
    assert job["operations_config"] == {"detect_moderation_labels": {"min_confidence": 50.0}}
    assert job["kms_key_id"] == EXISTING_KEY


def test_existing_mode_requires_the_four_names(mocks, config) -> None:
    config.update(mode="existing", inputBucket="media-in")
    pulumi.runtime.set_all_config({f"rekognition-media:{k}": v for k, v in config.items()})
    with pytest.raises(pulumi.ConfigMissingError, match="rekognition-media:outputBucket"):
        runpy.run_path(str(PROGRAM), run_name="__main__")


def test_unknown_mode_is_rejected(mocks, config) -> None:
    pulumi.runtime.set_all_config({"rekognition-media:mode": "sometimes"})
    with pytest.raises(ValueError, match="rekognition-media:mode: got 'sometimes'"):
        runpy.run_path(str(PROGRAM), run_name="__main__")
