"""Where provider processes share files: a private directory, checked before every use.

The page board and the Start rate (``budget``) are files that every provider process of a
user shares. These tests play the other local user of a shared machine (a CI runner, a
bastion host): a directory made for us in advance, open to all or owned by someone else,
a link in place of the directory, links planted under each file name. In every case
nothing is written through what was planted, the provider still gets its pages and rates
(kept within its process) and says once what is wrong and where.

The other user is real: ``rmtest-other``, created with ``useradd`` when missing. That needs
root, as CI runs; elsewhere these tests fail saying so.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rekognition_media.core import budget, private_directory
from rekognition_media.core.budget import PageBoard, SharedRate
from rekognition_media.core.private_directory import NAME, default_path

OTHER_USER = "rmtest-other"
PRECIOUS = b"the deploying user's file: must never change"


@pytest.fixture(scope="session")
def other_user() -> pwd.struct_passwd:
    """A second local user of this machine."""
    if os.getuid() != 0:
        pytest.fail(
            f"these tests act as a second local user ({OTHER_USER}, made with useradd) and "
            "must run as root, as CI does: run them as root"
        )
    try:
        return pwd.getpwnam(OTHER_USER)
    except KeyError:
        pass
    made = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", OTHER_USER],
        capture_output=True,
        text=True,
        check=False,
    )
    try:  # another test session may have made it at the same moment
        return pwd.getpwnam(OTHER_USER)
    except KeyError:
        pytest.fail(f"useradd {OTHER_USER} failed: {made.stderr.strip()}")


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A directory every local user may write to, like /tmp (1777)."""
    path = Path(tempfile.mkdtemp(prefix="rmtest-shared-", dir="/tmp"))
    path.chmod(0o1777)
    yield path
    shutil.rmtree(path)


