"""Starting a media analysis job: the account's quotas, and an endpoint that does not answer.

``start_job`` makes the StartMediaAnalysisJob call of a create and returns its full
response. It retries by itself (the client's own botocore retries are not used: they give
up after a fixed number of attempts, about a minute, and say nothing meanwhile), and every
retry is reported through ``report``, which reaches `pulumi up`'s output:

* **Concurrent-job quota** (``LimitExceededException``): the account runs as many jobs as
  it may (20 or 5 per region by default; real jobs run for minutes to hours). The call
  waits for a free slot, counting the account's unfinished jobs on the newest
  ListMediaAnalysisJobs page (``budget.PageBoard``, shared with the pollers), reports
  ``waiting for a concurrent-job slot: 5 of 5 in use``, and starts when the count drops
  (or at least every ``SLOT_RETRY_EVERY`` seconds), until ``timeout``; then
  ``StartSlotTimeout`` names the resource.
* **Start rate**: every Start of every provider process on this machine for one account,
  region and endpoint goes through one ``budget.SharedRate`` (a file lock, as the page
  board keeps List calls together), at most ``budget.START_RATE`` (4) a second: within the
  account's Start quota of 5.
* **Throttling** (ThrottlingException, ProvisionedThroughputExceededException): backoff
  with jitter, until ``timeout``.
* **No answer** (refused, reset, connect or read timeout) and server errors: retried with
  backoff for at most ``UNREACHABLE_LIMIT`` seconds, then ``StartUnreachable``.

Every attempt carries the same ``ClientRequestToken`` (one is added when the request has
none), so an attempt whose answer was lost and a retry make one job, never two. The
function holds no state between calls: a create may call it several times with different
requests.
"""

from __future__ import annotations

import random
import re
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from rekognition_media.api.statuses import TERMINAL

from . import budget, cancellation, client
from .budget import BOARD_MAX_AGE, PAGE_SIZE
from .errors import (
    UNREACHABLE_LIMIT,
    error_code,
    is_connection_error,
    is_retryable,
)
from .schedule import Backoff, Retry

QUOTA_CODE = "LimitExceededException"
THROTTLING_CODES = frozenset({"ThrottlingException", "ProvisionedThroughputExceededException"})
# While waiting for a slot: look at the newest List page this often (the page board shares
# it between all waiting creates and pollers of the machine, within the List quota) ...
SLOT_CHECK_EVERY = 1.0
# ... try the Start at least this often even if the page shows no free slot (the page
# holds the newest 100 jobs only, and may lag) ...
SLOT_RETRY_EVERY = 30.0
# ... and say how it is going this often.
SLOT_REPORT_EVERY = 30.0

Report = Callable[[str], None]


class StartSlotTimeout(Exception):
    def __init__(self, resource: str, waited: float, in_use: str) -> None:
        super().__init__(
            f"Timed out after {waited:.0f} s waiting for a concurrent-job slot to start the "
            f"media analysis job of resource '{resource}' ({in_use}): the account's "
            "concurrent-job quota stayed reached. No job was started for it. Run `pulumi up` "
            "again when other jobs have finished, raise wait_timeout_seconds, or ask AWS for "
            "a higher 'concurrent jobs' quota."
        )
        self.resource = resource


class StartUnreachable(Exception):
    def __init__(
        self, resource: str, endpoint: str, error: Exception, seconds: float, attempts: int
    ) -> None:
        super().__init__(
            f"Cannot reach {endpoint} to start the media analysis job of resource "
            f"'{resource}': no answer for {seconds:.0f} s ({attempts} attempts); last error: "
            f"{error}. Whether the job started is unknown: run `pulumi up` again once the "
            "endpoint answers; the same request and idempotency token then adopt the job if "
            "it did start."
        )
        self.resource = resource
        self.endpoint = endpoint


