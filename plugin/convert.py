"""Between the plugin's wire values and the core's dicts.

The plugin speaks Pulumi's camelCase property names in ``PropertyValue``s; the core
(``providers.job``, ``core.request``) works on plain snake_case dicts, the shape the
dynamic resource's state has. Names map one to one through the API's own member names
(``s3KeyPrefix`` <-> ``S3KeyPrefix`` <-> ``s3_key_prefix``), so only keys are renamed,
never values.

Values the engine does not know yet (preview) arrive as the SDK's unknown sentinel
string; they pass through unchanged, and the core treats them as unknown, as it does for
the dynamic resource. A plugin cannot send ``PropertyValue.computed()`` back ("Unsupported
value type: Computed" when marshalled), so unknowns are sent as that sentinel too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.runtime import rpc

from rekognition_media.api.casing import camel_case, camel_names, snake_case
from rekognition_media.core.request import is_sdk_unknown

__all__ = ["camel_case", "camel_names", "is_unknown_wire_value", "to_core", "to_wire", "wire_path"]


def snake_name(name: str) -> str:
    """``s3KeyPrefix`` -> ``s3_key_prefix``. A name already containing ``_`` is kept as
    given (marked, so the core reports it as unknown rather than accepting it)."""
    if "_" in name:
        return NOT_CAMEL + name
    return snake_case(name)


NOT_CAMEL = "\N{NO-BREAK SPACE}"
"""Prefix of a wire name that is not camelCase (``min_confidence`` where ``minConfidence``
is meant): no property has it, so check reports the name, with the close match."""


def is_unknown_wire_value(value: Any) -> bool:
    """A ``PropertyValue``'s inner value not known yet: ``Computed`` on the wire, or as the
    core sees one (``core.request.is_sdk_unknown``: the SDK's sentinel string or
    ``Unknown``)."""
    return isinstance(value, Computed) or is_sdk_unknown(value)


def to_core(props: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """Wire properties -> the core's snake_case dict of plain values."""
    return {snake_name(key): to_plain(value) for key, value in props.items()}


def to_plain(value: PropertyValue) -> Any:
    inner = value.value
    if isinstance(inner, Computed):
        return rpc.UNKNOWN
    if isinstance(inner, Mapping):
        return {snake_name(k): to_plain(v) for k, v in inner.items()}
    if isinstance(inner, Sequence) and not isinstance(inner, str):
        return [to_plain(v) for v in inner]
    return inner


def to_wire(props: Mapping[str, Any]) -> dict[str, PropertyValue]:
    """The core's snake_case dict -> wire properties (``None`` members left out)."""
    return {camel_case(key): to_value(value) for key, value in props.items() if value is not None}


def to_value(value: Any) -> PropertyValue:
    if value is None:
        return PropertyValue.null()
    if isinstance(value, bool | str | float):
        return PropertyValue(value)
    if isinstance(value, int):
        return PropertyValue(float(value))
    if isinstance(value, Mapping):
        return PropertyValue(
            {camel_case(k): to_value(v) for k, v in value.items() if v is not None}
        )
    if isinstance(value, list | tuple):
        return PropertyValue([to_value(v) for v in value])
    return PropertyValue(str(value))


def wire_path(path: str) -> str:
    """A core property path (``operations_config.detect_moderation_labels``) as the user
    wrote it (``operationsConfig.detectModerationLabels``)."""
    return ".".join(
        part[len(NOT_CAMEL) :] if part.startswith(NOT_CAMEL) else camel_case(part)
        for part in path.split(".")
    )
