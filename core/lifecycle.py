"""The lifecycle of a media analysis job, for both front ends: the core.

What each Pulumi verb does to a job (the dynamic ``MediaAnalysisJob``, ``job``, and the
``rekognition-media`` plugin, ``rekognition_media.plugin``, translate their wire values to
the snake_case property dicts used here and back; neither is imported here):

* check  -- ``check``: every reason the API or the resource would reject the inputs; no
            AWS call (``request.problems``).
* diff   -- ``changes.diff``: a changed request member replaces the job, a changed setting
            updates the resource in place.
* create -- ``create``: starts the job with a deterministic idempotency token (``token``)
            and waits for it to finish (what a SUCCEEDED job found is read once,
            ``summary``, and printed); an interrupted create re-run resumes the same job,
            a job that FAILED (or whose results were deleted) gets a successor; with
            ``adopt_job_id``, adopts an existing job whose request matches.
* read   -- ``read``: re-reads the job; what a create would have recorded of a job that
            has ended since (statistics, moderation summary) is read once, while it is
            missing; a job that no longer exists leaves the state.
* update -- ``update``: settings only; the recorded outputs carry over, no AWS call.
* delete -- ``delete``: Rekognition has no delete call: the job leaves the state, and with
            ``delete_outputs_on_destroy`` its results and summary objects go too (only
            under the job's own prefix: ``output_prefix``).

The properties are the dynamic resource's state: the inputs (``request.INPUT_FIELDS``),
the outputs (``request.OUTPUT_FIELDS``) and the two the front end sets
(``request.IDENTITY_FIELDS``: the resource's name for messages, the token's scope,
``token.token_scope``). Progress goes to stderr, one line per event: the dynamic
provider's stderr reaches `pulumi up`'s output (pulumi/pulumi#18253), the plugin routes it
to the engine's log (``plugin.engine_log``).

This module runs in the provider process only: starting within the quotas (``start``)
and waiting (``pollers``, ``budget``) are imported here, and the dynamic resource's
program side never imports it (``job``).
"""

from __future__ import annotations

import datetime
import email.utils
import functools
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from rekognition_media.api import manifest, shapes
from rekognition_media.api.casing import from_api
from rekognition_media.api.statuses import FAILED, SUCCEEDED, TERMINAL

from . import account, client, output_prefix, pollers
from .cancellation import Cancelled
from .errors import error_code
from .request import (
    ADOPT_FIELD,
    JOB_FIELDS,
    OUTPUT_FIELDS,
    REQUEST_FIELDS,
    JobSettings,
    Problem,
    build_request,
    normalise,
    problems,
)
from .start import start_job
from .summary import ManifestStatistics, summary_output
from .token import derive_token, successor_token
from .user_errors import InvalidInputs, NotAdoptable

# A job the service created more than this before our Start call was answered existed
# already (the Start reached it through its token). Measured on the service's own clock
# -- the response's Date header, whole seconds -- so client clock skew does not matter;
# the second covers the Start call's own latency. So a job that FAILED within about two
# seconds before a re-run counts as the re-run's own: no person fixes a cause that fast.
_FRESH_SLACK = 1.0
# Successors of failed jobs followed in one create before giving up (each one is a job
# that failed in an earlier run: a real chain this long means something else is wrong).
_MAX_SUCCESSORS = 100
# S3's ways of saying an output object is not there (HeadObject answers a bare 404).
_GONE = frozenset({"404", "NoSuchKey", "NoSuchBucket", "NoSuchVersion"})


class MediaAnalysisJobFailed(Exception):
    def __init__(self, resource: str, job_id: str, code: str, message: str) -> None:
        super().__init__(
            f"Media analysis job {job_id} ({resource}) ended FAILED: {code}: "
            f"{message.rstrip('.') or 'no message'}. Fix the cause and run `pulumi up` again: "
            "a failed job is never resumed, the next run starts a successor job. Or set "
            "fail_on_job_failure=false to record failed jobs without failing the deployment."
        )
        self.job_id = job_id
        self.code = code


