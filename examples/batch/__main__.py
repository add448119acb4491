"""A whole prefix analysed by the dynamic ``MediaAnalysisBatch``, configured from stack
config: the same configuration as examples/yaml-batch (the plugin's batch from YAML), so
the engine tests run one scenario on both front ends (tests/providers/test_engine_batch.py)
and bench/batch.py measures it.
"""

import pulumi

from rekognition_media.providers import (
    DetectModerationLabelsArgs,
    MediaAnalysisBatch,
    MediaAnalysisBatchArgs,
    MediaAnalysisBatchSourceArgs,
    OperationsConfigArgs,
    OutputConfigArgs,
)

config = pulumi.Config()
nightly = MediaAnalysisBatch(
    "nightly",
    MediaAnalysisBatchArgs(
        source=MediaAnalysisBatchSourceArgs(
            bucket=config.require("inputBucket"), prefix=config.get("prefix") or "images/"
        ),
        max_images=config.require_int("maxImages"),
        operations_config=OperationsConfigArgs(
            detect_moderation_labels=DetectModerationLabelsArgs(min_confidence=60)
        ),
        output_config=OutputConfigArgs(
            s3_bucket=config.require("outputBucket"), s3_key_prefix="results/"
        ),
        kms_key_id=config.require("kmsKeyArn"),
        job_name=config.get("jobName") or "nightly",
        endpoint_url=config.get("endpointUrl"),
        count_unlisted_on_refresh=config.get_bool("countUnlistedOnRefresh") or False,
    ),
)
for name in (
    "job_ids",
    "manifest_uris",
    "images_listed",
    "images_skipped",
    "status",
    "shard_statuses",
    "manifest_statistics",
    "moderation_summary",
    "estimated_images",
    "estimated_cost_usd",
):
    pulumi.export(name, getattr(nightly, name))
