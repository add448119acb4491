"""The generated Go SDK (module sdk/go.mod) builds and vets against
github.com/pulumi/pulumi/sdk/v3, and examples/go-job compiles against it.

Modules come from the Go module proxy (or the module cache), as go.sum pins them;
-mod=readonly refuses to change a go.mod or go.sum.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from devtools.golang import run_go
from tests.support import ROOT

pytestmark = [pytest.mark.network, pytest.mark.slow]

SDK = ROOT / "sdk"
EXAMPLE = ROOT / "examples" / "go-job"
PULUMI_SDK = "github.com/pulumi/pulumi/sdk/v3"


def _go(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_go(*args, cwd=cwd, timeout=900)


def _required(go_mod: Path, module: str) -> str:
    """The version `go_mod` requires of `module`."""
    for line in go_mod.read_text().splitlines():
        fields = line.split()
        if fields[:1] == ["require"]:
            fields = fields[1:]
        if fields[:1] == [module]:
            return fields[1]
    raise AssertionError(f"{go_mod} does not require {module}")


def test_the_sdk_and_the_example_require_the_pinned_pulumi_sdk() -> None:
    # The Pulumi release whose code generator wrote the SDK (scripts/gen-sdks).
    pinned = _required(ROOT / "scripts" / "gen-sdks" / "go.mod", "github.com/pulumi/pulumi/pkg/v3")
    assert _required(SDK / "go.mod", PULUMI_SDK) == pinned
    assert _required(EXAMPLE / "go.mod", PULUMI_SDK) == pinned
    # The example uses the SDK of this checkout.
    assert (
        "replace github.com/rekognition-media/pulumi-rekognition-media/sdk => ../../sdk"
        in (EXAMPLE / "go.mod").read_text()
    )


def test_the_sdk_builds_and_vets() -> None:
    for command in (["build", "./..."], ["vet", "./..."]):
        result = _go(*command, cwd=SDK)
        assert result.returncode == 0, f"go {' '.join(command)} (sdk):\n{result.stderr}"
    listed = _go("list", "./...", cwd=SDK)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == [
        "github.com/rekognition-media/pulumi-rekognition-media/sdk/go/rekognitionmedia",
        "github.com/rekognition-media/pulumi-rekognition-media/sdk/go/rekognitionmedia/config",
        "github.com/rekognition-media/pulumi-rekognition-media/sdk/go/rekognitionmedia/internal",
    ]


def test_the_example_program_compiles_and_vets(tmp_path: Path) -> None:
    binary = tmp_path / "go-job"
    result = _go("build", "-o", str(binary), ".", cwd=EXAMPLE)
    assert result.returncode == 0, f"go build (examples/go-job):\n{result.stderr}"
    assert binary.is_file()
    result = _go("vet", ".", cwd=EXAMPLE)
    assert result.returncode == 0, f"go vet (examples/go-job):\n{result.stderr}"
    program = (EXAMPLE / "main.go").read_text()
    assert "rekognitionmedia.NewMediaAnalysisPipeline(" in program
    assert "rekognitionmedia.NewMediaAnalysisJob(" in program
