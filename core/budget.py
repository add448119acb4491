"""The account's request quotas, and how the provider processes of this machine share them.

Rekognition allows an account, per region, 5 ListMediaAnalysisJobs, 20 GetMediaAnalysisJob
and 5 StartMediaAnalysisJob calls a second (``rekognition_media.api.limits``). Jobs wait in
several provider processes at once (one per lane, see ``lanes``), and other tools may use
the same account, so the provider takes a share of each quota -- the arithmetic is here and
only here:

* ``LIST_RATE``: List calls of the first page, every process together (``QUOTA_SHARE``
  of the quota, through the page board); further pages, in each process (``pollers``);
* ``GET_RATE``: Get calls of the jobs no page reached, and of those whose end only another
  process's page showed (to confirm it), in each process;
* ``START_RATE``: Start calls, every process together (``START_SHARE`` of the quota).

The mechanisms: ``PageBoard`` (the newest first page, shared through a small file per
account, region and endpoint, fetched under a file lock at most ``rate`` times a second
for all processes together), ``SharedRate`` (at most ``rate`` events a second for all
processes naming the same scope: the board's fetches, and ``start``'s Start calls) and
``RateLimiter`` (a token bucket within one process); ``page_board`` and ``start_rate``
scope them to a client's account, region and endpoint. Why the quotas are shared, and why
a page from the board is a cache that the pollers confirm: core/README.md.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from rekognition_media.api import limits, shapes

from . import client, private_directory
from .private_directory import PrivateDirectory, Unusable

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
# A page on the board dated further ahead than this is not one a process wrote.
FUTURE_SLACK = 5.0
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


def _name(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:32]


# What the processes share through the private directory, kept within this process too:
# the fallback when the directory fails its check (each key is a file's name).
_LOCAL_GUARD = threading.Lock()
_LOCAL_LOCKS: dict[str, threading.Lock] = {}
_LOCAL_STAMPS: dict[str, float] = {}
_LOCAL_PAGES: dict[str, tuple[float, Page]] = {}


@contextmanager
def _shared(directory: PrivateDirectory, name: str) -> Iterator[bool]:
    """Hold ``name``'s lock among this process's threads and, when the private directory
    passes its check, among every process of this user. Yields whether it did (whether the
    directory's files may be used); a failed check is reported, never raised."""
    with _LOCAL_GUARD:
        local = _LOCAL_LOCKS.setdefault(name, threading.Lock())
    with local, ExitStack() as held:
        try:
            held.enter_context(directory.locked(f"{name}.lock"))
        except Unusable as problem:
            private_directory.report(problem)
            yield False
        else:
            yield True


def _read(directory: PrivateDirectory, name: str) -> bytes | None:
    try:
        return directory.read(name)
    except Unusable as problem:
        private_directory.report(problem)
        return None


def _write(directory: PrivateDirectory, name: str, data: bytes) -> None:
    try:
        directory.write(name, data)
    except Unusable as problem:
        private_directory.report(problem)


class SharedRate:
    """At most ``rate`` events a second, together, for every process and thread of this
    user that uses the same ``scope``: a file holding the time of the last event, read and
    written under a file lock. Callers queue on the lock, so slots go out one by one. When
    the private directory fails its check, the rate holds within this process only."""

    def __init__(
        self, scope: str, rate: float, directory: PrivateDirectory | Path | None = None
    ) -> None:
        self._directory = _private(directory)
        self._name = f"{_name(f'rate|{scope}')}.rate"
        self._interval = 1.0 / rate

    def acquire(self) -> None:
        """Wait for the next slot and take it."""
        with _shared(self._directory, self._name) as shared:
            last = _LOCAL_STAMPS.get(self._name, 0.0)
            if shared:
                last = max(last, _stamp(_read(self._directory, self._name)))
            now = time.time()
            # A clock set back (or a stamp in the future) must not block for the difference.
            wait = min(self._interval, max(0.0, last + self._interval - now))
            time.sleep(wait)
            taken = time.time()
            _LOCAL_STAMPS[self._name] = taken
            if shared:
                _write(self._directory, self._name, repr(taken).encode())


def _stamp(data: bytes | None) -> float:
    try:
        value = float(data or b"0")
    except ValueError:
        return 0.0
    return value if math.isfinite(value) else 0.0


@dataclass(frozen=True)
class FirstPage:
    """A first page from the board: ``asked`` is the wall-clock time its List call was
    made (the page shows every job started before then; a later one may be missing), and
    ``own`` whether this process made that call. A page another process fetched -- any page
    read from the file -- is a cache that anyone able to write the file could have made."""

    asked: float
    page: Page
    own: bool


class PageBoard:
    def __init__(
        self, scope: str, rate: float, directory: PrivateDirectory | Path | None = None
    ) -> None:
        """``scope`` identifies the account, region and endpoint the pages belong to."""
        self._directory = _private(directory)
        self._name = f"{_name(scope)}.json"
        self._rate = SharedRate(f"list|{scope}", rate, self._directory)

    def first_page(self, fetch: Callable[[], Page], max_age: float) -> Page:
        """A first page fetched at most ``max_age`` seconds ago, by us or another process."""
        return self.first_page_at(fetch, max_age).page

    def first_page_at(self, fetch: Callable[[], Page], max_age: float) -> FirstPage:
        """``first_page``, with when its List call was made and whether this process made
        it (``FirstPage``)."""
        with _shared(self._directory, self._name) as shared:
            asked, stored = _LOCAL_PAGES.get(self._name, (0.0, None))
            own = stored is not None
            if shared:
                read_at, read = self._read()
                # Strictly newer only: a page on the file dated like ours may be ours read
                # back or one written over it; ours, kept in this process, is the same age.
                if read is not None and read_at > asked:
                    asked, stored, own = read_at, read, False
            now = time.time()
            if stored is not None and now - asked <= max_age:
                return FirstPage(asked, _with_datetimes(stored), own)
            # Keep all processes together under the rate: wait for a fetch slot.
            self._rate.acquire()
            asked = time.time()
            page = fetch()
            _LOCAL_PAGES[self._name] = (asked, _jsonable(page))
            if shared:
                record = {"fetched_at": asked, "page": _jsonable(page)}
                _write(self._directory, self._name, json.dumps(record).encode())
            return FirstPage(asked, page, own=True)

    def _read(self) -> tuple[float, Page | None]:
        """The page on the board, if it is one: parsed strictly as a ListMediaAnalysisJobs
        response (``shapes.response_model``); anything else counts as no page."""
        data = _read(self._directory, self._name)
        if data is None:
            return 0.0, None
        try:
            stored = json.loads(data)
            _stored_page_model().model_validate(stored)
        except ValueError:  # not JSON, or not a page (pydantic's ValidationError)
            return 0.0, None
        fetched_at = float(stored["fetched_at"])
        if fetched_at > time.time() + FUTURE_SLACK:
            return 0.0, None  # "fresh" forever would stop every poll
        page: Page = stored["page"]
        return fetched_at, page


def _private(directory: PrivateDirectory | Path | None) -> PrivateDirectory:
    """The directory, checked at once: boards and rates are made in a create's thread,
    whose lines the plugin routes to `pulumi up` (a poller thread's reach only its log)."""
    private = directory if isinstance(directory, PrivateDirectory) else PrivateDirectory(directory)
    try:
        private.check()
    except Unusable as problem:
        private_directory.report(problem)
    return private


@functools.cache
def _stored_page_model() -> type[BaseModel]:
    """What the board's file holds: when a page was asked for, and the page."""
    return create_model(
        "StoredPage",
        __config__=ConfigDict(strict=True, extra="forbid"),
        fetched_at=(Annotated[float, Field(ge=0, allow_inf_nan=False)], ...),
        page=(shapes.response_model(shapes.LIST), ...),
    )


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
