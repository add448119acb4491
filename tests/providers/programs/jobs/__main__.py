"""N media analysis jobs on one manifest, configured from stack config.

Used by the engine tests (tests/providers) and bench/many_jobs.py; ``jobs`` = 0 makes the
stack without jobs (the benchmark's fixed overhead).
"""

import pulumi

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

for index in range(jobs):
    job = MediaAnalysisJob(
        f"job-{index}",
        MediaAnalysisJobArgs(
            operations_config=OperationsConfigArgs(
                detect_moderation_labels=DetectModerationLabelsArgs(
                    min_confidence=config.get_float("minConfidence") or 50.0
                )
            ),
            input=MediaAnalysisInputArgs(
                s3_object=S3ObjectArgs(
                    bucket=config.require("inputBucket"), name=config.require("manifest")
                )
            ),
            output_config=OutputConfigArgs(
                s3_bucket="no-such-bucket-anywhere"
                if index in failing
                else config.require("outputBucket"),
                s3_key_prefix=f"results/job-{index}/",
            ),
            kms_key_id=config.get("kmsKeyId"),
            job_name=config.get("jobName") or f"job-{index}",
            endpoint_url=config.get("endpointUrl"),
            wait_timeout_seconds=config.get_int("waitTimeout") or 600,
            fail_on_job_failure=config.get_bool("failOnJobFailure") is not False,
            delete_outputs_on_destroy=config.get_bool("deleteOutputs") is True,
            adopt_job_id=adopt_id,
        ),
        opts=pulumi.ResourceOptions(import_=import_id) if import_id else None,
    )
    pulumi.export(f"job_{index}_id", job.job_id)
    pulumi.export(f"job_{index}_status", job.status)
    pulumi.export(f"job_{index}_results_uri", job.results_uri)
    pulumi.export(f"job_{index}_summary_uri", job.manifest_summary_uri)
