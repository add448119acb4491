"""Where ``--html PATH`` writes the page, and the PATHs it refuses before any AWS call.

These run the command's entry point in this process with no AWS credentials and no
endpoint: a PATH that reached the first AWS call would fail with "no AWS credentials
found" (the control case shows it does), so a path error here was raised before it.
What a folder PATH writes, against the emulator, is in test_cli.py.

Not covered: a folder the user may not write in. These tests run as root in CI, and
root writes in a mode 0500 folder (os.access says so too); only a read-only mount would
refuse root, and none is available. The refusals a root run does show are a parent that
is a regular file or a dangling link, and a target that is a link or a FIFO.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rekognition_media.core.summary import ModerationSummary
from rekognition_media.report import html
from rekognition_media.report.cli import main
from rekognition_media.report.job import ObjectRef, Target

JOB_ID = "job-4711"
PAGE = f"report-{JOB_ID}.html"


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No credentials, endpoint or config: the first AWS call fails without the network."""
    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["report", *args])
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("rekognition-media report: error: "), captured.err
    return code, lines[0]


def tree(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*")}


def test_a_writable_path_reaches_aws(offline: None, tmp_path: Path, capsys):
    """The control: with a good PATH the same run gets as far as AWS."""
    for path in [tmp_path / "report.html", tmp_path]:
        code, line = run(capsys, JOB_ID, "--html", str(path))

        assert code == 1
        assert "no AWS credentials found" in line
    assert tree(tmp_path) == set()  # nothing staged before the job was read


def _missing_parent(tmp: Path) -> tuple[str, str]:
    return str(tmp / "nope" / "report.html"), f"the folder {tmp / 'nope'} does not exist"


def _missing_folder(tmp: Path) -> tuple[str, str]:
    given = f"{tmp / 'new'}{os.sep}"
    return given, f"the folder {given} does not exist"


def _parent_is_a_file(tmp: Path) -> tuple[str, str]:
    (tmp / "notes.txt").write_text("notes")
    return str(tmp / "notes.txt" / "report.html"), f"{tmp / 'notes.txt'} is not a folder"


def _folder_syntax_on_a_file(tmp: Path) -> tuple[str, str]:
    (tmp / "notes.txt").write_text("notes")
    given = f"{tmp / 'notes.txt'}{os.sep}"
    return given, f"{given} is not a folder"


def _parent_is_a_dangling_link(tmp: Path) -> tuple[str, str]:
    (tmp / "gone").symlink_to(tmp / "was-here")
    return str(tmp / "gone" / "report.html"), f"the folder {tmp / 'gone'} does not exist"


def _link_to_a_file(tmp: Path) -> tuple[str, str]:
    (tmp / "elsewhere.txt").write_text("not yours")
    (tmp / "report.html").symlink_to(tmp / "elsewhere.txt")
    return str(tmp / "report.html"), "is a symbolic link"


def _dangling_link(tmp: Path) -> tuple[str, str]:
    (tmp / "report.html").symlink_to(tmp / "would-be-created.html")
    return str(tmp / "report.html"), f"{tmp / 'report.html'} is a symbolic link"


def _fifo(tmp: Path) -> tuple[str, str]:
    os.mkfifo(tmp / "report.html")
    return str(tmp / "report.html"), "exists and is not a regular file"


def _link_in_the_folder(tmp: Path) -> tuple[str, str]:
    (tmp / PAGE).symlink_to(tmp / "would-be-created.html")
    return str(tmp), f"{tmp / PAGE} is a symbolic link"


def _folder_in_the_folder(tmp: Path) -> tuple[str, str]:
    (tmp / PAGE).mkdir()
    return str(tmp), f"{tmp / PAGE} exists and is not a regular file"


def _empty(tmp: Path) -> tuple[str, str]:
    return "", "--html needs a file or folder path"


@pytest.mark.parametrize(
    "case",
    [
        _missing_parent,
        _missing_folder,
        _parent_is_a_file,
        _folder_syntax_on_a_file,
        _parent_is_a_dangling_link,
        _link_to_a_file,
        _dangling_link,
        _fifo,
        _link_in_the_folder,
        _folder_in_the_folder,
        _empty,
    ],
    ids=lambda case: case.__name__.strip("_"),
)
def test_a_path_that_cannot_be_written_is_a_usage_error_before_aws(
    offline: None, tmp_path: Path, capsys, case: Callable[[Path], tuple[str, str]]
):
    given, expected = case(tmp_path)
    before = tree(tmp_path)
    contents = {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and not p.is_fifo()}

    code, line = run(capsys, JOB_ID, "--html", given)

    assert code == 2, line
    assert expected in line
    assert "AWS" not in line
    assert tree(tmp_path) == before  # nothing created, through a link or beside it
    assert {p: p.read_bytes() for p in contents} == contents


def test_a_folder_with_a_results_uri_asks_for_a_file_name(offline: None, tmp_path: Path, capsys):
    code, line = run(capsys, "s3://bucket/results/results.jsonl", "--html", str(tmp_path))

    assert code == 2
    assert "named after the JobId (report-<JobId>.html)" in line
    assert "with an s3:// URI give the file's path" in line


def test_a_bad_target_is_reported_before_aws_with_a_folder(offline: None, tmp_path: Path, capsys):
    code, line = run(capsys, "not a job id!", "--html", str(tmp_path))

    assert code == 2
    assert "is neither a JobId" in line


def test_a_folder_names_the_page_after_the_job(tmp_path: Path):
    (tmp_path / "link").symlink_to(tmp_path, target_is_directory=True)

    assert html.destination(str(tmp_path), JOB_ID) == tmp_path / PAGE
    assert html.destination(f"{tmp_path}{os.sep}", JOB_ID) == tmp_path / PAGE
    # A link to a folder is that folder (as /tmp is on macOS): the page goes inside.
    assert html.destination(str(tmp_path / "link"), JOB_ID) == tmp_path / "link" / PAGE
    assert html.destination(str(tmp_path / "mine.html"), JOB_ID) == tmp_path / "mine.html"


def test_a_failed_render_leaves_the_old_page_and_no_staged_file(tmp_path: Path):
    old = tmp_path / PAGE
    old.write_text("the previous report")
    summary = ModerationSummary(
        images_analysed=0,
        images_flagged=0,
        min_confidence=60.0,
        labels=[],
        categories={},
        content_types={},
        model_version=None,
        top_flagged=[],
        malformed_lines=0,
        malformed=[],
    )

    def cards() -> Iterator[html.Card]:
        raise OSError(28, "No space left on device")
        yield  # a generator, failing once the page has begun

    with pytest.raises(OSError, match="No space left"):
        html.write(
            html.destination(str(tmp_path), JOB_ID),
            target=Target(ObjectRef("bucket", "results.jsonl"), 60.0, None),
            summary=summary,
            invalid=None,
            cards=cards(),
            tally=html.Tally(),
            include_clean=False,
        )

    assert [p.name for p in tmp_path.iterdir()] == [PAGE]
    assert old.read_text() == "the previous report"
