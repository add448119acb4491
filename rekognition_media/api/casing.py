"""The three spellings of one name: the API's PascalCase members, Python's snake_case
properties and the Pulumi wire's camelCase ones -- the one place names are converted.

Pulumi users write ``operations_config.detect_moderation_labels.min_confidence`` (Python)
or ``operationsConfig.detectModerationLabels.minConfidence`` (any other language, the
plugin's wire, the policy pack's view of pulumi-aws); the API takes
``OperationsConfig.DetectModerationLabels.MinConfidence``. ``to_api``/``from_api`` derive
the mapping from the botocore shape being converted, so only members the API knows are
carried over and nothing is renamed by hand.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

import botocore.model

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SNAKE_WORD = re.compile(r"_([a-z0-9])")
_SNAKE_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def snake_case(member: str) -> str:
    """``S3KeyPrefix`` or ``s3KeyPrefix`` -> ``s3_key_prefix``; ``KmsKeyId`` -> ``kms_key_id``."""
    return _WORD_BOUNDARY.sub("_", member).lower()


def camel_case(name: str) -> str:
    """``s3_key_prefix`` -> ``s3KeyPrefix`` (how Pulumi spells a snake_case property)."""
    return _SNAKE_WORD.sub(lambda m: m.group(1).upper(), name)


def camel_names(text: str) -> str:
    """Every snake_case name in ``text`` in camelCase (for hints such as "did you mean
    'min_confidence'?" shown to a program that spells names in camelCase)."""
    return _SNAKE_NAME.sub(lambda m: camel_case(m.group()), text)


def to_api(props: Mapping[str, Any], shape: botocore.model.Shape) -> dict[str, Any]:
    """Build an API structure from snake_case properties, dropping ``None`` members."""
    assert isinstance(shape, botocore.model.StructureShape), shape.name
    result: dict[str, Any] = {}
    for member, member_shape in shape.members.items():
        value = props.get(snake_case(member))
        if value is not None:
            result[member] = _to_api_value(value, member_shape)
    return result


def from_api(structure: Mapping[str, Any], shape: botocore.model.Shape) -> dict[str, Any]:
    """Snake_case properties from an API structure (timestamps become ISO 8601 strings)."""
    assert isinstance(shape, botocore.model.StructureShape), shape.name
    result: dict[str, Any] = {}
    for member, member_shape in shape.members.items():
        if member in structure:
            result[snake_case(member)] = _from_api_value(structure[member], member_shape)
    return result


def _to_api_value(value: Any, shape: botocore.model.Shape) -> Any:
    if shape.type_name == "structure" and isinstance(value, Mapping):
        return to_api(value, shape)
    if shape.type_name == "list" and isinstance(value, list):
        return [_to_api_value(v, shape.member) for v in value]
    if (
        shape.type_name in ("float", "double")
        and isinstance(value, int)
        and not isinstance(value, bool)
    ):
        # Pulumi hands numbers over as floats or ints depending on how they were written;
        # the API's Percent is a float either way.
        return float(value)
    return value


def _from_api_value(value: Any, shape: botocore.model.Shape) -> Any:
    if shape.type_name == "structure" and isinstance(value, Mapping):
        return from_api(value, shape)
    if shape.type_name == "list" and isinstance(value, list):
        return [_from_api_value(v, shape.member) for v in value]
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    return value
