"""Waiting for media analysis jobs to finish, in the provider process.

``poller`` gives the poller of this provider process for a region and endpoint (one per
process, cached). Both pollers answer ``wait(job_id, timeout, on_progress) -> job
description`` and ``look(job_id, timeout) -> Look`` (a create's first read of the job it
just started or resumed, ``confirmed`` unless only another process's page showed it):

* ``SharedPoller`` (the default): one stream of ListMediaAnalysisJobs pages for every job
  waiting in the process, the first page shared with other processes through
  ``budget.PageBoard``; GetMediaAnalysisJob for jobs no page reaches, and to confirm an
  end that only another process's page showed.
* ``GetPoller`` (``REKOGNITION_MEDIA_POLLING=get``): one Get loop per job.

Both poll on a ``schedule.PollSchedule``, retry with ``schedule.Retry`` at ``budget``'s
rates, never move a status backwards, and end waits by whom an error is about
(``errors``): one job's wait with ``JobPollFailed``, every wait for the account's or its
credentials' errors, and after ``UNREACHABLE_LIMIT`` seconds without an answer with
``EndpointUnreachable``. Why it is built this way: core/README.md.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from rekognition_media.api.statuses import RANK, TERMINAL

from . import budget, cancellation, client
from .budget import BOARD_MAX_AGE, PAGE_SIZE, PageBoard, RateLimiter
from .errors import (
    UNREACHABLE_LIMIT,
    is_account_error,
    is_connection_error,
    is_retryable,
)
from .schedule import Backoff, PollSchedule, Retry
from .user_errors import InvalidSetting

POLLING_ENV = "REKOGNITION_MEDIA_POLLING"
# Both are frozen: one instance serves every poller.
DEFAULT_SCHEDULE = PollSchedule()
DEFAULT_BACKOFF = Backoff()


def poller(region: str | None, endpoint_url: str | None) -> Poller:
    """The poller of this provider process for jobs in ``region`` behind ``endpoint_url``."""
    mode = os.environ.get(POLLING_ENV, "shared")
    if mode not in ("shared", "get"):
        raise InvalidSetting(f"{POLLING_ENV}={mode!r}: must be 'shared' or 'get'")
    # functools.cache computes a value for every caller that misses at once: creates
    # arriving together would each get a poller of their own (a thread and List rounds each).
    with _POLLERS_LOCK:
        return _poller(mode, region, endpoint_url)


_POLLERS_LOCK = threading.Lock()


@functools.cache
def _poller(mode: str, region: str | None, endpoint_url: str | None) -> Poller:
    polling_client = client.rekognition(region, endpoint_url, polling=True)
    if mode == "get":
        return GetPoller(polling_client)
    return SharedPoller(polling_client, board=budget.page_board(polling_client))


ProgressCallback = Callable[[str, float], None]
"""Called with (status, seconds waited) when the status changes and periodically; while
the endpoint cannot be reached the status text carries ``cannot reach ...``."""


class JobWaitTimeout(Exception):
    def __init__(
        self, job_id: str, status: str, waited: float, unreachable: str | None = None
    ) -> None:
        cause = f"; meanwhile {unreachable}" if unreachable else ""
        super().__init__(
            f"Timed out after {waited:.0f} s waiting for media analysis job {job_id} "
            f"(last status {status}{cause}). The job keeps running; run `pulumi up` again to "
            "resume waiting for the same job, or raise wait_timeout_seconds."
        )
        self.job_id = job_id
        self.status = status


class EndpointUnreachable(Exception):
    """The endpoint gave no answer for ``UNREACHABLE_LIMIT`` seconds during a wait."""

    def __init__(
        self, job_id: str, status: str, endpoint: str, error: Exception, seconds: float
    ) -> None:
        super().__init__(
            f"Cannot reach {endpoint}: no answer for {seconds:.0f} s while waiting for media "
            f"analysis job {job_id} (last status {status}); last error: {error}. The job keeps "
            f"running in Rekognition: once the endpoint answers, run `pulumi up` again to "
            f"resume waiting for job {job_id}."
        )
        self.job_id = job_id
        self.status = status
        self.endpoint = endpoint


class JobPollFailed(Exception):
    """Polling one job failed for a reason about that job (its other lane-mates go on)."""

    def __init__(self, job_id: str, error: Exception) -> None:
        super().__init__(f"Cannot poll media analysis job {job_id}: {error}")
        self.job_id = job_id


@dataclass(frozen=True)
class Look:
    """A job's description as a look found it; ``confirmed`` when it came from this
    process's own List call or a Get, not from another process's page (which may say
    anything: decide nothing on it that a Get would decide)."""

    job: dict[str, Any]
    confirmed: bool


class Poller(Protocol):
    def wait(
        self, job_id: str, timeout: float, on_progress: ProgressCallback
    ) -> dict[str, Any]: ...

    def look(self, job_id: str, timeout: float) -> Look: ...


PROGRESS_EVERY = 30.0


@dataclass
class _Watch:
    job_id: str
    registered: float  # wall-clock time; the job cannot be newer than its registration
    next_due: float
    started: float
    created: float | None = None  # CreationTimestamp once seen
    status: str = "UNKNOWN"
    job: dict[str, Any] | None = None  # the terminal description
    last: dict[str, Any] | None = None  # the newest description seen
    confirmed: bool = False  # last came from this process's List or a Get (see Look)
    error: Exception | None = None
    unreachable: str | None = None  # "cannot reach ..." while the endpoint does not answer
    done: threading.Event = field(default_factory=threading.Event)
    changed: threading.Event = field(default_factory=threading.Event)
    seen: threading.Event = field(default_factory=threading.Event)  # last set, or failed
    users: int = 1  # waits and looks sharing the watch: it is polled until the last ends


class SharedPoller:
    """Polls every job waiting in this process with shared ListMediaAnalysisJobs pages."""

    MAX_PAGES = 5
    SLACK = 120.0  # seconds of clock skew tolerated between us and the service

    def __init__(
        self,
        client: Any,
        schedule: PollSchedule = DEFAULT_SCHEDULE,
        backoff: Backoff = DEFAULT_BACKOFF,
        board: PageBoard | None = None,
    ) -> None:
        self._client = client
        self._board = board
        self._schedule = schedule
        # Pages beyond the first (the board limits the first) and Gets, in this process.
        self._list_rate = RateLimiter(budget.LIST_RATE)
        self._get_rate = RateLimiter(budget.GET_RATE)
        self._cond = threading.Condition()
        self._watches: dict[str, _Watch] = {}
        self._thread: threading.Thread | None = None
        self._retry = Retry(backoff)  # of the rounds: a List concerns every waiting job

    def wait(self, job_id: str, timeout: float, on_progress: ProgressCallback) -> dict[str, Any]:
        watch = self._register(job_id)
        try:
            return _wait_for(watch, timeout, on_progress)
        finally:
            self._release(watch)

    def look(self, job_id: str, timeout: float) -> Look:
        """The job's description from the next page that shows it (or a Get when pages
        that should show it do not); no call of its own while other jobs wait."""
        watch = self._register(job_id)
        try:
            deadline = time.monotonic() + timeout
            # Wakes at least every second for Ctrl-C (the engine's Cancel), as _wait_for.
            while not watch.seen.wait(max(0.0, min(1.0, deadline - time.monotonic()))):
                cancellation.check(job_id, watch.status)
                if time.monotonic() >= deadline:
                    raise JobWaitTimeout(job_id, watch.status, timeout, watch.unreachable)
            if watch.error is not None:
                raise watch.error
            assert watch.last is not None
            return Look(watch.last, watch.confirmed)
        finally:
            self._release(watch)

    def _release(self, watch: _Watch) -> None:
        with self._cond:
            watch.users -= 1
            if watch.users <= 0 and self._watches.get(watch.job_id) is watch:
                del self._watches[watch.job_id]

    def _register(self, job_id: str) -> _Watch:
        now = time.monotonic()
        watch = _Watch(job_id, time.time(), now + self._schedule.interval(0), now)
        with self._cond:
            # Two resources can wait on one job (the same request and token): share it.
            existing = self._watches.get(job_id)
            if existing is not None:
                existing.users += 1
                return existing
            self._watches[job_id] = watch
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="media-analysis-poller", daemon=True
                )
                self._thread.start()
            self._cond.notify()
        return watch

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._watches:
                    self._thread = None
                    return
                # Ended watches stay until their waiter takes them: never poll them again.
                pending = [w for w in self._watches.values() if not w.done.is_set()]
                if not pending:
                    self._cond.wait(0.1)
                    continue
                now = time.monotonic()
                due = min(w.next_due for w in pending)
                if due > now:
                    self._cond.wait(due - now)
                    continue
            self._poll_round(pending)

    def _poll_round(self, pending: list[_Watch]) -> None:
        try:
            seen, foreign, failed, retry = self._poll(pending)
        except Exception as error:
            self._round_failed(pending, error)
            return
        if retry is None:
            self._retry.reset()
        now = time.monotonic()
        stopped = retry[1] if retry is not None else set()
        with self._cond:
            for watch in pending:
                if watch.job_id in stopped:
                    continue  # its Get is retried, after a backoff (below)
                watch.unreachable = None
                job_error = failed.get(watch.job_id)
                if job_error is not None:
                    # About this job only: its lane-mates keep waiting.
                    _fail(watch, JobPollFailed(watch.job_id, job_error))
                    continue
                job = seen.get(watch.job_id)
                if job is None:
                    # Started after the first page was asked for (see _poll): the next
                    # page, asked for after BOARD_MAX_AGE, shows it.
                    watch.next_due = now + BOARD_MAX_AGE
                    continue
                _observe(watch, job, confirmed=watch.job_id not in foreign)
                watch.next_due = now + self._schedule.interval(now - watch.started)
        if retry is not None:
            self._round_failed([w for w in pending if w.job_id in stopped], retry[0])

    def _round_failed(self, pending: list[_Watch], error: Exception) -> None:
        """A poll that failed for ``pending``: every job (a List, or an account-wide
        error), or the jobs whose Gets a throttled or unanswered Get stopped."""
        if not is_retryable(error):
            for watch in pending:
                _fail(watch, error)
            return
        now = time.monotonic()
        delay = self._retry.failed(unanswered=is_connection_error(error), at=now)
        if is_connection_error(error):
            endpoint = self._client.meta.endpoint_url
            unreachable_for = self._retry.unanswered_for(now)
            if unreachable_for >= UNREACHABLE_LIMIT:
                self._retry.reset()
                for watch in pending:
                    _fail(
                        watch,
                        EndpointUnreachable(
                            watch.job_id, watch.status, endpoint, error, unreachable_for
                        ),
                    )
                return
            note = f"cannot reach {endpoint}: {error}, retrying"
            with self._cond:
                for watch in pending:
                    if watch.unreachable is None:
                        watch.changed.set()  # say so at once, not at the next 30 s line
                    watch.unreachable = note
        with self._cond:
            for watch in pending:
                watch.next_due = now + delay

    def _poll(
        self, pending: list[_Watch]
    ) -> tuple[
        dict[str, dict[str, Any]],
        set[str],
        dict[str, Exception],
        tuple[Exception, set[str]] | None,
    ]:
        """Job descriptions seen, the jobs whose description came from another process's
        page, errors about single jobs, and a Get error to retry after (throttling, no
        answer) with the jobs whose Get it stopped. Raises errors that concern every job
        (List failures, account errors)."""
        wanted = {w.job_id: w for w in pending}
        seen: dict[str, dict[str, Any]] = {}
        foreign: set[str] = set()
        failed: dict[str, Exception] = {}
        horizon = (
            min(w.created if w.created is not None else w.registered for w in pending) - self.SLACK
        )
        token: str | None = None
        # Jobs registered after the first page was asked for (a create's look right after
        # its Start, with a page another waiter had just fetched) may be missing from it
        # without being deep in the history: no Get and no further pages for them; the
        # next round's page shows them.
        expected = set(wanted)
        for number in range(self.MAX_PAGES):
            own = True  # pages beyond the first: this process always fetches them
            if number == 0:
                if self._board is not None:
                    first = self._board.first_page_at(lambda: self._list(None), BOARD_MAX_AGE)
                    asked, page, own = first.asked, first.page, first.own
                else:
                    asked, page = time.time(), self._list(None)
                expected = {job_id for job_id, w in wanted.items() if w.registered <= asked}
            else:
                self._list_rate.acquire()
                page = self._list(token)
            items = page.get("MediaAnalysisJobs", [])
            for item in items:
                if item["JobId"] in wanted:
                    seen[item["JobId"]] = item
                    if own:
                        foreign.discard(item["JobId"])
                    else:
                        foreign.add(item["JobId"])
            token = page.get("NextToken")
            oldest = min((_epoch(i["CreationTimestamp"]) for i in items), default=0.0)
            if expected <= seen.keys() or not token or oldest < horizon:
                break
        # Jobs no page reached (deep in a busy account's history, or not yet listed), and
        # jobs only another process's page shows ended: that page came from the board, a
        # file (``budget``), so the outcome a create records is the job's own Get's.
        ended = {job_id for job_id in foreign if seen[job_id].get("Status") in TERMINAL}
        retry: tuple[Exception, set[str]] | None = None
        for job_id in (expected - seen.keys()) | ended:
            if retry is not None:
                # Throttled or unanswered: no more Gets this round, and these jobs are
                # polled again after a backoff; what the pages showed of the others counts.
                seen.pop(job_id, None)
                retry[1].add(job_id)
                continue
            self._get_rate.acquire()
            foreign.discard(job_id)
            try:
                seen[job_id] = self._client.get_media_analysis_job(JobId=job_id)
            except Exception as error:
                if is_account_error(error):
                    raise
                if is_retryable(error):
                    seen.pop(job_id, None)
                    retry = (error, {job_id})
                    continue
                failed[job_id] = error
        return seen, foreign, failed, retry

    def _list(self, token: str | None) -> dict[str, Any]:
        page: dict[str, Any] = self._client.list_media_analysis_jobs(
            MaxResults=PAGE_SIZE, **({"NextToken": token} if token else {})
        )
        return page


class GetPoller:
    """One GetMediaAnalysisJob loop per waiting job, in the waiting thread."""

    def __init__(
        self,
        client: Any,
        schedule: PollSchedule = DEFAULT_SCHEDULE,
        backoff: Backoff = DEFAULT_BACKOFF,
    ) -> None:
        self._client = client
        self._schedule = schedule
        self._backoff = backoff

    def wait(self, job_id: str, timeout: float, on_progress: ProgressCallback) -> dict[str, Any]:
        started = time.monotonic()
        watch = _Watch(job_id, time.time(), started, started)
        retry = Retry(self._backoff)
        retry_delay = 0.0
        while True:
            elapsed = time.monotonic() - started
            delay = self._schedule.interval(elapsed) if retry.failures == 0 else retry_delay
            if elapsed + delay > timeout:
                raise JobWaitTimeout(job_id, watch.status, elapsed, watch.unreachable)
            cancellation.sleep(delay, job_id, watch.status)  # Ctrl-C: stop waiting at once
            try:
                job: dict[str, Any] = self._client.get_media_analysis_job(JobId=job_id)
            except Exception as error:
                if not is_retryable(error):
                    raise JobPollFailed(job_id, error) from error
                now = time.monotonic()
                retry_delay = retry.failed(unanswered=is_connection_error(error), at=now)
                if is_connection_error(error):
                    endpoint = self._client.meta.endpoint_url
                    if retry.unanswered_for(now) >= UNREACHABLE_LIMIT:
                        raise EndpointUnreachable(
                            job_id, watch.status, endpoint, error, retry.unanswered_for(now)
                        ) from error
                    watch.unreachable = f"cannot reach {endpoint}: {error}, retrying"
                    on_progress(f"{watch.status}, {watch.unreachable}", now - started)
                continue
            retry.reset()
            watch.unreachable = None
            previous = watch.status
            _observe(watch, job)
            if watch.done.is_set():
                return job
            if watch.status != previous:
                on_progress(watch.status, time.monotonic() - started)

    def look(self, job_id: str, timeout: float) -> Look:
        """One GetMediaAnalysisJob (retried, as a poll, when throttled or unanswered)."""
        started = time.monotonic()
        retry = Retry(self._backoff)
        while True:
            attempted = time.monotonic()
            try:
                job: dict[str, Any] = self._client.get_media_analysis_job(JobId=job_id)
                return Look(job, confirmed=True)
            except Exception as error:
                if not is_retryable(error):
                    raise JobPollFailed(job_id, error) from error
                delay = retry.failed(unanswered=is_connection_error(error), at=attempted)
                now = time.monotonic()
                waited = now - started
                if is_connection_error(error):
                    silent_for = retry.unanswered_for(now)
                    if silent_for >= UNREACHABLE_LIMIT:
                        endpoint = self._client.meta.endpoint_url
                        raise EndpointUnreachable(
                            job_id, "UNKNOWN", endpoint, error, silent_for
                        ) from error
                if waited + delay > timeout:
                    raise JobWaitTimeout(job_id, "UNKNOWN", waited) from error
                cancellation.sleep(delay, job_id, "UNKNOWN")  # Ctrl-C: stop at once


def _observe(watch: _Watch, job: dict[str, Any], confirmed: bool = True) -> None:
    """Record a poll result (``confirmed``: not from another process's page, see ``Look``);
    never lets a stale read move the status backwards."""
    watch.created = _epoch(job.get("CreationTimestamp", watch.registered))
    if watch.done.is_set():
        return  # a terminal status (or a failure) is final, as in _fail
    if RANK.get(job["Status"], -1) < RANK.get(watch.status, -1):
        # An earlier status than one already seen: a stale read (List and Get may be
        # served by different replicas).
        return
    watch.last = job
    watch.confirmed = confirmed
    watch.seen.set()
    if job["Status"] != watch.status:
        watch.status = job["Status"]
        watch.changed.set()
    if job["Status"] in TERMINAL:
        watch.job = job
        watch.done.set()


def _fail(watch: _Watch, error: Exception) -> None:
    if watch.done.is_set():
        return  # the first outcome stands
    watch.error = error
    watch.done.set()
    watch.seen.set()


# While the endpoint does not answer, say so this often.
UNREACHABLE_PROGRESS_EVERY = 10.0


def _wait_for(watch: _Watch, timeout: float, on_progress: ProgressCallback) -> dict[str, Any]:
    started = time.monotonic()
    last_report = started
    while True:
        # Ctrl-C (the engine's Cancel): this loop wakes at least every second.
        cancellation.check(watch.job_id, watch.status)
        waited = time.monotonic() - started
        if waited >= timeout:
            raise JobWaitTimeout(watch.job_id, watch.status, waited, watch.unreachable)
        every = PROGRESS_EVERY if watch.unreachable is None else UNREACHABLE_PROGRESS_EVERY
        watch.changed.wait(
            max(0.0, min(timeout - waited, every - (time.monotonic() - last_report), 1.0))
        )
        if watch.done.is_set():
            break
        if watch.changed.is_set() or time.monotonic() - last_report >= every:
            watch.changed.clear()
            last_report = time.monotonic()
            unreachable = watch.unreachable
            status = watch.status if unreachable is None else f"{watch.status}, {unreachable}"
            on_progress(status, last_report - started)
    if watch.error is not None:
        raise watch.error
    assert watch.job is not None
    return watch.job


def _epoch(value: Any) -> float:
    if hasattr(value, "timestamp"):
        return float(value.timestamp())
    return float(value)
