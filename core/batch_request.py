"""A batch's inputs: what is wrong with them, its settings, its shards' requests, diff.

A ``MediaAnalysisBatch`` is a bucket prefix analysed as sharded manifests, one media
analysis job per shard (``batch``). Its inputs are the job's request fields (except the
manifest, which the batch writes: ``input``) and behaviour settings, plus the prefix to
list (``source``) and a hard cap on the images (``max_images``). Validation is the job's
(``request.problems``, on the request of a shard as it will be sent), with the batch's own
fields checked here; so are the did-you-mean messages.

This module runs on the program side too (the dynamic resource's diff): it imports only
``request``, ``token`` and the API contract.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from rekognition_media.api import limits
from rekognition_media.api.manifest import output_directory
from rekognition_media.api.messages import did_you_mean

from .changes import Diff, changed
from .request import (
    JobSettings,
    Problem,
    is_sdk_unknown,
    normalise,
    problems,
    strip_unknowns,
    unknown_paths_top,
)
from .token import derive_token

JOB_FIELDS = ("operations_config", "output_config", "kms_key_id", "job_name")
"""The job's request fields a batch takes (its manifests are the batch's own)."""
SOURCE_FIELDS = ("bucket", "prefix", "suffixes")
DEFAULT_PRICE_PER_IMAGE_USD = 0.001
"""AWS Rekognition pricing, Image API group 1 (DetectModerationLabels is one), first
tier (the first 1 million images a month), USD per image, us-east-1, as of 2026: the
price of bulk analysis is that of the image API it runs."""


class BatchSettings(JobSettings):
    """The batch's behaviour settings: the job's, and the batch's own."""

    max_images: int | None = Field(
        None,
        ge=1,
        description=(
            "Hard cap on the images the batch analyses: a prefix holding more fails the "
            "create (and the preview) naming both numbers, before anything is written or "
            "started. Required."
        ),
    )
    count_unlisted_on_refresh: bool = Field(
        False,
        description=(
            "On refresh, also list the prefix again and say how many images under it the "
            "batch never listed (off by default: it reads every key under the prefix)."
        ),
    )
    price_per_image_usd: float = Field(
        DEFAULT_PRICE_PER_IMAGE_USD,
        ge=0,
        description=(
            "USD per image, for the cost estimate of `pulumi preview` and "
            "`estimated_cost_usd`: AWS Rekognition pricing, Image API group 1, first tier "
            "(Rekognition bills successfully processed images)."
        ),
    )

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> BatchSettings:
        given = {k: v for k, v in props.items() if k in cls.model_fields and v is not None}
        # JSON has one number type: whole numbers may arrive as floats, a price as an int.
        for name in ("wait_timeout_seconds", "max_images"):
            value = given.get(name)
            if isinstance(value, float) and value.is_integer():
                given[name] = int(value)
        price = given.get("price_per_image_usd")
        if isinstance(price, int) and not isinstance(price, bool):
            given["price_per_image_usd"] = float(price)
        return cls.model_validate(given)


SETTINGS = tuple(name for name in BatchSettings.model_fields if name != "region")
"""Settings of the resource, not of its jobs: a change updates the batch in place."""
REPLACE_ON = ("source", *JOB_FIELDS, "region")
"""Properties whose change is another batch (another listing, other jobs)."""
INPUT_FIELDS = ("source", *JOB_FIELDS, *BatchSettings.model_fields)
IDENTITY_FIELDS = ("resource_name", "token_scope", "in_preview")
"""Set by the front end, never by the user: the name for messages, the token's scope,
whether the engine is previewing (the dynamic resource's check estimates then)."""
OUTPUT_FIELDS = (
    "job_ids",
    "manifest_uris",
    "images_listed",
    "images_skipped",
    "status",
    "shard_statuses",
    "manifest_statistics",
    "moderation_summary",
    "estimated_images",
    "estimated_cost_usd",
    "request_token",
    "started_by_stack",
)
SKIP_REASONS = ("wrong_suffix", "too_large", "empty")
"""Why a listed object is not an image the batch analyses (``images_skipped``)."""


