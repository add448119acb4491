"""State and rules of media analysis jobs: lifecycle, idempotency, listing, scheduling.

Like a moto backend, this knows nothing of HTTP: it takes validated request members and
returns response members or raises :class:`ApiError`.

Statuses are derived from the clock rather than pushed by timers: each job records when
it enters QUEUED, IN_PROGRESS and when it may complete, so a Get sees SUCCEEDED exactly
at the configured time, however busy the workers are. The workers only produce the
job's outcome (files in S3, FailureDetails); completion is the later of the configured
time and the moment that outcome exists.
"""

from __future__ import annotations

import base64
import bisect
import dataclasses
import functools
import hashlib
import heapq
import hmac
import itertools
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

from rekognition_media.api import limits, rules
from rekognition_media.api.statuses import (
    CREATED,
    IN_PROGRESS,
    QUEUED,
    RANK,
    STATUSES,
    SUCCEEDED,
    TERMINAL,
)

from .exceptions import (
    BULK_ANALYSIS_DENIED,
    ApiError,
    access_denied,
    idempotent_parameter_mismatch,
    invalid_manifest,
    invalid_pagination_token,
    invalid_parameter,
    invalid_s3_object,
    limit_exceeded,
    resource_not_found,
)
from .job_controls import JobControls, job_controls
from .persistence import JobFiles
from .processing import JobResult, JobSpec, process
from .settings import POLL_FAULT_STATUS, EmulatorSettings, SettingsHolder
from .storage import Storage, StorageError

log = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE: Final = 100


@dataclass(frozen=True)
class Scope:
    """Jobs, tokens and quotas are per account and region, as in AWS."""

    account_id: str
    region: str


def new_job_id() -> str:
    """[UNCONFIRMED] 64 hex characters, like Rekognition Video job ids."""
    return secrets.token_hex(32)


