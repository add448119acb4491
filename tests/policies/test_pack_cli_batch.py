"""media-analysis-batch-max-images as a CI gate: `pulumi preview --policy-pack policies` with
the real CLI, on a Python program declaring a resource of the batch's dynamic type token.

The program's batch is a stand-in (a dynamic resource registered under
``pulumi-python:dynamic/rekognition:MediaAnalysisBatch`` whose provider does nothing):
the pack judges a resource by its type token and declared properties, which is all a
preview hands it, so the gate is tested as the engine runs it whatever the batch's
provider does; the last test runs the product's own batch (examples/batch) against the
emulator. The harness tests (test_media_batches.py) cover the plugin's token.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pulumi import automation as auto

from devtools.engine import EngineStack, StackFactory, write_program
from devtools.world import provider_env, seed
from rekognition_media.emulator import Emulator
from tests.support import ROOT

pytestmark = pytest.mark.engine

PACK = str(ROOT / "policies")
POLICY = "media-analysis-batch-max-images"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

PROGRAM = """
import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

from rekognition_media.api.resources import BATCH_RESOURCE, PROVIDER_MODULE


class _Nothing(ResourceProvider):
    def create(self, props):
        return CreateResult("made", dict(props))


class MediaAnalysisBatch(Resource, module=PROVIDER_MODULE, name=BATCH_RESOURCE):
    def __init__(self, name, props):
        super().__init__(_Nothing(), name, props)


class _Number(Resource):  # an output that is unknown during the first preview
    value: pulumi.Output[int]

    def __init__(self, name, value):
        super().__init__(_Nothing(), name, {"value": value})


config = pulumi.Config()
props = {
    "source": {"bucket": "uploads", "prefix": "2026/12/"},
    "operations_config": {"detect_moderation_labels": {"min_confidence": 80}},
    "output_config": {"s3_bucket": "media-out", "s3_key_prefix": "batches/"},
    "kms_key_id": config.get("kmsKeyId"),
    "job_name": "nightly",
}
if config.get_bool("capFromAnOutput"):
    props["max_images"] = _Number("cap", config.require_int("maxImages")).value
elif config.get("maxImages") is not None:
    props["max_images"] = config.require_int("maxImages")
MediaAnalysisBatch("nightly", props)
"""


@pytest.fixture
def batch_program(tmp_path: Path) -> Path:
    return write_program(tmp_path / "programs", "batch-policy", PROGRAM)


def batch_stack(
    engine_stack: StackFactory, program: Path, name: str = "test", **config: str
) -> EngineStack:
    # The stand-in makes no AWS call: nothing need exist.
    return engine_stack(program, name, config={"kmsKeyId": KEY_ARN, **config})


def test_a_batch_without_max_images_fails_the_gate(
    engine_stack: StackFactory, batch_program: Path
) -> None:
    stack = batch_stack(engine_stack, batch_program)
    with pytest.raises(auto.CommandError) as failure:
        stack.preview(policy_packs=[PACK])
    output = str(failure.value)
    [line] = _report_lines(output, POLICY)
    assert "[mandatory]" in line and "MediaAnalysisBatch: nightly" in line
    assert "`max_images` is absent - without a cap the batch analyses" in output


def test_a_cap_over_the_limit_fails_and_the_config_raises_the_limit(
    engine_stack: StackFactory, batch_program: Path, tmp_path: Path
) -> None:
    stack = batch_stack(engine_stack, batch_program, maxImages="250000")
    with pytest.raises(auto.CommandError) as failure:
        stack.preview(policy_packs=[PACK])
    assert "`max_images` is 250000 - more than the 100000 images" in str(failure.value)

    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({POLICY: {"maxImages": 300_000}}))
    preview = stack.preview(policy_packs=[PACK], policy_pack_configs=[str(config)])
    assert POLICY not in preview.stdout
    assert preview.change_summary == {"create": 2}  # the stack and the batch


def test_a_batch_within_the_limit_passes_and_the_job_policies_read_it(
    engine_stack: StackFactory, batch_program: Path, tmp_path: Path
) -> None:
    stack = batch_stack(engine_stack, batch_program, maxImages="100000")
    preview = stack.preview(policy_packs=[PACK])
    assert POLICY not in preview.stdout
    assert "media-analysis-job-kms-key" not in preview.stdout

    keyless = batch_stack(engine_stack, batch_program, "keyless", maxImages="100000")
    keyless.stack.remove_config("kmsKeyId")
    with pytest.raises(auto.CommandError) as failure:
        keyless.preview(policy_packs=[PACK])
    [line] = _report_lines(str(failure.value), "media-analysis-job-kms-key")
    assert "[mandatory]" in line and "MediaAnalysisBatch: nightly" in line
    assert "to MediaAnalysisBatchArgs" in str(failure.value)


def test_a_cap_unknown_at_preview_passes(engine_stack: StackFactory, batch_program: Path) -> None:
    stack = batch_stack(engine_stack, batch_program, capFromAnOutput="true", maxImages="5")
    preview = stack.preview(policy_packs=[PACK])
    assert POLICY not in preview.stdout
    assert preview.change_summary == {"create": 3}  # the stack, the number, the batch


def _report_lines(output: str, policy: str) -> list[str]:
    """The policy report's violation lines for ``policy``."""
    return [
        line for line in output.splitlines() if line.strip().startswith("- [") and policy in line
    ]


def test_the_real_batch_over_the_limit_fails_the_gate_at_preview(
    emulator: Emulator, engine_stack: StackFactory
) -> None:
    # The product's own MediaAnalysisBatch (examples/batch), its preview listing a prefix
    # in the emulator: the gate judges what the resource declares, estimate and all.
    world = seed(emulator)
    stack = engine_stack(
        ROOT / "examples" / "batch",
        env=provider_env(),
        config={
            "inputBucket": world.input_bucket,
            "prefix": "images/",
            "outputBucket": world.output_bucket,
            "kmsKeyArn": world.key_arn,
            "maxImages": "250000",
            "endpointUrl": world.emulator.url,
        },
    )
    with pytest.raises(auto.CommandError) as failure:
        stack.preview(policy_packs=[PACK])
    said = "\n".join([*stack.outputs_seen, str(failure.value)])
    lines = _report_lines(said, POLICY)
    assert lines and all("[mandatory]" in line for line in lines)
    assert "MediaAnalysisBatch: nightly" in lines[0]
    assert "`max_images` is 250000 - more than the 100000 images" in " ".join(said.split())
    assert world.jobs_reading_input() == []
