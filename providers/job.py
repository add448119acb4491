"""``MediaAnalysisJob``: a Rekognition media analysis job as a Pulumi resource.

What each Pulumi verb does to a job:

* preview / check -- validates the inputs against the API's constraints; no AWS call.
* up / create     -- starts the job with a deterministic idempotency token and waits for
                     it to finish; an interrupted create re-run adopts the same job. What
                     a SUCCEEDED job found is read once (``summary``) and printed.
* up / diff       -- a job is immutable: a changed request field replaces it; a changed
                     behaviour setting updates the resource in place without an AWS call.
* refresh / read  -- re-reads the job (and its moderation summary, while that is missing);
                     a job that no longer exists leaves the state.
* destroy/delete  -- Rekognition has no delete call: the job leaves the state, and with
                     ``delete_outputs_on_destroy`` its results and summary objects go too.

This module runs in two processes. The user's program imports it for ``MediaAnalysisJob``,
whose ``__init__`` puts the job on a lane (``lanes``) and pickles a
``MediaAnalysisJobProvider`` into the state; the provider process unpickles it and runs
the verbs. Starting within the quotas (``start``) and waiting (``pollers``, with
``budget``'s file-locked page board and rates) happen only in the provider process, so
they are imported where a create uses them, not at the top: the program never loads them.
"""

from __future__ import annotations

import datetime
import email.utils
import functools
import sys
import time
from collections.abc import Mapping
from typing import Any

import pulumi
from botocore.exceptions import ClientError
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from rekognition_media.api import manifest, shapes
from rekognition_media.api.casing import from_api
from rekognition_media.api.resources import JOB_RESOURCE, JOB_TYPE_TOKEN, PROVIDER_MODULE
from rekognition_media.api.statuses import FAILED, SUCCEEDED, TERMINAL

from . import client, identity, lanes
from .args import MediaAnalysisJobArgs, as_props
from .request import (
    ADOPT_FIELD,
    JOB_FIELDS,
    OUTPUT_FIELDS,
    REQUEST_FIELDS,
    SETTINGS,
    JobSettings,
    build_request,
    is_unknown,
    normalise,
    problems,
    strip_unknowns,
)
from .token import derive_token, successor_token

TYPE_TOKEN = JOB_TYPE_TOKEN
OUTPUTS = OUTPUT_FIELDS
# A job is immutable and lives in one region; an adopted job is another job.
_REPLACE_ON = (*REQUEST_FIELDS, "region", ADOPT_FIELD)
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


class MediaAnalysisJobProvider(ResourceProvider):
    """The dynamic provider. It holds no state: it is pickled into the Pulumi state."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        # Failures name no property: the engine would print that property's whole value
        # next to ours (however long); the reason starts with the property path instead.
        failures = [CheckFailure("", p.reason) for p in problems(news)]
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces, updates = diff_keys(olds, news)
        return DiffResult(
            changes=bool(replaces or updates),
            replaces=replaces,
            stables=[key for key in _REPLACE_ON if key not in replaces],
            # The old resource goes first (see MediaAnalysisJob): nothing is lost, as
            # Rekognition keeps the job, and its outputs are deleted (when they are to be)
            # before a replacement could adopt the same job.
            delete_before_replace=True,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        from .cancellation import Cancelled  # provider side: see the module docstring

        try:
            return self._create(props)
        except Cancelled as cancelled:
            # Name the resource: the poller and the Start know only the job.
            raise MediaAnalysisJobCancelled(
                _resource(props), cancelled.job_id, cancelled.status
            ) from None

    def _create(self, props: dict[str, Any]) -> CreateResult:
        resource = _resource(props)
        found = problems(props)
        if found:
            # Preview let unknown values through; now they are known.
            raise ValueError(f"{resource}: invalid inputs: " + "; ".join(p.reason for p in found))
        settings = JobSettings.from_props(props)
        request = build_request(props)
        rekognition = client.rekognition(settings.region, settings.endpoint_url)
        if props.get(ADOPT_FIELD):
            job_id = props[ADOPT_FIELD]
            job = rekognition.get_media_analysis_job(JobId=job_id)
            _check_adoptable(job, request)
            _report(job_id, f"adopted ({job['Status']})")
            token, owned = None, False
        else:
            job, token, owned = _start_or_resume(rekognition, request, props, settings)
            job_id = job["JobId"]
        if settings.wait_for_completion and job["Status"] not in TERMINAL:
            job = _wait(job_id, settings)
        outputs = {
            **_outputs(job),
            "request_token": token,
            "started_by_stack": owned,
            "manifest_statistics": _summary_statistics(job, settings),
            "moderation_summary": _moderation_summary(job, settings),
        }
        if job["Status"] == FAILED and settings.fail_on_job_failure:
            details = job.get("FailureDetails", {})
            raise MediaAnalysisJobFailed(
                resource, job_id, details.get("Code", "UNKNOWN"), details.get("Message", "")
            )
        return CreateResult(job_id, {**props, **outputs})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        settings = JobSettings.from_props(props)
        rekognition = client.rekognition(settings.region, settings.endpoint_url)
        try:
            job = rekognition.get_media_analysis_job(JobId=id_)
        except rekognition.exceptions.ResourceNotFoundException:
            return ReadResult(None, {})
        outs = {**props, **_outputs(job)}
        if props.get("moderation_summary") is None:  # computed once, kept afterwards
            outs["moderation_summary"] = _moderation_summary(job, settings)
        if not any(key in props for key in REQUEST_FIELDS):
            # Imported: nothing declared yet, so take the request the job echoes.
            outs.update(_request_fields(job))
        return ReadResult(id_, outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        # Only behaviour settings update in place (diff replaces on anything else), so
        # the job's recorded outputs carry over unchanged.
        return UpdateResult({**news, **{k: olds.get(k) for k in OUTPUTS}})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        settings = JobSettings.from_props(props)
        if not settings.delete_outputs_on_destroy:
            return
        if not props.get("started_by_stack"):
            # Adopted, or reached through a declared token another stack may share.
            _report(_id, "outputs kept: this stack did not start the job itself")
            return
        s3 = client.s3(settings.region, settings.endpoint_url)
        for pointer in (props.get("results"), props.get("manifest_summary")):
            s3_object = (pointer or {}).get("s3_object") or {}
            if s3_object.get("bucket") and s3_object.get("name"):
                _delete_output(s3, _id, s3_object)


def diff_keys(olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The properties whose change replaces the job, and the settings that update in place
    (shared by the dynamic provider and the ``rekognition-media`` plugin)."""
    replaces = [key for key in _REPLACE_ON if _changed(olds.get(key), news.get(key))]
    if news.get("client_request_token") is None and "client_request_token" in replaces:
        # Derived (not declared): it changes only with the request, which is compared.
        replaces.remove("client_request_token")
    updates = [key for key in SETTINGS if _changed(olds.get(key), news.get(key))]
    return replaces, updates