class MediaAnalysisJobCancelled(Exception):
    """The deployment was cancelled (Ctrl-C: the engine's Cancel) while the create waited."""

    def __init__(self, resource: str, job_id: str | None, status: str | None) -> None:
        if job_id:
            message = (
                f"Cancelled (Ctrl-C) while waiting for media analysis job {job_id} of resource "
                f"'{resource}' (last status {status}). The job keeps running in Rekognition; "
                f"the next `pulumi up` resumes waiting for job {job_id} (the same request "
                "derives the same idempotency token, so no second job is started)."
            )
        else:
            message = (
                f"Cancelled (Ctrl-C) before the media analysis job of resource '{resource}' "
                "was started (no StartMediaAnalysisJob call succeeded). The next `pulumi up` "
                "starts it, with the same idempotency token: a Start whose answer was lost "
                "is adopted, not repeated."
            )
        super().__init__(message)
        self.job_id = job_id
        self.status = status


class MediaAnalysisJobStartError(Exception):
    """StartMediaAnalysisJob refused the request; the message names what it refers to."""


@dataclass(frozen=True)
class Created:
    """A created job: its id (the resource's) and the outputs (``request.OUTPUT_FIELDS``)."""

    job_id: str
    outputs: dict[str, Any]


def check(props: Mapping[str, Any]) -> list[Problem]:
    """Every reason the API or the resource would reject these inputs; no AWS call."""
    return problems(props)


def create(props: Mapping[str, Any]) -> Created:
    """Start the job the properties describe (or resume or adopt it) and wait for it."""
    try:
        with account.credentials_checked(_resource(props), "creating its media analysis job"):
            return _create(props)
    except Cancelled as cancelled:
        # Name the resource: the poller and the Start know only the job.
        raise MediaAnalysisJobCancelled(
            _resource(props), cancelled.job_id, cancelled.status
        ) from None


def _create(props: Mapping[str, Any]) -> Created:
    resource = _resource(props)
    found = problems(props)
    if found:
        # Preview let unknown values through; now they are known.
        raise InvalidInputs(f"{resource}: invalid inputs: " + "; ".join(p.reason for p in found))
    settings = JobSettings.from_props(props)
    request = build_request(props)
    rekognition = client.rekognition(settings.region, settings.endpoint_url)
    if props.get(ADOPT_FIELD):
        job_id = props[ADOPT_FIELD]
        with account.credentials_checked(
            resource, f"GetMediaAnalysisJob of job {job_id} (adopting it)"
        ):
            job = rekognition.get_media_analysis_job(JobId=job_id)
        _check_adoptable(job, request)
        _report(job_id, f"adopted ({job['Status']})")
        token, owned = None, False
    else:
        declared = request.get("ClientRequestToken")
        base = declared or derive_token(str(props.get("token_scope")), request)
        job, token, owned = start_or_resume(
            rekognition, request, base, resource, settings, declared=declared is not None
        )
        job_id = job["JobId"]
    if settings.wait_for_completion and job["Status"] not in TERMINAL:
        job = wait(resource, job_id, settings)
    outputs = {
        **_outputs(job),
        "request_token": token,
        "started_by_stack": owned,
        "manifest_statistics": summary_statistics(job, settings),
        "moderation_summary": moderation_summary(job, settings),
    }
    if job["Status"] == FAILED and settings.fail_on_job_failure:
        details = job.get("FailureDetails", {})
        raise MediaAnalysisJobFailed(
            resource, job_id, details.get("Code", "UNKNOWN"), details.get("Message", "")
        )
    return Created(job_id, outputs)


