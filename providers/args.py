"""The inputs of a ``MediaAnalysisJob``, in Pulumi's snake_case style.

The request fields mirror StartMediaAnalysisJob member for member (see
``rekognition_media.api``); the remaining fields are behaviour settings of the resource
itself, which never reach the API and can change without replacing the job.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any, TypeVar, dataclass_transform

import pulumi

from rekognition_media.api.messages import did_you_mean
from rekognition_media.core.batch_request import BatchSettings
from rekognition_media.core.request import JobSettings

_T = TypeVar("_T")


@dataclass_transform()
def args_class(cls: type[_T]) -> type[_T]:
    """``dataclasses.dataclass`` whose unknown keyword names the close match: a typo in
    a program must not pass silently, and Python's own message suggests nothing."""
    made = dataclasses.dataclass(cls)
    names = [f.name for f in fields(made)]  # type: ignore[arg-type]
    init: Callable[..., None] = made.__init__

    @functools.wraps(init)
    def checked_init(self: Any, *args: Any, **kwargs: Any) -> None:
        for key in kwargs:
            if key not in names:
                hint = did_you_mean(key, names)
                raise TypeError(f"{cls.__name__}: unknown argument {key!r}; {hint}")
        init(self, *args, **kwargs)

    made.__init__ = checked_init  # type: ignore[method-assign]
    return made


def _setting(name: str) -> Any:
    """The Args field of a behaviour setting: its default, and its description in the
    field's metadata, both from ``JobSettings`` (declared there once for both front ends)."""
    declared = JobSettings.model_fields[name]
    return dataclasses.field(
        default=declared.default, metadata={"description": declared.description}
    )


@args_class
class DetectModerationLabelsArgs:
    min_confidence: pulumi.Input[float] | None = None
    """Labels below this confidence (0-100) are left out of the results."""
    project_version: pulumi.Input[str] | None = None
    """ARN of a custom moderation adapter; the base model when absent."""


@args_class
class OperationsConfigArgs:
    detect_moderation_labels: DetectModerationLabelsArgs | None = None


@args_class
class S3ObjectArgs:
    bucket: pulumi.Input[str] | None = None
    name: pulumi.Input[str] | None = None
    version: pulumi.Input[str] | None = None


@args_class
class MediaAnalysisInputArgs:
    s3_object: S3ObjectArgs
    """The JSON Lines manifest listing the images to analyse."""


@args_class
class OutputConfigArgs:
    s3_bucket: pulumi.Input[str]
    s3_key_prefix: pulumi.Input[str] | None = None


@args_class
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

    # The behaviour settings: defaults and descriptions are JobSettings' (request.py).
    wait_for_completion: pulumi.Input[bool] = _setting("wait_for_completion")
    wait_timeout_seconds: pulumi.Input[int] = _setting("wait_timeout_seconds")
    fail_on_job_failure: pulumi.Input[bool] = _setting("fail_on_job_failure")
    delete_outputs_on_destroy: pulumi.Input[bool] = _setting("delete_outputs_on_destroy")
    region: pulumi.Input[str] | None = _setting("region")
    endpoint_url: pulumi.Input[str] | None = _setting("endpoint_url")

    def to_props(self) -> dict[str, Any]:
        """The resource's input properties: nested plain dicts of ``pulumi.Input``s."""
        return as_props(self)


def as_props(args: MediaAnalysisJobArgs | Mapping[str, Any]) -> dict[str, Any]:
    """Input properties from ``MediaAnalysisJobArgs`` or a plain dict of the same
    (snake_case) names, nested Args and dicts mixed freely. Unknown names are left in,
    for check to report at preview."""
    if not isinstance(args, MediaAnalysisJobArgs | Mapping):
        raise TypeError(
            "MediaAnalysisJob: args must be MediaAnalysisJobArgs or a dict of its fields, "
            f"got {type(args).__name__}"
        )
    props: dict[str, Any] = _as_props(args)
    if isinstance(args, Mapping):
        # A dict gets the same defaults as the Args class.
        defaults = {f.name: f.default for f in fields(MediaAnalysisJobArgs)}
        props = {**{k: v for k, v in defaults.items() if k in JobSettings.model_fields}, **props}
    return props


def _as_props(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _as_props(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {k: _as_props(v) for k, v in value.items()}
    return value


# --- MediaAnalysisBatch ---------------------------------------------------------------


def _batch_setting(name: str) -> Any:
    """The Args field of a batch's own setting (``core.batch_request.BatchSettings``)."""
    declared = BatchSettings.model_fields[name]
    return dataclasses.field(
        default=declared.default, metadata={"description": declared.description}
    )


@args_class
class MediaAnalysisBatchSourceArgs:
    bucket: pulumi.Input[str]
    """The bucket holding the images."""
    prefix: pulumi.Input[str] | None = None
    """The key prefix to list (every key of the bucket when absent)."""
    suffixes: pulumi.Input[list[str]] | None = None
    """Key suffixes of the images, case-insensitive; ``.jpg .jpeg .png`` when absent."""


@args_class
class MediaAnalysisBatchArgs:
    source: MediaAnalysisBatchSourceArgs
    """The bucket prefix to analyse, listed at create into manifests of at most 10,000."""
    max_images: pulumi.Input[int]
    """Hard cap: a prefix holding more images fails the create (and the preview), naming
    both numbers, before anything is written or started."""
    operations_config: OperationsConfigArgs
    output_config: OutputConfigArgs
    """Where the manifests (``<prefix>batches/<token>/``) and the jobs' results go."""
    kms_key_id: pulumi.Input[str] | None = None
    """Customer managed KMS key for the manifests, the images and the results."""
    job_name: pulumi.Input[str] | None = None
    """Prefix of the jobs' names: shard i's job is ``<job_name>-<i>``."""

    wait_for_completion: pulumi.Input[bool] = _setting("wait_for_completion")
    wait_timeout_seconds: pulumi.Input[int] = _setting("wait_timeout_seconds")
    fail_on_job_failure: pulumi.Input[bool] = _setting("fail_on_job_failure")
    delete_outputs_on_destroy: pulumi.Input[bool] = _setting("delete_outputs_on_destroy")
    region: pulumi.Input[str] | None = _setting("region")
    endpoint_url: pulumi.Input[str] | None = _setting("endpoint_url")
    count_unlisted_on_refresh: pulumi.Input[bool] = _batch_setting("count_unlisted_on_refresh")
    price_per_image_usd: pulumi.Input[float] = _batch_setting("price_per_image_usd")

    def to_props(self) -> dict[str, Any]:
        return batch_props(self)


def batch_props(args: MediaAnalysisBatchArgs | Mapping[str, Any]) -> dict[str, Any]:
    """Input properties from ``MediaAnalysisBatchArgs`` or a dict of the same names."""
    if not isinstance(args, MediaAnalysisBatchArgs | Mapping):
        raise TypeError(
            "MediaAnalysisBatch: args must be MediaAnalysisBatchArgs or a dict of its fields, "
            f"got {type(args).__name__}"
        )
    props: dict[str, Any] = _as_props(args)
    if isinstance(args, Mapping):
        defaults = {
            f.name: f.default
            for f in fields(MediaAnalysisBatchArgs)
            if f.default is not dataclasses.MISSING
        }
        props = {**defaults, **props}
    return props