class MediaAnalysisJob(pulumi.dynamic.Resource, module=PROVIDER_MODULE, name=JOB_RESOURCE):
    """A Rekognition media analysis job that ``pulumi up`` runs to completion."""

    job_id: pulumi.Output[str]
    status: pulumi.Output[str]
    failure_details: pulumi.Output[dict[str, Any] | None]
    creation_timestamp: pulumi.Output[str]
    completion_timestamp: pulumi.Output[str | None]
    results: pulumi.Output[dict[str, Any] | None]
    manifest_summary: pulumi.Output[dict[str, Any] | None]
    results_uri: pulumi.Output[str | None]
    manifest_summary_uri: pulumi.Output[str | None]
    manifest_statistics: pulumi.Output[dict[str, int] | None]
    moderation_summary: pulumi.Output[dict[str, Any] | None]
    request_token: pulumi.Output[str | None]
    started_by_stack: pulumi.Output[bool]
    job_name: pulumi.Output[str | None]
    operations_config: pulumi.Output[dict[str, Any]]
    input: pulumi.Output[dict[str, Any]]
    output_config: pulumi.Output[dict[str, Any]]
    kms_key_id: pulumi.Output[str | None]
    client_request_token: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        args: MediaAnalysisJobArgs | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = as_props(args)
        props.update({name: None for name in OUTPUTS})
        # The provider's messages name the resource (create is not told its URN).
        props["resource_name"] = resource_name
        scope = f"{pulumi.get_project()}/{pulumi.get_stack()}/{resource_name}"
        # apply, not concat: under Pulumi's mocks the identity may have no value.
        props["token_scope"] = identity.stack_identity().apply(lambda value: f"{scope}/{value}")
        opts = lanes.assign_provider(resource_name, opts)
        if opts.delete_before_replace is None:
            # A job is replaced by a new job; deleting first lets delete_outputs_on_destroy
            # remove the old outputs before the replacement starts (and never after it
            # could have adopted the same job: see _start_or_resume).
            opts = pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(delete_before_replace=True)
            )
        super().__init__(MediaAnalysisJobProvider(), resource_name, props, opts)


def _start_or_resume(
    rekognition: Any, request: dict[str, Any], props: Mapping[str, Any], settings: JobSettings
) -> tuple[dict[str, Any], str, bool]:
    """Start the job -- or find the one an earlier run started -- and describe it.

    Returns the job, its token and whether this stack started it. A job an earlier run
    started is resumed (the run was interrupted), unless it FAILED or its results were
    deleted: then its successor is started (see ``token``).
    """
    declared = request.get("ClientRequestToken")
    base = declared or derive_token(str(props.get("token_scope")), request)
    resource = _resource(props)
    for attempt in range(_MAX_SUCCESSORS):
        token = successor_token(base, attempt)
        response = _start(rekognition, {**request, "ClientRequestToken": token}, resource, settings)
        job = _look(response["JobId"], settings)
        earlier = _created(job) < _answered_at(response) - _FRESH_SLACK
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
            return job, token, declared is None
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


