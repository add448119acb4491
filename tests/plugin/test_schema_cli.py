"""``pulumi package get-schema rekognition-media`` through the real CLI, offline."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from rekognition_media import __version__
from rekognition_media.api import shapes
from rekognition_media.devtools.engine import offline_env
from rekognition_media.providers.plugin import JOB_TYPE, PACKAGE
from tests.plugin.yaml_stack import PLUGIN, require_tools

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
    assert set(schema["config"]["variables"]) == {"region", "endpointUrl"}
    assert set(schema["provider"]["inputProperties"]) == {"region", "endpointUrl"}


def test_get_schema_by_path_and_by_name(pulumi_bin: Path, tmp_path: Path) -> None:
    executable = require_tools(pulumi_bin) / PLUGIN
    _check(json.loads(_pulumi(pulumi_bin, tmp_path, "package", "get-schema", str(executable))))
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
