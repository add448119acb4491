"""``rekognition-media:index:MediaAnalysisBatch``'s preview where YAML shows it best: a
prefix that is another resource's output (unknown at preview), a preview without
credentials. The batch's scenarios on both front ends (two shards, kill and resume, a
FAILED shard, the cap) are tests/providers/test_engine_batch.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from devtools.world import World, no_credentials_env, put_many, seed_prefix
from rekognition_media.emulator import Emulator
from rekognition_media.plugin import BATCH_TYPE, JOB_TYPE
from tests.plugin.support import YamlStackFactory, yaml_stacks

pytestmark = pytest.mark.engine

TINY = 10_001
IMAGES = TINY + 3


@pytest.fixture
def yaml_stack(pulumi_bin: Path, tmp_path: Path) -> YamlStackFactory:
    return yaml_stacks(pulumi_bin, tmp_path)


@pytest.fixture(scope="module")
def big(emulator: Emulator) -> World:
    """Under ``big/``: the three sample images, 10,001 tiny keys and a text file."""
    world = seed_prefix(emulator, "big/", TINY)
    put_many(world.input_bucket, ["big/readme.txt"], body=b"text")
    return world


def batch_program(world: World, prefix: str = "big/", **extra: Any) -> dict[str, Any]:
    properties = {
        "source": {"bucket": world.input_bucket, "prefix": prefix},
        "maxImages": 20_000,
        "operationsConfig": {"detectModerationLabels": {"minConfidence": 60}},
        "outputConfig": {"s3Bucket": world.output_bucket, "s3KeyPrefix": "results/"},
        "kmsKeyId": world.key_arn,
        "jobName": "yb",
        **extra,
    }
    return {
        "name": "yaml-batch",
        "runtime": "yaml",
        "config": {"rekognition-media:endpointUrl": {"value": world.emulator.url}},
        "resources": {"nightly": {"type": BATCH_TYPE, "properties": properties}},
        "outputs": {
            name: f"${{nightly.{name}}}"
            for name in (
                "jobIds",
                "manifestUris",
                "imagesListed",
                "imagesSkipped",
                "status",
                "shardStatuses",
                "manifestStatistics",
                "moderationSummary",
                "estimatedImages",
                "estimatedCostUsd",
            )
        },
    }


def test_an_unknown_prefix_or_no_credentials_is_said_in_one_line(
    big: World, yaml_stack: YamlStackFactory, tmp_path: Path
) -> None:
    program = batch_program(big)
    program["resources"]["first"] = {
        "type": JOB_TYPE,
        "properties": {
            "operationsConfig": {"detectModerationLabels": {"minConfidence": 60}},
            "input": {"s3Object": {"bucket": big.input_bucket, "name": big.manifest}},
            "outputConfig": {"s3Bucket": big.output_bucket, "s3KeyPrefix": "first/"},
        },
    }
    program["resources"]["nightly"]["properties"]["source"]["prefix"] = "${first.jobId}/"
    stack = yaml_stack(program)
    assert "the prefix is not known until the update runs: no estimate" in stack.preview()

    stack = yaml_stack(batch_program(big), name="nocreds", env=no_credentials_env(tmp_path))
    preview = stack.preview()
    assert "cannot count the images under" in preview and "no AWS credentials found" in preview
