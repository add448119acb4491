"""N media analysis jobs on one manifest, configured from stack config.

Used by the engine tests (tests/providers, tests/policies) and bench/many_jobs.py, on a
world seeded by ``devtools.world`` (its ``config()`` is this program's
configuration); ``jobs`` = 0 makes the stack without jobs (the benchmark's fixed
overhead). ``operationsConfig`` (JSON) and ``argsAsDict`` pass plain dicts instead of the
Args classes; ``argsTypo`` misspells an Args class argument.
"""

import json

import pulumi

from rekognition_media.api.limits import DEFAULT_MIN_CONFIDENCE
from rekognition_media.providers import (
    DetectModerationLabelsArgs,
    MediaAnalysisInputArgs,
    MediaAnalysisJob,
    MediaAnalysisJobArgs,
    OperationsConfigArgs,
    OutputConfigArgs,
    S3ObjectArgs,
)

config = pulumi.Config()
jobs = config.get_int("jobs")
jobs = 1 if jobs is None else jobs
import_id = config.get("importJobId")
adopt_id = config.get("adoptJobId")
# Jobs (by index) whose output bucket does not exist, so they end FAILED.
failing = {int(i) for i in (config.get("failingJobs") or "").split(",") if i}
failing_bucket = config.get("failingBucket") or "no-such-bucket-anywhere"
operations = config.get("operationsConfig")

for index in range(jobs):
    if config.get_bool("argsTypo"):
        detect = DetectModerationLabelsArgs(min_confidense=95)  # type: ignore[call-arg]
    else:
        detect = DetectModerationLabelsArgs(
            min_confidence=config.get_float("minConfidence") or DEFAULT_MIN_CONFIDENCE
        )
    args = MediaAnalysisJobArgs(
        operations_config=OperationsConfigArgs(detect_moderation_labels=detect),
        input=MediaAnalysisInputArgs(
            s3_object=S3ObjectArgs(
                bucket=config.require("inputBucket"), name=config.require("manifest")
            )
        ),
        output_config=OutputConfigArgs(
            s3_bucket=failing_bucket if index in failing else config.require("outputBucket"),
            s3_key_prefix=f"results/job-{index}/",
        ),
        kms_key_id=config.get("kmsKeyId"),
        job_name=config.get("jobName") or f"job-{index}",
        endpoint_url=config.get("endpointUrl"),
        wait_timeout_seconds=config.get_int("waitTimeout") or 600,
        wait_for_completion=config.get_bool("waitForCompletion") is not False,
        fail_on_job_failure=config.get_bool("failOnJobFailure") is not False,
        delete_outputs_on_destroy=config.get_bool("deleteOutputs") is True,
        adopt_job_id=adopt_id,
    )
    inputs: MediaAnalysisJobArgs | dict[str, object] = args
    if config.get_bool("argsAsDict"):
        # As a user would write it: only what matters, the settings left to defaults.
        inputs = {
            "operations_config": {
                "detect_moderation_labels": {"min_confidence": DEFAULT_MIN_CONFIDENCE}
            },
            "input": {
                "s3_object": {
                    "bucket": config.require("inputBucket"),
                    "name": config.require("manifest"),
                }
            },
            "output_config": {
                "s3_bucket": config.require("outputBucket"),
                "s3_key_prefix": f"results/job-{index}/",
            },
            "kms_key_id": config.get("kmsKeyId"),
            "endpoint_url": config.get("endpointUrl"),
        }
    if operations is not None:
        inputs = {**args.to_props(), "operations_config": json.loads(operations)}
    job = MediaAnalysisJob(
        f"job-{index}",
        inputs,
        opts=pulumi.ResourceOptions(import_=import_id) if import_id else None,
    )
    pulumi.export(f"job_{index}_id", job.job_id)
    pulumi.export(f"job_{index}_status", job.status)
    pulumi.export(f"job_{index}_results_uri", job.results_uri)
    pulumi.export(f"job_{index}_summary_uri", job.manifest_summary_uri)
    pulumi.export(f"job_{index}_moderation_summary", job.moderation_summary)
    pulumi.export(f"job_{index}_manifest_statistics", job.manifest_statistics)
