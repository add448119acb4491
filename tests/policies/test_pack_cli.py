"""The policy pack as a CI gate: `pulumi preview --policy-pack policies` with the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pulumi import automation as auto

from rekognition_media.devtools.engine import EngineStack, StackFactory

pytestmark = pytest.mark.engine

REPO = Path(__file__).parents[2]
PACK = str(REPO / "policies")
PROGRAM = REPO / "examples" / "jobs"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def job_stack(engine_stack: StackFactory, **config: str) -> EngineStack:
    # Preview makes no AWS call, so the buckets need not exist.
    return engine_stack(
        PROGRAM,
        config={"inputBucket": "media-in", "outputBucket": "media-out", **config}
        | {"manifest": "manifests/batch.jsonl"},
        env={"AWS_REGION": "us-east-1"},
    )


def test_a_job_without_kms_key_fails_the_gate(engine_stack: StackFactory) -> None:
    stack = job_stack(engine_stack)
    with pytest.raises(auto.CommandError) as failure:
        stack.preview(policy_packs=[PACK])
    [line] = _report_lines(str(failure.value), "media-analysis-job-kms-key")
    assert "[mandatory]" in line and "MediaAnalysisJob: job-0" in line
    assert "`kms_key_id` is absent" in str(failure.value)


def test_a_job_with_kms_key_passes_the_gate(engine_stack: StackFactory) -> None:
    stack = job_stack(engine_stack, kmsKeyId=KEY_ARN)
    preview = stack.preview(policy_packs=[PACK])
    assert preview.change_summary == {"create": 4}  # stack, identity, lane, job
    assert "media-analysis-job-kms-key" not in preview.stdout


def test_configured_advisory_warns_and_passes(engine_stack: StackFactory, tmp_path: Path) -> None:
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"media-analysis-job-kms-key": {"enforcementLevel": "advisory"}}))
    stack = job_stack(engine_stack)
    preview = stack.preview(policy_packs=[PACK], policy_pack_configs=[str(config)])
    [line] = _report_lines(preview.stdout, "media-analysis-job-kms-key")
    assert "[advisory]" in line
    assert preview.change_summary == {"create": 4}  # stack, identity, lane, job


def test_min_confidence_floor_is_configurable(engine_stack: StackFactory, tmp_path: Path) -> None:
    config = tmp_path / "policy-config.json"
    config.write_text(
        json.dumps(
            {
                "media-analysis-job-min-confidence": {
                    "enforcementLevel": "mandatory",
                    "minimumConfidence": 80,
                }
            }
        )
    )
    stack = job_stack(engine_stack, kmsKeyId=KEY_ARN, minConfidence="60")
    with pytest.raises(auto.CommandError) as failure:
        stack.preview(policy_packs=[PACK], policy_pack_configs=[str(config)])
    assert "media-analysis-job-min-confidence" in str(failure.value)


def _report_lines(output: str, policy: str) -> list[str]:
    """The policy report's violation lines for ``policy``."""
    return [
        line for line in output.splitlines() if line.strip().startswith("- [") and policy in line
    ]
