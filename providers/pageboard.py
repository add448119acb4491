"""ListMediaAnalysisJobs first pages, shared by every provider process on this machine.

Jobs wait in several provider processes at once (see ``polling``), and each process polls
for its own jobs. Without coordination, N processes polling every second would make N
List calls a second, over the account's quota of 5 per second. The board is a small file
per account, region and endpoint: a process that needs the first page takes it from the
file when it is fresh enough, and otherwise fetches it -- under a file lock, at most
``rate`` times a second for all processes together -- and writes it back for the others.
The first page lists the newest 100 jobs, which is where the jobs of a running ``pulumi
up`` are.

The file holds job descriptions of one account (bucket names, key ARNs), so it lives in a
directory only the current user can read.

``SharedRate`` is the rate part on its own: at most ``rate`` events a second for all
processes of this user that name the same scope. The board uses one for its List fetches;
``providers.start`` uses another for StartMediaAnalysisJob calls.
"""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Page = dict[str, Any]
_TIMESTAMPS = ("CreationTimestamp", "CompletionTimestamp")


def _directory(directory: Path | None) -> Path:
    base = directory or Path(tempfile.gettempdir()) / f"rekognition-media-{os.getuid()}"
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    return base


def _name(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:32]


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    # One open file description per call, so threads of one process exclude each other too.
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class SharedRate:
    """At most ``rate`` events a second, together, for every process and thread of this
    user that uses the same ``scope``: a file holding the time of the last event, read and
    written under a file lock. Callers queue on the lock, so slots go out one by one."""

    def __init__(self, scope: str, rate: float, directory: Path | None = None) -> None:
        base = _directory(directory)
        name = _name(f"rate|{scope}")
        self._file = base / f"{name}.rate"
        self._lock = base / f"{name}.rate.lock"
        self._interval = 1.0 / rate

    def acquire(self) -> None:
        """Wait for the next slot and take it."""
        with _locked(self._lock):
            try:
                last = float(self._file.read_text() or 0.0)
            except (FileNotFoundError, ValueError):
                last = 0.0
            now = time.time()
            # A clock set back must not block for the difference.
            wait = min(self._interval, max(0.0, last + self._interval - now))
            time.sleep(wait)
            self._file.write_text(repr(time.time()))


class PageBoard:
    def __init__(self, scope: str, rate: float, directory: Path | None = None) -> None:
        """``scope`` identifies the account, region and endpoint the pages belong to."""
        base = _directory(directory)
        name = _name(scope)
        self._file = base / f"{name}.json"
        self._lock = base / f"{name}.lock"
        self._rate = SharedRate(f"list|{scope}", rate, base)

    def first_page(self, fetch: Callable[[], Page], max_age: float) -> Page:
        """A first page fetched at most ``max_age`` seconds ago, by us or another process."""
        with _locked(self._lock):
            fetched_at, page = self._read()
            now = time.time()
            if page is not None and now - fetched_at <= max_age:
                return page
            # Keep all processes together under the rate: wait for a fetch slot.
            self._rate.acquire()
            page = fetch()
            self._write(time.time(), page)
            return page

    def _read(self) -> tuple[float, Page | None]:
        try:
            stored = json.loads(self._file.read_text())
        except (FileNotFoundError, ValueError):
            return 0.0, None
        return float(stored["fetched_at"]), _with_datetimes(stored["page"])

    def _write(self, fetched_at: float, page: Page) -> None:
        # Written whole then renamed, so a reader never sees half a page.
        partial = self._file.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps({"fetched_at": fetched_at, "page": _jsonable(page)}))
        partial.replace(self._file)


def _jsonable(page: Page) -> Page:
    jobs = [
        {
            k: (v.timestamp() if k in _TIMESTAMPS and hasattr(v, "timestamp") else v)
            for k, v in job.items()
        }
        for job in page.get("MediaAnalysisJobs", [])
    ]
    return {
        "MediaAnalysisJobs": jobs,
        **({"NextToken": page["NextToken"]} if "NextToken" in page else {}),
    }


def _with_datetimes(page: Page) -> Page:
    jobs = [
        {
            k: (datetime.datetime.fromtimestamp(v, datetime.UTC) if k in _TIMESTAMPS else v)
            for k, v in job.items()
        }
        for job in page.get("MediaAnalysisJobs", [])
    ]
    return {**page, "MediaAnalysisJobs": jobs}
