"""The inputs of a ``MediaAnalysisJob``, in Pulumi's snake_case style.

The request fields mirror StartMediaAnalysisJob member for member (see
``rekognition_media.api``); the remaining fields are behaviour settings of the resource
itself, which never reach the API and can change without replacing the job.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import pulumi


@dataclass
class DetectModerationLabelsArgs:
    min_confidence: pulumi.Input[float] | None = None
    """Labels below this confidence (0-100) are left out of the results."""
    project_version: pulumi.Input[str] | None = None
    """ARN of a custom moderation adapter; the base model when absent."""


@dataclass
class OperationsConfigArgs:
    detect_moderation_labels: DetectModerationLabelsArgs | None = None


@dataclass
class S3ObjectArgs:
    bucket: pulumi.Input[str] | None = None
    name: pulumi.Input[str] | None = None
    version: pulumi.Input[str] | None = None


@dataclass
class MediaAnalysisInputArgs:
    s3_object: S3ObjectArgs
    """The JSON Lines manifest listing the images to analyse."""


@dataclass
class OutputConfigArgs:
    s3_bucket: pulumi.Input[str]
    s3_key_prefix: pulumi.Input[str] | None = None


# Settings of the resource, not of the job: changing them updates the resource in place.
SETTINGS = (
    "wait_for_completion",
    "wait_timeout_seconds",
    "fail_on_job_failure",
    "delete_outputs_on_destroy",
    "endpoint_url",
)


@dataclass
class MediaAnalysisJobArgs:
    operations_config: OperationsConfigArgs
    input: MediaAnalysisInputArgs
    output_config: OutputConfigArgs
    kms_key_id: pulumi.Input[str] | None = None
    """Customer managed KMS key (id, ARN, alias name or alias ARN) for images and results."""
    job_name: pulumi.Input[str] | None = None
    client_request_token: pulumi.Input[str] | None = None
    """Idempotency token. Derived from the stack, the resource name and the request
    when absent, so a re-run after an interrupted ``pulumi up`` adopts the same job."""

    adopt_job_id: pulumi.Input[str] | None = None
    """Adopt this existing job instead of starting one. The declared request must match
    the job's. (``ResourceOptions(import_=...)`` cannot work for Python dynamic resources:
    the engine's import reads the resource without its serialized provider.)"""

    wait_for_completion: pulumi.Input[bool] = True
    """Return from create only once the job has SUCCEEDED or FAILED."""
    wait_timeout_seconds: pulumi.Input[int] = 3600
    """Give up waiting after this long (the job keeps running; a re-run resumes waiting)."""
    fail_on_job_failure: pulumi.Input[bool] = True
    """Fail the deployment when the job ends FAILED (otherwise record it with its status)."""
    delete_outputs_on_destroy: pulumi.Input[bool] = False
    """On destroy, also delete the results and summary objects the job wrote."""

    region: pulumi.Input[str] | None = None
    """AWS region of the job; the standard AWS configuration (AWS_REGION, profile) when absent."""
    endpoint_url: pulumi.Input[str] | None = None
    """Rekognition endpoint, e.g. the local emulator; AWS_ENDPOINT_URL applies when absent."""

    def to_props(self) -> dict[str, Any]:
        """The resource's input properties: nested plain dicts of ``pulumi.Input``s."""
        props: dict[str, Any] = _as_props(self)
        return props


def _as_props(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _as_props(getattr(value, f.name)) for f in fields(value)}
    return value