@dataclass(frozen=True)
class Source:
    """The prefix a batch lists: bucket, key prefix, suffixes (lower case)."""

    bucket: str
    prefix: str
    suffixes: tuple[str, ...]

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    @classmethod
    def of(cls, props: Mapping[str, Any]) -> Source:
        source = props.get("source") or {}
        suffixes = source.get("suffixes") or limits.IMAGE_SUFFIXES
        return cls(
            bucket=str(source.get("bucket")),
            prefix=str(source.get("prefix") or ""),
            suffixes=tuple(sorted({str(s).lower() for s in suffixes})),
        )


def resource_name(props: Mapping[str, Any]) -> str:
    return str(props.get("resource_name") or "MediaAnalysisBatch")


def shard_job_name(job_name: str | None, index: int) -> str | None:
    """Shard ``index``'s JobName: the batch's ``job_name`` with ``-<index>``."""
    return f"{job_name}-{index}" if job_name else None


def max_shards(max_images: int) -> int:
    return max(1, math.ceil(max_images / limits.MAX_MANIFEST_LINES))


def batch_token(props: Mapping[str, Any]) -> str:
    """The batch's base token: its scope (stack and resource) and what it analyses. Its
    shards' tokens derive from it (``shard_token``); so do its manifests' keys."""
    source = Source.of(props)
    what = {
        "MediaAnalysisBatch": {
            "Source": {
                "Bucket": source.bucket,
                "Prefix": source.prefix,
                "Suffixes": list(source.suffixes),
            },
            **{name: normalise(props.get(name)) for name in JOB_FIELDS},
        }
    }
    return derive_token(str(props.get("token_scope")), what)


def shard_token(base: str, index: int) -> str:
    """Shard ``index``'s job token: a resumed Start of the shard returns the same job."""
    return derive_token(base, {"Shard": index})


def batch_directory(output_config: Mapping[str, Any], base: str) -> str:
    """Where a batch writes its manifests: ``<S3KeyPrefix>/batches/<batch token>/``."""
    return f"{output_directory(output_config.get('s3_key_prefix'))}batches/{base}/"


def manifest_key(directory: str, index: int) -> str:
    return f"{directory}manifest-{index:05d}.jsonl"


def shard_props(props: Mapping[str, Any], index: int, manifest: str) -> dict[str, Any]:
    """The properties of shard ``index``'s job, as a ``MediaAnalysisJob`` would have them."""
    job = {name: props.get(name) for name in JOB_FIELDS if props.get(name) is not None}
    job["job_name"] = shard_job_name(props.get("job_name"), index)
    bucket = (props.get("output_config") or {}).get("s3_bucket")
    job["input"] = {"s3_object": {"bucket": bucket, "name": manifest}}
    for name in JobSettings.model_fields:
        if props.get(name) is not None:
            job[name] = props[name]
    return {k: v for k, v in job.items() if v is not None}


# --- check ------------------------------------------------------------------------------


def batch_problems(props: Mapping[str, Any]) -> list[Problem]:
    """Every reason the API or the batch would reject these inputs; no AWS call."""
    found: list[Problem] = []
    allowed = (*INPUT_FIELDS, *IDENTITY_FIELDS, *OUTPUT_FIELDS)
    for key, value in props.items():
        if key.startswith("__") or key in allowed:
            continue
        shown = None if is_sdk_unknown(value) else value
        found.append(Problem(key, shown, f"unknown property; {did_you_mean(key, INPUT_FIELDS)}"))
    found.extend(_source_problems(props.get("source")))
    unknown = unknown_paths_top(props)
    known = strip_unknowns(props)
    try:
        settings = BatchSettings.from_props(
            {k: v for k, v in known.items() if k in BatchSettings.model_fields}
        )
    except Exception as error:  # pydantic's ValidationError: reported below, per field
        settings = None
        for err in getattr(error, "errors", list)():
            if err["loc"] and err["loc"][0] in JobSettings.model_fields:
                continue  # the job's own check below reports its settings
            found.append(Problem(".".join(map(str, err["loc"])), err["input"], err["msg"]))
    if "max_images" not in unknown and known.get("max_images") is None:
        found.append(
            Problem(
                "max_images",
                None,
                "required: the most images the batch may analyse (a hard cap, checked "
                "before anything is written or started)",
            )
        )
    # The job's checks, on a shard's request as it will be sent: the longest JobName of
    # the batch (the last shard's), a manifest under the batch's own prefix.
    shards = max_shards(settings.max_images or 1) if settings else 1
    job = shard_props(known, shards - 1, manifest_key(batch_directory({}, "t" * 64), 0))
    for name in unknown & {*JOB_FIELDS, *JobSettings.model_fields}:
        job[name] = props[name]
    bucket = (known.get("output_config") or {}).get("s3_bucket")
    if not isinstance(bucket, str):
        job.pop("input", None)
    for problem in problems(job):
        if problem.path.startswith("input") or problem.path.startswith("adopt_job_id"):
            continue  # the batch's own manifests, never the user's
        if problem.path == "job_name":
            rule = f"{problem.rule} (as shard {shards - 1}'s JobName, `<job_name>-<shard>`)"
            problem = Problem(problem.path, problem.value, rule)
        found.append(problem)
    return found


