"""Python programs through the plugin's generated SDK (``rekognition_media.sdk``), run by
the real CLI and engine (the Automation API's inline mode) against the session's emulator.

The SDK is Pulumi's own generator's output (sdk/python, scripts/gen-sdks.sh); what these
tests add over the YAML ones is what a Python user gets from it: typed arguments, outputs
as the generated classes, the component constructed remotely by the plugin, the engine
finding the plugin the SDK asks for (``rekognition-media`` 0.1.0) on PATH with nothing
downloaded, and ``pulumi import --out`` writing Python on the SDK.

``pulumi import --out`` has the project's language host generate the program. The real
Python host cannot be obtained here; the test puts ``scripts/python-program-gen`` first on
PATH for that command: the host's GenerateProgram, the same code on Pulumi's own
generator (``pkg/v3/codegen/python``), built from the served ``pkg/v3``. So the CLI's
import, the plugin's Read, the PCL the CLI writes, its binding against the plugin's schema
and Pulumi's Python program generator are all real; the real ``pulumi-language-python``
binary around that call is not. The generated program then runs inline like every other.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from pulumi.runtime import rpc

from devtools.engine import StackFactory, offline_env, write_program
from devtools.program_gen import build_python_program_generator
from devtools.world import provider_env, seed
from rekognition_media import __version__
from rekognition_media.emulator import Emulator
from rekognition_media.plugin import JOB_TYPE
from tests.mocks import EXISTING_POLICY
from tests.support import (
    ACCESS_TYPE_TOKEN,
    BUCKET_TYPE_TOKEN,
    KEY_TYPE_TOKEN,
    PIPELINE_TYPE_TOKEN,
    ROOT,
)

pytestmark = pytest.mark.engine

SECRET_SIG, SECRET = rpc._special_sig_key, rpc._special_secret_sig
PIPELINE = PIPELINE_TYPE_TOKEN
PROVIDER = "pulumi:providers:rekognition-media"

JOB = """
import pulumi

from rekognition_media import sdk

config = pulumi.Config()
job = sdk.MediaAnalysisJob(
    "nightly",
    sdk.MediaAnalysisJobArgs(
        operations_config=sdk.MediaAnalysisOperationsConfigArgs(
            detect_moderation_labels=sdk.MediaAnalysisDetectModerationLabelsConfigArgs(
                min_confidence=60,
            ),
        ),
        input=sdk.MediaAnalysisInputArgs(
            s3_object=sdk.S3ObjectArgs(
                bucket=config.require("inputBucket"), name=config.require("manifest")
            ),
        ),
        output_config=sdk.MediaAnalysisOutputConfigArgs(
            s3_bucket=config.require("outputBucket"), s3_key_prefix="results/"
        ),
        kms_key_id=config.require("kmsKeyId"),
        endpoint_url=config.require("endpointUrl"),
    ),
)


def typed(summary):
    # What a program reads from the generated output class: attributes, not dict keys.
    assert isinstance(summary, sdk.outputs.ModerationSummary), type(summary)
    return {
        "class": f"{type(summary).__module__}.{type(summary).__qualname__}",
        "images_analysed": summary.images_analysed,
        "images_flagged": summary.images_flagged,
        "min_confidence": summary.min_confidence,
        "labels": [
            {"class": type(label).__qualname__, "name": label.name, "images": label.images}
            for label in summary.labels
        ],
        "top_flagged": [
            {"class": type(image).__qualname__, "source_ref": image.source_ref,
             "label": image.label}
            for image in summary.top_flagged
        ],
    }


