"""Bad arguments of ``policy-check`` are one line and exit 2, before any preview starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from rekognition_media.report.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["policy-check", *args])
    captured = capsys.readouterr()
    assert captured.out == ""
    return code, captured.err.splitlines()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    directory = tmp_path / "program"
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text("name: p\nruntime: yaml\nresources: {}\n")
    return directory


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["{tmp}/nowhere"], "no directory '{tmp}/nowhere'"),
        (["{project}", "--cwd", "{tmp}"], "PROJECT_DIR '{project}' and --cwd '{tmp}' differ"),
        (["{project}", "--policy-pack", "{tmp}"], "is not a policy pack (no PulumiPolicy.yaml)"),
        (["{project}", "--policy-pack-config", "{tmp}/none.json"], "none.json': no such file"),
        (
            ["{project}", "--policy-pack-config", "{config}", "--policy-pack-config", "{config}"],
            "more --policy-pack-config files than policy packs",
        ),
        (["{project}", "--sarif", "{tmp}/no/dir/out.sarif"], "its directory does not exist"),
        (["{project}", "--inline"], "--inline runs Python programs; p is yaml"),
        (["{tmp}"], "has no Pulumi.yaml: not a Pulumi project directory"),
        (["{project}", "--framework", "cis"], "invalid choice: 'cis'"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, project: Path, args: list[str], says: str
) -> None:
    config = tmp_path / "config.json"
    config.write_text("{}")
    values = {"tmp": str(tmp_path), "project": str(project), "config": str(config)}
    code, lines = run(capsys, *(arg.format(**values) for arg in args))
    assert code == 2
    [line] = lines
    assert line.startswith("rekognition-media policy-check: error: ")
    assert says.format(**values) in line
