"""What a job does once IN_PROGRESS: checks, manifest lines, results and summary files.

Runs on a worker thread, off the request path. It streams the manifest line by line and
spools results and errors to temporary files that spill to disk, so memory does not grow
with the manifest. Conditions AWS reports asynchronously end the job FAILED with a
FailureDetails code; bad lines are listed in the summary and do not fail the job.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, Final

from rekognition_media.api import limits
from rekognition_media.api.manifest import (
    LineError,
    LineErrorCode,
    ManifestLine,
    SummaryStatistics,
    dumps_line,
    is_blank,
    output_directory,
    parse_line,
    result_line,
    split_lines,
    write_summary,
)
from rekognition_media.api.statuses import FAILED, SUCCEEDED

from . import moderation
from .exceptions import INVALID_S3_OBJECT_MESSAGE
from .images import ImageFormatError, probe
from .job_controls import JobControls
from .settings import EmulatorSettings
from .storage import KmsKeyError, NoSuchBucket, Storage, StorageError, StoredObject

log = logging.getLogger(__name__)

SPOOL_BYTES: Final = 256 * 1024
"""Results and errors stay in memory up to this size, then spill to a temporary file."""


@dataclass(frozen=True)
class JobResult:
    """The terminal state a job reaches: status and what Get shows for it."""

    status: str
    failure: dict[str, str] | None = None
    results: dict[str, Any] | None = None
    manifest_summary: dict[str, Any] | None = None

    @classmethod
    def failed(cls, code: str, message: str) -> JobResult:
        return cls(FAILED, failure={"Code": code, "Message": message})

    def to_json(self) -> dict[str, Any]:
        return {
            "Status": self.status,
            "FailureDetails": self.failure,
            "Results": self.results,
            "ManifestSummary": self.manifest_summary,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JobResult:
        return cls(
            status=data["Status"],
            failure=data.get("FailureDetails"),
            results=data.get("Results"),
            manifest_summary=data.get("ManifestSummary"),
        )


@dataclass(frozen=True)
class JobSpec:
    """Everything processing needs to know about a job."""

    job_id: str
    account_id: str
    region: str
    request: Mapping[str, Any]
    controls: JobControls = field(default_factory=lambda: JobControls(0, 0, 0))


class _Failure(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def output_keys(
    request: Mapping[str, Any], job_id: str, settings: EmulatorSettings
) -> tuple[str, str]:
    """Keys of the results and summary files for a job, from the settings' templates.

    ``{prefix}`` is S3KeyPrefix with exactly one added '/' unless it already ends with
    one, and empty for an empty or absent prefix, so "out" and "out/" write alike.
    """
    prefix = output_directory(request["OutputConfig"].get("S3KeyPrefix"))
    values = {"prefix": prefix, "job_id": job_id, "job_name": request.get("JobName") or ""}
    return (
        settings.results_key_template.format(**values),
        settings.summary_key_template.format(**values),
    )


def process(spec: JobSpec, settings: EmulatorSettings) -> JobResult:
    """Run the job to its terminal state; never raises (errors become INTERNAL_ERROR)."""
    try:
        return _Processor(spec, settings).run()
    except _Failure as failure:
        return JobResult.failed(failure.code, failure.message)
    except Exception as exc:
        log.exception("job %s failed unexpectedly", spec.job_id)
        return JobResult.failed("INTERNAL_ERROR", f"Internal error: {type(exc).__name__}: {exc}")


class _Processor:
    def __init__(self, spec: JobSpec, settings: EmulatorSettings) -> None:
        self.spec = spec
        self.settings = settings
        self.storage = Storage(spec.account_id, spec.region)
        request = spec.request
        operation = (request.get("OperationsConfig") or {}).get("DetectModerationLabels") or {}
        min_confidence = operation.get("MinConfidence")
        self.min_confidence: float = (
            settings.default_min_confidence if min_confidence is None else float(min_confidence)
        )
        self.project_version: str | None = operation.get("ProjectVersion")
        self.manifest_bucket: str = request["Input"]["S3Object"]["Bucket"]
        self.manifest_key: str = request["Input"]["S3Object"]["Name"]
        self.manifest_version: str | None = request["Input"]["S3Object"].get("Version")
        self.output_bucket: str = request["OutputConfig"]["S3Bucket"]
        self.kms_key_id: str | None = request.get("KmsKeyId")

    def run(self) -> JobResult:
        controls = self.spec.controls
        if controls.failure_code is not None:
            return JobResult.failed(
                controls.failure_code,
                controls.failure_message or "Failure injected by x-amz-meta-emulator-failure-code.",
            )
        self._check_adapter()
        kms_key_arn = self._check_kms_key()
        self._check_output_bucket()
        manifest = self._manifest()
        self._check_line_count(manifest)

        with (
            tempfile.SpooledTemporaryFile(SPOOL_BYTES) as results,
            tempfile.SpooledTemporaryFile(SPOOL_BYTES) as errors,
        ):
            statistics = self._process_lines(manifest, results, errors)
            if statistics.valid == 0 and self.settings.fail_if_all_lines_invalid:
                raise _Failure("INVALID_MANIFEST", "No line of the manifest is valid.")
            results_key, summary_key = output_keys(
                self.spec.request, self.spec.job_id, self.settings
            )
            results_object = self._write(results_key, results, kms_key_arn)
            with tempfile.SpooledTemporaryFile(SPOOL_BYTES) as summary:
                write_summary(
                    summary,
                    statistics,
                    _read_errors(errors),
                    self.settings.summary_line_number_key,
                )
                summary_object = self._write(summary_key, summary, kms_key_arn)
        return JobResult(
            SUCCEEDED,
            results={
                "S3Object": results_object,
                "ModelVersions": {"Moderation": self.settings.moderation_model_version},
            },
            manifest_summary={"S3Object": summary_object},
        )

    # --- job-level checks (FAILED with a code) -----------------------------------------

    def _check_adapter(self) -> None:
        if (
            self.project_version is not None
            and self.project_version not in self.settings.known_adapters
        ):
            raise _Failure(
                "RESOURCE_NOT_FOUND",
                f"The adapter {self.project_version} does not exist.",
            )

    def _check_kms_key(self) -> str | None:
        if self.kms_key_id is None:
            return None
        try:
            return self.storage.resolve_kms_key(self.kms_key_id)
        except KmsKeyError as exc:
            raise _Failure("INVALID_KMS_KEY", f"{exc}.") from exc

    def _check_output_bucket(self) -> None:
        try:
            self.storage.bucket_region(self.output_bucket)
        except NoSuchBucket as exc:
            raise _Failure(
                "INVALID_OUTPUT_CONFIG",
                f"The output bucket {self.output_bucket} does not exist or is not accessible.",
            ) from exc

    def _manifest(self) -> StoredObject:
        try:
            return self.storage.get_object(
                self.manifest_bucket, self.manifest_key, self.manifest_version
            )
        except StorageError as exc:
            raise _Failure("INVALID_S3_OBJECT", f"Manifest: {INVALID_S3_OBJECT_MESSAGE}") from exc

    def _check_line_count(self, manifest: StoredObject) -> None:
        # A first pass over the manifest: failing after 10,000 images would waste the work.
        count = 0
        for _ in _manifest_lines(manifest):
            count += 1
            if count > limits.MAX_MANIFEST_LINES:
                raise _Failure(
                    "INVALID_MANIFEST",
                    f"The manifest has more than {limits.MAX_MANIFEST_LINES} JSON lines.",
                )
        if count == 0:
            raise _Failure("INVALID_MANIFEST", "The manifest has no JSON lines.")

    # --- lines -------------------------------------------------------------------------

    def _process_lines(
        self, manifest: StoredObject, results: IO[bytes], errors: IO[bytes]
    ) -> SummaryStatistics:
        total = valid = 0
        for number, line in _manifest_lines(manifest):
            total += 1
            parsed = parse_line(line, number)
            outcome = self._analyze(parsed) if isinstance(parsed, ManifestLine) else parsed
            if isinstance(outcome, LineError):
                errors.write(json.dumps(dataclasses.asdict(outcome)).encode("utf-8") + b"\n")
            else:
                results.write(dumps_line(outcome))
                valid += 1
        return SummaryStatistics(total=total, valid=valid, invalid=total - valid)

    def _analyze(self, line: ManifestLine) -> dict[str, Any] | LineError:
        def error(code: str, message: str) -> LineError:
            return LineError(line.line_number, code, message, line.source_ref)

        try:
            image = self.storage.get_object(line.location.bucket, line.location.key)
            if image.size > limits.MAX_IMAGE_BYTES:
                return error(
                    LineErrorCode.IMAGE_TOO_LARGE,
                    f"The image is {image.size} bytes; the maximum is {limits.MAX_IMAGE_BYTES}.",
                )
            info = probe(image.read_at, image.size)
        except StorageError:
            return error(LineErrorCode.INVALID_S3_OBJECT, INVALID_S3_OBJECT_MESSAGE)
        except ImageFormatError as exc:
            return error(
                LineErrorCode.INVALID_IMAGE_FORMAT,
                f"Request has invalid image format ({exc}); PNG and JPEG are supported.",
            )
        dimensions = f"{info.width}x{info.height} px"
        if max(info.width, info.height) > limits.MAX_IMAGE_SIDE_PX:
            return error(
                LineErrorCode.IMAGE_TOO_LARGE,
                f"The image is {dimensions}; each side must be at most "
                f"{limits.MAX_IMAGE_SIDE_PX} px.",
            )
        if min(info.width, info.height) < limits.MIN_IMAGE_SIDE_PX:
            return error(
                LineErrorCode.INVALID_PARAMETER,
                f"The image is {dimensions}; each side must be at least "
                f"{limits.MIN_IMAGE_SIDE_PX} px.",
            )
        try:
            labels = moderation.moderation_labels(image.metadata, self.min_confidence)
            content_types = moderation.content_types(image.metadata)
        except moderation.MetadataError as exc:
            return error(LineErrorCode.INVALID_PARAMETER, f"Emulator test data: {exc}")
        return result_line(
            line.source_ref,
            labels,
            content_types,
            self.settings.moderation_model_version,
            self.project_version,
        )

    # --- output ------------------------------------------------------------------------

    def _write(self, key: str, source: IO[bytes], kms_key_arn: str | None) -> dict[str, str]:
        try:
            version = self.storage.put_object(self.output_bucket, key, source, kms_key_arn)
            versioned = self.storage.bucket_is_versioned(self.output_bucket)
        except Exception as exc:  # moto raises its own errors for a bucket deleted meanwhile
            raise _Failure(
                "INVALID_OUTPUT_CONFIG", f"Cannot write s3://{self.output_bucket}/{key}: {exc}"
            ) from exc
        s3_object = {"Bucket": self.output_bucket, "Name": key}
        if versioned:
            s3_object["Version"] = version
        return s3_object


def _manifest_lines(manifest: StoredObject) -> Iterator[tuple[int, bytes | None]]:
    """Non-blank manifest lines (None for a line over the length cap)."""
    for number, line in split_lines(manifest.iter_chunks()):
        if line is None or not is_blank(line):
            yield number, line


def _read_errors(errors: IO[bytes]) -> Iterator[LineError]:
    errors.seek(0)
    for raw in errors:
        yield LineError(**json.loads(raw))
