"""What a real program hits: inputs from other resources, typos, retries, ...

Each test runs a program through the real Pulumi CLI against the session's emulator, the
way a user's ``pulumi preview`` / ``pulumi up`` does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from devtools.engine import EngineStack, StackFactory, write_program
from devtools.media import sample_images
from devtools.world import World, provider_env, seed
from rekognition_media.api.manifest import manifest_jsonl
from rekognition_media.emulator import Emulator
from rekognition_media.providers import TYPE_TOKEN
from tests.support import ROOT

pytestmark = pytest.mark.engine

PROGRAMS = Path(__file__).parent / "programs"
JOBS = ROOT / "examples" / "jobs"


def jobs_stack(
    engine_stack: StackFactory, world: World, name: str = "test", **config: str
) -> EngineStack:
    return engine_stack(JOBS, name, env=provider_env(), config=world.config(**config))


def _rekognition_calls(emulator: Emulator) -> int:
    return int(emulator.stats()["calls"]["total"])


# --- 1. inputs produced by other resources --------------------------------------------


@pytest.mark.parametrize("target", ["job", "pipeline"])
def test_inputs_from_another_resource_preview_then_up(
    emulator: Emulator, engine_stack: StackFactory, target: str
) -> None:
    world = seed(emulator)
    stack = engine_stack(
        PROGRAMS / "from_resources",
        env=provider_env(),
        config={**world.config(), "target": target},
    )
    # First deployment: the buckets and key are not known at preview.
    preview = stack.preview()
    assert preview.change_summary.get("create", 0) >= 3
    assert "has a problem" not in preview.stdout
    stack.up()  # previews first, then creates
    outputs = stack.outputs()
    assert outputs["status"] == "SUCCEEDED"
    [job] = world.jobs_of()
    assert job["JobId"] == outputs["job_id"]
    assert job["KmsKeyId"] == world.key_arn
    assert "create" not in stack.preview().change_summary


# --- 2. and 3. typos and an empty operations_config fail preview -----------------------


@pytest.mark.parametrize(
    ("operations", "expected"),
    [
        (
            {"detect_moderation_labels": {"min_confidense": 95}},
            "operations_config.detect_moderation_labels.min_confidense = 95.0: unknown "
            "property; did you mean 'min_confidence'?",
        ),
        ({"detect_moderation_label": {}}, "did you mean 'detect_moderation_labels'?"),
        ({}, "operations_config = {}: must specify at least one operation"),
    ],
)
def test_typos_and_an_empty_operations_config_fail_preview(
    emulator: Emulator, engine_stack: StackFactory, operations: dict[str, Any], expected: str
) -> None:
    world = seed(emulator)
    stack = jobs_stack(engine_stack, world, operationsConfig=json.dumps(operations))
    emulator.reset_stats()
    with pytest.raises(auto.CommandError) as failure:
        stack.preview()
    assert expected in str(failure.value)
    assert "Traceback" not in str(failure.value)
    assert _rekognition_calls(emulator) == 0


def test_a_typo_in_an_args_class_fails_preview_with_the_close_match(
    emulator: Emulator, engine_stack: StackFactory
) -> None:
    world = seed(emulator)
    stack = jobs_stack(engine_stack, world, argsTypo="true")
    with pytest.raises(auto.CommandError) as failure:
        stack.preview()
    text = str(failure.value)
    assert "DetectModerationLabelsArgs: unknown argument 'min_confidense'" in text
    assert "did you mean 'min_confidence'?" in text


def test_a_dict_instead_of_args_deploys_like_the_args_class(
    emulator: Emulator, engine_stack: StackFactory
) -> None:
    world = seed(emulator)
    stack = jobs_stack(engine_stack, world, argsAsDict="true")
    stack.up()
    assert stack.outputs()["job_0_status"] == "SUCCEEDED"
    [job] = world.jobs_of()
    assert job["OperationsConfig"]["DetectModerationLabels"]["MinConfidence"] == 50.0


# --- 4. a FAILED job is retried by a successor; --replace starts a new job -------------


def test_a_failed_job_is_retried_by_a_successor_once_its_cause_is_fixed(
    emulator: Emulator, engine_stack: StackFactory
) -> None:
    world = seed(emulator)
    missing = f"{world.output_bucket}-later"
    stack = jobs_stack(
        engine_stack, world, failingJobs="0", failingBucket=missing, deleteOutputs="true"
    )
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    [failed] = world.jobs_of(missing)
    assert failed["FailureDetails"]["Code"] == "INVALID_OUTPUT_CONFIG"
    messages = [line for line in str(failure.value).splitlines() if "ended FAILED:" in line]
    assert messages and all(".." not in line for line in messages)

    world.client("s3").create_bucket(Bucket=missing)
    # Fixing a cause takes a person longer than the slack within which the provider takes
    # a failed job for the current run's own (core/lifecycle.py, _FRESH_SLACK).
    emulator.backdate_job(failed["JobId"], 3)
    up = stack.up()
    jobs = world.jobs_of(missing)
    assert len(jobs) == 2
    successor = stack.outputs()["job_0_id"]
    assert successor != failed["JobId"]
    assert stack.outputs()["job_0_status"] == "SUCCEEDED"
    assert f"{failed['JobId']}: ended FAILED in an earlier run" in up.stdout
    assert "starting a successor job" in up.stdout

    # --replace deletes the job's outputs first, so the replacement is a new job. (Without
    # delete_outputs_on_destroy it resumes the same job: providers/README.md, "No duplicate jobs".)
    [resource] = stack.resources(TYPE_TOKEN)
    stack.up(replace=[resource["urn"]])
    replaced = stack.outputs()["job_0_id"]
    assert replaced not in (successor, failed["JobId"])
    assert len(world.jobs_of(missing)) == 3
    # ... and the stack settles: nothing to do, no further job.
    assert stack.preview().change_summary == {"same": 3}
    stack.up()
    assert len(world.jobs_of(missing)) == 3
    assert stack.outputs()["job_0_status"] == "SUCCEEDED"


# --- 5. two stacks with the same names in two backends ---------------------------------


def test_same_names_in_two_backends_are_two_jobs_and_keep_their_outputs(
    emulator: Emulator, engine_stack: StackFactory, tmp_path: Path
) -> None:
    world = seed(emulator)
    laptop = engine_stack(
        JOBS,
        "test",
        env=provider_env(),
        config=world.config(deleteOutputs="true"),
    )
    laptop.up()
    ci = EngineStack(
        program_dir=JOBS,
        state_dir=tmp_path / "other-backend",
        bin_dir=laptop.bin_dir,
        env=provider_env(),
        config=world.config(deleteOutputs="true"),
    )
    ci.up()
    assert laptop.outputs()["job_0_id"] != ci.outputs()["job_0_id"]
    assert len(world.jobs_of()) == 2

    laptop.destroy()
    bucket, key = ci.outputs()["job_0_results_uri"].removeprefix("s3://").split("/", 1)
    world.client("s3").head_object(Bucket=bucket, Key=key)  # the other stack's results stay


def test_outputs_of_an_adopted_job_are_never_deleted(
    emulator: Emulator, engine_stack: StackFactory
) -> None:
    world = seed(emulator)
    rekognition = world.client("rekognition")
    job_id = rekognition.start_media_analysis_job(
        JobName="job-0",
        OperationsConfig={"DetectModerationLabels": {"MinConfidence": 50.0}},
        Input={"S3Object": {"Bucket": world.input_bucket, "Name": world.manifest}},
        OutputConfig={"S3Bucket": world.output_bucket, "S3KeyPrefix": "results/job-0/"},
        KmsKeyId=world.key_arn,
    )["JobId"]
    stack = jobs_stack(engine_stack, world, adoptJobId=job_id, deleteOutputs="true")
    up = stack.up()
    assert "after completion" not in up.stdout  # adopted finished: nothing was waited for
    results = stack.outputs()["job_0_results_uri"]
    destroy = stack.destroy()
    assert "outputs kept: this stack did not start the job itself" in destroy.stdout
    bucket, key = results.removeprefix("s3://").split("/", 1)
    world.client("s3").head_object(Bucket=bucket, Key=key)


# --- 6. destroy with the outputs already gone ------------------------------------------


def test_destroy_skips_outputs_already_deleted_with_their_bucket(
    emulator: Emulator, engine_stack: StackFactory
) -> None:
    world = seed(emulator)
    stack = jobs_stack(engine_stack, world, deleteOutputs="true")
    stack.up()
    s3 = world.client("s3")
    for item in s3.list_objects_v2(Bucket=world.output_bucket).get("Contents", []):
        s3.delete_object(Bucket=world.output_bucket, Key=item["Key"])
    s3.delete_bucket(Bucket=world.output_bucket)
    destroy = stack.destroy()
    assert "already gone (its bucket or the object): skipped" in destroy.stdout
    assert stack.resources(TYPE_TOKEN) == []


# --- 7. no region at all fails preview -------------------------------------------------


def test_no_region_anywhere_fails_preview_without_calling_aws(
    emulator: Emulator, engine_stack: StackFactory, tmp_path: Path
) -> None:
    world = seed(emulator)
    env = {k: v for k, v in provider_env().items() if k != "AWS_REGION"}
    # No region in the environment or in any profile.
    env |= {"AWS_CONFIG_FILE": str(tmp_path / "no-config"), "AWS_DEFAULT_REGION": ""}
    stack = engine_stack(JOBS, env=env, config=world.config())
    emulator.reset_stats()
    with pytest.raises(auto.CommandError) as failure:
        stack.preview()
    assert "region = (not set): no region" in str(failure.value)
    assert _rekognition_calls(emulator) == 0


# --- 8. smaller things ------------------------------------------------------------------


def test_a_huge_value_is_shortened_in_the_error(
    emulator: Emulator, engine_stack: StackFactory
) -> None:
    world = seed(emulator)
    stack = jobs_stack(engine_stack, world, kmsKeyId="k" * 10_000)
    with pytest.raises(auto.CommandError) as failure:
        stack.preview()
    text = str(failure.value)
    assert "kms_key_id = 'kkkk" in text and "...: must have length" in text
    assert "k" * 200 not in text


def test_a_missing_manifest_error_names_its_bucket_and_key(
    emulator: Emulator, engine_stack: StackFactory
) -> None:
    world = seed(emulator)
    stack = jobs_stack(engine_stack, world, manifest="manifests/absent.jsonl")
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    text = str(failure.value)
    assert "job-0: StartMediaAnalysisJob failed: InvalidS3ObjectException" in text
    assert f"(manifest s3://{world.input_bucket}/manifests/absent.jsonl)" in text
    # The product's own error is its sentence alone: no frames of the SDK's server or ours.
    assert "Traceback" not in text and "lifecycle.py" not in text


def test_an_unexpected_error_keeps_its_traceback(
    emulator: Emulator, engine_stack: StackFactory
) -> None:
    # A bug is reported with its frames. Provoked honestly: a state edited by hand so that
    # the job's results pointer is a string, which destroy (deleting outputs) never expects.
    world = seed(emulator)
    stack = jobs_stack(engine_stack, world, deleteOutputs="true")
    stack.up()
    state = stack.export()
    [job] = [r for r in state["deployment"]["resources"] if r["type"] == TYPE_TOKEN]
    job["outputs"]["results"] = job["outputs"]["results_uri"]
    stack.stack.import_stack(auto.Deployment(**state))
    with pytest.raises(auto.CommandError) as failure:
        stack.destroy()
    text = str(failure.value)
    assert "Traceback (most recent call last):" in text
    assert "lifecycle.py" in text
    assert "AttributeError: 'str' object has no attribute 'get'" in text


def test_invalid_manifest_lines_are_counted_in_the_output_and_outputs(
    emulator: Emulator, engine_stack: StackFactory
) -> None:
    world = seed(emulator)
    images = sample_images()
    lines = manifest_jsonl(world.input_bucket, dict(list(images.items())[:1])).splitlines()
    lines += [
        json.dumps({"source-ref": f"s3://{world.input_bucket}/missing-{i}.png"}) for i in range(9)
    ]
    world.client("s3").put_object(
        Bucket=world.input_bucket, Key="manifests/mostly-bad.jsonl", Body="\n".join(lines).encode()
    )
    stack = jobs_stack(engine_stack, world, manifest="manifests/mostly-bad.jsonl")
    up = stack.up()
    assert stack.outputs()["job_0_status"] == "SUCCEEDED"
    assert "1 of 10 images analysed, 9 invalid (the summary lists why: s3://" in up.stdout
    [resource] = stack.resources(TYPE_TOKEN)
    assert resource["outputs"]["manifest_statistics"] == {
        "total_json_lines": 10,
        "valid_json_lines": 1,
        "invalid_json_lines": 9,
    }


# --- the README's example, as written, on a first deployment ----------------------------

README_PRELUDE = """
import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class _Made(ResourceProvider):
    def create(self, props):
        return CreateResult(props["name"], dict(props))


