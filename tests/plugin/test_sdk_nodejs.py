"""The generated TypeScript SDK (sdk/nodejs) builds with `tsc` against @pulumi/pulumi from
npm, and examples/typescript-job type-checks against it.

Both are members of the npm workspace at the repository root (package.json,
package-lock.json); `scripts/setup.sh` runs `npm ci` there. Running the example needs
Pulumi's Node.js language host, which cannot be obtained here (DEVELOPMENT.md).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import ROOT

# node_modules comes from the npm registry (scripts/setup.sh: npm ci); tsc takes seconds.
pytestmark = [pytest.mark.network, pytest.mark.slow]

SDK = ROOT / "sdk" / "nodejs"
EXAMPLE = ROOT / "examples" / "typescript-job"
GENERATOR_GO_MOD = ROOT / "scripts" / "gen-sdks" / "go.mod"


def _tsc() -> list[str]:
    """The workspace's tsc, run by node; fails (never skips) when either is missing."""
    node = shutil.which("node")
    assert node, "no `node` on PATH: install Node.js (with npm), then run scripts/setup.sh"
    tsc = ROOT / "node_modules" / "typescript" / "bin" / "tsc"
    assert tsc.is_file(), f"{tsc} is missing: run scripts/setup.sh (npm ci at the root)"
    assert (ROOT / "node_modules" / "@pulumi" / "pulumi" / "package.json").is_file(), (
        "node_modules/@pulumi/pulumi is missing: run scripts/setup.sh (npm ci at the root)"
    )
    return [node, str(tsc)]


def _run_tsc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_tsc(), *args],
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _installed_version(package: str) -> str:
    manifest = ROOT / "node_modules" / package / "package.json"
    version: str = json.loads(manifest.read_text())["version"]
    return version


def test_the_workspace_installs_the_pinned_pulumi_sdk_from_the_lockfile() -> None:
    _tsc()
    lock = json.loads((ROOT / "package-lock.json").read_text())
    locked = lock["packages"]["node_modules/@pulumi/pulumi"]["version"]
    assert _installed_version("@pulumi/pulumi") == locked, "node_modules is stale: npm ci"
    # The SDK is built against the Pulumi release whose code generator wrote it.
    assert f"github.com/pulumi/pulumi/pkg/v3 v{locked}\n" in GENERATOR_GO_MOD.read_text()
    # The SDK's dependency range admits the locked version; the example uses the SDK of
    # this checkout (a link to sdk/nodejs), not a published copy.
    assert json.loads((SDK / "package.json").read_text())["dependencies"]["@pulumi/pulumi"] == (
        f"^{locked}"
    )
    assert (ROOT / "node_modules" / "pulumi-rekognition-media").resolve() == SDK


def test_the_sdk_builds_with_tsc(tmp_path: Path) -> None:
    result = _run_tsc("--project", str(SDK), "--outDir", str(tmp_path), cwd=SDK)
    assert result.returncode == 0, f"tsc (sdk/nodejs):\n{result.stdout}\n{result.stderr}"
    # What a user's program imports: classes and their typed declarations.
    declarations = (tmp_path / "mediaAnalysisJob.d.ts").read_text()
    assert "export declare class MediaAnalysisJob extends pulumi.CustomResource" in declarations
    assert "readonly moderationSummary: pulumi.Output<outputs.ModerationSummary | undefined>;" in (
        declarations
    )
    index = (tmp_path / "index.js").read_text()
    for name in ("MediaAnalysisJob", "MediaAnalysisPipeline", "EncryptedBucket"):
        assert f"exports.{name} = " in index or f'"{name}"' in index


def test_the_example_program_type_checks() -> None:
    result = _run_tsc("--project", str(EXAMPLE), "--noEmit", cwd=EXAMPLE)
    assert result.returncode == 0, f"tsc (examples/typescript-job):\n{result.stdout}"
    program = (EXAMPLE / "index.ts").read_text()
    assert "new MediaAnalysisPipeline(" in program
    assert "new MediaAnalysisJob(" in program


def test_a_program_that_misuses_the_sdk_does_not_type_check(tmp_path: Path) -> None:
    # The SDK's types reach the program: a confidence as a string, a misspelt property
    # and a missing required input are each a compile error, not a failed `pulumi up`.
    shutil.copy(EXAMPLE / "tsconfig.json", tmp_path / "tsconfig.json")
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    (tmp_path / "index.ts").write_text(
        'import { MediaAnalysisJob } from "pulumi-rekognition-media";\n'
        'new MediaAnalysisJob("a", {\n'
        '    operationsConfig: { detectModerationLabels: { minConfidence: "60" } },\n'
        '    input: { s3Object: { bucket: "in", name: "manifest.jsonl" } },\n'
        '    outputConfig: { s3Bucket: "out" },\n'
        "});\n"
        'new MediaAnalysisJob("b", {\n'
        "    operationsConfig: {},\n"
        '    input: { s3Object: { bucket: "in", name: "manifest.jsonl" } },\n'
        '    outputConfig: { s3Bucket: "out", s3Prefix: "results/" },\n'
        "});\n"
        'new MediaAnalysisJob("c", { operationsConfig: {}, outputConfig: { s3Bucket: "out" } });\n'
    )
    result = _run_tsc("--project", str(tmp_path), "--noEmit", cwd=tmp_path)
    assert result.returncode != 0
    errors = [line for line in result.stdout.splitlines() if ": error TS" in line]
    assert any(
        "index.ts(3," in e and "TS2322" in e and "'string' is not assignable" in e for e in errors
    ), errors
    assert any("index.ts(10," in e and "'s3Prefix'" in e for e in errors), errors
    assert any("index.ts(12," in e and "'MediaAnalysisJobArgs'" in e for e in errors), errors
    assert "Property 'input' is missing" in result.stdout
    assert len(errors) == 3, errors
