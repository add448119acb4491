"""MediaAnalysisJob through the real Pulumi CLI, against the emulator.

Each test seeds its own buckets, key and manifest in the session's emulator and runs
examples/jobs in its own backend.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dill
import pytest
from pulumi import automation as auto

from devtools.engine import EngineStack, StackFactory
from devtools.world import (
    ACCESS_KEY,
    SECRET_KEY,
    SESSION_TOKEN,
    World,
    provider_env,
    seed,
)
from rekognition_media.emulator import Emulator
from rekognition_media.providers import TYPE_TOKEN
from tests.support import ROOT, until, until_another_call

pytestmark = pytest.mark.engine

PROGRAM = ROOT / "examples" / "jobs"


def job_stack(
    engine_stack: StackFactory, world: World, name: str = "test", **config: str
) -> EngineStack:
    return engine_stack(PROGRAM, name, env=provider_env(), config=world.config(**config))


def test_lifecycle_up_preview_refresh_replace_destroy(
    emulator: Emulator, engine_stack: StackFactory
) -> None:
    world = seed(emulator)
    stack = job_stack(engine_stack, world)

    up = stack.up()
    outputs = stack.outputs()
    assert outputs["job_0_status"] == "SUCCEEDED"
    [job] = world.jobs_of()
    assert outputs["job_0_id"] == job["JobId"]
    assert job["KmsKeyId"] == world.key_arn
    # The results object exists, encrypted under the job's key.
    bucket, key = outputs["job_0_results_uri"].removeprefix("s3://").split("/", 1)
    head = world.client("s3").head_object(Bucket=bucket, Key=key)
    assert head["ServerSideEncryption"] == "aws:kms"
    assert world.key_arn.endswith(head["SSEKMSKeyId"].split("/")[-1])
    assert "started" in up.stdout and job["JobId"] in up.stdout
    # What the job found: the samples' labels at the default MinConfidence 50, in the
    # outputs and in one line under the job.
    found = outputs["job_0_moderation_summary"]
    assert (found["images_analysed"], found["images_flagged"]) == (3, 2)
    assert found["categories"] == {"Violence": 1, "Explicit": 1}
    assert found["content_types"] == {"Illustrated": 1}
    assert [f["label"] for f in found["top_flagged"]] == ["Violence", "Explicit"]
    assert (
        f"media analysis job {job['JobId']}: 2 of 3 images flagged (MinConfidence 50): "
        f"Violence 1, Explicit 1 — report: rekognition-media report {job['JobId']}"
    ) in up.stdout

    assert stack.preview().change_summary == {"same": 3}
    stack.refresh()
    assert stack.preview().change_summary == {"same": 3}
    assert stack.outputs()["job_0_moderation_summary"] == found

    stack.stack.set_config("minConfidence", auto.ConfigValue("75"))
    preview = stack.preview()
    assert preview.change_summary.get("replace") == 1
    up = stack.up()
    replaced = stack.outputs()["job_0_id"]
    assert replaced != job["JobId"]
    assert stack.outputs()["job_0_moderation_summary"]["categories"] == {"Violence": 1}
    assert "1 of 3 images flagged (MinConfidence 75): Violence 1 — " in up.stdout
    assert {j["JobId"] for j in world.jobs_of()} == {job["JobId"], replaced}

    stack.destroy()
    assert stack.resources(TYPE_TOKEN) == []
    # Rekognition has no delete call: the jobs are still there.
    assert len(world.jobs_of()) == 2


def test_destroy_can_delete_the_job_outputs(emulator: Emulator, engine_stack: StackFactory) -> None:
    world = seed(emulator)
    stack = job_stack(engine_stack, world, deleteOutputs="true")
    stack.up()
    uri = stack.outputs()["job_0_results_uri"]
    stack.destroy()
    s3 = world.client("s3")
    listed = s3.list_objects_v2(Bucket=world.output_bucket).get("Contents", [])
    assert uri.split("/", 3)[3] not in {o["Key"] for o in listed}


def test_a_failed_job_fails_up_naming_the_code_and_job_id(
    emulator: Emulator, engine_stack: StackFactory
) -> None:
    world = seed(emulator)
    stack = job_stack(engine_stack, world, failingJobs="0")
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    [job] = world.jobs_of("no-such-bucket-anywhere")[:1]
    assert job["Status"] == "FAILED"
    assert "INVALID_OUTPUT_CONFIG" in str(failure.value)
    assert job["JobId"] in str(failure.value)
    assert "Traceback" not in str(failure.value)
    assert stack.resources(TYPE_TOKEN) == []


def test_failed_job_can_be_recorded_without_failing_the_deployment(
    emulator: Emulator, engine_stack: StackFactory
) -> None:
    world = seed(emulator)
    stack = job_stack(engine_stack, world, failingJobs="0", failOnJobFailure="false")
    stack.up()
    assert stack.outputs()["job_0_status"] == "FAILED"


def test_invalid_input_fails_preview_naming_the_field_without_calling_aws(
    emulator: Emulator, engine_stack: StackFactory
) -> None:
    world = seed(emulator)
    stack = job_stack(engine_stack, world, minConfidence="101", jobName="bad name")
    emulator.reset_stats()
    with pytest.raises(auto.CommandError) as failure:
        stack.preview()
    text = str(failure.value)
    assert "operations_config.detect_moderation_labels.min_confidence = 101.0" in text
    assert "less than or equal to 100" in text
    assert "job_name = 'bad name'" in text
    assert "Traceback" not in text
    assert _rekognition_calls(emulator) == 0


def _start_job_outside_pulumi(world: World, min_confidence: float = 50.0) -> str:
    started = world.client("rekognition").start_media_analysis_job(
        JobName="job-0",
        OperationsConfig={"DetectModerationLabels": {"MinConfidence": min_confidence}},
        Input={"S3Object": {"Bucket": world.input_bucket, "Name": world.manifest}},
        OutputConfig={"S3Bucket": world.output_bucket, "S3KeyPrefix": "results/job-0/"},
        KmsKeyId=world.key_arn,
    )
    return str(started["JobId"])


def test_adopt_an_existing_job_by_id(emulator: Emulator, engine_stack: StackFactory) -> None:
    world = seed(emulator)
    job_id = _start_job_outside_pulumi(world)
    # The stack may not decrypt the results (its key policy denies kms:Decrypt): the job
    # is still adopted, without a moderation summary, and `pulumi up` says why.
    kms = world.client("kms")
    owner = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}
    deny = {"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}
    kms.put_key_policy(
        KeyId=world.key_arn.split("/")[-1],
        PolicyName="default",
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [owner, deny]}),
    )
    stack = job_stack(engine_stack, world, adoptJobId=job_id)
    up = stack.up()
    outputs = stack.outputs()
    assert outputs["job_0_id"] == job_id
    assert outputs["job_0_status"] == "SUCCEEDED"
    assert outputs.get("job_0_moderation_summary") is None
    assert f"media analysis job {job_id}: no moderation summary: no kms:Decrypt for the " in (
        up.stdout
    )
    assert f"kms:Decrypt on resource: {world.key_arn}" in up.stdout
    assert len(world.jobs_of()) == 1
    assert stack.preview().change_summary == {"same": 3}


def test_adopting_a_job_whose_request_differs_fails_naming_the_difference(
    emulator: Emulator, engine_stack: StackFactory
) -> None:
    world = seed(emulator)
    job_id = _start_job_outside_pulumi(world, min_confidence=80.0)
    stack = job_stack(engine_stack, world, adoptJobId=job_id)
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert f"Cannot adopt media analysis job {job_id}" in str(failure.value)
    assert "OperationsConfig" in str(failure.value)
    assert "Traceback" not in str(failure.value)  # the product's own error: its sentence


def test_import_option_is_refused_by_the_python_dynamic_provider(
    emulator: Emulator, engine_stack: StackFactory
) -> None:
    """Documents pulumi/pulumi#16175: the engine imports a resource by reading it without
    its properties, so the Python dynamic provider server cannot find ``__provider``.
    When this starts failing, import works and providers/README.md's "Adopting a job" can say so."""
    world = seed(emulator)
    stack = job_stack(engine_stack, world, importJobId=_start_job_outside_pulumi(world))
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert "'__provider'" in str(failure.value)