class _Bucket(Resource):  # stands in for aws.s3.Bucket: its name is unknown at preview
    bucket: pulumi.Output[str]

    def __init__(self, name, bucket):
        super().__init__(_Made(), name, {"name": name, "bucket": bucket})


class _Key(Resource):  # stands in for aws.kms.Key
    arn: pulumi.Output[str]

    def __init__(self, name, arn):
        super().__init__(_Made(), name, {"name": name, "arn": arn})


_config = pulumi.Config()
media_in = _Bucket("media-in", _config.require("inputBucket"))
media_out = _Bucket("media-out", _config.require("outputBucket"))
key = _Key("key", _config.require("kmsKeyId"))
"""


def test_the_readme_example_runs_as_written_on_a_first_deployment(
    emulator: Emulator, engine_stack: StackFactory, tmp_path: Path
) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## `MediaAnalysisJob`") :]
    example = section[section.index("```python\n") + 10 : section.index("```\n", 10)]
    world = seed(emulator)
    manifest = example.split('name="', 1)[1].split('"', 1)[0]  # the manifest it names
    world.client("s3").copy_object(
        Bucket=world.input_bucket,
        Key=manifest,
        CopySource={"Bucket": world.input_bucket, "Key": world.manifest},
    )
    program = write_program(tmp_path, "readme-example", README_PRELUDE + example)
    stack = engine_stack(
        program,
        env={**provider_env(), "AWS_ENDPOINT_URL": emulator.url},
        config=world.config(),
    )
    assert "create" in stack.preview().change_summary
    stack.up()
    assert stack.outputs()["status"] == "SUCCEEDED"
    assert stack.outputs()["results"].startswith(f"s3://{world.output_bucket}/results/")
