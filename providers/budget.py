"""The account's request quotas, and how the provider processes of this machine share them.

Rekognition allows an account, per region, 5 ListMediaAnalysisJobs, 20 GetMediaAnalysisJob
and 5 StartMediaAnalysisJob calls a second (``rekognition_media.api.limits``). Jobs wait in
several provider processes at once (one per lane, see ``lanes``), and other tools may use
the same account, so the provider takes a share of each quota -- the arithmetic is here and
only here:

* ``LIST_RATE``: List calls of the first page, every process together (``QUOTA_SHARE``
  of the quota, through the page board); further pages, in each process (``pollers``);
* ``GET_RATE``: Get calls of the jobs no page reached, in each process;
* ``START_RATE``: Start calls, every process together (``START_SHARE`` of the quota).

The mechanisms:

* ``PageBoard``: the newest ListMediaAnalysisJobs first page, shared by every provider
  process on this machine through a small file per account, region and endpoint. A
  process that needs the first page takes it from the file when it is fresh enough
  (``BOARD_MAX_AGE``), and otherwise fetches it -- under a file lock, at most ``rate``
  times a second for all processes together -- and writes it back for the others. The
  first page lists the newest 100 jobs, which is where the jobs of a running `pulumi up`
  are; the pollers read their jobs' statuses from it and ``start`` counts the account's
  unfinished jobs on it while waiting for a concurrent-job slot.
* ``SharedRate``: at most ``rate`` events a second for all processes of this user that
  name the same scope (a file lock). The board uses one for its List fetches; ``start``
  uses another for StartMediaAnalysisJob calls (``start_rate``).
* ``RateLimiter``: a token bucket within one process.

``page_board`` and ``start_rate`` scope them to a client's account (access key), region
and endpoint: pages and rates of one account never answer for another. The files hold job
descriptions of one account (bucket names, key ARNs), so they live in a directory only the
current user can read.
"""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rekognition_media.api import limits, shapes

from . import client

# A provider process may share the account's quota with other processes and tools;
# using half of it leaves room for them and for Start calls' retries.
QUOTA_SHARE = 0.5
# Starts are one per job (plus a waiting create's retries when a slot frees), so they may
# take more of their quota than polls of theirs: 4 a second starts 20 jobs in 5 s and leaves
# a fifth of the quota to other tools.
START_SHARE = 0.8

LIST_RATE = limits.LIST_TPS * QUOTA_SHARE
GET_RATE = limits.GET_TPS * QUOTA_SHARE
START_RATE = limits.START_TPS * START_SHARE

# A page another process fetched this recently is as good as a new one: below the poll
# schedule's minimum interval, so sharing never delays detection by more than this.
BOARD_MAX_AGE = 0.5
# Jobs per ListMediaAnalysisJobs page: the most the API allows.
PAGE_SIZE = int(shapes.service_model().shape_for("ListMediaAnalysisJobsPageSize").metadata["max"])

Page = dict[str, Any]
_TIMESTAMPS = ("CreationTimestamp", "CompletionTimestamp")


def page_board(rekognition_client: Any) -> PageBoard:
    """The page board of the client's account, region and endpoint: pages of one account
    never answer for another."""
    return PageBoard(_scope(rekognition_client), rate=LIST_RATE)


def start_rate(rekognition_client: Any) -> SharedRate:
    """StartMediaAnalysisJob calls of every provider process for the client's account,
    region and endpoint, together within a share of the account's Start quota."""
    return SharedRate(f"start|{_scope(rekognition_client)}", START_RATE)


def _scope(rekognition_client: Any) -> str:
    """Account (access key), region and endpoint: what a quota and a page belong to."""
    # The process's shared session (``client``): a new session per Start would resolve the
    # credential chain again each time.
    meta = rekognition_client.meta
    return f"{meta.endpoint_url}|{meta.region_name}|{client.access_key()}"


class RateLimiter:
    """A token bucket: at most ``rate`` calls per second, in bursts of ``burst``."""

    def __init__(
        self, rate: float, burst: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate = rate
        self._burst = burst
        self._tokens = burst
        self._clock = clock
        self._stamp = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                wait = (1 - self._tokens) / self._rate
            time.sleep(wait)


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
        return self.first_page_at(fetch, max_age)[1]

    def first_page_at(self, fetch: Callable[[], Page], max_age: float) -> tuple[float, Page]:
        """``first_page``, with the wall-clock time its List call was made: the page shows
        every job started before then (a job started later may be missing from it)."""
        with _locked(self._lock):
            fetched_at, page = self._read()
            now = time.time()
            if page is not None and now - fetched_at <= max_age:
                return fetched_at, page
            # Keep all processes together under the rate: wait for a fetch slot.
            self._rate.acquire()
            asked = time.time()
            page = fetch()
            self._write(asked, page)
            return asked, page

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