def test_killed_up_rerun_adopts_the_same_job(
    emulator: Emulator, engine_stack: StackFactory, tmp_path: Path
) -> None:
    world = seed(emulator, duration_seconds=8)
    stack = job_stack(engine_stack, world)
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(stack.spec()))
    runner = subprocess.Popen(
        [sys.executable, "-m", "devtools.run", str(spec), "up"],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        until(lambda: len(world.jobs_of()) == 1, 60, "the job started")
        until_another_call(emulator, "the provider polls the job")
    finally:
        os.killpg(runner.pid, signal.SIGKILL)
        runner.wait()
    assert world.jobs_of()[0]["Status"] not in ("SUCCEEDED", "FAILED")

    stack.cancel()  # the killed run still holds the stack's lock
    stack.up()
    [job] = world.jobs_of()
    assert stack.outputs()["job_0_id"] == job["JobId"]
    assert job["Status"] == "SUCCEEDED"
    # The engine keeps the killed run's pending create until told it is resolved.
    assert stack.export()["deployment"].get("pending_operations")
    stack.refresh(clear_pending_creates=True)
    assert not stack.export()["deployment"].get("pending_operations")
    assert stack.preview().change_summary == {"same": 3}


def test_five_jobs_under_throttling_and_server_errors_make_exactly_five_jobs(
    emulator: Emulator, engine_stack: StackFactory, emulator_settings: Callable[..., Any]
) -> None:
    world = seed(emulator)
    stack = job_stack(engine_stack, world, jobs="5")
    emulator_settings(throttling_rate=0.3, internal_error_rate=0.05)
    stack.up()
    emulator_settings(throttling_rate=0.0, internal_error_rate=0.0)  # so that List answers
    outputs = stack.outputs()
    jobs = world.jobs_of()
    assert len(jobs) == 5
    assert {outputs[f"job_{i}_id"] for i in range(5)} == {j["JobId"] for j in jobs}
    assert all(outputs[f"job_{i}_status"] == "SUCCEEDED" for i in range(5))


def test_twenty_jobs_each_outcome_reaches_its_own_resource(
    emulator: Emulator, engine_stack: StackFactory
) -> None:
    world = seed(emulator, duration_seconds=2)
    # Lanes, as a user who sets jobsPerProvider gets them (the default is one process).
    stack = job_stack(
        engine_stack,
        world,
        jobs="20",
        failingJobs="7",
        **{"rekognition-media:jobsPerProvider": "3"},
    )
    # Without --continue-on-error the engine starts no new operation after the first
    # failure, and how many creates were already under way depends on timing.
    with pytest.raises(auto.CommandError) as failure:
        stack.up(continue_on_error=True, parallel=12)
    # More jobs than --parallel: the program says that some will wait for a slot.
    assert "more than 12 media analysis jobs" in str(failure.value)
    jobs = world.jobs_reading_input()
    assert len(jobs) == 20
    [failed] = [j for j in jobs if j["Status"] == "FAILED"]
    assert failed["JobName"] == "job-7"
    assert failed["JobId"] in str(failure.value)
    # Only job-7 failed; the other 19 are recorded with their own job's outcome.
    recorded = {r["urn"].rsplit("::", 1)[1]: r for r in stack.resources(TYPE_TOKEN)}
    assert sorted(recorded) == sorted(f"job-{i}" for i in range(20) if i != 7)
    by_name = {j["JobName"]: j for j in jobs}
    for name, resource in recorded.items():
        assert resource["id"] == by_name[name]["JobId"]
        assert resource["outputs"]["status"] == "SUCCEEDED"
    # Jobs are spread over provider processes, three per lane, as set.
    lanes = [r for r in stack.resources("pulumi:providers:pulumi-python") if "-lane-" in r["urn"]]
    assert len(lanes) == 7

    # The next up retries only the failed job: a successor job, never the failed one.
    with pytest.raises(auto.CommandError) as again:
        stack.up(continue_on_error=True, parallel=64)
    assert f"media analysis job {failed['JobId']}: ended FAILED in an earlier run" in str(
        again.value
    )
    jobs = world.jobs_reading_input()
    assert len(jobs) == 21
    assert len([j for j in jobs if j["JobName"] == "job-7"]) == 2


def test_state_and_serialized_provider_hold_no_credentials(
    emulator: Emulator, engine_stack: StackFactory
) -> None:
    world = seed(emulator)
    stack = job_stack(engine_stack, world)
    stack.up()
    state = stack.export_text(show_secrets=True)
    for secret in (ACCESS_KEY, SECRET_KEY, SESSION_TOKEN):
        assert secret not in state
    [job] = stack.resources(TYPE_TOKEN)
    provider_blob = json.loads(state)["deployment"]["resources"]
    [serialized] = [r["outputs"]["__provider"] for r in provider_blob if r["type"] == TYPE_TOKEN]
    raw = base64.b64decode(serialized if isinstance(serialized, str) else serialized["plaintext"])
    for secret in (ACCESS_KEY, SECRET_KEY, SESSION_TOKEN):
        assert secret.encode() not in raw
    provider = dill.loads(raw)
    assert vars(provider) == {}
    assert job["id"]


def _rekognition_calls(emulator: Emulator) -> int:
    stats: dict[str, Any] = emulator.stats()
    return int(stats["calls"]["total"])
