# botocore ships no type information here; with or without stubs installed this module
# must type-check, so the import and the narrowing ignores below are allowed to be moot.
# mypy: disable-error-code="import-untyped,unused-ignore"
"""Request validation derived from botocore's Rekognition service model.

The constraints of every request member (required, type, length, range, pattern, enum)
are read from the model botocore ships, never retyped here. From each operation's input
shape we build a strict pydantic model once; the emulator validates requests with it
server-side, and the provider's ``check`` validates resource inputs with it before any
AWS call. Both report the same :class:`Violation` (field path, value, rule). Output
shapes get the same treatment (:func:`response_model`) where a response is read back from a
file another process wrote (the provider's page board).

botocore itself only checks required members, types and minimums client-side, so the
maximums and patterns would otherwise reach AWS unchecked.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import botocore.model
import botocore.session
from pydantic import BaseModel, ConfigDict, ValidationError, create_model
from pydantic.fields import FieldInfo

from .messages import shorten

SERVICE = "rekognition"
START = "StartMediaAnalysisJob"
GET = "GetMediaAnalysisJob"
LIST = "ListMediaAnalysisJobs"
OPERATIONS = (START, GET, LIST)
MEDIA_ANALYSIS_ACTIONS = tuple(f"{SERVICE}:{operation}" for operation in OPERATIONS)
"""The IAM actions of the media-analysis API: its operations under the service prefix."""


@functools.cache
def service_model() -> botocore.model.ServiceModel:
    return botocore.session.get_session().get_service_model(SERVICE)


def enum_values(shape_name: str) -> tuple[str, ...]:
    """The allowed values of an enum shape, e.g. ``MediaAnalysisJobStatus``."""
    return tuple(service_model().shape_for(shape_name).enum)


@dataclass(frozen=True)
class Violation:
    """One broken constraint: where (API member path), what was given, which rule."""

    path: tuple[str | int, ...]
    value: Any
    rule: str

    @property
    def field(self) -> str:
        return ".".join(str(p) for p in self.path) or "(request)"

    def aws_message(self) -> str:
        """AWS's wording for a constraint failure (as in its ValidationException texts)."""
        member = ".".join(_lower_first(str(p)) for p in self.path)
        # AWS prints a missing member as null, not as Python's None.
        value = "null" if self.value is None else _short(self.value)
        return f"Value {value} at '{member}' failed to satisfy constraint: {self.rule}"

    def __str__(self) -> str:
        return f"{self.field}: {self.rule} (got {_short(self.value)})"


def validate(operation: str, params: Mapping[str, Any]) -> list[Violation]:
    """Check a request body of ``operation`` against the model; empty list means valid."""
    try:
        request_model(operation).model_validate(dict(params))
    except ValidationError as exc:
        return [_violation(err) for err in exc.errors()]
    return []


@functools.cache
def request_model(operation: str) -> type[BaseModel]:
    """The strict pydantic model of ``operation``'s input shape."""
    shape = service_model().operation_model(operation).input_shape
    assert shape is not None, operation
    return _structure_model(shape)


@functools.cache
def response_model(operation: str) -> type[BaseModel]:
    """The strict pydantic model of ``operation``'s output shape, for responses that come
    back from somewhere less trustworthy than the service (timestamps as epoch seconds)."""
    shape = service_model().operation_model(operation).output_shape
    assert shape is not None, operation
    return _structure_model(shape)


# --- building pydantic models from botocore shapes -----------------------------------

_STRICT = ConfigDict(strict=True, extra="forbid", regex_engine="python-re")


@functools.cache
def _structure_model(shape: botocore.model.StructureShape) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for name, member in shape.members.items():
        annotation = _annotation(member)
        if name in shape.required_members:
            fields[name] = (annotation, ...)
        else:
            fields[name] = (annotation | None, None)
    return create_model(shape.name, __config__=_STRICT, **fields)


def _annotation(shape: botocore.model.Shape) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return _structure_model(shape)
    if kind == "list":
        item = _annotation(shape.member)  # type: ignore[attr-defined]
        return Annotated[list[item], constraints(shape)]  # type: ignore[valid-type]
    if kind == "map":
        key = _annotation(shape.key)  # type: ignore[attr-defined]
        value = _annotation(shape.value)  # type: ignore[attr-defined]
        return dict[key, value]  # type: ignore[valid-type]
    if kind == "string":
        if "enum" in shape.metadata:
            return Literal[tuple(shape.metadata["enum"])]
        return Annotated[str, constraints(shape)]
    if kind in ("integer", "long"):
        return Annotated[int, constraints(shape)]
    if kind in ("float", "double"):
        return Annotated[float, constraints(shape)]
    if kind == "boolean":
        return bool
    if kind == "timestamp":
        return float
    return Any