def _source_problems(source: Any) -> list[Problem]:
    if is_sdk_unknown(source):
        return []
    if not isinstance(source, Mapping):
        return [
            Problem(
                "source",
                source,
                "required: {bucket, prefix, suffixes}: the bucket and key prefix to analyse",
            )
        ]
    found: list[Problem] = []
    for key, value in source.items():
        if key not in SOURCE_FIELDS:
            found.append(
                Problem(
                    f"source.{key}",
                    None if is_sdk_unknown(value) else value,
                    f"unknown property; {did_you_mean(key, SOURCE_FIELDS)}",
                )
            )
    bucket = source.get("bucket")
    if not is_sdk_unknown(bucket) and (
        not isinstance(bucket, str) or not 3 <= len(bucket) <= 255 or not _bucket_name(bucket)
    ):
        found.append(
            Problem(
                "source.bucket",
                bucket,
                "required: a bucket name of 3 to 255 characters [0-9A-Za-z.-_]",
            )
        )
    prefix = source.get("prefix")
    if (
        prefix is not None
        and not is_sdk_unknown(prefix)
        and (not isinstance(prefix, str) or len(prefix) > 1024)
    ):
        found.append(
            Problem("source.prefix", prefix, "must be a key prefix of at most 1024 characters")
        )
    suffixes = source.get("suffixes")
    if suffixes is not None and not is_sdk_unknown(suffixes):
        if not isinstance(suffixes, list) or not suffixes:
            found.append(
                Problem("source.suffixes", suffixes, "must be a non-empty list of key suffixes")
            )
        else:
            for i, suffix in enumerate(suffixes):
                if not is_sdk_unknown(suffix) and (not isinstance(suffix, str) or not suffix):
                    found.append(
                        Problem(f"source.suffixes.{i}", suffix, "must be a non-empty key suffix")
                    )
    return found


def _bucket_name(name: str) -> bool:
    return all(c.isascii() and (c.isalnum() or c in ".-_") for c in name)


# --- diff -------------------------------------------------------------------------------


def diff(olds: Mapping[str, Any], news: Mapping[str, Any]) -> Diff:
    """Another source, request or region is another batch (replace); a setting updates
    the batch in place, without an AWS call."""
    old_source, new_source = olds.get("source"), news.get("source")
    replaces = [
        key for key in REPLACE_ON if key != "source" and changed(olds.get(key), news.get(key))
    ]
    if (
        is_sdk_unknown(new_source)
        or (
            isinstance(old_source, Mapping)
            and isinstance(new_source, Mapping)
            and (unknown_paths_top(new_source) or Source.of(olds) != Source.of(news))
        )
        or (isinstance(old_source, Mapping) != isinstance(new_source, Mapping))
    ):
        replaces.insert(0, "source")
    defaults = {k: BatchSettings.model_fields[k].default for k in SETTINGS}
    updates = [
        key
        for key in SETTINGS
        if changed(
            defaults[key] if olds.get(key) is None else olds.get(key),
            defaults[key] if news.get(key) is None else news.get(key),
        )
    ]
    return Diff(tuple(replaces), tuple(updates), REPLACE_ON)
