"""Emulator settings: one pydantic model, filled from defaults, env vars, CLI flags, admin API.

Every field is a flag (``--job-duration 0.5``) and an env var
(``REKOGNITION_EMULATOR_JOB_DURATION=0.5``); flags win over env vars, env vars over
defaults. All but :data:`RESTART_ONLY` fields can be changed on a running server with
``PATCH /_emulator/settings``, so a test can switch fault injection on and off.
"""

from __future__ import annotations

import json
import re
import threading
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rekognition_media.api import limits
from rekognition_media.api.manifest import DOCUMENTED_LINE_NUMBER_KEY
from rekognition_media.api.shapes import GET, LIST, START, enum_values

ENV_PREFIX = "REKOGNITION_EMULATOR_"

RESTART_ONLY = frozenset({"state_dir", "workers"})
"""Fields read once at start-up (they size thread pools or open files)."""

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_TEMPLATE_FIELDS = {"prefix": "p/", "job_id": "j", "job_name": "n"}

POLL_FAULT_STATUS: dict[str, int] = {
    # GetMediaAnalysisJob's modeled errors ...
    "AccessDeniedException": 400,
    "ResourceNotFoundException": 400,
    "InvalidParameterException": 400,
    "InternalServerError": 500,
    "ThrottlingException": 500,
    "ProvisionedThroughputExceededException": 400,
    # ... and AWS's common credential errors.
    "ExpiredTokenException": 400,
    "UnrecognizedClientException": 400,
}
"""Error codes ``job_poll_faults`` may name, with their HTTP status."""


