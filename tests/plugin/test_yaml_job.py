"""The ``rekognition-media`` plugin from a ``runtime: yaml`` program, through the real CLI.

Plain ``pulumi up/preview/refresh/import/destroy`` on YAML programs against the session's
emulator; the engine finds the plugin on PATH (no PulumiPlugin.yaml, no language host of
the plugin's own). Each test seeds its own buckets, key and manifest.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from devtools.engine import offline_env
from devtools.world import (
    World,
    provider_env,
    seed,
)
from rekognition_media.emulator import Emulator, EmulatorSettings
from rekognition_media.plugin import JOB_TYPE
from tests.plugin.support import (
    PLUGIN,
    PulumiFailed,
    YamlStack,
    YamlStackFactory,
    job_properties,
    one_job,
    program,
    require_tools,
    yaml_stacks,
)
from tests.support import ROOT, until, until_another_call

pytestmark = pytest.mark.engine

PROVIDER_TYPE = "pulumi:providers:rekognition-media"


@pytest.fixture
def yaml_stack(pulumi_bin: Path, tmp_path: Path) -> YamlStackFactory:
    return yaml_stacks(pulumi_bin, tmp_path)


def rekognition_calls(emulator: Emulator) -> int:
    return int(emulator.stats()["calls"]["total"])


def change_summary(stack: YamlStack) -> dict[str, int]:
    summary: dict[str, int] = json.loads(stack.preview("--json"))["changeSummary"]
    return summary


def test_up_preview_unknowns_invalid_input_destroy(
    emulator: Emulator, yaml_stack: YamlStackFactory
) -> None:
    world = seed(emulator)
    job = one_job(world)
    # A second job whose name is the first one's JobId: unknown until the first exists.
    job["resources"]["second"] = {
        "type": JOB_TYPE,
        "properties": job_properties(world, "results/second/", jobName="${nightly.jobId}"),
    }
    stack = yaml_stack(job)

    assert change_summary(stack) == {"create": 3}  # unknowns pass check at preview
    out = stack.up()
    outputs = stack.outputs()
    assert outputs["status"] == "SUCCEEDED"
    jobs = {j["JobId"]: j for j in world.jobs_of()}
    assert set(jobs) >= {outputs["jobId"]} and len(jobs) == 2
    [second] = [j for j in jobs.values() if j["JobId"] != outputs["jobId"]]
    assert second["JobName"] == outputs["jobId"]
    assert jobs[outputs["jobId"]]["KmsKeyId"] == world.key_arn
    assert outputs["resultsUri"].startswith(f"s3://{world.output_bucket}/results/")
    assert outputs["manifestStatistics"] == {
        "totalJsonLines": 3,
        "validJsonLines": 3,
        "invalidJsonLines": 0,
    }
    # The core's progress lines reach `pulumi up`, under the resource.
    assert f"media analysis job {outputs['jobId']}: started (nightly)" in out
    # What the job found, camelCased; its maps keep the data's keys.
    found = outputs["moderationSummary"]
    assert (found["imagesAnalysed"], found["imagesFlagged"], found["minConfidence"]) == (3, 2, 60)
    assert found["categories"] == {"Violence": 1, "Explicit": 1}
    assert found["contentTypes"] == {"Illustrated": 1}
    assert found["labels"][0] == {
        "name": "Explicit",
        "parentName": "",
        "taxonomyLevel": 1,
        "images": 1,
        "maxConfidence": 71.5,
    }
    assert found["topFlagged"][0]["sourceRef"] == f"s3://{world.input_bucket}/images/sample-1.png"
    assert (
        f"media analysis job {outputs['jobId']}: 2 of 3 images flagged (MinConfidence 60): "
        f"Violence 1, Explicit 1 — report: rekognition-media report {outputs['jobId']}"
    ) in out

    [provider] = stack.resources(PROVIDER_TYPE)
    identity = provider["inputs"]["stackIdentity"]
    assert provider["inputs"]["endpointUrl"] == emulator.url
    stack.run("preview", "--expect-no-changes")
    stack.up()  # nothing to do; the provider keeps its identity
    [provider] = stack.resources(PROVIDER_TYPE)
    assert provider["inputs"]["stackIdentity"] == identity
    assert len(world.jobs_of()) == 2

    # A request change replaces the job; the second job's name is unknown again: replaced too.
    changed = one_job(world)
    changed["resources"]["second"] = job["resources"]["second"]
    changed["resources"]["nightly"]["properties"]["operationsConfig"] = {
        "detectModerationLabels": {"minConfidence": 75}
    }
    stack.write(changed)
    assert change_summary(stack) == {"replace": 2, "same": 1}
    # A setting updates in place.
    settings = one_job(world, waitTimeoutSeconds=120)
    settings["resources"]["second"] = job["resources"]["second"]
    stack.write(settings)
    assert change_summary(stack) == {"update": 1, "same": 2}

    # Invalid input fails preview with the field, the value and the rule; no AWS call.
    invalid = one_job(world, jobName="bad name")
    invalid["resources"]["nightly"]["properties"]["operationsConfig"] = {
        "detectModerationLabels": {"minConfidence": 101}
    }
    stack.write(invalid)
    emulator.reset_stats()
    with pytest.raises(PulumiFailed) as failure:
        stack.preview()
    text = failure.value.output
    assert (
        "operationsConfig.detectModerationLabels.minConfidence = 101.0: "
        "must have value less than or equal to 100" in text
    )
    assert "jobName = 'bad name': must satisfy regular expression pattern" in text
    assert "Traceback" not in text
    assert rekognition_calls(emulator) == 0

    stack.write(job)
    stack.run("destroy", "--yes")
    assert stack.resources(JOB_TYPE) == []
    assert len(world.jobs_of()) == 2  # Rekognition has no delete call


def _start_job_outside_pulumi(world: World) -> str:
    started = world.client("rekognition").start_media_analysis_job(
        JobName="job-0",
        OperationsConfig={"DetectModerationLabels": {"MinConfidence": 55.0}},
        Input={"S3Object": {"Bucket": world.input_bucket, "Name": world.manifest}},
        OutputConfig={"S3Bucket": world.output_bucket, "S3KeyPrefix": "results/job-0/"},
        KmsKeyId=world.key_arn,
    )
    return str(started["JobId"])


def test_pulumi_import_records_the_job_and_its_generated_yaml_has_no_changes(
    emulator: Emulator, yaml_stack: YamlStackFactory, tmp_path: Path
) -> None:
    world = seed(emulator)
    job_id = _start_job_outside_pulumi(world)
    stack = yaml_stack(program(world, {}))
    generated = tmp_path / "imported.yaml"
    stack.run("import", JOB_TYPE, "imported", job_id, "--yes", "--out", str(generated))

    [imported] = stack.resources(JOB_TYPE)
    assert imported["id"] == job_id
    assert imported["inputs"] == {
        "jobName": "job-0",
        "operationsConfig": {"detectModerationLabels": {"minConfidence": 55}},
        "input": {"s3Object": {"bucket": world.input_bucket, "name": world.manifest}},
        "outputConfig": {"s3Bucket": world.output_bucket, "s3KeyPrefix": "results/job-0/"},
        "kmsKeyId": world.key_arn,
    }
    assert imported["outputs"]["status"] == "SUCCEEDED"
    assert imported["outputs"]["resultsUri"].startswith(f"s3://{world.output_bucket}/")
    # Import reads what the job found, at the job's own MinConfidence (55).
    found = imported["outputs"]["moderationSummary"]
    assert (found["imagesFlagged"], found["minConfidence"]) == (2, 55)
    assert found["contentTypes"] == {"Illustrated": 1}

    # The generated YAML, pasted into the program, previews with no changes.
    code = yaml.safe_load(generated.read_text())
    assert code["resources"]["imported"]["properties"] == imported["inputs"]
    pasted = stack.program()
    pasted["resources"] = code["resources"]
    stack.write(pasted)
    stack.run("preview", "--expect-no-changes")
    stack.run("refresh", "--yes", "--expect-no-changes")  # the summary is kept as recorded
    [refreshed] = stack.resources(JOB_TYPE)
    assert refreshed["outputs"]["moderationSummary"] == found

    stack.run("state", "unprotect", "--all", "--yes")
    stack.run("destroy", "--yes")
    assert stack.resources(JOB_TYPE) == []
    assert len(world.jobs_of()) == 1  # never started a job of its own


@pytest.fixture
def own_emulator() -> Iterator[Emulator]:
    """An emulator of this test's own: it changes job retention, which the session's must not."""
    settings = EmulatorSettings(created_delay=0, queue_delay=0, job_duration=0)
    with Emulator(settings, host="127.0.0.1", port=0) as running:
        yield running


def test_refresh_of_a_vanished_job_removes_it(
    own_emulator: Emulator, yaml_stack: YamlStackFactory
) -> None:
    world = seed(own_emulator)
    stack = yaml_stack(one_job(world))
    stack.up()
    assert len(stack.resources(JOB_TYPE)) == 1
    own_emulator.update_settings(retention_seconds=0.001)  # every job is now past retention
    stack.run("refresh", "--yes")
    assert stack.resources(JOB_TYPE) == []


def test_the_example_program_runs(emulator: Emulator, pulumi_bin: Path, tmp_path: Path) -> None:
    """examples/yaml-job, copied (stack configuration is written beside the program)."""
    require_tools(pulumi_bin)
    world = seed(emulator)
    example = ROOT / "examples" / "yaml-job" / "Pulumi.yaml"
    stack = YamlStack(tmp_path / "program", tmp_path / "state", pulumi_bin, env=provider_env())
    (stack.program_dir / "Pulumi.yaml").write_text(example.read_text())
    stack.init()
    for key, value in {
        "inputBucket": world.input_bucket,
        "outputBucket": world.output_bucket,
        "kmsKeyArn": world.key_arn,
        "manifest": world.manifest,
        "rekognition-media:endpointUrl": emulator.url,
    }.items():
        stack.run("config", "set", key, value)
    stack.up()
    assert stack.outputs()["status"] == "SUCCEEDED"
    stack.run("destroy", "--yes")


def test_killed_up_rerun_resumes_the_same_job(
    emulator: Emulator, yaml_stack: YamlStackFactory
) -> None:
    """The token scope's promise: the provider's stackIdentity is in the state before the
    job starts, so a re-run of a killed `pulumi up` derives the same token."""
    world = seed(emulator, duration_seconds=8)
    stack = yaml_stack(one_job(world))
    runner = subprocess.Popen(
        [str(stack.bin_dir / "pulumi"), "up", "--yes", "--skip-preview", "--non-interactive"],
        cwd=stack.program_dir,
        env={**os.environ, **offline_env(stack.bin_dir, stack.state_dir), **stack.env},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        until(world.jobs_of, 60, "a job started")
        until_another_call(emulator, "the plugin polls the job")
    finally:
        os.killpg(runner.pid, signal.SIGKILL)
        runner.wait()
    assert world.jobs_of()[0]["Status"] not in ("SUCCEEDED", "FAILED")
    # The plugin process notices its engine is gone and exits (no orphan left polling).
    until(
        lambda: not _plugin_processes(),
        10,
        lambda: f"the plugin processes exited; left: {_plugin_processes()}",
    )

    stack.run("cancel", "--yes")  # the killed run still holds the stack's lock
    out = stack.up()
    [job] = world.jobs_of()
    assert stack.outputs()["jobId"] == job["JobId"]
    assert job["Status"] == "SUCCEEDED"
    assert "resumed (nightly)" in out
    stack.run("refresh", "--yes", "--clear-pending-creates")
    stack.run("preview", "--expect-no-changes")


def _plugin_processes() -> list[int]:
    """Running processes of this checkout's plugin executable."""
    executable = str(_plugin_dir() / PLUGIN)
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if executable.encode() in cmdline:
                found.append(int(entry.name))
    return found


def _plugin_dir() -> Path:
    return Path(sys.executable).parent


def test_a_failed_job_fails_up_with_its_code_and_id_and_no_python_frames(
    emulator: Emulator, yaml_stack: YamlStackFactory
) -> None:
    world = seed(emulator)
    failing = one_job(world)
    failing["resources"]["nightly"]["properties"]["outputConfig"]["s3Bucket"] = "no-such-bucket"
    stack = yaml_stack(failing)
    with pytest.raises(PulumiFailed) as failure:
        stack.up()
    text = failure.value.output
    [job] = world.jobs_of("no-such-bucket")
    assert job["Status"] == "FAILED"
    failed = f"Media analysis job {job['JobId']} (nightly) ended FAILED: INVALID_OUTPUT_CONFIG"
    assert failed in text
    assert 'File "' not in text and "Unexpected <class" not in text, text
