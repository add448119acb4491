"""``pulumi package get-schema rekognition-media`` through the real CLI, offline."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from devtools.engine import offline_env
from rekognition_media import __version__
from rekognition_media import components as python_components
from rekognition_media.api import shapes
from rekognition_media.plugin import JOB_TYPE, PACKAGE, convert
from rekognition_media.plugin.component_schema import DECLARED
from tests.plugin.support import PLUGIN, require_tools
from tests.support import ROOT

pytestmark = pytest.mark.engine


def _pulumi(bin_dir: Path, state: Path, *args: str) -> str:
    result = subprocess.run(
        [str(bin_dir / "pulumi"), *args, "--non-interactive"],
        cwd=state,
        env=offline_env(bin_dir, state),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"pulumi {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _camel(member: str) -> str:
    return member[0].lower() + member[1:]


def _check(schema: dict[str, Any]) -> None:
    assert schema["name"] == PACKAGE and schema["version"] == __version__
    job = schema["resources"][JOB_TYPE]
    start = shapes.service_model().operation_model(shapes.START).input_shape
    get = shapes.service_model().operation_model(shapes.GET).output_shape
    assert job["requiredInputs"] == ["operationsConfig", "input", "outputConfig"]
    assert set(job["inputProperties"]) == {_camel(m) for m in start.members} | {
        "waitForCompletion",
        "waitTimeoutSeconds",
        "failOnJobFailure",
        "deleteOutputsOnDestroy",
        "region",
        "endpointUrl",
        "adoptJobId",
    }
    assert set(job["properties"]) >= {_camel(m) for m in get.members} | {
        "resultsUri",
        "manifestSummaryUri",
        "manifestStatistics",
        "requestToken",
        "startedByStack",
    }
    assert set(job["required"]) == {_camel(m) for m in get.required_members}
    for name, spec in job["properties"].items():
        assert spec.get("description"), name
    assert job["inputProperties"]["waitTimeoutSeconds"] == {
        "type": "integer",
        "description": job["inputProperties"]["waitTimeoutSeconds"]["description"],
        "default": 3600,
    }
    assert "must match the region" in json.dumps(schema["types"])  # botocore's documentation
    dml = schema["types"][f"{PACKAGE}:index:MediaAnalysisDetectModerationLabelsConfig"]
    assert dml["properties"]["minConfidence"]["type"] == "number"
    output_config = schema["types"][f"{PACKAGE}:index:MediaAnalysisOutputConfig"]
    assert output_config["required"] == ["s3Bucket"]
    config = {"region", "endpointUrl", "pricePerImageUsd"}  # the price: batches only
    assert set(schema["config"]["variables"]) == config
    assert set(schema["provider"]["inputProperties"]) == config
    _check_batch(schema)
    _check_components(schema)


def _check_batch(schema: dict[str, Any]) -> None:
    """The batch: the job's request fields but its manifest and token, the job's settings
    and the batch's own, every property described."""
    batch = schema["resources"][f"{PACKAGE}:index:MediaAnalysisBatch"]
    job = schema["resources"][f"{PACKAGE}:index:MediaAnalysisJob"]
    assert batch["requiredInputs"] == ["source", "maxImages", "operationsConfig", "outputConfig"]
    own = {"source", "maxImages", "countUnlistedOnRefresh", "pricePerImageUsd"}
    assert (
        set(batch["inputProperties"])
        == (set(job["inputProperties"]) - {"input", "clientRequestToken", "adoptJobId"}) | own
    )
    assert {"jobIds", "manifestUris", "imagesSkipped", "moderationSummary"} <= set(
        batch["properties"]
    )
    for name, spec in batch["properties"].items():
        assert spec.get("description"), name
    skipped = schema["types"][f"{PACKAGE}:index:MediaAnalysisBatchSkipped"]
    assert set(skipped["properties"]) == {"wrongSuffix", "tooLarge", "empty"}


def _check_components(schema: dict[str, Any]) -> None:
    """The four components, as the Python classes' Args and outputs (camelCase)."""
    found = {k: v for k, v in schema["resources"].items() if v.get("isComponent")}
    assert set(found) == {f"{PACKAGE}:index:{name}" for name in DECLARED}
    for name in DECLARED:
        spec = found[f"{PACKAGE}:index:{name}"]
        args = getattr(python_components, f"{name}Args")
        assert set(spec["inputProperties"]) == {
            convert.camel_case(f.name) for f in dataclasses.fields(args)
        }
        assert spec.get("requiredInputs", []) == []  # every Args field has a default
        assert spec["properties"] and set(spec["required"]) <= set(spec["properties"])
    pipeline = found[f"{PACKAGE}:index:MediaAnalysisPipeline"]
    assert {"existingKeyArn", "manifestKey", "inputObjects", "minConfidence"} <= set(
        pipeline["inputProperties"]
    )
    assert {"jobId", "jobStatus", "resultsUri", "keyArn", "policyArn"} <= set(
        pipeline["properties"]
    )
    # Strings only: no reference to the aws package's types or resources.
    assert '"$ref"' not in json.dumps(found)


def test_get_schema_by_path_and_by_name(pulumi_bin: Path, tmp_path: Path) -> None:
    executable = require_tools(pulumi_bin) / PLUGIN
    printed = _pulumi(pulumi_bin, tmp_path, "package", "get-schema", str(executable))
    _check(json.loads(printed))
    # The CLI reads the components from the schema as components of the package. (SDK
    # generation, `pulumi package gen-sdk`, needs the language hosts of Node.js, Python,
    # Go or .NET, none of which can be obtained here.)
    (tmp_path / "schema.json").write_text(printed)
    info = _pulumi(
        pulumi_bin,
        tmp_path,
        "package",
        "info",
        "schema.json",
        "--resource",
        "MediaAnalysisPipeline",
    )
    assert f"Resource: {PACKAGE}:index:MediaAnalysisPipeline" in info
    for line in (
        " - existingKeyArn (string): ",
        " - deletionWindowInDays (integer): ",
        " - inputObjects (Map<Input<string>>): ",
        " - manifestImageKeys (Array<Input<string>>): ",
        " - keyArn (string*)",
        " - jobId (string)",
    ):
        assert line in info, (line, info)
    # By name, the CLI looks in its plugin cache (and would ask the registry): register the
    # executable there once.
    _pulumi(
        pulumi_bin,
        tmp_path,
        "plugin",
        "install",
        "resource",
        PACKAGE,
        __version__,
        "--file",
        str(executable),
    )
    _check(json.loads(_pulumi(pulumi_bin, tmp_path, "package", "get-schema", PACKAGE)))


def test_the_checked_in_sdk_schema_is_the_one_the_plugin_serves(
    pulumi_bin: Path, tmp_path: Path
) -> None:
    served = _pulumi(
        pulumi_bin, tmp_path, "package", "get-schema", str(require_tools(pulumi_bin) / PLUGIN)
    )
    checked_in = (ROOT / "sdk" / "schema.json").read_text()
    # The CLI re-encodes the schema and leaves out empty lists (`"required": []`).
    assert _without_empty_lists(json.loads(served)) == _without_empty_lists(
        json.loads(checked_in)
    ), "sdk/ is out of date: run scripts/gen-sdks.sh"


def _without_empty_lists(value: object) -> object:
    if isinstance(value, dict):
        return {k: _without_empty_lists(v) for k, v in value.items() if v != []}
    if isinstance(value, list):
        return [_without_empty_lists(v) for v in value]
    return value
