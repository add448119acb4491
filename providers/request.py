"""From resource properties to a StartMediaAnalysisJob request, and what is wrong with it.

``check`` and ``diff`` both work on the API request built here, so "what the user asked
for" has one definition: the properties that become request members. Validation uses the
constraints of botocore's model (``rekognition_media.api.shapes``) plus a small pydantic
model for the resource's own behaviour settings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pulumi.runtime import rpc
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rekognition_media.api import shapes
from rekognition_media.api.casing import snake_case, to_api

REQUEST_FIELDS = tuple(
    snake_case(m) for m in shapes.service_model().operation_model(shapes.START).input_shape.members
)
"""Top-level properties that are members of the request: changing any replaces the job."""


@dataclass(frozen=True)
class Problem:
    """An input the API (or the resource) would reject: property path, value, rule."""

    path: str
    value: Any
    rule: str

    @property
    def reason(self) -> str:
        return f"{self.path} = {_show(self.value)}: {self.rule}"


class JobSettings(BaseModel):
    """The resource's behaviour settings, validated like the request members."""

    model_config = ConfigDict(strict=True, extra="ignore", regex_engine="python-re")

    wait_for_completion: bool = True
    wait_timeout_seconds: int = Field(3600, ge=1, le=7 * 24 * 3600)
    fail_on_job_failure: bool = True
    delete_outputs_on_destroy: bool = False
    region: str | None = Field(None, pattern=r"^[a-z]{2}(-[a-z]+)+-\d+\Z")
    endpoint_url: str | None = Field(None, pattern=r"^https?://[^\s/]+(/\S*)?\Z")

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> JobSettings:
        given = {k: v for k, v in props.items() if k in cls.model_fields and v is not None}
        # JSON has one number type: a whole-number timeout may arrive as 60.0.
        timeout = given.get("wait_timeout_seconds")
        if isinstance(timeout, float) and timeout.is_integer():
            given["wait_timeout_seconds"] = int(timeout)
        return cls.model_validate(given)


def build_request(props: Mapping[str, Any]) -> dict[str, Any]:
    """The StartMediaAnalysisJob request the properties describe (unknowns left out)."""
    known = strip_unknowns(props)
    return to_api(known, _start_shape())


def problems(props: Mapping[str, Any]) -> list[Problem]:
    """Every reason the API or the resource would reject these inputs; no AWS call."""
    unknown = unknown_paths(props)
    found: list[Problem] = []
    for violation in shapes.validate(shapes.START, build_request(props)):
        path = _property_path(violation.path)
        if violation.value is None and any(f"{path}.".startswith(u) for u in unknown):
            continue  # only missing because it is not known yet at preview
        found.append(Problem(path, violation.value, _plain(violation.rule)))
    settings = {k: v for k, v in strip_unknowns(props).items() if k not in REQUEST_FIELDS}
    try:
        JobSettings.from_props(settings)
    except ValidationError as exc:
        for err in exc.errors():
            found.append(Problem(".".join(map(str, err["loc"])), err["input"], err["msg"]))
    return found


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
        return {k: strip_unknowns(v) for k, v in value.items() if not is_unknown(v)}
    if isinstance(value, list):
        return [strip_unknowns(v) for v in value if not is_unknown(v)]
    return value


def unknown_paths(value: Any, prefix: str = "") -> list[str]:
    """Dotted paths of the values not known yet."""
    if is_unknown(value):
        return [prefix]
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in unknown_paths(v, f"{prefix}{k}.")]
    return []


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value == rpc.UNKNOWN


def _start_shape() -> Any:
    return shapes.service_model().operation_model(shapes.START).input_shape


def _property_path(api_path: tuple[str | int, ...]) -> str:
    return ".".join(snake_case(p) if isinstance(p, str) else str(p) for p in api_path)


def _plain(rule: str) -> str:
    return re.sub(r"^Member ", "", rule)


def _show(value: Any, limit: int = 80) -> str:
    text = "(not set)" if value is None else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
