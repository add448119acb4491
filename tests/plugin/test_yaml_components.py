"""The components from a ``runtime: yaml`` program, through the real CLI and engine.

pulumi-aws's plugin cannot be obtained here, so only a pipeline that creates no pulumi-aws
resource runs for real: key, buckets and access policy brought (``existing*``), no uploads
(what ``MediaAnalysisPipeline`` documents as "creates no pulumi-aws resource at all").
That still goes the whole multi-language way: the YAML host reads the schema, the engine
calls the plugin's ``Construct``, the component registers its child job (the plugin's own
``MediaAnalysisJob``) with the engine's monitor, and the job runs in the emulator. An
input unknown at preview (another job's JobId), a secret input and bad input go through
the engine's own marshalling. The children of the other components are checked under
Pulumi's mocks (tests/plugin/test_components.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime import rpc

from devtools.world import World, provider_env, seed
from rekognition_media.emulator import Emulator
from rekognition_media.plugin import JOB_TYPE
from tests.mocks import EXISTING_POLICY
from tests.plugin.support import PulumiFailed, YamlStack, require_tools
from tests.support import PIPELINE_TYPE_TOKEN

pytestmark = pytest.mark.engine

PIPELINE = PIPELINE_TYPE_TOKEN
SECRET_SIG, SECRET = rpc._special_sig_key, rpc._special_secret_sig


def _program(world: World, **properties: Any) -> dict[str, Any]:
    return {
        "name": "yaml-pipeline",
        "runtime": "yaml",
        "config": {"rekognition-media:endpointUrl": {"value": world.emulator.url}},
        "resources": {
            "media": {
                "type": PIPELINE,
                "properties": {
                    # A secret: what comes from it stays secret, in the component's
                    # outputs and in its job's state.
                    "existingKeyArn": {"fn::secret": world.key_arn},
                    "existingInputBucketName": world.input_bucket,
                    "existingOutputBucketName": f"arn:aws:s3:::{world.output_bucket}",
                    "existingPolicyArn": EXISTING_POLICY,
                    "manifestKey": world.manifest,
                    "minConfidence": 60,
                    **properties,
                },
            }
        },
        "outputs": {
            "jobId": "${media.jobId}",
            "jobStatus": "${media.jobStatus}",
            "resultsUri": "${media.resultsUri}",
            "outputBucketName": "${media.outputBucketName}",
            "keyArn": "${media.keyArn}",
        },
    }


def test_a_yaml_program_constructs_the_pipeline_and_runs_its_job(
    emulator: Emulator, pulumi_bin: Path, tmp_path: Path
) -> None:
    require_tools(pulumi_bin)
    world = seed(emulator)
    stack = YamlStack(tmp_path / "program", tmp_path / "state", pulumi_bin, env=provider_env())
    # The job's name is another job's JobId: unknown at preview.
    program = _program(world, jobName="${first.jobId}")
    program["resources"]["first"] = {
        "type": JOB_TYPE,
        "properties": {
            "operationsConfig": {"detectModerationLabels": {"minConfidence": 60}},
            "input": {"s3Object": {"bucket": world.input_bucket, "name": world.manifest}},
            "outputConfig": {"s3Bucket": world.output_bucket, "s3KeyPrefix": "results/first/"},
            "kmsKeyId": world.key_arn,
        },
    }
    stack.write(program)
    stack.init()

    # first, the pipeline, its key, buckets and access (components: nothing to create in
    # them, all brought) and its job.
    assert json.loads(stack.preview("--json"))["changeSummary"] == {"create": 8}
    text = stack.preview()
    assert re.search(r"jobId\s*: \[unknown\]", text), text
    assert re.search(r"keyArn\s*: \[secret\]", text), text
    assert re.search(rf"outputBucketName\s*: \"{world.output_bucket}\"", text), text
    stack.up()
    outputs = stack.outputs()
    assert outputs["jobStatus"] == "SUCCEEDED"
    assert outputs["outputBucketName"] == world.output_bucket
    assert outputs["keyArn"] == "[secret]"
    assert stack.run("stack", "output", "keyArn", "--show-secrets").stdout.strip() == world.key_arn
    assert outputs["resultsUri"].startswith(f"s3://{world.output_bucket}/results/")
    [job] = [j for j in world.jobs_of() if j["JobId"] == outputs["jobId"]]
    assert job["KmsKeyId"] == world.key_arn
    assert job["OperationsConfig"]["DetectModerationLabels"]["MinConfidence"] == 60

    [component] = stack.resources(PIPELINE)
    [child] = [r for r in stack.resources(JOB_TYPE) if r["urn"].endswith("::media-job")]
    assert child["parent"] == component["urn"]
    assert child["urn"].endswith(f"{PIPELINE}${JOB_TYPE}::media-job")
    [first] = [r for r in stack.resources(JOB_TYPE) if r["urn"].endswith("::first")]
    assert job["JobName"] == first["id"]
    assert first["urn"] in child["dependencies"]  # through the unknown input's dependency
    for recorded in (child["inputs"]["kmsKeyId"], child["outputs"]["kmsKeyId"]):
        assert recorded[SECRET_SIG] == SECRET, recorded
    assert component["outputs"]["keyArn"][SECRET_SIG] == SECRET
    assert component["outputs"]["outputBucketName"] == world.output_bucket
    stack.run("preview", "--expect-no-changes")

    # Bad input fails the preview with the component, the path, the value and the rule,
    # and no traceback.
    stack.write(_program(world, deletionWindowInDays=3, bucketname="x"))
    with pytest.raises(PulumiFailed) as failure:
        stack.preview()
    text = failure.value.output
    assert "Traceback" not in text
    # The YAML host checks names against the schema before the plugin is asked.
    assert f"Property bucketname does not exist on '{PIPELINE}'" in text
    stack.write(_program(world, deletionWindowInDays=3))
    with pytest.raises(PulumiFailed) as failure:
        stack.preview()
    text = failure.value.output
    assert "Traceback" not in text
    assert f"{PIPELINE} resource 'media' has a problem: 1 invalid input" in text
    assert (
        "- property deletionWindowInDays with value 3 has a problem: "
        f"{PIPELINE}: deletionWindowInDays = 3: must be at least 7 days" in text
    )

    stack.write(_program(world))
    stack.run("destroy", "--yes")
    assert stack.resources() == []
