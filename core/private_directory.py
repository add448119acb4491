"""The directory where the provider processes of one user share files, verified before use.

Provider processes of this machine share the newest ListMediaAnalysisJobs page and the
Start rate through small files (``budget``). Whoever can write in that directory can make
`pulumi up` write elsewhere (a link planted under one of its file names) or feed it pages.
So the invariant this module keeps: **no file is read or written in the directory unless,
just before, ``lstat`` showed the directory to be a real directory (not a link) owned by
this user with no group or other permissions; and no file in it is opened through a link.**

* Where: ``$XDG_RUNTIME_DIR/rekognition-media`` when the session has a runtime directory
  (per user, 0700, cleared at logout), else ``${XDG_CACHE_HOME:-~/.cache}/rekognition-media``
  -- never a predictable name in the temp directory every local user shares.
* It is created here with mode 0700; one that exists is used only if it passes the check
  (``PrivateDirectory.check``, at the start of every use: ``locked``).
* Files are opened with ``O_NOFOLLOW`` (created with ``O_EXCL``) and must be regular files
  of this user (``fstat``); whole files are written to a ``mkstemp`` name in the directory
  and renamed into place, so a link planted at a name is replaced, never written through.

A failed check raises :class:`Unusable` (the path and what is wrong); callers then share
nothing through the directory (``budget`` falls back to sharing within the process) and
:func:`report` says so once per process in `pulumi up`'s output. It never fails a
deployment. What the files hold is still input from outside the process: ``budget``
parses it strictly and the pollers confirm what matters with the service.
"""

from __future__ import annotations

import errno
import fcntl
import os
import pwd
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

NAME = "rekognition-media"
# A file larger than this was not written by a provider (a page of 100 jobs is well below).
MAX_FILE_BYTES = 8 * 1024 * 1024
# Never block on a FIFO planted at a name; never leak descriptors into child processes.
_OPEN_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def default_path() -> Path:
    """``$XDG_RUNTIME_DIR/rekognition-media``, else under the user's cache directory."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    # The XDG spec: relative paths are invalid and are ignored.
    if os.path.isabs(runtime) and os.path.isdir(runtime):
        return Path(runtime) / NAME
    cache = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(cache) if os.path.isabs(cache) else Path.home() / ".cache"
    return base / NAME


class Unusable(Exception):
    """The directory, or a file in it, failed its check; nothing is shared through it."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path} {problem}")
        self.path = path
        self.problem = problem


class PrivateDirectory:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()

    def check(self) -> None:
        """Create the directory (0700) if it is missing, then verify it with ``lstat``."""
        try:
            info = os.lstat(self.path)
        except FileNotFoundError:
            try:
                # Parents (the cache directory) as any program makes them; ours is 0700.
                self.path.parent.mkdir(parents=True, exist_ok=True)
                os.mkdir(self.path, 0o700)
            except FileExistsError:
                pass  # another process made it just now: checked below like any other
            except OSError as error:
                raise Unusable(self.path, f"cannot be created: {error.strerror}") from None
            info = os.lstat(self.path)
        except OSError as error:
            raise Unusable(self.path, f"cannot be examined: {error.strerror}") from None
        problem = _directory_problem(info, self.path)
        if problem:
            raise Unusable(self.path, problem)

    @contextmanager
    def locked(self, name: str) -> Iterator[None]:
        """Hold an exclusive lock on the file ``name``, for every process of this user;
        checks the directory first (so every use of it does)."""
        self.check()
        descriptor = self._open(name, create=True)
        assert descriptor is not None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # releases the lock

    def read(self, name: str) -> bytes | None:
        """The content of ``name``; None when there is no such file."""
        descriptor = self._open(name, create=False)
        if descriptor is None:
            return None
        with os.fdopen(descriptor, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise Unusable(self.path / name, f"is larger than {MAX_FILE_BYTES} bytes")
        return data

    def write(self, name: str, data: bytes) -> None:
        """Replace ``name`` with ``data`` whole: a reader sees the old or the new file."""
        try:
            descriptor, partial = tempfile.mkstemp(prefix=f".{name}.", dir=self.path)
        except OSError as error:
            raise Unusable(self.path, f"has no room for a new file: {error.strerror}") from None
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            # rename(2) replaces a link at the name; it never follows it.
            os.replace(partial, self.path / name)
        except OSError as error:
            with suppress(FileNotFoundError):
                os.unlink(partial)
            raise Unusable(self.path / name, f"cannot be replaced: {error.strerror}") from None

    def _open(self, name: str, create: bool) -> int | None:
        path = self.path / name
        # Two tries: a file another process creates (or removes) between ours is normal.
        for _ in range(2):
            try:
                descriptor = os.open(path, os.O_RDONLY | _OPEN_FLAGS)
            except FileNotFoundError:
                if not create:
                    return None
                try:
                    descriptor = os.open(
                        path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _OPEN_FLAGS, 0o600
                    )
                except FileExistsError:
                    continue
                except OSError as error:
                    raise _open_error(path, error) from None
            except OSError as error:
                raise _open_error(path, error) from None
            problem = _file_problem(os.fstat(descriptor))
            if problem:
                os.close(descriptor)
                raise Unusable(path, problem)
            return descriptor
        raise Unusable(path, "keeps appearing and disappearing")


def _directory_problem(info: os.stat_result, path: Path) -> str | None:
    if stat.S_ISLNK(info.st_mode):
        return "is a symbolic link, not a directory"
    if not stat.S_ISDIR(info.st_mode):
        return "is not a directory"
    if info.st_uid != os.getuid():
        return f"is owned by {_user(info.st_uid)}, not by {_user(os.getuid())}"
    if info.st_mode & 0o077:
        return (
            f"has mode {stat.S_IMODE(info.st_mode):04o}: group or others may use it "
            f"(it must be 0700; `chmod 700 {path}` if you made it)"
        )
    return None


def _file_problem(info: os.stat_result) -> str | None:
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if info.st_uid != os.getuid():
        return f"is owned by {_user(info.st_uid)}, not by {_user(os.getuid())}"
    return None


def _open_error(path: Path, error: OSError) -> Unusable:
    if error.errno == errno.ELOOP:
        return Unusable(path, "is a symbolic link")
    return Unusable(path, f"cannot be opened: {error.strerror}")


def _user(uid: int) -> str:
    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


_REPORTED: set[str] = set()
_REPORTED_LOCK = threading.Lock()


def report(problem: Unusable) -> None:
    """Say once per process, in `pulumi up`'s output, that a check failed and what the
    provider does instead (stderr is how the providers' messages reach it, see
    ``job._report``; the plugin routes a resource call's lines to the engine)."""
    with _REPORTED_LOCK:
        if str(problem) in _REPORTED:
            return
        _REPORTED.add(str(problem))
    print(
        f"rekognition-media: {problem}: not sharing List pages and the Start rate with other "
        "provider processes through it; this process keeps them to itself (the deployment "
        "goes on).",
        file=sys.stderr,
        flush=True,
    )
