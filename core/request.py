"""From resource properties to a StartMediaAnalysisJob request, and what is wrong with it.

``check`` and ``diff`` both work on the API request built here, so "what the user asked
for" has one definition: the properties that become request members. Validation uses the
constraints of botocore's model and the service's own rules (``rekognition_media.api``)
plus a small pydantic model for the resource's own behaviour settings.

At preview, inputs that come from other resources are not known yet: the engine sends
them as unknowns (``pulumi.output.Unknown`` objects, or the SDK's sentinel string). They
pass ``check``; everything known around them is still validated, and ``create`` validates
the resolved values again.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import botocore.model
import botocore.session
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rekognition_media.api import rules, shapes
from rekognition_media.api.casing import snake_case, to_api
from rekognition_media.api.messages import did_you_mean, shorten

REQUEST_FIELDS = tuple(
    snake_case(m) for m in shapes.service_model().operation_model(shapes.START).input_shape.members
)
"""Top-level properties that are members of the request: changing any replaces the job."""


class JobSettings(BaseModel):
    """The resource's behaviour settings, validated like the request members.

    The one declaration of the settings: their defaults and descriptions (the Args
    class's, ``args``, and the plugin's schema), diff's "update in place" list and check's
    validation all come from here.
    """

    model_config = ConfigDict(strict=True, extra="ignore", regex_engine="python-re")

    wait_for_completion: bool = Field(
        True, description="Return from create only once the job has SUCCEEDED or FAILED."
    )
    wait_timeout_seconds: int = Field(
        3600,
        ge=1,
        le=7 * 24 * 3600,
        description=(
            "Give up waiting after this many seconds, naming the JobId and the last status; "
            "the job keeps running and the next `pulumi up` resumes waiting for it."
        ),
    )
    fail_on_job_failure: bool = Field(
        True,
        description=(
            "Fail the deployment when the job ends FAILED (otherwise record it with its status)."
        ),
    )
    delete_outputs_on_destroy: bool = Field(
        False,
        description=(
            "On destroy, also delete the results and summary objects the job wrote (only for "
            "a job this stack started itself)."
        ),
    )
    endpoint_url: str | None = Field(
        None,
        pattern=r"^https?://[^\s/]+(/\S*)?\Z",
        description=(
            "Rekognition and S3 endpoint, e.g. the local emulator; AWS_ENDPOINT_URL when absent."
        ),
    )
    # The region is where the job lives: changing it replaces the job (see changes.py).
    region: str | None = Field(
        None,
        pattern=r"^[a-z]{2}(-[a-z]+)+-\d+\Z",
        description=(
            "AWS region of the job (changing it replaces the job); the standard AWS "
            "configuration (AWS_DEFAULT_REGION, the profile, AWS_REGION) when absent."
        ),
    )

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> JobSettings:
        given = {k: v for k, v in props.items() if k in cls.model_fields and v is not None}
        # JSON has one number type: a whole-number timeout may arrive as 60.0.
        timeout = given.get("wait_timeout_seconds")
        if isinstance(timeout, float) and timeout.is_integer():
            given["wait_timeout_seconds"] = int(timeout)
        return cls.model_validate(given)


SETTINGS = tuple(name for name in JobSettings.model_fields if name != "region")
"""Settings of the resource, not of the job: changing them updates the resource in place."""

ADOPT_FIELD = "adopt_job_id"
IDENTITY_FIELDS = ("resource_name", "token_scope")
"""Set by the resource class, never by the user; diff ignores them."""
JOB_FIELDS = (
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
"""Outputs that describe the job (GetMediaAnalysisJob); refresh re-reads them."""
RUN_FIELDS = ("manifest_statistics", "request_token", "started_by_stack", "moderation_summary")
"""Outputs of what create saw: the summary's counts, the token sent, who started the job,
what the job found (``summary``)."""
OUTPUT_FIELDS = (*JOB_FIELDS, *RUN_FIELDS)

INPUT_FIELDS = (*REQUEST_FIELDS, *JobSettings.model_fields, ADOPT_FIELD)
"""Every property a user may set."""


@dataclass(frozen=True)
class Problem:
    """An input the API (or the resource) would reject: property path, value, rule."""

    path: str
    value: Any
    rule: str

    @property
    def reason(self) -> str:
        return f"{self.path} = {_show(self.value)}: {self.rule}"


def build_request(props: Mapping[str, Any]) -> dict[str, Any]:
    """The StartMediaAnalysisJob request the properties describe (unknowns left out)."""
    known = strip_unknowns(props)
    return to_api(known, _start_shape())


def problems(props: Mapping[str, Any]) -> list[Problem]:
    """Every reason the API or the resource would reject these inputs; no AWS call."""
    found = _unknown_keys(props)
    unknown = unknown_paths(props)
    request = build_request(props)
    violations = [
        *shapes.validate(shapes.START, request),
        *rules.validate_start(request),
    ]
    for violation in violations:
        path = _property_path(violation.path)
        if _touches(f"{path}.", unknown):
            continue  # judged on values not known yet at preview: create judges them
        found.append(Problem(path, violation.value, _plain(violation.rule)))
    settings = {k: v for k, v in strip_unknowns(props).items() if k not in REQUEST_FIELDS}
    try:
        parsed = JobSettings.from_props(settings)
    except ValidationError as exc:
        for err in exc.errors():
            found.append(Problem(".".join(map(str, err["loc"])), err["input"], err["msg"]))
    else:
        if "region" not in unknown_paths_top(props) and resolve_region(parsed.region) is None:
            found.append(
                Problem(
                    "region",
                    None,
                    "no region: set the region input, AWS_REGION or AWS_DEFAULT_REGION in "
                    "the environment of `pulumi`, or a region in the AWS profile",
                )
            )
    return found


def resolve_region(declared: str | None) -> str | None:
    """The region a job goes to: the input, else boto3's chain, else AWS_REGION (which
    other AWS SDKs and Lambda use but botocore does not read)."""
    if declared:
        return declared
    session_region: str | None = botocore.session.get_session().get_config_variable("region")
    return session_region or os.environ.get("AWS_REGION") or None


def normalise(value: Any) -> Any:
    """The value as the API sees it: absent == None, and 50 == 50.0 (JSON has one number
    type). Equal requests normalise equal, for diff and for the idempotency token."""
    if isinstance(value, Mapping):
        return {k: normalise(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def strip_unknowns(value: Any) -> Any:
    """A copy without the values Pulumi does not know yet (preview of computed inputs)."""
    if isinstance(value, Mapping):
        return {k: strip_unknowns(v) for k, v in value.items() if not is_sdk_unknown(v)}
    if isinstance(value, list):
        return [strip_unknowns(v) for v in value if not is_sdk_unknown(v)]
    return value


def unknown_paths(value: Any, prefix: str = "") -> list[str]:
    """Dotted paths (each ending in ``.``) of the values not known yet."""
    if is_sdk_unknown(value):
        return [prefix]
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in unknown_paths(v, f"{prefix}{k}.")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in unknown_paths(v, f"{prefix}{i}.")]
    return []


def unknown_paths_top(props: Mapping[str, Any]) -> set[str]:
    """Top-level properties that are unknown, or hold an unknown somewhere inside."""
    return {path.split(".", 1)[0] for path in unknown_paths(props)}


def is_sdk_unknown(value: Any) -> bool:
    """The engine's "not known yet": an ``Unknown`` object where the SDK keeps unknowns
    (check and diff at preview), the sentinel string where it serializes them."""
    if "pulumi.output" not in sys.modules:
        # Only the Pulumi SDK makes unknowns: a process that has not loaded it (the report
        # command) holds none, and need not load the SDK to say so.
        return False
    from pulumi.output import Unknown
    from pulumi.runtime import rpc

    return isinstance(value, Unknown) or (isinstance(value, str) and value == rpc.UNKNOWN)


def _touches(path: str, unknown: list[str]) -> bool:
    """Whether ``path`` lies inside an unknown value or holds one inside it."""
    return any(path.startswith(u) or u.startswith(path) for u in unknown)


# --- unknown keys: typos must not be dropped silently ---------------------------------


def _unknown_keys(props: Mapping[str, Any]) -> list[Problem]:
    allowed = (*INPUT_FIELDS, *IDENTITY_FIELDS, *OUTPUT_FIELDS)
    found: list[Problem] = []
    for key, value in props.items():
        if key.startswith("__"):
            continue  # the SDK's own (the serialized provider)
        if key not in allowed:
            found.append(_unknown_key(key, key, value, INPUT_FIELDS))
        elif key in REQUEST_FIELDS:
            member = _start_shape().members[_api_name(key)]
            found.extend(_unknown_nested_keys(value, member, key))
    return found


def _unknown_nested_keys(value: Any, shape: botocore.model.Shape, path: str) -> list[Problem]:
    if not isinstance(value, Mapping) or not isinstance(shape, botocore.model.StructureShape):
        return []
    by_property = {snake_case(m): s for m, s in shape.members.items()}
    found: list[Problem] = []
    for key, item in value.items():
        where = f"{path}.{key}"
        if key in by_property:
            found.extend(_unknown_nested_keys(item, by_property[key], where))
        else:
            found.append(_unknown_key(where, key, item, tuple(by_property)))
    return found


def _unknown_key(path: str, key: str, value: Any, allowed: tuple[str, ...]) -> Problem:
    hint = did_you_mean(key, allowed)
    return Problem(path, None if is_sdk_unknown(value) else value, f"unknown property; {hint}")


def _api_name(prop: str) -> str:
    return next(str(m) for m in _start_shape().members if snake_case(m) == prop)


def _start_shape() -> botocore.model.StructureShape:
    shape = shapes.service_model().operation_model(shapes.START).input_shape
    assert isinstance(shape, botocore.model.StructureShape)
    return shape


def _property_path(api_path: tuple[str | int, ...]) -> str:
    return ".".join(snake_case(p) if isinstance(p, str) else str(p) for p in api_path)


def _plain(rule: str) -> str:
    return re.sub(r"^Member ", "", rule)


def _show(value: Any) -> str:
    return "(not set)" if value is None else shorten(repr(value))