def without_nulls(value: Any) -> Any:
    """JSON ``null`` members mean "absent" in AWS JSON protocols; drop them."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


@dataclass
class Job:
    job_id: str
    scope: Scope
    seq: int
    request: dict[str, Any]
    """The Start request as sent (null members dropped), without ClientRequestToken."""
    token: str | None
    created_at: float
    controls: JobControls
    result: JobResult | None = None
    finished_at: float | None = None
    last_status: str = CREATED

    @property
    def queued_at(self) -> float:
        return self.created_at + self.controls.created_seconds

    @property
    def started_at(self) -> float:
        return self.queued_at + self.controls.queue_seconds

    @property
    def due_at(self) -> float:
        return self.started_at + self.controls.duration_seconds

    @property
    def completed_at(self) -> float | None:
        if self.finished_at is None:
            return None
        return max(self.due_at, self.finished_at)

    def status(self, now: float) -> str:
        """Status at ``now``; never earlier in the lifecycle than one already reported.

        The clock may step backwards (NTP); remembering the last status keeps clients
        from ever seeing a job move back.
        """
        completed_at = self.completed_at
        if completed_at is not None and self.result is not None and now >= completed_at:
            status = self.result.status
        elif now >= self.started_at:
            status = IN_PROGRESS
        elif now >= self.queued_at:
            status = QUEUED
        else:
            status = CREATED
        if RANK[status] < RANK[self.last_status]:
            return self.last_status
        self.last_status = status
        return status

    def describe(self, now: float) -> dict[str, Any]:
        """The MediaAnalysisJobDescription members, echoing the request as sent."""
        status = self.status(now)
        request = self.request
        out: dict[str, Any] = {"JobId": self.job_id}
        if "JobName" in request:
            out["JobName"] = request["JobName"]
        out["OperationsConfig"] = request["OperationsConfig"]
        out["Status"] = status
        result = self.result if status in TERMINAL else None
        if result is not None and result.failure is not None:
            out["FailureDetails"] = result.failure
        out["CreationTimestamp"] = self.created_at
        if status in TERMINAL:
            out["CompletionTimestamp"] = self.completed_at
        out["Input"] = request["Input"]
        out["OutputConfig"] = request["OutputConfig"]
        if "KmsKeyId" in request:
            out["KmsKeyId"] = request["KmsKeyId"]
        if result is not None and status == SUCCEEDED:
            if result.results is not None:
                out["Results"] = result.results
            if result.manifest_summary is not None:
                out["ManifestSummary"] = result.manifest_summary
        return out

    def spec(self) -> JobSpec:
        return JobSpec(
            self.job_id, self.scope.account_id, self.scope.region, self.request, self.controls
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "JobId": self.job_id,
            "AccountId": self.scope.account_id,
            "Region": self.scope.region,
            "Seq": self.seq,
            "Request": self.request,
            "ClientRequestToken": self.token,
            "CreatedAt": self.created_at,
            "Controls": dataclasses.asdict(self.controls),
            "Result": self.result.to_json() if self.result else None,
            "FinishedAt": self.finished_at,
            "LastStatus": self.last_status,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Job:
        return cls(
            job_id=data["JobId"],
            scope=Scope(data["AccountId"], data["Region"]),
            seq=int(data["Seq"]),
            request=data["Request"],
            token=data.get("ClientRequestToken"),
            created_at=float(data["CreatedAt"]),
            controls=JobControls(**data["Controls"]),
            result=JobResult.from_json(data["Result"]) if data.get("Result") else None,
            finished_at=data.get("FinishedAt"),
            last_status=data.get("LastStatus", CREATED),
        )


class PageTokens:
    """Opaque, tamper-proof NextTokens: the list position, HMAC-signed with a server key.

    The position is the sequence number of the last job returned, so jobs started
    between two pages neither repeat nor shift items. A token is bound to its account
    and region; anything altered, truncated or foreign is rejected.
    """

    def __init__(self, key: bytes) -> None:
        self._key = key

    def issue(self, scope: Scope, after_seq: int) -> str:
        payload = _b64(json.dumps([scope.account_id, scope.region, after_seq]).encode())
        return f"{payload}.{self._sign(payload)}"

    def read(self, scope: Scope, token: str) -> int:
        payload, _, signature = token.partition(".")
        if not hmac.compare_digest(signature.encode(), self._sign(payload).encode()):
            raise invalid_pagination_token()
        try:
            account_id, region, after_seq = json.loads(_unb64(payload))
        except ValueError as exc:
            raise invalid_pagination_token() from exc
        if (account_id, region) != (scope.account_id, scope.region) or not isinstance(
            after_seq, int
        ):
            raise invalid_pagination_token()
        return after_seq

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest()[:18])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Scheduler:
    """Runs callbacks at given epoch times on a worker pool.

    One thread sleeps until the earliest deadline of a heap; work runs on a bounded pool,
    so thousands of pending jobs cost heap entries, not threads.
    """

    def __init__(self, workers: int) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._closed = False
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="media-analysis-job")
        self._thread = threading.Thread(
            target=self._run, name="media-analysis-scheduler", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def call_at(self, when: float, callback: Callable[[], None]) -> None:
        with self._cond:
            heapq.heappush(self._heap, (when, next(self._order), callback))
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._closed:
                    if self._heap:
                        delay = self._heap[0][0] - time.time()
                        if delay <= 0:
                            break
                        self._cond.wait(delay)
                    else:
                        self._cond.wait()
                if self._closed:
                    return
                _, _, callback = heapq.heappop(self._heap)
            self._pool.submit(callback)


class MediaAnalysisBackend:
    """All media analysis jobs of the emulator, for every account and region."""

    def __init__(self, settings: SettingsHolder) -> None:
        initial = settings.current
        self._settings = settings
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._scopes: dict[Scope, list[Job]] = {}  # ascending seq: oldest first
        self._tokens: dict[tuple[Scope, str], Job] = {}
        self._seq = 0
        self.jobs_created = 0
        self._files = JobFiles(initial.state_dir) if initial.state_dir else None
        self._pages = PageTokens(
            self._files.token_key() if self._files else secrets.token_bytes(32)
        )
        self._scheduler = Scheduler(initial.workers)
        self._restore()
        self._scheduler.start()

    def close(self) -> None:
        self._scheduler.close()

    # --- operations ----------------------------------------------------------------------

    def start_job(self, scope: Scope, params: Mapping[str, Any]) -> dict[str, Any]:
        settings = self._settings.current
        if not settings.has_bulk_analysis(scope.account_id):
            raise access_denied(BULK_ANALYSIS_DENIED)
        token: str | None = params.get("ClientRequestToken")
        request = without_nulls({k: v for k, v in params.items() if k != "ClientRequestToken"})
        broken = rules.validate_start(request)
        if broken:
            raise invalid_parameter("; ".join(v.aws_message() for v in broken))
        with self._lock:
            now = time.time()
            self._expire(scope, now, settings)
            if token is not None:
                existing = self._tokens.get((scope, token))
                if existing is not None:
                    if existing.request != request:
                        raise idempotent_parameter_mismatch(token)
                    return {"JobId": existing.job_id}
            if settings.quota_mode:
                self._check_concurrency(scope, now, settings)
            controls = self._check_manifest(scope, request, settings)
            self._seq += 1
            job = Job(
                job_id=new_job_id(),
                scope=scope,
                seq=self._seq,
                request=request,
                token=token,
                created_at=round(now, 3),
                controls=controls,
            )
            self._add(job)
            self.jobs_created += 1
            self._save(job)
        self._scheduler.call_at(job.started_at, functools.partial(self._run, job.job_id))
        return {"JobId": job.job_id}

    def get_job(self, scope: Scope, params: Mapping[str, Any]) -> dict[str, Any]:
        job_id: str = params["JobId"]
        settings = self._settings.current
        with self._lock:
            now = time.time()
            job = self._jobs.get(job_id)
            if job is None or job.scope != scope or self._expired(job, now, settings):
                raise resource_not_found(f"Job {job_id} does not exist.")
            fault = settings.job_poll_faults.get(job.request.get("JobName", ""))
            if fault is not None:
                raise ApiError(
                    fault,
                    f"GetMediaAnalysisJob of job {job_id} refused (emulator job_poll_faults).",
                    POLL_FAULT_STATUS[fault],
                )
            return job.describe(now)

    def list_jobs(self, scope: Scope, params: Mapping[str, Any]) -> dict[str, Any]:
        max_results: int = params.get("MaxResults") or DEFAULT_PAGE_SIZE
        token: str | None = params.get("NextToken")
        before_seq = self._pages.read(scope, token) if token is not None else None
        settings = self._settings.current
        with self._lock:
            now = time.time()
            self._expire(scope, now, settings)
            jobs = self._scopes.get(scope, [])
            if settings.job_poll_faults:
                # Jobs with a poll fault are listed by no page: clients must Get them.
                hidden = settings.job_poll_faults
                jobs = [job for job in jobs if job.request.get("JobName") not in hidden]
            end = len(jobs)
            if before_seq is not None:
                end = bisect.bisect_left(jobs, before_seq, key=lambda job: job.seq)
            page = jobs[max(0, end - max_results) : end][::-1]
            out: dict[str, Any] = {"MediaAnalysisJobs": [job.describe(now) for job in page]}
            if end > max_results:
                out["NextToken"] = self._pages.issue(scope, page[-1].seq)
            return out

    def backdate(self, job_id: str, seconds: float) -> dict[str, Any]:
        """Make a job ``seconds`` older: every time it records moves back, as if it had
        been started that much earlier (the tests' clock, instead of waiting). Returns the
        job as a Get describes it now; ``KeyError`` for an unknown JobId."""
        if not 0 <= seconds <= 365 * 24 * 3600:
            raise ValueError(f"seconds = {seconds}: must be between 0 and a year")
        with self._lock:
            job = self._jobs[job_id]
            job.created_at = round(job.created_at - seconds, 3)
            if job.finished_at is not None:
                job.finished_at -= seconds
            self._save(job)
            return job.describe(time.time())

    def job_counts(self) -> dict[str, Any]:
        """Jobs held and their statuses now, for the admin stats."""
        with self._lock:
            now = time.time()
            by_status = dict.fromkeys(STATUSES, 0)
            for job in self._jobs.values():
                by_status[job.status(now)] += 1
            return {"created": self.jobs_created, "held": len(self._jobs), "by_status": by_status}

    # --- rules ---------------------------------------------------------------------------

    def _check_concurrency(self, scope: Scope, now: float, settings: EmulatorSettings) -> None:
        limit = settings.concurrent_jobs_limit(scope.region)
        running = sum(1 for job in self._scopes.get(scope, ()) if job.status(now) not in TERMINAL)
        if running >= limit:
            raise limit_exceeded(
                f"The number of concurrent media analysis jobs ({limit}) in {scope.region} "
                "has been reached."
            )

    def _check_manifest(
        self, scope: Scope, request: Mapping[str, Any], settings: EmulatorSettings
    ) -> JobControls:
        """The synchronous manifest checks of Start; returns the job's metadata controls."""
        s3_object = request["Input"]["S3Object"]
        storage = Storage(scope.account_id, scope.region)
        try:
            region = storage.bucket_region(s3_object["Bucket"])
            if settings.check_manifest_region and region != scope.region:
                raise invalid_s3_object()
            manifest = storage.get_object(
                s3_object["Bucket"], s3_object["Name"], s3_object.get("Version")
            )
        except StorageError as exc:
            raise invalid_s3_object() from exc
        if manifest.size == 0:
            raise invalid_manifest("The manifest file is empty.")
        if manifest.size > limits.MAX_MANIFEST_BYTES:
            raise invalid_manifest(
                f"The manifest file is {manifest.size} bytes; "
                f"the maximum is {limits.MAX_MANIFEST_BYTES} bytes (50 MB)."
            )
        controls = job_controls(manifest.metadata, settings)
        failure = settings.job_failures.get(request.get("JobName") or "")
        if failure is not None and controls.failure_code is None:
            controls = dataclasses.replace(
                controls,
                failure_code=failure,
                failure_message=f"Failed as asked (emulator job_failures: {failure}).",
            )
        return controls

    def _expired(self, job: Job, now: float, settings: EmulatorSettings) -> bool:
        return now - job.created_at > settings.retention_seconds

    def _expire(self, scope: Scope, now: float, settings: EmulatorSettings) -> None:
        jobs = self._scopes.get(scope)
        # Oldest first, so expired jobs form a prefix.
        while jobs and self._expired(jobs[0], now, settings):
            job = jobs.pop(0)
            self._jobs.pop(job.job_id, None)
            if job.token is not None:
                self._tokens.pop((scope, job.token), None)
            if self._files is not None:
                self._files.delete(job.job_id)

    # --- bookkeeping ---------------------------------------------------------------------

    def _add(self, job: Job) -> None:
        self._jobs[job.job_id] = job
        jobs = self._scopes.setdefault(job.scope, [])
        bisect.insort(jobs, job, key=lambda j: j.seq)
        if job.token is not None:
            self._tokens[(job.scope, job.token)] = job

    def _save(self, job: Job) -> None:
        if self._files is not None:
            self._files.save(job.job_id, job.to_json())

    def _run(self, job_id: str) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.result is not None:
                return
            spec = job.spec()
        result = process(spec, self._settings.current)
        with self._lock:
            job.result = result
            job.finished_at = time.time()
            self._save(job)

    def _restore(self) -> None:
        if self._files is None:
            return
        for record in self._files.load():
            try:
                job = Job.from_json(record)
            except (KeyError, TypeError, ValueError):
                log.warning("ignoring malformed job record %s", record.get("JobId"))
                continue
            self._add(job)
            self._seq = max(self._seq, job.seq)
            if job.result is None:
                # Interrupted by the restart: run it now (or when it was due to start).
                self._scheduler.call_at(job.started_at, functools.partial(self._run, job.job_id))