def constraints(shape: botocore.model.Shape) -> FieldInfo:
    """The model's length, range and pattern constraints of a list, string or number
    shape, as the pydantic ``Field`` that validates them (:func:`describe` words them)."""
    meta = shape.metadata
    kind = shape.type_name
    if kind in ("list", "string"):
        pattern = meta.get("pattern") if kind == "string" else None
        return FieldInfo.from_field(
            min_length=meta.get("min"),
            max_length=meta.get("max"),
            # AWS patterns constrain the whole value; anchor them for re.match.
            pattern=rf"^(?:{pattern})\Z" if pattern else None,
        )
    if kind in ("float", "double"):
        return FieldInfo.from_field(ge=meta.get("min"), le=meta.get("max"), allow_inf_nan=False)
    return FieldInfo.from_field(ge=meta.get("min"), le=meta.get("max"))


def describe(field: FieldInfo, unit: str = "characters") -> str:
    """A field's constraints as one sentence of documentation, from the same ``Field``
    that validates them: ``Must be 1 to 64 characters matching `[a-zA-Z0-9_.\\-]+`.``
    (``unit``: what a length counts). Empty when the field has none."""
    found: dict[str, Any] = {}
    for item in field.metadata:
        for name in ("min_length", "max_length", "ge", "le", "pattern"):
            if getattr(item, name, None) is not None:
                found[name] = getattr(item, name)
    parts = []
    if "min_length" in found or "max_length" in found:
        low, high = found.get("min_length"), found.get("max_length")
        parts.append(f"{_bounds(low, high, '{} to {}')} {unit}")
    elif "ge" in found or "le" in found:
        parts.append(_bounds(found.get("ge"), found.get("le"), "from {} to {}"))
    if "pattern" in found:
        parts.append(f"matching `{_unanchor(found['pattern'])}`")
    if not parts:
        return ""
    return (
        f"Must be {' '.join(parts)}."
        if len(parts) > 1 or "pattern" not in found
        else (f"Must match `{_unanchor(found['pattern'])}`.")
    )


def _bounds(low: Any, high: Any, both: str) -> str:
    if low is not None and high is not None:
        return both.format(_num(low), _num(high))
    return f"at most {_num(high)}" if high is not None else f"at least {_num(low)}"


# --- turning pydantic errors into constraint violations ------------------------------


def _violation(err: Mapping[str, Any]) -> Violation:
    path = tuple(err["loc"])
    ctx = err.get("ctx") or {}
    kind = err["type"]
    value = err.get("input")
    if kind == "missing":
        return Violation(path, None, "Member must not be null")
    if kind == "string_too_short":
        return Violation(
            path, value, f"Member must have length greater than or equal to {ctx['min_length']}"
        )
    if kind == "string_too_long":
        return Violation(
            path, value, f"Member must have length less than or equal to {ctx['max_length']}"
        )
    if kind == "string_pattern_mismatch":
        return Violation(
            path,
            value,
            f"Member must satisfy regular expression pattern: {_unanchor(ctx['pattern'])}",
        )
    if kind in ("greater_than_equal", "greater_than"):
        return Violation(
            path,
            value,
            f"Member must have value greater than or equal to {_num(ctx.get('ge', ctx.get('gt')))}",
        )
    if kind in ("less_than_equal", "less_than"):
        return Violation(
            path,
            value,
            f"Member must have value less than or equal to {_num(ctx.get('le', ctx.get('lt')))}",
        )
    if kind == "literal_error":
        return Violation(path, value, f"Member must satisfy enum value set: [{ctx['expected']}]")
    if kind == "extra_forbidden":
        return Violation(path, value, "Member is not a known field of this request")
    if kind in ("too_short", "too_long"):
        return Violation(
            path,
            value,
            f"Member must have {ctx.get('min_length', ctx.get('max_length'))} items at the bound",
        )
    if kind == "finite_number":
        return Violation(path, value, "Member must be a finite number")
    # Type errors: name the expected type the way the model does.
    return Violation(path, value, f"Member must be of the right type ({err['msg']})")


def _unanchor(pattern: str) -> str:
    """The pattern as the model states it: without the anchors added above (or a
    ``^...\\Z`` pair written by hand, as the resource's settings do)."""
    match = re.fullmatch(r"\^\(\?:(.*)\)\\Z", pattern) or re.fullmatch(r"\^(.*)\\Z", pattern)
    return match.group(1) if match else pattern


def _num(bound: Any) -> Any:
    # Float members have float bounds (100.0); the model and AWS say 100.
    return int(bound) if isinstance(bound, float) and bound.is_integer() else bound


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _short(value: Any) -> str:
    return shorten(repr(value))