def _look(job_id: str, settings: JobSettings) -> dict[str, Any]:
    """The job just started (or reached through its token), as the process's poller next
    sees it: the shared poller reads it from the List page its waiting jobs share, so the
    create makes no GetMediaAnalysisJob of its own (issue 14: <= 3 calls per job); its
    errors are a poll's (``JobPollFailed`` for this job only)."""
    from . import pollers  # provider side: see the module docstring

    poller = pollers.poller(settings.region, settings.endpoint_url)
    return poller.look(job_id, settings.wait_timeout_seconds)


def _start(
    rekognition: Any, request: dict[str, Any], resource: str, settings: JobSettings
) -> dict[str, Any]:
    from .start import start_job  # provider side: see the module docstring

    try:
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
    from .errors import error_code  # provider side: see the module docstring

    code = error_code(error) or "Error"
    message = str(error.response.get("Error", {}).get("Message", "")).rstrip(".")
    where = ""
    if code in ("InvalidS3ObjectException", "InvalidManifestException"):
        s3_object = request.get("Input", {}).get("S3Object", {})
        where = f" (manifest s3://{s3_object.get('Bucket')}/{s3_object.get('Name')})"
    return MediaAnalysisJobStartError(
        f"{resource}: StartMediaAnalysisJob failed: {code}: {message}{where}"
    )


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
        from .errors import error_code  # provider side: see the module docstring

        # Only "not there" counts; no permission to look means adopt, as before.
        return error_code(error) in _GONE
    return False


def _resource(props: Mapping[str, Any]) -> str:
    return str(props.get("resource_name") or "MediaAnalysisJob")


def _summary_statistics(job: Mapping[str, Any], settings: JobSettings) -> dict[str, int] | None:
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
    counts = {
        "total_json_lines": stats.total,
        "valid_json_lines": stats.valid,
        "invalid_json_lines": stats.invalid,
    }
    line = f"{stats.valid} of {stats.total} images analysed, {stats.invalid} invalid"
    if stats.invalid:
        line += f" (the summary lists why: {uri})"
    _report(job["JobId"], line)
    return counts


def _moderation_summary(job: Mapping[str, Any], settings: JobSettings) -> dict[str, Any] | None:
    """What a SUCCEEDED job found (``summary``), its outcome printed under the job."""
    from .summary import summary_output  # provider side: see the module docstring

    s3 = client.s3(settings.region, settings.endpoint_url)
    return summary_output(job, s3, functools.partial(_report, job["JobId"]))


def _delete_output(s3: Any, job_id: str, s3_object: Mapping[str, Any]) -> None:
    """Delete one output object; one already gone (or its bucket) is skipped, not an error."""
    uri = f"s3://{s3_object['bucket']}/{s3_object['name']}"
    extra = {"VersionId": s3_object["version"]} if s3_object.get("version") else {}
    try:
        s3.head_object(Bucket=s3_object["bucket"], Key=s3_object["name"], **extra)
        s3.delete_object(Bucket=s3_object["bucket"], Key=s3_object["name"], **extra)
    except ClientError as error:
        from .errors import error_code  # provider side: see the module docstring

        if error_code(error) not in _GONE:
            raise
        _report(job_id, f"{uri} already gone (its bucket or the object): skipped")
        return
    _report(job_id, f"deleted {uri}")


def _wait(job_id: str, settings: JobSettings) -> dict[str, Any]:
    started = time.monotonic()

    def progress(status: str, waited: float) -> None:
        _report(job_id, f"{status} ({waited:.0f} s)")

    from . import pollers  # provider side: see the module docstring

    poller = pollers.poller(settings.region, settings.endpoint_url)
    job = poller.wait(job_id, settings.wait_timeout_seconds, progress)
    waited = time.monotonic() - started
    _report(job_id, f"{job['Status']} after {waited:.1f} s{_detection_note(job)}")
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
        raise ValueError(
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


def _job_shape() -> Any:
    return shapes.service_model().operation_model(shapes.GET).output_shape


def _changed(old: Any, new: Any) -> bool:
    if is_unknown(new):
        return True
    return bool(normalise(strip_unknowns(old)) != normalise(strip_unknowns(new)))


def _report(job_id: str, message: str) -> None:
    # What a dynamic provider writes reaches `pulumi up`'s output (pulumi/pulumi#18253).
    print(f"media analysis job {job_id}: {message}", file=sys.stderr, flush=True)
