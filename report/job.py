"""From what the user typed (a JobId or the results' ``s3://`` URI) to what the report reads.

With a JobId the job is read with GetMediaAnalysisJob: it must have SUCCEEDED, and its
``Results`` and ``ManifestSummary`` name the objects to read (their key names are not
documented, so they are never guessed). With a URI only that results object is read: the
job's facts are unknown, and MinConfidence is ``--min-confidence`` or the service default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rekognition_media.api import limits
from rekognition_media.api.manifest import (
    LineError,
    ManifestSummary,
    S3Location,
    parse_s3_uri,
    parse_summary,
)
from rekognition_media.api.messages import shorten
from rekognition_media.api.shapes import GET, validate
from rekognition_media.api.statuses import SUCCEEDED

from .access import ReportError, UsageError, error_code, explain

MAX_LISTED_INVALID_LINES = 200
"""Invalid manifest lines listed in a report (all are counted); a 10,000-line manifest of
bad lines would otherwise bury the images."""


@dataclass(frozen=True)
class ObjectRef:
    """An S3 object as GetMediaAnalysisJob names it (optionally a version)."""

    bucket: str
    key: str
    version: str | None = None

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def get_kwargs(self) -> dict[str, str]:
        kwargs = {"Bucket": self.bucket, "Key": self.key}
        if self.version:
            kwargs["VersionId"] = self.version
        return kwargs

    @classmethod
    def from_api(cls, s3_object: Mapping[str, Any]) -> ObjectRef:
        return cls(str(s3_object["Bucket"]), str(s3_object["Name"]), s3_object.get("Version"))


@dataclass(frozen=True)
class JobFacts:
    job_id: str
    job_name: str | None
    status: str
    min_confidence: float
    min_confidence_given: bool
    model_version: str | None
    created: datetime | None
    completed: datetime | None
    manifest: ObjectRef
    manifest_summary: ObjectRef | None
    kms_key_id: str | None


@dataclass(frozen=True)
class InvalidLines:
    """The manifest summary's invalid lines: all counted, the first few listed."""

    total_lines: int
    count: int
    listed: tuple[LineError, ...]
    problem: str | None = None
    """Why the manifest summary could not be read (the report still shows the rest)."""


@dataclass(frozen=True)
class Target:
    results: ObjectRef
    min_confidence: float
    job: JobFacts | None


def is_uri(text: str) -> bool:
    return text.startswith("s3://")


def job_id_of(text: str) -> str | None:
    """The JobId ``text`` names, None for a results URI; :class:`UsageError` for neither.

    Reads nothing, so the command can check its arguments before any AWS call."""
    if is_uri(text) or "://" in text:
        _results_location(text)
        return None
    if validate(GET, {"JobId": text}):
        raise UsageError(
            f"{shorten(text)!r} is neither a JobId (1-64 of A-Z a-z 0-9 - _) "
            "nor an s3://bucket/key URI"
        )
    return text


def _results_location(text: str) -> S3Location:
    try:
        return parse_s3_uri(text)
    except ValueError:
        raise UsageError(
            f"{shorten(text)!r} is not an s3://bucket/key URI of a results object"
        ) from None


def locate(text: str, rekognition: Any, min_confidence: float | None) -> Target:
    """The job's results object and facts; :class:`ReportError` when there is none to read."""
    if job_id_of(text) is None:
        location = _results_location(text)
        chosen = limits.DEFAULT_MIN_CONFIDENCE if min_confidence is None else min_confidence
        return Target(ObjectRef(location.bucket, location.key), chosen, None)
    job = get_job(rekognition, text)
    facts = job_facts(job, min_confidence)
    if facts.status != SUCCEEDED:
        failure = failure_of(job)
        raise ReportError(
            f"job {text} is {facts.status}{f': {failure}' if failure else ''}; a report needs "
            "a SUCCEEDED job" + ("" if failure else " (run it again when it has finished)")
        )
    return Target(results_of(job), facts.min_confidence, facts)


def failure_of(job: Mapping[str, Any]) -> str | None:
    """``Code: Message`` of a job's FailureDetails; None when it has none."""
    failure = job.get("FailureDetails") or {}
    return f"{failure.get('Code')}: {failure.get('Message')}" if failure else None


def results_of(job: Mapping[str, Any]) -> ObjectRef:
    """The results object a SUCCEEDED job names; :class:`ReportError` when it names none."""
    results = (job.get("Results") or {}).get("S3Object")
    if not results:
        raise ReportError(
            f"job {job.get('JobId')} SUCCEEDED but GetMediaAnalysisJob names no results object"
        )
    return ObjectRef.from_api(results)


def get_job(rekognition: Any, job_id: str) -> dict[str, Any]:
    try:
        job: dict[str, Any] = rekognition.get_media_analysis_job(JobId=job_id)
    except Exception as error:
        if error_code(error) == "ResourceNotFoundException":
            region = rekognition.meta.region_name
            raise ReportError(
                f"no media analysis job {job_id} in {region} (jobs are kept for one year; "
                "check --region and the account)"
            ) from None
        raise ReportError(explain(error, "rekognition:GetMediaAnalysisJob", job_id)) from None
    return job


def job_facts(job: Mapping[str, Any], min_confidence: float | None) -> JobFacts:
    operation = (job.get("OperationsConfig") or {}).get("DetectModerationLabels") or {}
    job_min = operation.get("MinConfidence")
    job_min = limits.DEFAULT_MIN_CONFIDENCE if job_min is None else float(job_min)
    summary = (job.get("ManifestSummary") or {}).get("S3Object")
    return JobFacts(
        job_id=str(job["JobId"]),
        job_name=job.get("JobName"),
        status=str(job["Status"]),
        min_confidence=job_min if min_confidence is None else min_confidence,
        min_confidence_given=min_confidence is not None,
        model_version=((job.get("Results") or {}).get("ModelVersions") or {}).get("Moderation"),
        created=_utc(job.get("CreationTimestamp")),
        completed=_utc(job.get("CompletionTimestamp")),
        manifest=ObjectRef.from_api(job["Input"]["S3Object"]),
        manifest_summary=ObjectRef.from_api(summary) if summary else None,
        kms_key_id=job.get("KmsKeyId"),
    )


def _utc(moment: datetime | None) -> datetime | None:
    """botocore gives local time; a report is read elsewhere, so it says UTC."""
    return moment.astimezone(UTC).replace(microsecond=0) if moment is not None else None


def invalid_lines(s3: Any, summary: ObjectRef | None) -> InvalidLines:
    """Read the manifest summary; a problem reading it is noted, not raised."""
    if summary is None:
        return InvalidLines(0, 0, (), "the job names no manifest summary")
    try:
        body = s3.get_object(**summary.get_kwargs())["Body"].read()
    except Exception as error:
        return InvalidLines(0, 0, (), explain(error, "s3:GetObject", summary.uri))
    try:
        parsed: ManifestSummary = parse_summary(body)
    except ValueError as error:
        return InvalidLines(0, 0, (), f"manifest summary {summary.uri} is malformed: {error}")
    return InvalidLines(
        total_lines=parsed.statistics.total,
        count=parsed.statistics.invalid,
        listed=parsed.errors[:MAX_LISTED_INVALID_LINES],
    )
