"""The engine's Cancel (first Ctrl-C of `pulumi up`), as one event for the whole process.

On the first SIGINT (or SIGTERM) the Pulumi CLI cancels the deployment: it starts no new
steps, sends ``Cancel`` to every resource provider plugin, and then waits for the steps in
flight to end (``deploymentExecutor.Execute`` in pulumi/pulumi's pkg/resource/deploy; the
CLI only terminates at once on a second Ctrl-C). A create waiting for its job would hold
the CLI until the job finished, so the plugin's ``cancel`` sets this event (as does the
dynamic provider server's Cancel, hooked through ``pulumi_internals``) and every wait of
the core checks it: the poller's wait (``pollers``) and the waits of a Start
(``start``: the quota slot, throttling and unanswered-Start backoffs) raise
:class:`Cancelled` within about a second, and no Start is made once it is set.

It is process-wide because Cancel is: it means "this deployment is over", and a provider
process (the plugin's, or a dynamic provider's) serves one deployment. Nothing clears it.
"""

from __future__ import annotations

import threading

_CANCELLED = threading.Event()


class Cancelled(Exception):
    """The deployment was cancelled while this call waited or before it started a job.

    ``job_id`` and ``status`` name the job being waited for, when there was one; the
    core turns this into a message naming the resource (``job.MediaAnalysisJobCancelled``).
    """

    def __init__(self, job_id: str | None = None, status: str | None = None) -> None:
        super().__init__(
            f"cancelled while waiting for media analysis job {job_id} (last status {status})"
            if job_id
            else "cancelled before a media analysis job was started"
        )
        self.job_id = job_id
        self.status = status


def cancel() -> None:
    """Stop every wait of this process, now and later (the engine's Cancel)."""
    _CANCELLED.set()


def check(job_id: str | None = None, status: str | None = None) -> None:
    """Raise :class:`Cancelled` if the deployment was cancelled."""
    if _CANCELLED.is_set():
        raise Cancelled(job_id, status)


def sleep(seconds: float, job_id: str | None = None, status: str | None = None) -> None:
    """``time.sleep(seconds)`` that ends with :class:`Cancelled` as soon as Cancel comes."""
    if _CANCELLED.wait(max(0.0, seconds)):
        raise Cancelled(job_id, status)


def reset() -> None:
    """For tests that cancel in-process: the next test's waits must not see it."""
    _CANCELLED.clear()
