"""A job whose inputs come from another resource, as in a real stack.

pulumi-aws cannot run here, so ``Made`` -- a dynamic resource that outputs the values it
is given -- stands in for the buckets and key: its outputs are unknown at the first
preview, exactly like a new bucket's name or a new key's ARN. ``target`` chooses the bare
``MediaAnalysisJob`` (``job``) or a ``MediaAnalysisPipeline`` over existing resources
(``pipeline``).
"""

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

from rekognition_media.components import MediaAnalysisPipeline, MediaAnalysisPipelineArgs
from rekognition_media.providers import (
    DetectModerationLabelsArgs,
    MediaAnalysisInputArgs,
    MediaAnalysisJob,
    MediaAnalysisJobArgs,
    OperationsConfigArgs,
    OutputConfigArgs,
    S3ObjectArgs,
)


class MadeProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult("made", {"values": props["values"]})


class Made(Resource):
    values: pulumi.Output[dict[str, str]]

    def __init__(self, name: str, values: dict[str, str]) -> None:
        super().__init__(MadeProvider(), name, {"values": values})


config = pulumi.Config()
made = Made(
    "infrastructure",
    {
        "input_bucket": config.require("inputBucket"),
        "output_bucket": config.require("outputBucket"),
        "key_arn": config.require("kmsKeyId"),
    },
)
input_bucket = made.values["input_bucket"]
output_bucket = made.values["output_bucket"]
key_arn = made.values["key_arn"]

if config.require("target") == "job":
    job = MediaAnalysisJob(
        "job",
        MediaAnalysisJobArgs(
            operations_config=OperationsConfigArgs(
                detect_moderation_labels=DetectModerationLabelsArgs(min_confidence=60)
            ),
            input=MediaAnalysisInputArgs(
                s3_object=S3ObjectArgs(bucket=input_bucket, name=config.require("manifest"))
            ),
            output_config=OutputConfigArgs(s3_bucket=output_bucket, s3_key_prefix="results/"),
            kms_key_id=key_arn,
            endpoint_url=config.require("endpointUrl"),
        ),
    )
    pulumi.export("status", job.status)
    pulumi.export("job_id", job.job_id)
else:
    pipeline = MediaAnalysisPipeline(
        "media",
        MediaAnalysisPipelineArgs(
            existing_input_bucket_name=input_bucket,
            existing_output_bucket_name=output_bucket,
            existing_key_arn=key_arn,
            existing_policy_arn="arn:aws:iam::123456789012:policy/media-analysis",
            manifest_key=config.require("manifest"),
            endpoint_url=config.require("endpointUrl"),
        ),
    )
    pulumi.export("status", pipeline.job_status)
    pulumi.export("job_id", pipeline.job_id)
