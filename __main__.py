"""Example stack: a Rekognition media-analysis pipeline on three generated sample images.

Config (namespace ``rekognition-media``; see components/README.md for the full list):

* ``mode``: ``managed`` (default) creates the key, the buckets and the policy with
  pulumi-aws and uploads the samples; ``existing`` uses ``inputBucket``,
  ``outputBucket``, ``kmsKeyArn`` and ``accessPolicyArn`` and creates no pulumi-aws
  resource (the samples must already be at ``manifestKey`` in the input bucket).
* ``endpointUrl``: Rekognition endpoint for the job (the local emulator).
* ``minConfidence``: moderation labels below this confidence are dropped (default 50).
"""

from __future__ import annotations

from typing import Any

import pulumi

from devtools.media import SAMPLE_MANIFEST_KEY, sample_images, sample_metadata
from rekognition_media.api.limits import DEFAULT_MIN_CONFIDENCE
from rekognition_media.components import MediaAnalysisPipeline, MediaAnalysisPipelineArgs
from rekognition_media.providers import MediaAnalysisJob

MODES = ("managed", "existing")

config = pulumi.Config("rekognition-media")
mode = config.get("mode") or "managed"
if mode not in MODES:
    raise ValueError(f"rekognition-media:mode: got {mode!r}, must be one of {', '.join(MODES)}")

min_confidence = config.get_float("minConfidence")
common: dict[str, Any] = {
    "manifest_key": config.get("manifestKey") or SAMPLE_MANIFEST_KEY,
    "output_prefix": config.get("outputPrefix") or "results/",
    "min_confidence": DEFAULT_MIN_CONFIDENCE if min_confidence is None else min_confidence,
    "endpoint_url": config.get("endpointUrl"),
    "region": config.get("region") or pulumi.Config("aws").get("region"),
    "job_name": config.get("jobName"),
    "role_name": config.get("roleName"),
}

if mode == "existing":
    args = MediaAnalysisPipelineArgs(
        existing_input_bucket_name=config.require("inputBucket"),
        existing_output_bucket_name=config.require("outputBucket"),
        existing_key_arn=config.require("kmsKeyArn"),
        existing_policy_arn=config.require("accessPolicyArn"),
        **common,
    )
else:
    images = sample_images()
    force_destroy = config.get_bool("forceDestroy")
    args = MediaAnalysisPipelineArgs(
        account_id=config.get("accountId"),
        key_user_arns=config.get_object("keyUserArns") or [],
        force_destroy=True if force_destroy is None else force_destroy,
        input_objects=images,
        # What the emulator "detects" in each sample: two of three are flagged.
        input_object_metadata=sample_metadata(),
        manifest_image_keys=sorted(images),
        **common,
    )

pipeline = MediaAnalysisPipeline("media", args)

pulumi.export("mode", mode)
pulumi.export("input_bucket", pipeline.input_bucket_name)
pulumi.export("input_bucket_arn", pipeline.input_bucket_arn)
pulumi.export("output_bucket", pipeline.output_bucket_name)
pulumi.export("output_bucket_arn", pipeline.output_bucket_arn)
pulumi.export("kms_key_arn", pipeline.key_arn)
pulumi.export("access_policy_arn", pipeline.policy_arn)
pulumi.export("job_id", pipeline.job_id)
pulumi.export("status", pipeline.job_status)
pulumi.export("results_uri", pipeline.results_uri)
pulumi.export("manifest_summary_uri", pipeline.manifest_summary_uri)
if isinstance(pipeline.job, MediaAnalysisJob):
    # What the job found: flagged images, per label and content type (providers/README.md).
    pulumi.export("moderation_summary", pipeline.job.moderation_summary)
