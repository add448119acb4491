"""The plugin's provider resource and how the engine finds the plugin, through the real CLI.

* An explicit ``pulumi:providers:rekognition-media`` resource with ``region`` and
  ``endpointUrl``: a job using it (``options: {provider: ...}``) starts there, with no
  region in the environment; changing the provider's settings replaces no job.
* The plugin executable NOT on PATH: found through ``plugins: providers:`` in
  ``Pulumi.yaml``, or installed from the tarball ``scripts/plugin-tarball.sh`` builds with
  ``pulumi plugin install resource rekognition-media <version> --file <tarball>``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from devtools.media import SAMPLE_MANIFEST_KEY, sample_images
from devtools.world import World, provider_env, seed
from rekognition_media import __version__
from rekognition_media.api.manifest import manifest_jsonl
from rekognition_media.emulator import Emulator
from rekognition_media.plugin import JOB_TYPE
from tests.plugin import test_yaml_job as base
from tests.plugin.support import PLUGIN, YamlStack, require_tools
from tests.support import ROOT

pytestmark = pytest.mark.engine

PROVIDER_TYPE = "pulumi:providers:rekognition-media"
JOB_REGION = "eu-west-1"  # not the environment's (there is none): the provider's


def _seed_in(emulator: Emulator, region: str) -> World:
    """``seed``'s world, with its buckets and key in ``region``."""
    suffix = uuid.uuid4().hex[:10]
    s3 = emulator.client("s3", region_name=region)
    input_bucket, output_bucket = f"media-in-{suffix}", f"media-out-{suffix}"
    for bucket in (input_bucket, output_bucket):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    key_arn = emulator.client("kms", region_name=region).create_key()["KeyMetadata"]["Arn"]
    images = sample_images()
    for key, body in images.items():
        s3.put_object(Bucket=input_bucket, Key=key, Body=body)
    body = manifest_jsonl(input_bucket, images).encode()
    s3.put_object(Bucket=input_bucket, Key=SAMPLE_MANIFEST_KEY, Body=body)
    return World(emulator, input_bucket, output_bucket, key_arn, SAMPLE_MANIFEST_KEY)


def _jobs_in(emulator: Emulator, region: str, world: World) -> list[dict[str, Any]]:
    page = emulator.client("rekognition", region_name=region).list_media_analysis_jobs(
        MaxResults=100
    )
    jobs: list[dict[str, Any]] = page["MediaAnalysisJobs"]
    return [j for j in jobs if j["OutputConfig"]["S3Bucket"] == world.output_bucket]


def _explicit_provider_program(world: World, endpoint: str, region: str) -> dict[str, Any]:
    return {
        "name": "yaml-job",
        "runtime": "yaml",
        "resources": {
            "emulated": {
                "type": PROVIDER_TYPE,
                "properties": {"region": region, "endpointUrl": endpoint},
            },
            "nightly": {
                "type": JOB_TYPE,
                "properties": base.job_properties(world),
                "options": {"provider": "${emulated}"},
            },
        },
        "outputs": {"jobId": "${nightly.jobId}", "resultsUri": "${nightly.resultsUri}"},
    }