@pytest.fixture(autouse=True)
def fresh_process_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing kept in this process from other tests: no pages, stamps or messages."""
    monkeypatch.setattr(budget, "_LOCAL_PAGES", {})
    monkeypatch.setattr(budget, "_LOCAL_STAMPS", {})
    monkeypatch.setattr(private_directory, "_REPORTED", set())


def as_other_user(user: pwd.struct_passwd, script: str) -> None:
    subprocess.run(
        ["sh", "-euc", script],
        user=user.pw_uid,
        group=user.pw_gid,
        extra_groups=[],
        cwd="/",
        check=True,
    )


def file_names(scope: str) -> list[str]:
    """Every file the board and a Start rate of ``scope`` use in the directory."""
    page = f"{budget._name(scope)}.json"
    list_rate = f"{budget._name(f'rate|list|{scope}')}.rate"
    start_rate = f"{budget._name(f'rate|start|{scope}')}.rate"
    return [page, f"{page}.lock", list_rate, f"{list_rate}.lock", start_rate, f"{start_rate}.lock"]


def page(job_id: str) -> dict[str, Any]:
    return {"MediaAnalysisJobs": [], "NextToken": job_id}


def use_everything(scope: str, directory: Path | None = None) -> list[dict[str, Any]]:
    """What a provider process does with the directory: read and write the board (twice,
    the second time as another process would, from the files) and take Start slots."""
    board = PageBoard(scope, rate=100, directory=directory)
    pages = [board.first_page(lambda: page("first"), max_age=60)]
    budget._LOCAL_PAGES.clear()
    pages.append(board.first_page(lambda: page("second"), max_age=60))
    start = SharedRate(f"start|{scope}", 100, directory)
    start.acquire()
    start.acquire()
    return pages


def said(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if "rekognition-media:" in line]


def test_the_directory_is_the_users_runtime_dir_else_their_cache_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert default_path() == runtime / NAME
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_path() == tmp_path / "cache" / NAME
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_path() == Path.home() / ".cache" / NAME


def test_the_directory_and_its_files_are_made_private(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(os, "umask", os.umask)  # restored below whatever happens
    previous = os.umask(0)  # the most permissive umask: the modes are ours, not the umask's
    try:
        pages = use_everything("private")
    finally:
        os.umask(previous)
    # The second read came from the board's file: the directory was shared.
    assert [p["NextToken"] for p in pages] == ["first", "first"]
    directory = tmp_path / "cache" / NAME
    info = os.lstat(directory)
    assert stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o700
    names = sorted(p.name for p in directory.iterdir())
    assert names == sorted(file_names("private"))  # no partial file left behind
    for path in directory.iterdir():
        assert stat.S_IMODE(os.lstat(path).st_mode) & 0o077 == 0, path
    assert said(capsys) == []


def test_a_directory_another_user_made_in_advance_is_not_used(
    monkeypatch: pytest.MonkeyPatch,
    other_user: pwd.struct_passwd,
    shared_tmp: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The attack: in a directory all users share, another user makes ours
    # first, open to all, with links to a file of the deploying user under its names.
    victim = tmp_path / "victim"
    victim.write_bytes(PRECIOUS)
    tmp_path.chmod(0o755)  # the other user may name the victim, not write it
    planted = shared_tmp / NAME
    links = " && ".join(f"ln -s {victim} {planted / name}" for name in file_names("attacked"))
    as_other_user(other_user, f"mkdir -m 0777 {planted} && {links}")
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared_tmp))

    pages = use_everything("attacked")

    # Kept within the process (the second "process" fetched its own page): nothing went
    # through the directory.
    assert [p["NextToken"] for p in pages] == ["first", "second"]
    assert victim.read_bytes() == PRECIOUS
    assert all(path.is_symlink() for path in planted.iterdir())
    assert len(list(planted.iterdir())) == len(file_names("attacked"))
    [line] = said(capsys)  # once, however often the directory was refused
    assert str(planted) in line
    assert f"is owned by {OTHER_USER} (uid {other_user.pw_uid}), not by root (uid 0)" in line
    assert "the deployment goes on" in line


@pytest.mark.parametrize(
    ("prepare", "problem"),
    [
        pytest.param(
            lambda d, u: d.mkdir(mode=0o700) or d.chmod(0o770), "has mode 0770", id="group"
        ),
        pytest.param(
            lambda d, u: d.mkdir(mode=0o700) or d.chmod(0o705), "has mode 0705", id="other"
        ),
        pytest.param(
            lambda d, u: d.mkdir(mode=0o700) or os.chown(d, u.pw_uid, u.pw_gid),
            f"is owned by {OTHER_USER}",
            id="another-owner-even-0700",
        ),
        pytest.param(
            lambda d, u: (
                (d.parent / "elsewhere").mkdir(mode=0o700) or d.symlink_to(d.parent / "elsewhere")
            ),
            "is a symbolic link, not a directory",
            id="a-link-to-a-private-directory",
        ),
        pytest.param(lambda d, u: d.write_bytes(b""), "is not a directory", id="a-file"),
    ],
)
def test_a_directory_failing_its_check_is_never_used(
    tmp_path: Path,
    other_user: pwd.struct_passwd,
    capsys: pytest.CaptureFixture[str],
    prepare: Any,
    problem: str,
) -> None:
    directory = tmp_path / NAME
    prepare(directory, other_user)
    before = sorted(os.listdir(tmp_path / "elsewhere")) if directory.is_symlink() else None

    pages = use_everything("refused", directory)

    assert [p["NextToken"] for p in pages] == ["first", "second"]  # each process its own
    if directory.is_symlink():
        assert sorted(os.listdir(tmp_path / "elsewhere")) == before == []
    elif directory.is_dir():
        assert list(directory.iterdir()) == []
    [line] = said(capsys)
    assert f"{directory} {problem}" in line


@pytest.mark.parametrize("which", ["every-name", "lock-files", "data-files"])
def test_links_planted_at_each_file_name_are_never_written_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], which: str
) -> None:
    # The directory itself is fine (ours, 0700); its file names are links: to a file of
    # ours, or to a name that does not exist yet (which must not get created).
    directory = tmp_path / NAME
    directory.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_bytes(PRECIOUS)
    names = [
        name
        for name in file_names("planted")
        if which == "every-name" or name.endswith(".lock") == (which == "lock-files")
    ]
    for number, name in enumerate(names):
        target = victim if number % 2 == 0 else tmp_path / f"would-be-created-{number}"
        (directory / name).symlink_to(target)

    pages = use_everything("planted", directory)

    assert victim.read_bytes() == PRECIOUS
    assert not list(tmp_path.glob("would-be-created-*"))
    lines = said(capsys)
    for name in names:
        # Each said once; a lock that cannot be taken is always tried (and refused).
        told = sum(f"{directory / name} is a symbolic link" in line for line in lines)
        assert told == 1 if name.endswith(".lock") else told <= 1, (name, lines)
    if which == "data-files":
        # The locks held: a link at a data file's name was replaced by the file, so the
        # second "process" read the first one's page from the board.
        assert [p["NextToken"] for p in pages] == ["first", "first"]
        assert not any(path.is_symlink() for path in directory.iterdir())
    else:
        assert [p["NextToken"] for p in pages] == ["first", "second"]