def start_job(
    rekognition_client: Any,
    request: Mapping[str, Any],
    *,
    resource: str,
    timeout: float,
    report: Report,
) -> dict[str, Any]:
    """Start the job ``request`` describes and return the full StartMediaAnalysisJob
    response (``JobId``, ``ResponseMetadata``); see the module docstring for the waits."""
    request = dict(request)
    if not request.get("ClientRequestToken"):
        request["ClientRequestToken"] = uuid.uuid4().hex  # every attempt is the same Start
    caller = client.single_attempt(rekognition_client)
    rate = budget.start_rate(caller)
    endpoint = caller.meta.endpoint_url
    backoff = Backoff()
    deadline = time.monotonic() + timeout
    slot: _SlotWait | None = None
    # Throttling and no answer are retried apart: only the latter gives up after
    # UNREACHABLE_LIMIT (throttling waits until the deadline).
    throttled, unanswered = Retry(backoff), Retry(backoff)
    while True:
        cancellation.check()  # after Ctrl-C (the engine's Cancel) no Start begins
        rate.acquire()
        attempted = time.monotonic()
        try:
            response: dict[str, Any] = caller.start_media_analysis_job(**request)
        except Exception as error:
            code = error_code(error)
            now = time.monotonic()
            if code == QUOTA_CODE:
                throttled.reset()
                unanswered.reset()
                slot = slot or _SlotWait(caller, resource, report, deadline)
                slot.refused(error)
                slot.wait_for_free()
                continue
            if code in THROTTLING_CODES:
                delay = throttled.failed(unanswered=False, at=attempted)
                if now + delay > deadline:
                    raise
                report(f"StartMediaAnalysisJob answered {code}, retrying in {delay:.1f} s")
                cancellation.sleep(delay)
                continue
            if is_connection_error(error) or is_retryable(error):
                delay = unanswered.failed(unanswered=True, at=attempted)
                silent_for = unanswered.unanswered_for(now)
                if silent_for >= UNREACHABLE_LIMIT:
                    raise StartUnreachable(
                        resource, endpoint, error, silent_for, unanswered.failures
                    ) from error
                what = f"cannot reach {endpoint}" if is_connection_error(error) else endpoint
                report(
                    f"{what}: {error}, retrying in {delay:.1f} s "
                    f"(attempt {unanswered.failures + 1}; gives up after "
                    f"{UNREACHABLE_LIMIT:.0f} s without an answer)"
                )
                cancellation.sleep(delay)
                continue
            raise
        if slot is not None:
            report(f"got a concurrent-job slot after {slot.waited():.0f} s")
        return response


class _SlotWait:
    """Waiting for one of the account's concurrent-job slots, for one create."""

    def __init__(self, caller: Any, resource: str, report: Report, deadline: float) -> None:
        self._caller = caller
        self._board = budget.page_board(caller)
        self._resource = resource
        self._report = report
        self._deadline = deadline
        self._began = time.monotonic()
        self._limit: int | None = None
        self._in_use: int | None = None
        self._last_report: float | None = None
        self._last_attempt = self._began

    def waited(self) -> float:
        return time.monotonic() - self._began

    def refused(self, error: Exception) -> None:
        """A Start was refused for the quota: note the limit and how many jobs hold it."""
        self._last_attempt = time.monotonic()
        stated = re.search(r"\((\d+)\)", str(error))
        self._count()
        if stated:
            self._limit = int(stated.group(1))
        elif self._in_use is not None:
            # Refused with this many running: that is the quota, as far as we can tell.
            self._limit = max(self._in_use, self._limit or 0)
        if self._last_report is None:
            self._say(f"waiting for a concurrent-job slot: {self._usage()}")

    def wait_for_free(self) -> None:
        """Return when a Start is worth trying again; StartSlotTimeout at the deadline."""
        while True:
            now = time.monotonic()
            if now >= self._deadline:
                raise StartSlotTimeout(self._resource, self.waited(), self._usage())
            pause = min(self._deadline - now, SLOT_CHECK_EVERY * random.uniform(0.8, 1.2))
            cancellation.sleep(pause)  # Ctrl-C (the engine's Cancel) ends the wait
            answered = self._count()
            now = time.monotonic()
            if not answered:
                return  # List gives no answer: let the Start's own retries decide
            if self._in_use is not None and self._limit is not None and self._in_use < self._limit:
                # Many creates may see the same free slot: spread their Starts a little.
                time.sleep(random.uniform(0.0, 0.3))
                return
            if now - self._last_attempt >= SLOT_RETRY_EVERY:
                return
            assert self._last_report is not None
            if now - self._last_report >= SLOT_REPORT_EVERY:
                self._say(
                    f"waiting for a concurrent-job slot: {self._usage()} ({self.waited():.0f} s)"
                )

    def _count(self) -> bool:
        """Count the unfinished jobs on the newest List page; False if List did not answer."""
        try:
            page = self._board.first_page(self._list, BOARD_MAX_AGE)
        except Exception as error:
            if is_connection_error(error):
                return False
            if not is_retryable(error):
                self._in_use = None  # List is not allowed (say): wait on the Start alone
            return True  # throttled: keep the last count
        jobs = page.get("MediaAnalysisJobs", [])
        self._in_use = sum(1 for job in jobs if job.get("Status") not in TERMINAL)
        return True

    def _list(self) -> dict[str, Any]:
        page: dict[str, Any] = self._caller.list_media_analysis_jobs(MaxResults=PAGE_SIZE)
        return page

    def _usage(self) -> str:
        limit = "?" if self._limit is None else str(self._limit)
        in_use = "?" if self._in_use is None else str(self._in_use)
        return f"{in_use} of {limit} in use"

    def _say(self, message: str) -> None:
        self._last_report = time.monotonic()
        self._report(message)