pulumi.export("job_id", job.job_id)
pulumi.export("status", job.status)
pulumi.export("results_uri", job.results_uri)
pulumi.export("summary", job.moderation_summary.apply(typed))
"""


def test_a_job_through_the_typed_sdk_succeeds_with_typed_outputs(
    emulator: Emulator, engine_stack: StackFactory, tmp_path: Path
) -> None:
    world = seed(emulator)
    program = write_program(tmp_path, "sdk-job", JOB)
    stack = engine_stack(program, env=provider_env(), config=world.config())
    stack.up()

    outputs = stack.outputs()
    assert outputs["status"] == "SUCCEEDED"
    [job] = world.jobs_reading_input()
    assert job["JobId"] == outputs["job_id"] and job["Status"] == "SUCCEEDED"
    assert job["KmsKeyId"] == world.key_arn
    assert job["OperationsConfig"]["DetectModerationLabels"]["MinConfidence"] == 60
    assert outputs["results_uri"].startswith(f"s3://{world.output_bucket}/results/")

    # The typed summary carries what the plugin recorded, field for field.
    [resource] = stack.resources(JOB_TYPE)
    recorded = resource["outputs"]["moderationSummary"]
    summary = outputs["summary"]
    assert summary["class"] == "rekognition_media.sdk.outputs.ModerationSummary"
    assert summary["images_analysed"] == recorded["imagesAnalysed"] > 0
    assert summary["images_flagged"] == recorded["imagesFlagged"] > 0
    assert summary["min_confidence"] == 60
    assert summary["labels"] == [
        {"class": "LabelCount", "name": label["name"], "images": label["images"]}
        for label in recorded["labels"]
    ]
    assert summary["labels"]
    assert summary["top_flagged"] == [
        {"class": "FlaggedImage", "source_ref": image["sourceRef"], "label": image["label"]}
        for image in recorded["topFlagged"]
    ]

    # The engine loaded the plugin the SDK asks for, from PATH (the venv's
    # pulumi-resource-rekognition-media), with nothing downloaded into PULUMI_HOME.
    [provider] = stack.resources(PROVIDER)
    assert provider["inputs"]["version"] == __version__
    assert resource["provider"].startswith(provider["urn"])
    assert not list((stack.state_dir / "home").glob("plugins/resource-rekognition-media*"))

    stack.preview(expect_no_changes=True)
    stack.destroy()
    assert stack.resources() == []


PIPELINE_PROGRAM = """
import pulumi

from rekognition_media import sdk

config = pulumi.Config()
pipeline = sdk.MediaAnalysisPipeline(
    "media",
    sdk.MediaAnalysisPipelineArgs(
        # Everything brought: the component creates no pulumi-aws resource, so it runs
        # here without the pulumi-aws plugin.
        existing_key_arn=pulumi.Output.secret(config.require("kmsKeyId")),
        existing_input_bucket_name=config.require("inputBucket"),
        existing_output_bucket_name=config.require("outputBucket"),
        existing_policy_arn=config.require("policyArn"),
        manifest_key=config.require("manifest"),
        min_confidence=60,
    ),
)
pulumi.export("job_id", pipeline.job_id)
pulumi.export("job_status", pipeline.job_status)
pulumi.export("results_uri", pipeline.results_uri)
pulumi.export("output_bucket_arn", pipeline.output_bucket_arn)
pulumi.export("key_arn", pipeline.key_arn)
"""


def test_a_remote_pipeline_through_the_typed_sdk_runs_its_job(
    emulator: Emulator, engine_stack: StackFactory, tmp_path: Path
) -> None:
    world = seed(emulator)
    program = write_program(tmp_path, "sdk-pipeline", PIPELINE_PROGRAM)
    config = world.config(policyArn=EXISTING_POLICY)
    config["rekognition-media:endpointUrl"] = config.pop("endpointUrl")
    stack = engine_stack(program, env=provider_env(), config=config)
    stack.up()

    outputs = stack.outputs()
    assert outputs["job_status"] == "SUCCEEDED"
    assert outputs["output_bucket_arn"] == f"arn:aws:s3:::{world.output_bucket}"
    assert outputs["results_uri"].startswith(f"s3://{world.output_bucket}/")
    [job] = world.jobs_reading_input()
    assert job["JobId"] == outputs["job_id"] and job["KmsKeyId"] == world.key_arn

    # Constructed by the plugin (Construct), its job a child the engine recorded; the
    # secret key stays secret in the component's outputs.
    [component] = stack.resources(PIPELINE)
    [child] = stack.resources(JOB_TYPE)
    assert child["parent"] == component["urn"]
    assert child["id"] == outputs["job_id"]
    for recorded in (
        child["inputs"]["kmsKeyId"],
        child["outputs"]["kmsKeyId"],
        component["outputs"]["keyArn"],
    ):
        assert recorded[SECRET_SIG] == SECRET, recorded
    assert stack.stack.outputs()["key_arn"].secret
    # Its child components record their outputs under the schema's names, as they do
    # when constructed on their own (what `pulumi stack export` and get_resource read).
    children = {
        KEY_TYPE_TOKEN: {"keyArn", "keyId"},
        BUCKET_TYPE_TOKEN: {"bucketName", "bucketArn"},
        ACCESS_TYPE_TOKEN: {"policyArn"},
    }
    for token, names in children.items():
        for recorded in stack.resources(token):
            assert recorded["parent"] == component["urn"]
            assert names <= set(recorded["outputs"]), (token, recorded["outputs"])
            assert not any("_" in name for name in recorded["outputs"]), recorded["outputs"]
    stack.preview(expect_no_changes=True)
    stack.destroy()
    assert stack.resources() == []


@pytest.fixture(scope="session")
def program_generator(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding the stand-in Python language host (GenerateProgram only)."""
    return build_python_program_generator(tmp_path_factory.mktemp("python-program-gen"))