def test_a_job_starts_through_its_explicit_provider_and_stays_when_it_changes(
    emulator: Emulator, pulumi_bin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_tools(pulumi_bin)
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    env = {k: v for k, v in provider_env().items() if k != "AWS_REGION"}
    env["AWS_CONFIG_FILE"] = str(tmp_path / "no-aws-config")  # no profile region either
    world = _seed_in(emulator, JOB_REGION)
    stack = YamlStack(tmp_path / "program", tmp_path / "state", pulumi_bin, env=env)
    stack.write(_explicit_provider_program(world, emulator.url, JOB_REGION))
    stack.init()

    stack.up()
    [job] = _jobs_in(emulator, JOB_REGION, world)
    assert _jobs_in(emulator, "us-east-1", world) == []
    outputs = stack.outputs()
    assert outputs["jobId"] == job["JobId"]
    assert outputs["resultsUri"].startswith(f"s3://{world.output_bucket}/results/")
    [provider] = stack.resources(PROVIDER_TYPE)
    assert provider["urn"].endswith("::emulated")
    assert provider["inputs"]["region"] == JOB_REGION
    assert provider["inputs"]["endpointUrl"] == emulator.url
    [recorded] = stack.resources(JOB_TYPE)
    assert recorded["provider"].startswith(provider["urn"] + "::")
    assert "region" not in recorded["inputs"]  # the provider's default, not the job's

    # Another endpoint spelling of the same emulator, and another default region: the
    # provider updates; the job (which set neither) is the same job.
    other = emulator.url.replace("127.0.0.1", "localhost")
    assert other != emulator.url
    stack.write(_explicit_provider_program(world, other, "eu-central-1"))
    summary = json.loads(stack.preview("--json"))["changeSummary"]
    assert summary == {"update": 1, "same": 2}, summary  # the stack is "same" too
    stack.up()
    assert [j["JobId"] for j in _jobs_in(emulator, JOB_REGION, world)] == [job["JobId"]]
    assert stack.outputs()["jobId"] == job["JobId"]
    [provider] = stack.resources(PROVIDER_TYPE)
    assert provider["inputs"]["endpointUrl"] == other
    stack.run("destroy", "--yes")


def _without_plugin_on_path(pulumi_bin: Path) -> dict[str, str]:
    """The environment of a stack whose PATH has the CLI but not the plugin executable
    (it overrides the PATH ``offline_env`` gives, which has the plugin's folder)."""
    plugin_dir = str(Path(sys.executable).parent)
    kept = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and d != plugin_dir]
    path = os.pathsep.join([str(pulumi_bin), *kept])
    found = [d for d in path.split(os.pathsep) if (Path(d) / PLUGIN).exists()]
    assert not found, f"{PLUGIN} is still on PATH: {found}"
    return {**provider_env(), "PATH": path}


def _check_found_not_on_path(out: str) -> None:
    assert "using pulumi-resource-rekognition-media from $PATH" not in out, out


def test_the_plugin_from_a_plugins_providers_path_in_pulumi_yaml(
    emulator: Emulator, pulumi_bin: Path, tmp_path: Path
) -> None:
    require_tools(pulumi_bin)
    world = seed(emulator)
    # A folder of its own holding the executable (the venv's, linked).
    plugin_dir = tmp_path / "plugin"
    plugin_dir.mkdir()
    (plugin_dir / PLUGIN).symlink_to(Path(sys.executable).parent / PLUGIN)
    program = base.one_job(world)
    program["plugins"] = {"providers": [{"name": "rekognition-media", "path": str(plugin_dir)}]}
    env = _without_plugin_on_path(pulumi_bin)
    stack = YamlStack(tmp_path / "program", tmp_path / "state", pulumi_bin, env=env)
    stack.write(program)
    stack.init()
    result = stack.run("up", "--yes", "--skip-preview")
    _check_found_not_on_path(result.stdout + result.stderr)
    assert stack.outputs()["status"] == "SUCCEEDED"
    assert len(world.jobs_of()) == 1
    stack.run("destroy", "--yes")


def test_the_plugin_installed_from_the_projects_tarball(
    emulator: Emulator, pulumi_bin: Path, tmp_path: Path
) -> None:
    require_tools(pulumi_bin)
    world = seed(emulator)
    built = subprocess.run(
        [str(ROOT / "scripts" / "plugin-tarball.sh"), str(tmp_path / "dist")],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHON": sys.executable},
    )
    tarball = Path(built.stdout.strip().splitlines()[-1])
    assert tarball.name == f"{PLUGIN}-v{__version__}.tar.gz" and tarball.is_file()

    env = {
        **_without_plugin_on_path(pulumi_bin),
        # The Python the tarball's launcher runs: one with the package's dependencies.
        "PULUMI_REKOGNITION_MEDIA_PYTHON": sys.executable,
    }
    stack = YamlStack(tmp_path / "program", tmp_path / "state", pulumi_bin, env=env)
    stack.write(base.one_job(world))
    stack.run(
        "plugin", "install", "resource", "rekognition-media", __version__, "--file", str(tarball)
    )
    listed = stack.run("plugin", "ls", "--json").stdout
    [plugin] = [p for p in json.loads(listed) if p["name"] == "rekognition-media"]
    assert plugin["kind"] == "resource" and plugin["version"] == __version__
    installed = stack.state_dir / "home" / "plugins" / f"resource-rekognition-media-v{__version__}"
    assert (installed / PLUGIN).is_file() and (installed / "rekognition_media").is_dir()

    stack.init()
    result = stack.run("up", "--yes", "--skip-preview")
    _check_found_not_on_path(result.stdout + result.stderr)
    assert stack.outputs()["status"] == "SUCCEEDED"
    assert len(world.jobs_of()) == 1
    stack.run("destroy", "--yes")
