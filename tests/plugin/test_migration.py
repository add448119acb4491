"""Moving a job from the dynamic ``MediaAnalysisJob`` to the plugin's resource.

plugin/README.md "Moving a job from MediaAnalysisJob to the plugin", step by step: the program
declares the plugin's resource under the same name with an alias to the old resource's
URN and ``adoptJobId`` set to the old job's id; ``pulumi up`` adopts the job instead of
starting one, and the old resource and its stack identity leave the
state. A Python program (the plugin's generated SDK, ``rekognition_media.sdk``, as the
README shows it) through the real CLI against the session's emulator.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi import automation as auto

from devtools.engine import StackFactory, write_program
from devtools.world import provider_env, seed
from rekognition_media.api.resources import (
    JOB_TYPE_TOKEN,
    PLUGIN_JOB_TYPE_TOKEN,
    STACK_IDENTITY_TYPE_TOKEN,
)
from rekognition_media.emulator import Emulator

pytestmark = pytest.mark.engine

DYNAMIC = """
import pulumi
from rekognition_media.providers import MediaAnalysisJob

config = pulumi.Config()
job = MediaAnalysisJob(
    "nightly",
    {
        "operations_config": {"detect_moderation_labels": {"min_confidence": 60}},
        "input": {"s3_object": {"bucket": config.require("inputBucket"),
                                "name": config.require("manifest")}},
        "output_config": {"s3_bucket": config.require("outputBucket"),
                          "s3_key_prefix": "results/"},
        "kms_key_id": config.require("kmsKeyId"),
        "endpoint_url": config.require("endpointUrl"),
    },
)
pulumi.export("job_id", job.job_id)
"""

PLUGIN = """
import pulumi
from rekognition_media import sdk

config = pulumi.Config()
job = sdk.MediaAnalysisJob(
    "nightly",
    sdk.MediaAnalysisJobArgs(
        operations_config=sdk.MediaAnalysisOperationsConfigArgs(
            detect_moderation_labels=sdk.MediaAnalysisDetectModerationLabelsConfigArgs(
                min_confidence=60
            )
        ),
        input=sdk.MediaAnalysisInputArgs(
            s3_object=sdk.S3ObjectArgs(
                bucket=config.require("inputBucket"), name=config.require("manifest")
            )
        ),
        output_config=sdk.MediaAnalysisOutputConfigArgs(
            s3_bucket=config.require("outputBucket"), s3_key_prefix="results/"
        ),
        kms_key_id=config.require("kmsKeyId"),
        endpoint_url=config.require("endpointUrl"),
        adopt_job_id=config.require("adoptJobId"),
    ),
    opts=pulumi.ResourceOptions(aliases=[config.require("oldUrn")]),
)
pulumi.export("job_id", job.job_id)
"""


def test_a_dynamic_job_moves_to_the_plugin_without_a_new_job(
    emulator: Emulator, engine_stack: StackFactory, tmp_path: Path
) -> None:
    world = seed(emulator)
    program = write_program(tmp_path, "migrate", DYNAMIC)
    stack = engine_stack(program, env=provider_env(), config=world.config())
    stack.up()
    [job] = world.jobs_reading_input()
    old_id = stack.outputs()["job_id"]
    assert job["JobId"] == old_id and job["Status"] == "SUCCEEDED"
    [old] = stack.resources(JOB_TYPE_TOKEN)
    assert old["id"] == old_id  # what plugin/README.md's jq line reads
    results = old["outputs"]["results"]["s3_object"]

    # The program now declares the plugin's resource: the alias, the job to adopt.
    (program / "__main__.py").write_text(PLUGIN)
    stack.stack.set_config("adoptJobId", auto.ConfigValue(old_id))
    stack.stack.set_config("oldUrn", auto.ConfigValue(old["urn"]))
    preview = stack.preview(diff=True)
    # A resource whose provider package changes is replaced (the engine's rule); the
    # replacement adopts the job. The old job's stack identity goes.
    assert preview.change_summary == {"replace": 1, "delete": 1, "same": 1}
    assert f"{PLUGIN_JOB_TYPE_TOKEN}: (replace)" in preview.stdout
    assert len(world.jobs_reading_input()) == 1

    up = stack.up()
    assert f"media analysis job {old_id}: adopted (SUCCEEDED)" in up.stdout
    assert stack.outputs()["job_id"] == old_id
    assert [j["JobId"] for j in world.jobs_reading_input()] == [old_id]  # no new job

    types = [r["type"] for r in stack.resources()]
    assert JOB_TYPE_TOKEN not in types
    assert STACK_IDENTITY_TYPE_TOKEN not in types
    assert "pulumi:providers:pulumi-python" not in types
    [new] = stack.resources(PLUGIN_JOB_TYPE_TOKEN)
    assert new["id"] == old_id
    assert new["urn"].endswith(f"::{PLUGIN_JOB_TYPE_TOKEN}::nightly")
    assert new["outputs"]["status"] == "SUCCEEDED"
    assert new["outputs"]["startedByStack"] is False  # adopted: destroy never deletes outputs
    # Nothing of the job was lost: its results are where they were.
    world.client("s3").head_object(Bucket=results["bucket"], Key=results["name"])

    stack.preview(expect_no_changes=True)
    stack.refresh(expect_no_changes=True)
    stack.destroy()
    assert [j["JobId"] for j in world.jobs_reading_input()] == [old_id]
