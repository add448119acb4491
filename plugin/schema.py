"""The ``rekognition-media`` package schema (``pulumi package get-schema rekognition-media``).

Derived, like the core's validation, from botocore's Rekognition model: the request
members of StartMediaAnalysisJob are the inputs (required exactly where the model
requires them), every member of GetMediaAnalysisJob is an output, and descriptions are
the model's documentation. The resource's own settings (with their defaults and
descriptions) and outputs come from ``core.request``; only the outputs' descriptions
are written here.
"""

from __future__ import annotations

import functools
import html
import json
import re
from typing import Any

import botocore.model
from pydantic import BaseModel

from rekognition_media import __version__
from rekognition_media.api import limits, shapes
from rekognition_media.api.casing import camel_case, snake_case
from rekognition_media.api.resources import (
    PLUGIN_BATCH_TYPE_TOKEN,
    PLUGIN_JOB_TYPE_TOKEN,
    PLUGIN_MODULE,
    PLUGIN_PACKAGE,
)
from rekognition_media.core.batch_request import JOB_FIELDS as BATCH_JOB_FIELDS
from rekognition_media.core.batch_request import BatchSettings
from rekognition_media.core.request import (
    ADOPT_FIELD,
    REQUEST_FIELDS,
    RUN_FIELDS,
    JobSettings,
)
from rekognition_media.core.summary import ManifestStatistics, ModerationSummary

from . import component_schema

PACKAGE = PLUGIN_PACKAGE
MODULE = PLUGIN_MODULE
JOB_TYPE = PLUGIN_JOB_TYPE_TOKEN
"""The plugin's resource type token (``api.resources``; the dynamic resource's is
``api.resources.JOB_TYPE_TOKEN``)."""
BATCH_TYPE = PLUGIN_BATCH_TYPE_TOKEN
"""The plugin's batch (``api.resources``; the dynamic one's is ``BATCH_TYPE_TOKEN``)."""

_PROVIDER_DEFAULT = " When absent, the provider's `{name}` applies first."
"""Added to the description of a setting the provider's configuration also sets."""
_ADOPT_DOC = (
    "Adopt this existing job instead of starting one; the declared request must match the "
    "job's. (`pulumi import` records an existing job with its request as inputs.)"
)
_RUN_DOCS = {
    "manifest_statistics": (
        "Line counts of the manifest summary (`totalJsonLines`, `validJsonLines`, "
        "`invalidJsonLines`): invalid lines do not fail a job."
    ),
    "request_token": "The ClientRequestToken the job was started with.",
    "started_by_stack": (
        "Whether this stack started the job (not adopted, nor reached through a declared "
        "token another stack may share); only such a job's outputs are deleted on destroy."
    ),
    "moderation_summary": (
        "What the job found, read once from its results when it SUCCEEDED: images analysed "
        "and flagged, per label and content type the images, the most confident flagged "
        "images. Absent when the results could not be read (`pulumi up` names the missing "
        "permission or object). Secret when the input, output or operations config is."
    ),
}
_URI_DOCS = {
    "results_uri": "`s3://` URI of the results (JSON Lines), once the job SUCCEEDED.",
    "manifest_summary_uri": "`s3://` URI of the manifest summary, once the job SUCCEEDED.",
}
_CONFIG = {
    "region": (
        "AWS region of the jobs that set none; the standard AWS configuration "
        "(AWS_DEFAULT_REGION, the profile, AWS_REGION) when absent."
    ),
    "endpoint_url": (
        "Rekognition and S3 endpoint of the jobs that set none, e.g. the local emulator; "
        "AWS_ENDPOINT_URL when absent."
    ),
}
_BATCH_CONFIG = {
    "price_per_image_usd": (
        "USD per image for the cost estimate of the batches that set none (default 0.001: "
        "AWS Rekognition pricing, Image API group 1, first tier)."
    ),
}
GO_MODULE = "github.com/rekognition-media/pulumi-rekognition-media/sdk"
"""The Go SDK's module (``sdk/go.mod``, as Pulumi's own packages lay it out)."""
LANGUAGES: dict[str, dict[str, Any]] = {
    # scripts/gen-sdks.sh writes each SDK from these. Python's lands in this distribution's
    # own namespace (rekognition_media/sdk links to it), so one `pip install` carries it.
    "python": {"packageName": "rekognition_media.sdk", "respectSchemaVersion": True},
    # The versions package-lock.json (repository root) resolves and tsc builds against:
    # @pulumi/pulumi as pinned (.pulumi-version), which needs Node.js >= 22 to run.
    "nodejs": {
        "packageName": "pulumi-rekognition-media",
        "respectSchemaVersion": True,
        "dependencies": {"@pulumi/pulumi": "^3.276.0"},
        "devDependencies": {"@types/node": "^22"},
        "typescriptVersion": "^5.9.3",
    },
    "go": {
        "importBasePath": f"{GO_MODULE}/go/rekognitionmedia",
        "respectSchemaVersion": True,
    },
    "csharp": {
        "rootNamespace": "RekognitionMedia",
        "namespaces": {PACKAGE: "Pulumi"},
        "respectSchemaVersion": True,
    },
}