def test_pulumi_import_out_generates_python_on_the_sdk_that_previews_with_no_changes(
    emulator: Emulator,
    engine_stack: StackFactory,
    pulumi_bin: Path,
    program_generator: Path,
    tmp_path: Path,
) -> None:
    world = seed(emulator)
    started = world.client("rekognition").start_media_analysis_job(
        JobName="job-0",
        OperationsConfig={"DetectModerationLabels": {"MinConfidence": 55.0}},
        Input={"S3Object": {"Bucket": world.input_bucket, "Name": world.manifest}},
        OutputConfig={"S3Bucket": world.output_bucket, "S3KeyPrefix": "results/job-0/"},
        KmsKeyId=world.key_arn,
    )
    job_id = started["JobId"]
    program = write_program(tmp_path, "imported", "import pulumi\n")
    stack = engine_stack(
        program, env=provider_env(), config={"rekognition-media:endpointUrl": emulator.url}
    )

    # The real `pulumi import --out` in the stack's project (runtime: python); the CLI has
    # the language host it finds first on PATH write the program.
    env = {**os.environ, **offline_env(pulumi_bin, stack.state_dir), **provider_env()}
    env["PATH"] = f"{program_generator}{os.pathsep}{env['PATH']}"
    generated = tmp_path / "imported.py"
    command = [str(pulumi_bin / "pulumi"), "import", JOB_TYPE, "nightly", job_id]
    command += ["--out", str(generated), "--yes", "--non-interactive", "--stack", "test"]
    result = subprocess.run(
        command,
        cwd=stack.state_dir / "workspace",
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"using pulumi-language-python from $PATH at {program_generator}" in result.stderr
    [imported] = stack.resources(JOB_TYPE)
    assert imported["id"] == job_id and imported["protect"] is True
    assert imported["outputs"]["moderationSummary"]["minConfidence"] == 55

    # Python on the typed SDK, the job's request in snake_case.
    code = generated.read_text()
    assert "import rekognition_media.sdk as rekognition_media\n" in code
    assert 'nightly = rekognition_media.MediaAnalysisJob("nightly",' in code
    for line in (
        f'"bucket": "{world.input_bucket}",',
        f'"name": "{world.manifest}",',
        'job_name="job-0",',
        f'kms_key_id="{world.key_arn}",',
        '"min_confidence": float(55),',
        f'"s3_bucket": "{world.output_bucket}",',
        '"s3_key_prefix": "results/job-0/",',
        "opts = pulumi.ResourceOptions(protect=True))",
    ):
        assert line in code, code

    # That program, as the stack's program, previews with no changes.
    (program / "__main__.py").write_text(code)
    stack.preview(expect_no_changes=True)
    stack.up(expect_no_changes=True)
    [after] = stack.resources(JOB_TYPE)
    assert after["outputs"] == imported["outputs"]
    assert len(world.jobs_of()) == 1  # no job of its own


def test_the_program_generator_is_the_sdk_generators_version() -> None:
    # Both build from the same pkg/v3, which test_sdk_codegen holds to the CLI's pin.
    def pkg_version(go_mod: Path) -> list[str]:
        prefix = "github.com/pulumi/pulumi/pkg/v3 "
        lines = go_mod.read_text().splitlines()
        return [line.strip() for line in lines if line.strip().startswith(prefix)]

    scripts = ROOT / "scripts"
    ours = pkg_version(scripts / "python-program-gen" / "go.mod")
    assert len(ours) == 1
    assert ours == pkg_version(scripts / "gen-sdks" / "go.mod")