class EmulatorSettings(BaseModel):
    """Behaviour of the emulator. Durations are seconds, rates are fractions 0..1."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # --- job timing --------------------------------------------------------------------
    created_delay: float = Field(default=0.1, ge=0, description="Seconds a job stays CREATED.")
    queue_delay: float = Field(
        default=0.4,
        ge=0,
        description="Seconds a job stays QUEUED (per job: x-amz-meta-emulator-queue-seconds).",
    )
    job_duration: float = Field(
        default=2.0,
        ge=0,
        description="Seconds a job stays IN_PROGRESS "
        "(per job: x-amz-meta-emulator-duration-seconds on the manifest).",
    )

    # --- API behaviour -----------------------------------------------------------------
    default_region: str = Field(
        default="us-east-1", description="Region of requests that carry no SigV4 credential scope."
    )
    default_min_confidence: float = Field(
        default=limits.DEFAULT_MIN_CONFIDENCE,
        ge=0,
        le=100,
        description="MinConfidence applied when the request has none.",
    )
    moderation_model_version: str = Field(
        default="7.0", description="ModerationModelVersion reported."
    )
    known_adapters: list[str] = Field(
        default_factory=list,
        description="Adapter (ProjectVersion) ARNs that exist; others fail the job "
        "with RESOURCE_NOT_FOUND. Comma-separated on the command line.",
    )
    results_key_template: str = Field(
        default="{prefix}{job_id}/results.jsonl",
        description="Key of the results file; {prefix} is S3KeyPrefix with one trailing '/' "
        "(empty if no prefix), also {job_id}, {job_name}.",
    )
    summary_key_template: str = Field(
        default="{prefix}{job_id}/manifest-summary.json",
        description="Key of the manifest summary; same placeholders.",
    )
    summary_line_number_key: Literal["line-numer", "line-number"] = Field(
        default=DOCUMENTED_LINE_NUMBER_KEY,
        description="Spelling of the line-number key in summary errors "
        "('line-numer' as in the AWS docs, or 'line-number').",
    )
    fail_if_all_lines_invalid: bool = Field(
        default=False,
        description="End a job whose lines are all invalid as FAILED/INVALID_MANIFEST.",
    )
    check_manifest_region: bool = Field(
        default=True, description="Reject a manifest whose bucket is in another region."
    )
    bulk_analysis_access: dict[str, bool] = Field(
        default_factory=dict,
        description="Per account (12-digit id, or '*' for every account not named): false "
        "makes the account behave as one without Rekognition bulk analysis (closed to new "
        "customers since 30 April 2026): StartMediaAnalysisJob answers AccessDeniedException. "
        "As JSON or account=false,account=false.",
    )

    # --- fault injection (Rekognition calls only) --------------------------------------
    throttling_rate: float = Field(
        default=0.0, ge=0, le=1, description="Fraction of calls answered ThrottlingException."
    )
    provisioned_throughput_rate: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Fraction of calls answered ProvisionedThroughputExceededException.",
    )
    internal_error_rate: float = Field(
        default=0.0, ge=0, le=1, description="Fraction of calls answered InternalServerError."
    )
    throttling_status: Literal[400, 500] = Field(
        default=500, description="HTTP status of ThrottlingException (AWS documents both)."
    )
    latency: float = Field(
        default=0.0, ge=0, description="Seconds added to every Rekognition call."
    )
    fault_seed: int | None = Field(
        default=None, description="Seed of the fault dice (reproducible)."
    )

    # --- quota mode --------------------------------------------------------------------
    quota_mode: bool = Field(
        default=False, description="Enforce TPS and concurrent-job quotas (off by default)."
    )
    start_tps: float = Field(
        default=limits.START_TPS, gt=0, description="Quota mode: Start calls/s."
    )
    get_tps: float = Field(default=limits.GET_TPS, gt=0, description="Quota mode: Get calls/s.")
    list_tps: float = Field(default=limits.LIST_TPS, gt=0, description="Quota mode: List calls/s.")
    concurrent_jobs: int | None = Field(
        default=None,
        ge=0,
        description="Quota mode: unfinished jobs per account and region "
        "(default: the documented quota of the region).",
    )
    job_poll_faults: dict[str, str] = Field(
        default_factory=dict,
        description="Per-job poll faults, JobName -> error code: GetMediaAnalysisJob of a job "
        "with that name answers the error, and ListMediaAnalysisJobs leaves the job out (so "
        "clients must Get it). As JSON or name=Code,name=Code.",
    )
    job_failures: dict[str, str] = Field(
        default_factory=dict,
        description="Per-job failures, JobName -> MediaAnalysisJobFailureCode: a job started "
        "with that name ends FAILED with that code (as the manifest's "
        "x-amz-meta-emulator-failure-code does, for jobs whose manifest a test does not "
        "write). Read at Start. As JSON or name=Code,name=Code.",
    )
    retention_seconds: float = Field(
        default=limits.JOB_RETENTION_SECONDS,
        gt=0,
        description="Jobs older than this disappear (Get: ResourceNotFoundException).",
    )

    # --- runtime -----------------------------------------------------------------------
    state_dir: Path | None = Field(
        default=None, description="Directory persisting job records (JSON) across restarts."
    )
    workers: int = Field(default=4, ge=1, le=64, description="Threads processing jobs.")
    verbose: bool = Field(default=False, description="Log every HTTP request.")

    @model_validator(mode="after")
    def _check(self) -> Self:
        total = self.throttling_rate + self.provisioned_throughput_rate + self.internal_error_rate
        if total > 1 + 1e-9:
            raise ValueError(f"fault rates add up to {total}, more than 1")
        for name in ("results_key_template", "summary_key_template"):
            template = getattr(self, name)
            if "{job_id}" not in template:
                raise ValueError(f"{name} must contain {{job_id}} so jobs do not collide")
            try:
                template.format(**_TEMPLATE_FIELDS)
            except (KeyError, IndexError, ValueError) as exc:
                raise ValueError(f"{name}: unknown placeholder or bad format: {exc}") from exc
        unknown = sorted(set(self.job_poll_faults.values()) - set(POLL_FAULT_STATUS))
        if unknown:
            raise ValueError(
                f"job_poll_faults: unknown error code(s) {', '.join(unknown)}; "
                f"use one of {', '.join(sorted(POLL_FAULT_STATUS))}"
            )
        codes = set(enum_values("MediaAnalysisJobFailureCode"))
        wrong = sorted(set(self.job_failures.values()) - codes)
        if wrong:
            raise ValueError(
                f"job_failures: unknown failure code(s) {', '.join(wrong)}; "
                f"use one of {', '.join(sorted(codes))}"
            )
        odd = sorted(a for a in self.bulk_analysis_access if a != "*" and not _ACCOUNT_ID.match(a))
        if odd:
            raise ValueError(
                f"bulk_analysis_access: {', '.join(odd)}: not a 12-digit account id or '*'"
            )
        if self.results_key_template == self.summary_key_template:
            raise ValueError("results and summary key templates must differ")
        return self

    def concurrent_jobs_limit(self, region: str) -> int:
        if self.concurrent_jobs is not None:
            return self.concurrent_jobs
        return limits.concurrent_jobs_limit(region)

    def has_bulk_analysis(self, account_id: str) -> bool:
        """Whether the account may start media analysis jobs (``bulk_analysis_access``)."""
        access = self.bulk_analysis_access
        return access.get(account_id, access.get("*", True))

    def tps(self, operation: str) -> float:
        return {START: self.start_tps, GET: self.get_tps, LIST: self.list_tps}[operation]


# --- text sources (env vars, CLI flags) ------------------------------------------------


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def flag_name(field: str) -> str:
    return "--" + field.replace("_", "-")


def field_kind(field: str) -> Literal["bool", "list", "dict", "value"]:
    """How a field is spelled as text: a switch, a comma-separated list, comma-separated
    ``key=value`` pairs, or one value."""
    annotation = EmulatorSettings.model_fields[field].annotation
    if annotation is bool:
        return "bool"
    if typing.get_origin(annotation) is list:
        return "list"
    if typing.get_origin(annotation) is dict:
        return "dict"
    return "value"


def _is_optional(field: str) -> bool:
    annotation = EmulatorSettings.model_fields[field].annotation
    return isinstance(annotation, types.UnionType) and type(None) in typing.get_args(annotation)


def parse_text(field: str, text: str) -> Any:
    """Turn the text of an env var or flag into a value pydantic can validate."""
    kind = field_kind(field)
    stripped = text.strip()
    if kind == "list":
        if stripped.startswith("["):
            return json.loads(stripped)
        return [item.strip() for item in stripped.split(",") if item.strip()]
    if kind == "dict":
        if stripped.startswith("{"):
            return json.loads(stripped)
        pairs = [item.partition("=") for item in stripped.split(",") if item.strip()]
        return {key.strip(): value.strip() for key, _, value in pairs}
    if _is_optional(field) and stripped.lower() in ("", "none", "null"):
        return None
    if kind == "bool":
        return stripped.lower() in ("1", "true", "yes", "on")
    return stripped


def from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """Settings given as ``REKOGNITION_EMULATOR_<FIELD>`` env vars."""
    return {
        name: parse_text(name, environ[env_name(name)])
        for name in EmulatorSettings.model_fields
        if env_name(name) in environ
    }


def merge(base: EmulatorSettings, changes: Mapping[str, Any]) -> EmulatorSettings:
    """``base`` with ``changes`` applied and everything validated again.

    Raises ``ValueError`` (pydantic's ``ValidationError`` is one) on bad input.
    """
    unknown = set(changes) - set(EmulatorSettings.model_fields)
    if unknown:
        raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
    data = base.model_dump()
    data.update(changes)
    return EmulatorSettings.model_validate(data)


class SettingsHolder:
    """The live settings of a running emulator; readers get an immutable snapshot."""

    def __init__(self, settings: EmulatorSettings) -> None:
        self._settings = settings
        self._lock = threading.Lock()

    @property
    def current(self) -> EmulatorSettings:
        return self._settings

    def update(self, changes: Mapping[str, Any]) -> EmulatorSettings:
        """Apply run-time changes; ``ValueError`` for invalid or restart-only fields."""
        with self._lock:
            updated = merge(self._settings, changes)
            frozen = [
                name
                for name in sorted(RESTART_ONLY)
                if getattr(updated, name) != getattr(self._settings, name)
            ]
            if frozen:
                raise ValueError(f"only settable at start-up: {', '.join(frozen)}")
            self._settings = updated
            return updated


def settings_error_message(exc: ValueError) -> str:
    """A one-line explanation of a settings error, for the CLI and the admin API."""
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
    return str(exc)