def plain_text(documentation: str) -> str:
    """botocore's HTML documentation as plain paragraphs (``<code>`` as backquotes)."""
    text = re.sub(r"<code>(.*?)</code>", r"`\1`", documentation or "", flags=re.S)
    paragraphs = re.split(r"</p>\s*<p>|<p>|</p>", text)
    cleaned = (" ".join(html.unescape(re.sub(r"<[^>]+>", "", p)).split()) for p in paragraphs)
    return "\n\n".join(p for p in cleaned if p)


_CONSTRAINED = {
    "string": "characters",
    "list": "items",
    "integer": "",
    "long": "",
    "float": "",
    "double": "",
}
"""Shapes whose length or range the model constrains -> what a length counts."""
_SERVICE_DEFAULTS = {
    ("MediaAnalysisDetectModerationLabelsConfig", "MinConfidence"): limits.DEFAULT_MIN_CONFIDENCE,
}
"""Members whose absence the service fills in (documented, not in the model). Stated, not
declared as a schema ``default``: an SDK would then send it, changing the request."""


class _Builder:
    def __init__(self) -> None:
        self.types: dict[str, Any] = {}

    def prop(self, shape: botocore.model.Shape, documentation: str | None = None) -> dict[str, Any]:
        spec: dict[str, Any]
        kind = shape.type_name
        if kind == "structure":
            assert isinstance(shape, botocore.model.StructureShape)
            self.object_type(shape)
            spec = {"$ref": f"#/types/{MODULE}:{shape.name}"}
        elif kind == "list":
            spec = {"type": "array", "items": self.prop(shape.member)}
        elif kind in ("float", "double"):
            spec = {"type": "number"}
        elif kind in ("integer", "long"):
            spec = {"type": "integer"}
        elif kind == "boolean":
            spec = {"type": "boolean"}
        else:  # string, enum, timestamp (ISO 8601)
            spec = {"type": "string"}
        doc = plain_text(documentation if documentation is not None else shape.documentation)
        if kind == "timestamp":
            doc = f"{doc} (An ISO 8601 string.)".strip()
        enum = shape.metadata.get("enum")
        if enum:
            doc = f"{doc} One of: {', '.join(enum)}.".strip()
        elif kind in _CONSTRAINED:
            # Worded from the very Field the provider's check validates with.
            rule = shapes.describe(shapes.constraints(shape), _CONSTRAINED[kind])
            doc = f"{doc} {rule}".strip()
        if doc:
            spec["description"] = doc
        return spec

    def object_type(self, shape: botocore.model.StructureShape) -> None:
        token = f"{MODULE}:{shape.name}"
        if token in self.types:
            return
        self.types[token] = {}  # placeholder against recursion
        properties = {_lower(name): self.prop(member) for name, member in shape.members.items()}
        for (owner, member), default in _SERVICE_DEFAULTS.items():
            if owner == shape.name:
                spec = properties[_lower(member)]
                spec["description"] += f" When absent, the service applies {default:g}."
        self.types[token] = {
            "type": "object",
            "description": plain_text(shape.documentation),
            "properties": properties,
            "required": [_lower(name) for name in shape.required_members],
        }


def _lower(member: str) -> str:
    return camel_case(snake_case(member))


def _setting_spec(name: str) -> dict[str, Any]:
    field = JobSettings.model_fields[name]
    kind = {bool: "boolean", int: "integer"}.get(field.annotation, "string")  # type: ignore[arg-type]
    doc = f"{field.description} {shapes.describe(field)}".strip()
    if name in _CONFIG:
        doc += _PROVIDER_DEFAULT.format(name=camel_case(name))
    spec: dict[str, Any] = {"type": kind, "description": doc}
    if field.default is not None:
        spec["default"] = field.default
    return spec


