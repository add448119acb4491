"""The package schema as SDKs and IDEs show it: every part described, every output typed,
the constraints and defaults stated being the ones the provider applies."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from rekognition_media import components as python_components
from rekognition_media.api.casing import camel_case
from rekognition_media.core.request import problems
from rekognition_media.plugin import schema
from rekognition_media.plugin.component_schema import DECLARED

JOB = schema.JOB_TYPE
TYPE = f"{schema.MODULE}:{{}}"

_REQUEST = {
    "operations_config": {"detect_moderation_labels": {"min_confidence": 60}},
    "input": {"s3_object": {"bucket": "in-bucket", "name": "manifest.jsonl"}},
    "output_config": {"s3_bucket": "out-bucket"},
    "region": "us-east-1",
}


def _properties(package: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property spec (with its array items and map values) under its path."""

    def nested(where: str, spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        yield where, spec
        if "items" in spec:
            yield from nested(f"{where}[]", spec["items"])
        if isinstance(spec.get("additionalProperties"), dict):
            yield from nested(f"{where}{{}}", spec["additionalProperties"])

    for token, resource in package["resources"].items():
        for section in ("inputProperties", "properties"):
            for name, spec in resource.get(section, {}).items():
                yield from nested(f"{token}.{section}.{name}", spec)
    for token, declared in package["types"].items():
        for name, spec in declared["properties"].items():
            yield from nested(f"{token}.{name}", spec)
    for name, spec in package["config"]["variables"].items():
        yield from nested(f"config.{name}", spec)
    for section in ("inputProperties", "properties"):
        for name, spec in package["provider"][section].items():
            yield from nested(f"provider.{section}.{name}", spec)


def _is_element(path: str) -> bool:
    # An array's items and a map's values are described by the property holding them.
    return path.endswith(("[]", "{}"))


def test_the_package_every_resource_type_and_property_is_described() -> None:
    package = schema.package_schema()
    missing = [name for name in ("description",) if not package.get(name)]
    missing += [] if package["provider"].get("description") else ["provider"]
    missing += [t for t, r in package["resources"].items() if not r.get("description")]
    missing += [t for t, d in package["types"].items() if not d.get("description")]
    missing += [
        path
        for path, spec in _properties(package)
        if not _is_element(path) and not spec.get("description")
    ]
    assert missing == []


def test_every_property_has_a_type_and_no_output_is_untyped() -> None:
    package = schema.package_schema()
    untyped = [
        path
        for path, spec in _properties(package)
        if spec.get("$ref", "").startswith("pulumi.json#/")
        or ("$ref" not in spec and "type" not in spec)
        or (spec.get("type") == "object" and not isinstance(spec.get("additionalProperties"), dict))
    ]
    assert untyped == []
    assert "pulumi.json#/Any" not in json.dumps(package)
    # What the job found, and the manifest's counts, are objects of declared types.
    outputs = package["resources"][JOB]["properties"]
    for name, declared in (
        ("moderationSummary", "ModerationSummary"),
        ("manifestStatistics", "ManifestStatistics"),
        ("results", "MediaAnalysisResults"),
        ("failureDetails", "MediaAnalysisJobFailureDetails"),
    ):
        assert outputs[name]["$ref"] == f"#/types/{TYPE.format(declared)}"
    statistics = package["types"][TYPE.format("ManifestStatistics")]["properties"]
    assert set(statistics) == {"totalJsonLines", "validJsonLines", "invalidJsonLines"}


def _stated(description: str) -> tuple[int, int]:
    """The bounds a description states (``1 to 64 characters``, ``from 1 to 604800``)."""
    match = re.search(r"(?:from )?(\d+) to (\d+)(?: characters)?\b", description)
    assert match, description
    return int(match[1]), int(match[2])


def _rejects(props: dict[str, Any], path: str) -> bool:
    return any(p.path == path for p in problems(props))


@pytest.mark.parametrize(
    ("schema_path", "property_path", "build"),
    [
        # The request member: botocore's model, as the provider's check applies it.
        ("jobName", "job_name", lambda n: {"job_name": "j" * n}),
        ("kmsKeyId", "kms_key_id", lambda n: {"kms_key_id": "k" * n}),
        # A setting of the resource itself: JobSettings' Field.
        ("waitTimeoutSeconds", "wait_timeout_seconds", lambda n: {"wait_timeout_seconds": n}),
    ],
)
def test_a_stated_bound_is_the_bound_check_enforces(
    schema_path: str, property_path: str, build: Any
) -> None:
    description = schema.package_schema()["resources"][JOB]["inputProperties"][schema_path][
        "description"
    ]
    low, high = _stated(description)
    assert not _rejects({**_REQUEST, **build(high)}, property_path)
    assert not _rejects({**_REQUEST, **build(low)}, property_path)
    assert _rejects({**_REQUEST, **build(high + 1)}, property_path)
    if low > 0:
        assert _rejects({**_REQUEST, **build(low - 1)}, property_path)


def test_a_stated_pattern_and_range_in_a_nested_type_are_the_ones_check_enforces() -> None:
    types = schema.package_schema()["types"]
    job_name = schema.package_schema()["resources"][JOB]["inputProperties"]["jobName"]
    pattern = re.search(r"matching `(.+)`", job_name["description"])
    assert pattern
    assert not _rejects({**_REQUEST, "job_name": "nightly.run-1"}, "job_name")
    assert re.fullmatch(pattern[1], "nightly run") is None
    assert _rejects({**_REQUEST, "job_name": "nightly run"}, "job_name")

    min_confidence = types[TYPE.format("MediaAnalysisDetectModerationLabelsConfig")]
    description = min_confidence["properties"]["minConfidence"]["description"]
    low, high = _stated(description)
    path = "operations_config.detect_moderation_labels.min_confidence"
    for value, rejected in ((low, False), (high, False), (high + 0.5, True), (low - 0.5, True)):
        props = {
            **_REQUEST,
            "operations_config": {"detect_moderation_labels": {"min_confidence": value}},
        }
        assert _rejects(props, path) is rejected, value
    assert "When absent, the service applies 50." in description


def test_the_declared_defaults_are_the_python_classes_defaults() -> None:
    package = schema.package_schema()
    job = package["resources"][JOB]["inputProperties"]
    assert job["waitTimeoutSeconds"]["default"] == 3600
    assert job["waitForCompletion"]["default"] is True
    for name in DECLARED:
        spec = package["resources"][TYPE.format(name)]["inputProperties"]
        for field in dataclasses.fields(getattr(python_components, f"{name}Args")):
            wire = camel_case(field.name)
            scalar = isinstance(field.default, str | int | float | bool)
            if scalar:
                assert spec[wire].get("default") == field.default, (name, wire)
                assert type(spec[wire]["default"]) is type(field.default), (name, wire)
            else:
                assert "default" not in spec[wire], (name, wire)
    key = package["resources"][TYPE.format("MediaAnalysisKey")]["inputProperties"]
    assert key["deletionWindowInDays"]["default"] == python_components.MIN_DELETION_WINDOW_DAYS
