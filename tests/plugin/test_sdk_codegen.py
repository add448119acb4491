"""SDKs generated from the plugin's schema by Pulumi's own code generators, offline.

``pulumi package gen-sdk`` runs the target language's host (``pulumi-language-nodejs``,
``-python``, ...), and none can be obtained here (the Go module proxy refuses their
modules). The code generators themselves are Go packages of ``github.com/pulumi/pulumi/pkg/v3``,
the module the CLI is built from, already in the Go module cache: ``codegen/main.go``
binds the schema with Pulumi's binder and runs the Node.js and Python generators. The
schema is the one the real CLI prints (``pulumi package get-schema``); the generated SDKs
must declare the four components as remote components with their inputs and outputs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from rekognition_media.devtools.engine import cli_version, offline_env
from tests.plugin.yaml_stack import PLUGIN, require_tools

pytestmark = pytest.mark.engine

SOURCE = Path(__file__).resolve().parent / "codegen" / "main.go"


def _go(workdir: Path, *args: str) -> None:
    env = {
        **os.environ,
        # The CLI's build left these modules in the module cache; on a machine where it
        # did not, they come from the Go module proxy as the CLI's did.
        "GOFLAGS": "-mod=mod",
        "GOTOOLCHAIN": "local",
    }
    go = shutil.which("go")
    assert go, "no `go` on PATH: the code generators are built with it"
    result = subprocess.run(
        [go, *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert result.returncode == 0, f"go {' '.join(args)}:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def codegen(pulumi_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The code generator, built against the CLI's own pkg/v3 version."""
    version = cli_version(pulumi_bin)  # the pin in .pulumi-version, e.g. v3.276.0
    workdir = tmp_path_factory.mktemp("codegen")
    shutil.copy(SOURCE, workdir / "main.go")
    (workdir / "go.mod").write_text(
        "module codegen\n\ngo 1.25\n\nrequire (\n"
        f"\tgithub.com/pulumi/pulumi/pkg/v3 {version}\n"
        f"\tgithub.com/pulumi/pulumi/sdk/v3 {version}\n)\n"
    )
    _go(workdir, "mod", "tidy")
    _go(workdir, "build", "-o", "codegen", ".")
    return workdir / "codegen"


def _schema(pulumi_bin: Path, tmp_path: Path) -> dict[str, object]:
    executable = require_tools(pulumi_bin) / PLUGIN
    result = subprocess.run(
        [str(pulumi_bin / "pulumi"), "package", "get-schema", str(executable), "--non-interactive"],
        cwd=tmp_path,
        env=offline_env(pulumi_bin, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded: dict[str, object] = json.loads(result.stdout)
    return loaded


def test_pulumis_code_generators_declare_the_components(
    codegen: Path, pulumi_bin: Path, tmp_path: Path
) -> None:
    schema = _schema(pulumi_bin, tmp_path)
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    subprocess.run(
        [str(codegen), "schema.json", "out"], cwd=tmp_path, check=True, capture_output=True
    )

    ts = (tmp_path / "out" / "nodejs" / "mediaAnalysisPipeline.ts").read_text()
    assert "export class MediaAnalysisPipeline extends pulumi.ComponentResource {" in ts
    assert (
        "super(MediaAnalysisPipeline.__pulumiType, name, resourceInputs, opts, true /*remote*/)"
        in ts
    )
    assert "existingKeyArn?: pulumi.Input<string | undefined>;" in ts
    assert "inputObjects?: pulumi.Input<{[key: string]: pulumi.Input<string>} | undefined>;" in ts
    assert "declare public /*out*/ readonly keyArn: pulumi.Output<string>;" in ts
    assert "declare public /*out*/ readonly resultsUri: pulumi.Output<string | undefined>;" in ts
    index = (tmp_path / "out" / "nodejs" / "index.ts").read_text()
    for name in ("EncryptedBucket", "MediaAnalysisAccess", "MediaAnalysisKey"):
        assert f'case "rekognition-media:index:{name}":' in index

    package = tmp_path / "out" / "python" / "pulumi_rekognition_media"
    py = (package / "media_analysis_key.py").read_text()
    assert "class MediaAnalysisKey(pulumi.ComponentResource):" in py
    assert "remote=True" in py
    assert "deletion_window_in_days: pulumi.Input[Optional[_builtins.int]] = None," in py
    assert "def policy_document(self) -> pulumi.Output[Optional[_builtins.str]]:" in py
    for module in ("encrypted_bucket", "media_analysis_access", "media_analysis_pipeline"):
        assert "remote=True" in (package / f"{module}.py").read_text()


def test_a_schema_that_does_not_bind_is_refused(codegen: Path, tmp_path: Path) -> None:
    # The check bites: a dangling type reference (what a reference to the aws package's
    # types would be without its schema) fails binding.
    from rekognition_media.plugin import schema

    broken = json.loads(json.dumps(schema.package_schema()))
    key = broken["resources"]["rekognition-media:index:MediaAnalysisKey"]
    key["properties"]["keyArn"] = {"$ref": "/aws/v7.0.0/schema.json#/resources/aws:kms%2Fkey:Key"}
    (tmp_path / "schema.json").write_text(json.dumps(broken))
    result = subprocess.run(
        [str(codegen), "schema.json", "out"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 2, result.stderr
    assert 'schema references package "aws"' in result.stderr