def read(job_id: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
    """The properties with the job as it is now; None when the job no longer exists."""
    settings = JobSettings.from_props(props)
    rekognition = client.rekognition(settings.region, settings.endpoint_url)
    try:
        with account.credentials_checked(
            _resource(props), f"GetMediaAnalysisJob of job {job_id} (reading it: refresh)"
        ):
            job = rekognition.get_media_analysis_job(JobId=job_id)
    except rekognition.exceptions.ResourceNotFoundException:
        return None
    outs = {**props, **_outputs(job)}
    # A job created with wait_for_completion=false ends after its create: refresh records
    # what the create would have. Read once, kept afterwards (None until the job succeeds).
    if props.get("manifest_statistics") is None:
        outs["manifest_statistics"] = summary_statistics(job, settings)
    if props.get("moderation_summary") is None:
        outs["moderation_summary"] = moderation_summary(job, settings)
    if not any(key in props for key in REQUEST_FIELDS):
        # Imported: nothing declared yet, so take the request the job echoes.
        outs.update(_request_fields(job))
    return outs


def update(olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
    """The new properties with the job's recorded outputs: only behaviour settings update
    in place (``changes.diff`` replaces on anything else), so the outputs carry over."""
    return {**news, **{k: olds.get(k) for k in OUTPUT_FIELDS}}


def delete(job_id: str, props: Mapping[str, Any]) -> None:
    """The job leaves the state; with ``delete_outputs_on_destroy``, so do its outputs
    (only those of a job this stack started itself)."""
    settings = JobSettings.from_props(props)
    if not settings.delete_outputs_on_destroy:
        return
    if not props.get("started_by_stack"):
        # Adopted, or reached through a declared token another stack may share.
        _report(job_id, "outputs kept: this stack did not start the job itself")
        return
    with account.credentials_checked(
        _resource(props), f"deleting the outputs of job {job_id} (delete_outputs_on_destroy)"
    ):
        _delete_outputs(job_id, props, settings)


def _delete_outputs(job_id: str, props: Mapping[str, Any], settings: JobSettings) -> None:
    s3 = client.s3(settings.region, settings.endpoint_url)
    for pointer in (props.get("results"), props.get("manifest_summary")):
        s3_object = (pointer or {}).get("s3_object") or {}
        if s3_object.get("bucket") and s3_object.get("name"):
            refused = output_prefix.refusal(job_id, props.get("output_config") or {}, s3_object)
            if refused:
                _report(job_id, refused)
                continue
            _delete_output(s3, job_id, s3_object)


def start_or_resume(
    rekognition: Any,
    request: Mapping[str, Any],
    base: str,
    resource: str,
    settings: JobSettings,
    *,
    declared: bool = False,
) -> tuple[dict[str, Any], str, bool]:
    """Start the job of ``request`` with token ``base`` -- or find the one an earlier run
    started with it -- and describe it (a job's create; each shard of a batch).

    Returns the job, its token and whether this stack started it. A job an earlier run
    started is resumed (the run was interrupted), unless it FAILED or its results were
    deleted: then its successor is started (see ``token``). ``declared``: the token is
    the user's, which another stack may share.
    """
    for attempt in range(_MAX_SUCCESSORS):
        token = successor_token(base, attempt)
        response = _start(rekognition, {**request, "ClientRequestToken": token}, resource, settings)
        with account.credentials_checked(
            resource,
            f"reading job {response['JobId']} just started "
            "(ListMediaAnalysisJobs, GetMediaAnalysisJob)",
        ):
            looked = _look(response["JobId"], settings)
        job = looked.job
        if not looked.confirmed and (
            declared or not settings.wait_for_completion or _earlier(job, response)
        ):
            # Another process's page (the board, a file) may say anything, so it only tells
            # that a job just started runs, to be waited for. Whether this stack started a
            # job reached through a declared token (and so may delete its outputs), whether
            # an earlier run's job is resumed, and what a create that does not wait records
            # rest on the job's own Get.
            job = rekognition.get_media_analysis_job(JobId=response["JobId"])
        earlier = _earlier(job, response)
        if not earlier:
            _report(job["JobId"], f"started ({resource})")
            return job, token, True
        gone = job["Status"] == SUCCEEDED and _results_gone(job, settings)
        if job["Status"] != FAILED and not gone:
            _report(
                job["JobId"],
                f"resumed ({resource}): an earlier run started it with this request, "
                f"now {job['Status']}",
            )
            # A derived token is this stack's alone; a declared one may be another's.
            return job, token, not declared
        why = (
            "its results were deleted (a replacement or destroy with delete_outputs_on_destroy)"
            if gone
            else f"ended FAILED in an earlier run ({job.get('FailureDetails', {}).get('Code')})"
        )
        _report(
            job["JobId"],
            f"{why}; starting a successor job for {resource} with a new idempotency token",
        )
    raise MediaAnalysisJobStartError(
        f"{resource}: {_MAX_SUCCESSORS} earlier jobs with this request all FAILED; "
        "change the request or set client_request_token"
    )


def _look(job_id: str, settings: JobSettings) -> pollers.Look:
    """The job just started (or reached through its token), as the process's poller next
    sees it: the shared poller reads it from the List page its waiting jobs share, so the
    create makes no GetMediaAnalysisJob of its own; its errors are a poll's
    (``JobPollFailed`` for this job only)."""
    poller = pollers.poller(settings.region, settings.endpoint_url)
    return poller.look(job_id, settings.wait_timeout_seconds)


def _start(
    rekognition: Any, request: dict[str, Any], resource: str, settings: JobSettings
) -> dict[str, Any]:
    try:
        with account.credentials_checked(
            resource, "StartMediaAnalysisJob (starting its media analysis job)"
        ):
            response: dict[str, Any] = start_job(
                rekognition,
                request,
                resource=resource,
                timeout=settings.wait_timeout_seconds,
                report=functools.partial(_report, f"for {resource}"),
            )
    except ClientError as error:
        raise _start_error(error, request, resource) from None
    return response


def _start_error(error: ClientError, request: Mapping[str, Any], resource: str) -> Exception:
    refusal = account.bulk_analysis_refusal(error, resource)
    if refusal is not None:
        return refusal
    code = error_code(error) or "Error"
    message = str(error.response.get("Error", {}).get("Message", "")).rstrip(".")
    where = ""
    if code in ("InvalidS3ObjectException", "InvalidManifestException"):
        s3_object = request.get("Input", {}).get("S3Object", {})
        where = f" (manifest s3://{s3_object.get('Bucket')}/{s3_object.get('Name')})"
    return MediaAnalysisJobStartError(
        f"{resource}: StartMediaAnalysisJob failed: {code}: {message}{where}"
    )


def _earlier(job: Mapping[str, Any], response: Mapping[str, Any]) -> bool:
    """Whether an earlier run started the job the Start answered with (see _FRESH_SLACK)."""
    return _created(job) < _answered_at(response) - _FRESH_SLACK


def _answered_at(response: Mapping[str, Any]) -> float:
    """When the service answered, by its own clock (our clock without a Date header)."""
    date = response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
    if date:
        try:
            return email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            pass
    return time.time()


def _created(job: Mapping[str, Any]) -> float:
    created = job.get("CreationTimestamp")
    if isinstance(created, datetime.datetime):
        return created.timestamp()
    return float(created) if isinstance(created, int | float) else time.time()


def _results_gone(job: Mapping[str, Any], settings: JobSettings) -> bool:
    """Whether a finished job's results object was deleted: such a job is not adopted
    again (its resource was replaced or destroyed with delete_outputs_on_destroy)."""
    s3_object = (job.get("Results") or {}).get("S3Object") or {}
    if not s3_object.get("Bucket") or not s3_object.get("Name"):
        return False
    try:
        client.s3(settings.region, settings.endpoint_url).head_object(
            Bucket=s3_object["Bucket"], Key=s3_object["Name"]
        )
    except ClientError as error:
        # Only "not there" counts; no permission to look means adopt, as before.
        return error_code(error) in _GONE
    return False


def _resource(props: Mapping[str, Any]) -> str:
    return str(props.get("resource_name") or "MediaAnalysisJob")


def summary_statistics(job: Mapping[str, Any], settings: JobSettings) -> dict[str, int] | None:
    """The manifest summary's counts, printed -- invalid lines do not fail a job, so
    without this a manifest with 9 of 10 bad lines would succeed without a word."""
    s3_object = (job.get("ManifestSummary") or {}).get("S3Object") or {}
    if job.get("Status") != SUCCEEDED or not s3_object.get("Bucket"):
        return None
    uri = f"s3://{s3_object['Bucket']}/{s3_object.get('Name')}"
    try:
        extra = {"VersionId": s3_object["Version"]} if s3_object.get("Version") else {}
        body = (
            client.s3(settings.region, settings.endpoint_url)
            .get_object(Bucket=s3_object["Bucket"], Key=s3_object["Name"], **extra)["Body"]
            .read()
        )
        stats = manifest.parse_summary(body).statistics
    except (ClientError, ValueError) as error:
        _report(job["JobId"], f"could not read the manifest summary {uri}: {error}")
        return None
    counts = ManifestStatistics.of(stats).model_dump()
    line = f"{stats.valid} of {stats.total} images analysed, {stats.invalid} invalid"
    if stats.invalid:
        line += f" (the summary lists why: {uri})"
    _report(job["JobId"], line)
    return counts


def _delete_output(s3: Any, job_id: str, s3_object: Mapping[str, Any]) -> None:
    """Delete one output object; one already gone (or its bucket) is skipped, not an error."""
    uri = f"s3://{s3_object['bucket']}/{s3_object['name']}"
    extra = {"VersionId": s3_object["version"]} if s3_object.get("version") else {}
    try:
        s3.head_object(Bucket=s3_object["bucket"], Key=s3_object["name"], **extra)
        s3.delete_object(Bucket=s3_object["bucket"], Key=s3_object["name"], **extra)
    except ClientError as error:
        if error_code(error) not in _GONE:
            raise
        _report(job_id, f"{uri} already gone (its bucket or the object): skipped")
        return
    _report(job_id, f"deleted {uri}")


def wait(
    resource: str,
    job_id: str,
    settings: JobSettings,
    report: Callable[[str, str], None] | None = None,
) -> dict[str, Any]:
    """Wait for the job through the process's poller; progress goes to ``report(job_id,
    message)`` (stderr by default)."""
    say = report or _report
    started = time.monotonic()

    def progress(status: str, waited: float) -> None:
        say(job_id, f"{status} ({waited:.0f} s)")

    poller = pollers.poller(settings.region, settings.endpoint_url)
    with account.credentials_checked(
        resource,
        f"waiting for media analysis job {job_id} (ListMediaAnalysisJobs, GetMediaAnalysisJob)",
    ):
        job = poller.wait(job_id, settings.wait_timeout_seconds, progress)
    waited = time.monotonic() - started
    say(job_id, f"{job['Status']} after {waited:.1f} s{_detection_note(job)}")
    return job


def _detection_note(job: Mapping[str, Any]) -> str:
    completed = job.get("CompletionTimestamp")
    if completed is None or not hasattr(completed, "timestamp"):
        return ""
    return f" (seen {max(0.0, time.time() - completed.timestamp()):.2f} s after completion)"


def _outputs(job: Mapping[str, Any]) -> dict[str, Any]:
    described = from_api(job, _job_shape())
    outs = {name: described.get(name) for name in JOB_FIELDS}
    outs["results_uri"] = _uri(job.get("Results"))
    outs["manifest_summary_uri"] = _uri(job.get("ManifestSummary"))
    return outs


def _check_adoptable(job: Mapping[str, Any], request: Mapping[str, Any]) -> None:
    """An adopted job must be the job the program declares, or the state would lie."""
    differences = [
        f"{member}: declared {normalise(request[member])!r}, job has {normalise(job.get(member))!r}"
        for member in request
        if member != "ClientRequestToken"
        and normalise(request[member]) != normalise(job.get(member))
    ]
    if differences:
        raise NotAdoptable(
            f"Cannot adopt media analysis job {job['JobId']}: its request differs from the "
            "declared inputs (" + "; ".join(differences) + "). Declare the job's request."
        )


def _request_fields(job: Mapping[str, Any]) -> dict[str, Any]:
    described = from_api(job, _job_shape())
    return {k: described[k] for k in REQUEST_FIELDS if k in described}


def _uri(pointer: Mapping[str, Any] | None) -> str | None:
    s3_object = (pointer or {}).get("S3Object") or {}
    if not s3_object.get("Bucket") or not s3_object.get("Name"):
        return None
    return f"s3://{s3_object['Bucket']}/{s3_object['Name']}"


def moderation_summary(job: Mapping[str, Any], settings: JobSettings) -> dict[str, Any] | None:
    """What a SUCCEEDED job found (``summary``), its outcome printed under the job."""
    s3 = client.s3(settings.region, settings.endpoint_url)
    return summary_output(job, s3, functools.partial(_report, job["JobId"]))


def _job_shape() -> Any:
    return shapes.service_model().operation_model(shapes.GET).output_shape


def report_job(job_id: str, message: str) -> None:
    """One progress line of a job (``media analysis job <JobId>: ...``) on stderr."""
    # What a dynamic provider writes reaches `pulumi up`'s output (pulumi/pulumi#18253).
    print(f"media analysis job {job_id}: {message}", file=sys.stderr, flush=True)


_report = report_job
