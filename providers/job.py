"""``MediaAnalysisJob``: a Rekognition media analysis job as a Pulumi resource.

What each Pulumi verb does to a job:

* preview / check -- validates the inputs against the API's constraints; no AWS call.
* up / create     -- starts the job with a deterministic idempotency token and waits for
                     it to finish; an interrupted create re-run adopts the same job.
* up / diff       -- a job is immutable: a changed request field replaces it; a changed
                     behaviour setting updates the resource in place without an AWS call.
* refresh / read  -- re-reads the job; a job that no longer exists leaves the state.
* destroy/delete  -- Rekognition has no delete call: the job leaves the state, and with
                     ``delete_outputs_on_destroy`` its results and summary objects go too.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from rekognition_media.api import shapes
from rekognition_media.api.casing import from_api
from rekognition_media.providers import client, polling
from rekognition_media.providers.args import SETTINGS, MediaAnalysisJobArgs
from rekognition_media.providers.request import (
    REQUEST_FIELDS,
    JobSettings,
    build_request,
    is_unknown,
    normalise,
    problems,
    strip_unknowns,
)
from rekognition_media.providers.start import start_job
from rekognition_media.providers.token import derive_token
from rekognition_media.providers.waiter import JobWaitTimeout

TYPE_TOKEN = "pulumi-python:dynamic/rekognition:MediaAnalysisJob"
OUTPUTS = (
    "job_id",
    "status",
    "failure_details",
    "creation_timestamp",
    "completion_timestamp",
    "results",
    "manifest_summary",
    "results_uri",
    "manifest_summary_uri",
)
# A job is immutable and lives in one region; an adopted job is another job.
_REPLACE_ON = (*REQUEST_FIELDS, "region", "adopt_job_id")


class MediaAnalysisJobFailed(Exception):
    def __init__(self, job_id: str, code: str, message: str) -> None:
        super().__init__(
            f"Media analysis job {job_id} ended FAILED: {code}: {message}. "
            "Fix the cause and change the job's inputs to start a new job, or set "
            "fail_on_job_failure=false to record failed jobs without failing the deployment."
        )
        self.job_id = job_id
        self.code = code


class MediaAnalysisJobProvider(ResourceProvider):
    """The dynamic provider. It holds no state: it is pickled into the Pulumi state."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = [CheckFailure(p.path, p.reason) for p in problems(news)]
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [key for key in _REPLACE_ON if _changed(olds.get(key), news.get(key))]
        updates = [key for key in SETTINGS if _changed(olds.get(key), news.get(key))]
        return DiffResult(
            changes=bool(replaces or updates),
            replaces=replaces,
            stables=[key for key in _REPLACE_ON if key not in replaces],
            delete_before_replace=False,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        settings = JobSettings.from_props(props)
        request = build_request(props)
        rekognition = client.rekognition(settings.region, settings.endpoint_url)
        if props.get("adopt_job_id"):
            job_id = props["adopt_job_id"]
            _check_adoptable(rekognition.get_media_analysis_job(JobId=job_id), request)
            _report(job_id, "adopted")
        else:
            # A resource created before resource_name existed, or a direct call, has none.
            resource = props.get("resource_name") or "(unnamed MediaAnalysisJob)"
            job_id = start_job(
                rekognition,
                request,
                resource=resource,
                timeout=settings.wait_timeout_seconds,
                report=functools.partial(_report, f"for {resource}"),
            )["JobId"]
            _report(job_id, "started (or adopted: same request and idempotency token)")
        if not settings.wait_for_completion:
            job = rekognition.get_media_analysis_job(JobId=job_id)
            return CreateResult(job_id, {**props, **_outputs(job)})
        job = _wait(job_id, settings)
        if job["Status"] == "FAILED" and settings.fail_on_job_failure:
            details = job.get("FailureDetails", {})
            raise MediaAnalysisJobFailed(
                job_id, details.get("Code", "UNKNOWN"), details.get("Message", "")
            )
        return CreateResult(job_id, {**props, **_outputs(job)})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        settings = JobSettings.from_props(props)
        rekognition = client.rekognition(settings.region, settings.endpoint_url)
        try:
            job = rekognition.get_media_analysis_job(JobId=id_)
        except rekognition.exceptions.ResourceNotFoundException:
            return ReadResult(None, {})
        outs = {**props, **_outputs(job)}
        if not any(key in props for key in REQUEST_FIELDS):
            # Imported: nothing declared yet, so take the request the job echoes.
            outs.update(_request_fields(job))
        return ReadResult(id_, outs)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        # Only behaviour settings update in place (diff replaces on anything else), so
        # the job's recorded outputs carry over unchanged.
        return UpdateResult({**news, **{k: _olds.get(k) for k in OUTPUTS}})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        settings = JobSettings.from_props(props)
        if not settings.delete_outputs_on_destroy:
            return
        s3 = client.s3(settings.region, settings.endpoint_url)
        for pointer in (props.get("results"), props.get("manifest_summary")):
            s3_object = (pointer or {}).get("s3_object") or {}
            if s3_object.get("bucket") and s3_object.get("name"):
                extra = {"VersionId": s3_object["version"]} if s3_object.get("version") else {}
                s3.delete_object(Bucket=s3_object["bucket"], Key=s3_object["name"], **extra)


class MediaAnalysisJob(pulumi.dynamic.Resource, module="rekognition", name="MediaAnalysisJob"):
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
    job_name: pulumi.Output[str | None]
    operations_config: pulumi.Output[dict[str, Any]]
    input: pulumi.Output[dict[str, Any]]
    output_config: pulumi.Output[dict[str, Any]]
    kms_key_id: pulumi.Output[str | None]
    client_request_token: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: MediaAnalysisJobArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = args.to_props()
        if props.get("client_request_token") is None:
            identity = f"{pulumi.get_project()}/{pulumi.get_stack()}/{TYPE_TOKEN}/{resource_name}"
            props["client_request_token"] = pulumi.Output.from_input(
                {k: props[k] for k in REQUEST_FIELDS if k in props}
            ).apply(lambda request: derive_token(identity, build_request(request)))
        props.update({name: None for name in OUTPUTS})
        # The provider's messages name the resource (create is not told its URN).
        props["resource_name"] = resource_name
        opts = polling.assign_provider(resource_name, opts)
        super().__init__(MediaAnalysisJobProvider(), resource_name, props, opts)


def _wait(job_id: str, settings: JobSettings) -> dict[str, Any]:
    started = time.monotonic()

    def progress(status: str, waited: float) -> None:
        _report(job_id, f"{status} ({waited:.0f} s)")

    poller = polling.poller(settings.region, settings.endpoint_url)
    try:
        job = poller.wait(job_id, settings.wait_timeout_seconds, progress)
    except JobWaitTimeout:
        raise
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
    outs = {name: described.get(name) for name in OUTPUTS}
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
