"""Per-job controls that test data sets as S3 user metadata on the manifest object.

Tests and benchmarks need jobs of 0 s or 30 s, or a job that fails with a given code,
without restarting the emulator. The manifest object carries these (all optional):

    x-amz-meta-emulator-created-seconds    seconds in CREATED      (default: created_delay)
    x-amz-meta-emulator-queue-seconds      seconds in QUEUED       (default: queue_delay)
    x-amz-meta-emulator-duration-seconds   seconds in IN_PROGRESS  (default: job_duration)
    x-amz-meta-emulator-failure-code       end FAILED with this MediaAnalysisJobFailureCode
    x-amz-meta-emulator-failure-message    FailureDetails.Message for it

They are read once, when StartMediaAnalysisJob is called. A malformed value is a bug in
the test data, so Start rejects it loudly (InvalidManifestException naming the header)
rather than ignoring it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from rekognition_media.api.shapes import enum_values

from .exceptions import ApiError, invalid_manifest
from .settings import EmulatorSettings

CREATED_SECONDS: Final = "x-amz-meta-emulator-created-seconds"
QUEUE_SECONDS: Final = "x-amz-meta-emulator-queue-seconds"
DURATION_SECONDS: Final = "x-amz-meta-emulator-duration-seconds"
FAILURE_CODE: Final = "x-amz-meta-emulator-failure-code"
FAILURE_MESSAGE: Final = "x-amz-meta-emulator-failure-message"


@dataclass(frozen=True)
class JobControls:
    created_seconds: float
    queue_seconds: float
    duration_seconds: float
    failure_code: str | None = None
    failure_message: str | None = None


def job_controls(metadata: Mapping[str, str], settings: EmulatorSettings) -> JobControls:
    """The timing and failure of a job, from manifest metadata over settings defaults.

    Raises :class:`ApiError` (InvalidManifestException) for malformed values.
    """
    code = metadata.get(FAILURE_CODE)
    if code is not None and code not in enum_values("MediaAnalysisJobFailureCode"):
        raise invalid_manifest(
            f"{FAILURE_CODE} must be one of "
            f"{', '.join(enum_values('MediaAnalysisJobFailureCode'))}, got {code!r}"
        )
    return JobControls(
        created_seconds=_seconds(metadata, CREATED_SECONDS, settings.created_delay),
        queue_seconds=_seconds(metadata, QUEUE_SECONDS, settings.queue_delay),
        duration_seconds=_seconds(metadata, DURATION_SECONDS, settings.job_duration),
        failure_code=code,
        failure_message=metadata.get(FAILURE_MESSAGE) if code is not None else None,
    )


def _seconds(metadata: Mapping[str, str], header: str, default: float) -> float:
    text = metadata.get(header)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        error: ApiError = invalid_manifest(
            f"{header} must be a non-negative number of seconds, got {text!r}"
        )
        raise error
    return value
