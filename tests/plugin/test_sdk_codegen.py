"""The checked-in SDKs (sdk/) are what Pulumi's own code generators write from the schema
the plugin serves: schema and SDKs cannot drift.

``scripts/gen-sdks.sh`` builds the generators (Go packages of
``github.com/pulumi/pulumi/pkg/v3``) and writes every SDK; these tests run it into a
temporary directory and compare file by file with what is checked in.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from devtools.golang import go_env, run_go
from rekognition_media.plugin import schema
from tests.support import KEY_TYPE_TOKEN, ROOT, plugin_type_token

# The Go module proxy serves the generators' modules (a warm module cache on this machine).
pytestmark = [pytest.mark.network, pytest.mark.slow]

SDK = ROOT / "sdk"
GENERATORS = ROOT / "scripts" / "gen-sdks"
LANGUAGES = ("python", "nodejs", "go", "dotnet")


def _files(root: Path, names: list[str]) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in names}


def _checked_in() -> list[str]:
    """What a commit of sdk/ would hold: tracked files and new ones git does not ignore
    (so an SDK built in place, node_modules or bin/, does not count)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", "."],
        cwd=SDK,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return sorted(
        name
        for name in listed
        if name.split("/")[0] in LANGUAGES or name == "schema.json"
        if (SDK / name).is_file()
    )


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sdk")
    result = subprocess.run(
        [str(ROOT / "scripts" / "gen-sdks.sh"), str(out)],
        env=go_env(),
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert result.returncode == 0, f"scripts/gen-sdks.sh:\n{result.stdout}\n{result.stderr}"
    return out


def test_the_checked_in_sdks_are_what_the_generators_write(regenerated: Path) -> None:
    generated = sorted(
        str(path.relative_to(regenerated)) for path in regenerated.rglob("*") if path.is_file()
    )
    checked_in = _checked_in()
    assert checked_in == generated, "run scripts/gen-sdks.sh and commit sdk/"
    stale = [
        name
        for name, body in _files(regenerated, generated).items()
        if (SDK / name).read_bytes() != body
    ]
    assert not stale, f"out of date (run scripts/gen-sdks.sh): {stale}"


def test_the_generators_are_pulumis_pinned_version() -> None:
    pinned = (ROOT / ".pulumi-version").read_text().strip()
    go_mod = (GENERATORS / "go.mod").read_text()
    assert f"github.com/pulumi/pulumi/pkg/v3 v{pinned}\n" in go_mod
    # C#'s generator is the last pkg/v3 that has one (see scripts/gen-sdks.sh).
    assert (
        "github.com/pulumi/pulumi/pkg/v3 v3.228.0\n" in (GENERATORS / "go.dotnet.mod").read_text()
    )


def test_the_sdks_declare_the_components_as_remote_components() -> None:
    ts = (SDK / "nodejs" / "mediaAnalysisPipeline.ts").read_text()
    assert "export class MediaAnalysisPipeline extends pulumi.ComponentResource {" in ts
    assert (
        "super(MediaAnalysisPipeline.__pulumiType, name, resourceInputs, opts, true /*remote*/)"
        in ts
    )
    assert "existingKeyArn?: pulumi.Input<string | undefined>;" in ts
    assert "declare public /*out*/ readonly keyArn: pulumi.Output<string>;" in ts
    index = (SDK / "nodejs" / "index.ts").read_text()
    for name in ("EncryptedBucket", "MediaAnalysisAccess", "MediaAnalysisKey"):
        assert f'case "{plugin_type_token(name)}":' in index

    package = SDK / "python" / "rekognition_media" / "sdk"
    py = (package / "media_analysis_key.py").read_text()
    assert "class MediaAnalysisKey(pulumi.ComponentResource):" in py
    assert "remote=True" in py
    for module in ("encrypted_bucket", "media_analysis_access", "media_analysis_pipeline"):
        assert "remote=True" in (package / f"{module}.py").read_text()

    go = (SDK / "go" / "rekognitionmedia" / "mediaAnalysisPipeline.go").read_text()
    assert "ctx.RegisterRemoteComponentResource(" in go
    cs = (SDK / "dotnet" / "MediaAnalysisPipeline.cs").read_text()
    assert "namespace RekognitionMedia.Pulumi" in cs
    assert re.search(r"base\(.*remote: true\)", cs), "the C# component is not remote"


def test_a_schema_that_does_not_bind_is_refused(tmp_path: Path) -> None:
    # The check bites: a dangling type reference (what a reference to the aws package's
    # types would be without its schema) fails binding, before any SDK is written.
    binary = tmp_path / "gen-sdks"
    built = run_go("build", "-o", str(binary), ".", cwd=GENERATORS)
    assert built.returncode == 0, built.stderr
    broken = json.loads(schema.schema_json())
    key = broken["resources"][KEY_TYPE_TOKEN]
    key["properties"]["keyArn"] = {"$ref": "/aws/v7.0.0/schema.json#/resources/aws:kms%2Fkey:Key"}
    (tmp_path / "schema.json").write_text(json.dumps(broken))
    result = subprocess.run(
        [str(binary), "schema.json", "out", "python"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 2, result.stderr
    assert 'schema references package "aws"' in result.stderr
    assert not (tmp_path / "out").exists()
