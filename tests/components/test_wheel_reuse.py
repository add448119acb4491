"""Packaging: the wheel installs into a fresh, plain virtualenv (dependencies from the
package index), and a separate program there imports every subpackage and uses the
components under Pulumi mocks. This is the proof that other stacks can reuse them.

Slow (about a minute: most of it is pip installing pulumi-aws).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from devtools.layout import parts
from tests.support import ROOT

# Builds the wheel and pip-installs it with its dependencies from the package index.
pytestmark = [pytest.mark.network, pytest.mark.slow]

# The wheel is built from these: the package and the folders the build maps its parts to
# (pyproject.toml; so a new part is in the wheel the moment it is mapped; the generated SDK
# is under sdk/python).
FOLDERS = parts()
PARTS = tuple(sorted(FOLDERS))
SOURCES = (
    "pyproject.toml",
    "README.md",
    "LICENSE",
    "rekognition_media",
    *(
        str(folder.relative_to(ROOT))
        for folder in FOLDERS.values()
        if folder.parent != ROOT / "rekognition_media"
    ),
)

PROGRAM = textwrap.dedent(
    '''
    """A stack of someone else's, reusing the components from the installed wheel."""
    import json

    import pulumi

    import rekognition_media
    import rekognition_media.api as api
    import rekognition_media.compliance as compliance
    import rekognition_media.components as components
    import rekognition_media.core as core
    import rekognition_media.emulator as emulator
    import rekognition_media.plugin as plugin
    import rekognition_media.policies as policies
    import rekognition_media.providers as providers
    import rekognition_media.report as report_command
    import rekognition_media.sdk as sdk
    from rekognition_media.components import (
        EncryptedBucket,
        EncryptedBucketArgs,
        MediaAnalysisPipeline,
        MediaAnalysisPipelineArgs,
    )

    KEY = "arn:aws:kms:us-east-1:111122223333:key/0f0f0f0f-1111-2222-3333-444444444444"


    class Mocks(pulumi.runtime.Mocks):
        def __init__(self):
            self.created = []

        def new_resource(self, args):
            self.created.append((args.typ, args.name, dict(args.inputs)))
            outs = {k: v for k, v in args.inputs.items() if k != "__provider"}
            if args.typ == "aws:s3/bucket:Bucket":
                name = args.inputs["bucket"]
                outs.update(bucket=name, arn="arn:aws:s3:::" + name)
            elif args.typ == "aws:kms/key:Key":
                outs.update(keyId="k-1", arn=KEY)
            elif args.typ in ("aws:kms/alias:Alias", "aws:iam/policy:Policy"):
                outs.update(arn="arn:aws:iam::111122223333:policy/p", name="n")
            elif args.typ == "rekognition-media:index:MediaAnalysisJob":
                outs.update(jobId="job-2", status="SUCCEEDED", moderationSummary={
                    "imagesAnalysed": 4, "imagesFlagged": 1, "minConfidence": 60.0,
                    "labels": [{"name": "Weapons", "parentName": "", "taxonomyLevel": 1,
                                "images": 1, "maxConfidence": 91.5}],
                    "categories": {"Weapons": 1}, "contentTypes": {}, "topFlagged": [],
                    "malformedLines": 0, "malformed": []})
            elif args.typ == providers.TYPE_TOKEN:
                outs.update(job_id="job-1", status="SUCCEEDED",
                            results_uri="s3://reuse-out/results/job-1/results.jsonl",
                            manifest_summary_uri="s3://reuse-out/results/job-1/summary.json")
            return args.name + "-id", outs

        def call(self, args):
            return {}


    def sample_images():
        return {f"images/sample-{i}.png": f"image {i}".encode() for i in (1, 2, 3)}


    report = {"modules": {}, "runs": {}}
    # A stack's install: no emulator, no development toolkit, and saying so when asked.
    import importlib.util
    report["absent"] = sorted(
        name
        for name in ("moto", "flask", "sympy", "networkx", "cfnlint", "rekognition_media.devtools")
        if importlib.util.find_spec(name) is None
    )
    try:
        from rekognition_media.emulator import Emulator
    except ModuleNotFoundError as missing:
        report["emulator"] = str(missing)
    else:
        report["emulator"] = "imported"
    parts = (
        api, compliance, components, core, providers, plugin, policies, emulator, report_command,
        sdk,
    )
    for module in (rekognition_media, *parts):
        report["modules"][module.__name__] = module.__file__


    def run(label, build):
        mocks = Mocks()
        pulumi.runtime.set_mocks(mocks, preview=False)
        values = {}

        @pulumi.runtime.test
        def program():
            return pulumi.Output.all(**build()).apply(values.update)

        program()
        types = sorted(t for t, _, _ in mocks.created if t.startswith("aws:"))
        documents = {n: json.loads(i["policy"]) for t, n, i in mocks.created if "policy" in i}
        report["runs"][label] = {"outputs": values, "aws_types": types, "documents": documents}


    def managed():
        images = sample_images()
        p = MediaAnalysisPipeline("reuse", MediaAnalysisPipelineArgs(
            account_id="111122223333", input_bucket_name="reuse-in", output_bucket_name="reuse-out",
            input_objects=images, manifest_key="manifests/sample.jsonl",
            manifest_image_keys=sorted(images), min_confidence=70.0))
        return {"key_arn": p.key_arn, "policy_arn": p.policy_arn, "job_id": p.job_id,
                "status": p.job_status, "results_uri": p.results_uri,
                "input_bucket": p.input_bucket_name, "output_bucket": p.output_bucket_name}


    def bring_your_own():
        p = MediaAnalysisPipeline("reuse", MediaAnalysisPipelineArgs(
            existing_input_bucket_name="reuse-in", existing_output_bucket_name="reuse-out",
            existing_key_arn=KEY, existing_policy_arn="arn:aws:iam::111122223333:policy/byo",
            manifest_key="manifests/sample.jsonl"))
        return {"key_arn": p.key_arn, "policy_arn": p.policy_arn, "job_id": p.job_id,
                "status": p.job_status, "output_bucket_arn": p.output_bucket_arn}


    def bucket_only():
        b = EncryptedBucket("solo", EncryptedBucketArgs(kms_key_arn=KEY, bucket_name="solo"))
        return {"name": b.bucket_name, "arn": b.bucket_arn}


    def typed_sdk():
        # The plugin's generated SDK: typed arguments in, the generated classes out.
        job = sdk.MediaAnalysisJob("typed", sdk.MediaAnalysisJobArgs(
            operations_config=sdk.MediaAnalysisOperationsConfigArgs(
                detect_moderation_labels=sdk.MediaAnalysisDetectModerationLabelsConfigArgs(
                    min_confidence=60)),
            input=sdk.MediaAnalysisInputArgs(
                s3_object=sdk.S3ObjectArgs(bucket="reuse-in", name="manifests/sample.jsonl")),
            output_config=sdk.MediaAnalysisOutputConfigArgs(s3_bucket="reuse-out"),
            kms_key_id=KEY))
        summary = job.moderation_summary.apply(lambda s: {
            "class": type(s).__name__, "flagged": s.images_flagged,
            "labels": [(type(l).__name__, l.name, l.images) for l in s.labels]})
        return {"status": job.status, "job_id": job.job_id, "summary": summary}


    run("managed", managed)
    run("bring_your_own", bring_your_own)
    run("bucket_only", bucket_only)
    run("typed_sdk", typed_sdk)
    import importlib.resources
    marker = importlib.resources.files(sdk).joinpath("pulumi-plugin.json").read_text()
    report["sdk"] = {"plugin": json.loads(marker), "version": sdk._utilities.get_version(),
                     "typed": importlib.resources.files(sdk).joinpath("py.typed").is_file()}
    print("REPORT " + json.dumps(report, sort_keys=True))
    '''
)


def _run(cmd: list[str], cwd: Path, timeout: int) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    done = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done.stdout


def test_wheel_installs_in_a_fresh_venv_and_components_are_reusable(tmp_path: Path) -> None:
    # Build from a copy, so the build leaves nothing in the working tree.
    src = tmp_path / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=ignore, dirs_exist_ok=True)
        elif path.exists():
            shutil.copy2(path, src / name)
    dist = tmp_path / "dist"
    _run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), "."],
        src,
        300,
    )
    wheels = list(dist.glob("pulumi_rekognition_media-*-py3-none-any.whl"))
    assert len(wheels) == 1, wheels

    # A plain venv (no system site-packages), everything installed from the wheel's
    # dependency list.
    venv = tmp_path / "venv"
    base_python = getattr(sys, "_base_executable", sys.executable)
    _run([base_python, "-m", "venv", str(venv)], tmp_path, 300)
    python = venv / "bin" / "python"
    cfg = (venv / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = false" in cfg
    _run([str(python), "-m", "pip", "install", "--quiet", str(wheels[0])], tmp_path, 900)

    program = tmp_path / "reuse_program.py"
    program.write_text(PROGRAM)
    stdout = _run([str(python), "-I", str(program)], tmp_path, 300)
    report = json.loads(stdout.split("REPORT ", 1)[1])

    site = venv / "lib"
    assert set(report["modules"]) == {
        "rekognition_media",
        *(f"rekognition_media.{p}" for p in PARTS),
    }
    for name, file in report["modules"].items():
        assert Path(file).is_relative_to(site), f"{name} imported from {file}, not the venv"
        assert not Path(file).is_relative_to(ROOT), name

    key = "arn:aws:kms:us-east-1:111122223333:key/0f0f0f0f-1111-2222-3333-444444444444"
    managed = report["runs"]["managed"]
    assert managed["outputs"] == {
        "key_arn": key,
        "policy_arn": "arn:aws:iam::111122223333:policy/p",
        "job_id": "job-1",
        "status": "SUCCEEDED",
        "results_uri": "s3://reuse-out/results/job-1/results.jsonl",
        "input_bucket": "reuse-in",
        "output_bucket": "reuse-out",
    }
    assert managed["aws_types"].count("aws:s3/bucket:Bucket") == 2
    assert managed["aws_types"].count("aws:s3/bucketObjectv2:BucketObjectv2") == 4
    assert managed["aws_types"].count("aws:kms/key:Key") == 1
    input_policy = managed["documents"]["reuse-input-policy"]["Statement"]
    assert [s["Sid"] for s in input_policy] == [
        "DenyInsecureTransport",
        "DenyUnencryptedObjectUploads",
        "DenyObjectUploadsWithOtherKmsKey",
    ]
    assert managed["documents"]["reuse-access"]["Statement"][1]["Resource"] == (
        "arn:aws:s3:::reuse-in/*"
    )

    byo = report["runs"]["bring_your_own"]
    assert byo["aws_types"] == []
    assert byo["outputs"] == {
        "key_arn": key,
        "policy_arn": "arn:aws:iam::111122223333:policy/byo",
        "job_id": "job-1",
        "status": "SUCCEEDED",
        "output_bucket_arn": "arn:aws:s3:::reuse-out",
    }

    # The generated SDK is in the wheel: it knows its plugin and version (from this
    # distribution's metadata), and its resources come back as its typed classes.
    assert report["sdk"] == {
        "plugin": {"resource": True, "name": "rekognition-media", "version": "0.1.0"},
        "version": "0.1.0",
        "typed": True,
    }
    typed = report["runs"]["typed_sdk"]
    assert typed["aws_types"] == []
    assert typed["outputs"] == {
        "status": "SUCCEEDED",
        "job_id": "job-2",
        "summary": {
            "class": "ModerationSummary",
            "flagged": 1,
            "labels": [["LabelCount", "Weapons", 1]],
        },
    }

    # The lean install: what a stack needs, and the emulator saying which extra it needs.
    assert report["absent"] == sorted(
        ["moto", "flask", "sympy", "networkx", "cfnlint", "rekognition_media.devtools"]
    )
    assert report["emulator"] == (
        "the Rekognition emulator runs on moto and its server, which come with the emulator "
        "extra: pip install 'pulumi-rekognition-media[emulator]'"
    )
    command = venv / "bin" / "rekognition-media-emulator"
    refused = subprocess.run([str(command)], capture_output=True, text=True, check=False)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert refused.stderr.strip() == f"rekognition-media-emulator: {report['emulator']}"

    solo = report["runs"]["bucket_only"]
    assert solo["outputs"] == {"name": "solo", "arn": "arn:aws:s3:::solo"}
    assert len(solo["aws_types"]) == 6