def _model_types(types: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """Object types of a pydantic model (and the models it holds), from its JSON schema;
    returns the reference to the model's type."""
    schema = model.model_json_schema()
    for name, definition in {model.__name__: schema, **schema.pop("$defs", {})}.items():
        token = f"{MODULE}:{name}"
        assert token not in types, f"schema type {token} defined twice"
        fields = definition["properties"]
        types[token] = {
            "type": "object",
            "description": _one_paragraph(definition.get("description", "")),
            "properties": {camel_case(key): _json_prop(spec) for key, spec in fields.items()},
            # A nullable field is left out of the outputs when it is null.
            "required": [
                camel_case(key) for key in definition["required"] if "anyOf" not in fields[key]
            ],
        }
    return {"$ref": f"#/types/{MODULE}:{model.__name__}"}


def _one_paragraph(docstring: str) -> str:
    """A docstring's wrapped lines as one paragraph."""
    return " ".join(docstring.split())


def _json_prop(spec: dict[str, Any]) -> dict[str, Any]:
    described = (
        {"description": _one_paragraph(spec["description"])} if "description" in spec else {}
    )
    if "anyOf" in spec:  # X | None
        [spec] = [option for option in spec["anyOf"] if option.get("type") != "null"]
    if "$ref" in spec:
        return {"$ref": f"#/types/{MODULE}:{spec['$ref'].rsplit('/', 1)[-1]}", **described}
    kind = spec["type"]
    if kind == "array":
        return {"type": "array", "items": _json_prop(spec["items"]), **described}
    if kind == "object":
        values = _json_prop(spec["additionalProperties"])
        return {"type": "object", "additionalProperties": values, **described}
    return {"type": kind, **described}


@functools.cache
def package_schema() -> dict[str, Any]:
    model = shapes.service_model()
    start = model.operation_model(shapes.START).input_shape
    get = model.operation_model(shapes.GET).output_shape
    build = _Builder()

    inputs: dict[str, Any] = {}
    for member, shape in start.members.items():
        assert snake_case(member) in REQUEST_FIELDS
        inputs[_lower(member)] = build.prop(shape)
    for name in JobSettings.model_fields:
        inputs[camel_case(name)] = _setting_spec(name)
    inputs[camel_case(ADOPT_FIELD)] = {"type": "string", "description": _ADOPT_DOC}

    outputs: dict[str, Any] = dict(inputs)
    for member, shape in get.members.items():
        outputs[_lower(member)] = build.prop(shape)
    for name, doc in _URI_DOCS.items():
        outputs[camel_case(name)] = {"type": "string", "description": doc}
    run_specs = {
        "moderation_summary": _model_types(build.types, ModerationSummary),
        "manifest_statistics": _model_types(build.types, ManifestStatistics),
        "request_token": {"type": "string"},
        "started_by_stack": {"type": "boolean"},
    }
    for name in RUN_FIELDS:
        outputs[camel_case(name)] = {**run_specs[name], "description": _RUN_DOCS[name]}

    config: dict[str, Any] = {
        camel_case(name): {"type": "string", "description": doc} for name, doc in _CONFIG.items()
    }
    config |= {
        camel_case(name): {"type": "number", "description": doc}
        for name, doc in _BATCH_CONFIG.items()
    }
    return {
        "name": PACKAGE,
        "displayName": "Rekognition media analysis",
        "version": __version__,
        "description": (
            "Declarative AWS Rekognition media analysis (bulk image moderation) jobs: "
            "`pulumi up` starts a job and waits for it."
        ),
        "keywords": ["pulumi", "aws", "rekognition", "category/cloud", "kind/native"],
        "license": "Apache-2.0",
        "config": {"variables": config},
        "provider": {
            "description": "The rekognition-media provider: defaults for its jobs.",
            "inputProperties": config,
            "properties": config,
        },
        "resources": {
            JOB_TYPE: {
                "description": "A Rekognition media analysis job (StartMediaAnalysisJob: "
                + plain_text(model.operation_model(shapes.START).documentation).split("\n\n")[-1]
                + ") `pulumi up` starts the job (with a derived idempotency token, so an "
                "interrupted run resumes the same job) and waits for it; a change to the "
                "request or the region replaces it, a change to a setting updates it in place.",
                "inputProperties": inputs,
                "requiredInputs": [_lower(m) for m in start.required_members],
                "properties": outputs,
                "required": [_lower(m) for m in get.required_members],
            },
            BATCH_TYPE: _batch_spec(build, inputs, outputs),
            **component_schema.resource_specs(),
        },
        "types": build.types,
        "language": LANGUAGES,
    }


_BATCH_OUTPUT_DOCS = {
    "job_ids": "The JobIds of the batch's jobs, one per manifest, in shard order.",
    "manifest_uris": (
        "`s3://` URIs of the manifests the batch wrote (under the output prefix, "
        "`batches/<requestToken>/`), in shard order."
    ),
    "images_listed": "Images listed under the prefix and analysed (all shards).",
    "status": "SUCCEEDED when every shard's job did; FAILED when one failed; else IN_PROGRESS.",
    "shard_statuses": "Each shard's job status, in shard order.",
    "manifest_statistics": "The shards' manifest summaries' line counts, summed.",
    "moderation_summary": (
        "What the shards found, merged: counts summed, per label the images and the highest "
        "confidence, the most confident flagged images of all shards. Secret when the "
        "source, output or operations config is."
    ),
    "estimated_images": "Images the batch analyses (at preview: counted under the prefix).",
    "estimated_cost_usd": "estimatedImages x pricePerImageUsd.",
    "request_token": "The batch's base token: each shard's job token derives from it.",
    "started_by_stack": "Whether this stack started the jobs (always, for a batch).",
}


def _batch_spec(
    build: _Builder, job_inputs: dict[str, Any], job_outputs: dict[str, Any]
) -> dict[str, Any]:
    """The batch: a prefix analysed as sharded manifests, on the job's request fields and
    settings (the same specs as the job's), with the batch's own."""
    source = f"{MODULE}:MediaAnalysisBatchSource"
    skipped = f"{MODULE}:MediaAnalysisBatchSkipped"
    build.types[source] = {
        "type": "object",
        "description": "The bucket prefix a batch analyses.",
        "properties": {
            "bucket": {"type": "string", "description": "The bucket holding the images."},
            "prefix": {
                "type": "string",
                "description": "The key prefix to list (every key of the bucket when absent).",
            },
            "suffixes": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Key suffixes of the images to analyse, case-insensitive; "
                f"default {', '.join(limits.IMAGE_SUFFIXES)}.",
            },
        },
        "required": ["bucket"],
    }
    build.types[skipped] = {
        "type": "object",
        "description": "Objects under the prefix the batch did not analyse, by reason.",
        "properties": {
            "wrongSuffix": {"type": "integer", "description": "Keys without an image suffix."},
            "tooLarge": {
                "type": "integer",
                "description": f"Objects over {limits.MAX_IMAGE_BYTES // (1024 * 1024)} MiB.",
            },
            "empty": {"type": "integer", "description": "Empty objects."},
        },
        "required": ["wrongSuffix", "tooLarge", "empty"],
    }
    inputs: dict[str, Any] = {
        "source": {
            "$ref": f"#/types/{source}",
            "description": "The bucket prefix to analyse (listed at create).",
        },
        **{camel_case(name): job_inputs[camel_case(name)] for name in BATCH_JOB_FIELDS},
    }
    inputs["jobName"] = {
        "type": "string",
        "description": "Prefix of the jobs' names: shard i's job is `<jobName>-<i>`.",
    }
    for name in JobSettings.model_fields:
        inputs[camel_case(name)] = job_inputs[camel_case(name)]
    for name in ("max_images", "count_unlisted_on_refresh", "price_per_image_usd"):
        field = BatchSettings.model_fields[name]
        kind = {"max_images": "integer", "count_unlisted_on_refresh": "boolean"}.get(name, "number")
        spec: dict[str, Any] = {"type": kind, "description": field.description}
        if field.default is not None:
            spec["default"] = field.default
        inputs[camel_case(name)] = spec
    inputs["pricePerImageUsd"]["description"] += " When absent, the provider's applies first."
    outputs = dict(inputs)
    array = {"type": "array", "items": {"type": "string"}}
    specs: dict[str, dict[str, Any]] = {
        "job_ids": array,
        "manifest_uris": array,
        "images_listed": {"type": "integer"},
        "images_skipped": {"$ref": f"#/types/{skipped}"},
        "status": {"type": "string"},
        "shard_statuses": array,
        "manifest_statistics": {"$ref": f"#/types/{MODULE}:ManifestStatistics"},
        "moderation_summary": {"$ref": f"#/types/{MODULE}:ModerationSummary"},
        "estimated_images": {"type": "integer"},
        "estimated_cost_usd": {"type": "number"},
        "request_token": {"type": "string"},
        "started_by_stack": {"type": "boolean"},
    }
    for name, spec in specs.items():
        outputs[camel_case(name)] = {**spec, "description": _BATCH_OUTPUT_DOCS.get(name, "")}
    outputs["imagesSkipped"]["description"] = "Objects under the prefix not analysed, by reason."
    assert set(job_outputs) >= set(job_inputs)
    return {
        "description": (
            "A bucket prefix analysed by media analysis jobs: `pulumi up` lists the prefix "
            f"into sorted manifests of at most {limits.MAX_MANIFEST_LINES:,} images (written "
            "under the output prefix, encrypted with the key), starts one job per manifest "
            "(each with a token derived from the batch's, so an interrupted run resumes the "
            "same jobs from the same manifests) and waits for all of them; `pulumi preview` "
            "says how many images it will analyse and about what that costs."
        ),
        "inputProperties": inputs,
        "requiredInputs": ["source", "maxImages", "operationsConfig", "outputConfig"],
        "properties": outputs,
        "required": ["source", "maxImages", "operationsConfig", "outputConfig"],
    }


def schema_json() -> str:
    """The schema as scripts/gen-sdks.sh writes it to sdk/schema.json (stable key order,
    so a change to the schema reads as a small diff)."""
    return json.dumps(package_schema(), indent=2, sort_keys=True) + "\n"
