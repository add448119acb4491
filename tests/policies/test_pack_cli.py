"""The policy pack as a CI gate: `pulumi preview --policy-pack policies` with the real CLI,
on a Python program with the dynamic `MediaAnalysisJob` and on a YAML program with the
plugin's `rekognition-media:index:MediaAnalysisJob`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pulumi import automation as auto

from devtools.engine import EngineStack, StackFactory
from rekognition_media.api.resources import PLUGIN_JOB_TYPE_TOKEN
from rekognition_media.policies import FRAMEWORK_ENV
from tests.plugin.support import PulumiFailed, YamlStack, require_tools
from tests.support import ROOT

pytestmark = pytest.mark.engine

PACK = str(ROOT / "policies")
PROGRAM = ROOT / "examples" / "jobs"
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
    assert preview.change_summary == {"create": 3}  # stack, identity, job
    assert "media-analysis-job-kms-key" not in preview.stdout


def test_configured_advisory_warns_and_passes(engine_stack: StackFactory, tmp_path: Path) -> None:
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"media-analysis-job-kms-key": {"enforcementLevel": "advisory"}}))
    stack = job_stack(engine_stack)
    preview = stack.preview(policy_packs=[PACK], policy_pack_configs=[str(config)])
    [line] = _report_lines(preview.stdout, "media-analysis-job-kms-key")
    assert "[advisory]" in line
    assert preview.change_summary == {"create": 3}  # stack, identity, job


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


def yaml_job_stack(
    pulumi_bin: Path, tmp_path: Path, env: dict[str, str] | None = None, **properties: object
) -> YamlStack:
    """A YAML program with one plugin job. Preview makes no AWS call: nothing need exist."""
    require_tools(pulumi_bin)
    stack = YamlStack(
        tmp_path / "program",
        tmp_path / "state",
        pulumi_bin,
        env={"AWS_REGION": "us-east-1", **(env or {})},
    )
    job = {
        "operationsConfig": {"detectModerationLabels": {"minConfidence": 60}},
        "input": {"s3Object": {"bucket": "media-in", "name": "manifests/batch.jsonl"}},
        "outputConfig": {"s3Bucket": "media-out", "s3KeyPrefix": "results/"},
        **properties,
    }
    stack.write(
        {
            "name": "yaml-job",
            "runtime": "yaml",
            "resources": {"nightly": {"type": PLUGIN_JOB_TYPE_TOKEN, "properties": job}},
        }
    )
    stack.init()
    return stack


def test_a_plugin_job_without_kms_key_fails_the_gate(pulumi_bin: Path, tmp_path: Path) -> None:
    stack = yaml_job_stack(pulumi_bin, tmp_path)
    with pytest.raises(PulumiFailed) as failure:
        stack.preview("--policy-pack", PACK)
    [line] = _report_lines(failure.value.output, "media-analysis-job-kms-key")
    assert "[mandatory]" in line and "MediaAnalysisJob: nightly" in line
    assert "`kmsKeyId` is absent" in failure.value.output


def test_a_plugin_job_with_kms_key_passes_the_gate(pulumi_bin: Path, tmp_path: Path) -> None:
    # A confidence below the floor: the advisory policy reports it (the pack read the job)
    # and the preview still passes.
    low = {"detectModerationLabels": {"minConfidence": 40}}
    stack = yaml_job_stack(pulumi_bin, tmp_path, kmsKeyId=KEY_ARN, operationsConfig=low)
    out = stack.preview("--policy-pack", PACK)
    assert "media-analysis-job-kms-key" not in out
    [line] = _report_lines(out, "media-analysis-job-min-confidence")
    assert "[advisory]" in line and "MediaAnalysisJob: nightly" in line
    assert "`operationsConfig.detectModerationLabels.minConfidence` is 40" in out
    assert "2 to create" in out  # stack, job (the default provider is not counted)


def test_the_fsbp_framework_runs_only_its_policies(pulumi_bin: Path, tmp_path: Path) -> None:
    """The job without a key fails the whole pack (above); media-analysis-job-kms-key maps
    to no FSBP control, so with the pack limited to FSBP it does not run and the preview
    passes."""
    stack = yaml_job_stack(pulumi_bin, tmp_path, env={FRAMEWORK_ENV: "fsbp"})
    out = stack.preview("--policy-pack", PACK)
    assert "✅ rekognition-media@" in out  # the pack ran, and passed
    assert "media-analysis-job-kms-key" not in out
    assert "2 to create" in out


def _report_lines(output: str, policy: str) -> list[str]:
    """The policy report's violation lines for ``policy``."""
    return [
        line for line in output.splitlines() if line.strip().startswith("- [") and policy in line
    ]
