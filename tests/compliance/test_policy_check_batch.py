"""``rekognition-media policy-check`` on a program with a batch: the batch's own policy and
the job policies it is subject to reach every output (SARIF, JUnit, JSON) and the exit code.

The batch is a stand-in registered under the dynamic batch's type token (as in
tests/policies/test_pack_cli_batch.py): the pack judges declared properties only.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .test_policy_check_cli import Check, located

pytestmark = pytest.mark.engine

PROGRAM = """\
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

from rekognition_media.api.resources import BATCH_RESOURCE, PROVIDER_MODULE


class _Nothing(ResourceProvider):
    def create(self, props):
        return CreateResult("made", dict(props))


class MediaAnalysisBatch(Resource, module=PROVIDER_MODULE, name=BATCH_RESOURCE):
    def __init__(self, name, props):
        super().__init__(_Nothing(), name, props)


OUTPUT = {"s3_bucket": "media-out", "s3_key_prefix": "batches/"}
SOURCE = {"bucket": "uploads", "prefix": "2026/12/"}
nightly = MediaAnalysisBatch("nightly", {"source": SOURCE, "output_config": OUTPUT})
KEY = "alias/media"
capped = MediaAnalysisBatch(
    "capped", {"source": SOURCE, "output_config": OUTPUT, "max_images": 500000, "kms_key_id": KEY}
)
"""


def test_a_batch_s_findings_in_every_output(policy_pulumi_bin: Path, tmp_path: Path) -> None:
    check = Check(policy_pulumi_bin, tmp_path)
    repository = tmp_path / "repo"
    project = repository / "infra"
    project.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    (project / "Pulumi.yaml").write_text("name: batch-findings\nruntime: python\n")
    (project / "__main__.py").write_text(PROGRAM)
    check.init(project)

    result = check.run(str(project), "--stack", "ci", "--inline", *check.outputs())

    assert result.returncode == 1, result.stdout + result.stderr
    found = [(rule, name) for rule, _, _, name in located(check.sarif())]
    assert found == [
        ("media-analysis-batch-max-images", "capped"),
        ("media-analysis-batch-max-images", "nightly"),
        ("media-analysis-job-kms-key", "nightly"),
    ]
    assert check.junit_failures()[0] == 3
    findings = json.loads((check.out / "findings.json").read_text())
    messages = json.dumps(findings)
    assert "`max_images` is 500000 - more than the 100000 images" in messages
    assert "`max_images` is absent" in messages
    rules = {rule["id"] for rule in check.sarif()["runs"][0]["tool"]["driver"]["rules"]}
    assert "media-analysis-batch-max-images" in rules
