"""Secret inputs of the plugin's job stay secret, and so do the outputs derived from them.

A ``runtime: yaml`` program through the real CLI: ``kmsKeyId`` from ``fn::secret`` and the
output prefix from a secret config value. After `pulumi up` (and a refresh), no plaintext
of either is anywhere in the backend's files (state, history, backups), `pulumi stack
export` shows them and what derives from them (``resultsUri``, ``results``, the manifest
summary's pointers, the token derived from the request) as ciphertext, and `pulumi stack
output` hides them.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from devtools.world import seed
from rekognition_media.emulator import Emulator
from rekognition_media.plugin import JOB_TYPE
from tests.plugin import test_yaml_job as base

pytestmark = pytest.mark.engine

yaml_stack = base.yaml_stack  # the fixture, shared (not its tests)

SECRET_SIG = "4dabf18193072939515e22adb298388d"  # Pulumi's marker of a secret value

# Outputs derived from the secret inputs: the output prefix is in the results' and the
# summary's keys; the token is derived from the whole request.
DERIVED = (
    "resultsUri",
    "results",
    "manifestSummaryUri",
    "manifestSummary",
    "requestToken",
    "moderationSummary",
)


def _is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG) == "1b47061264138c4ac30d75fd1eb44270"


def _backend_text(state_dir: Path) -> str:
    return "\n".join(
        path.read_text(errors="replace")
        for path in sorted((state_dir / "backend").rglob("*"))
        if path.is_file()
    )


def test_secret_inputs_and_what_derives_from_them_stay_secret(
    emulator: Emulator, yaml_stack: base.YamlStackFactory
) -> None:
    world = seed(emulator)
    hidden = f"hidden-{uuid.uuid4().hex[:12]}/"
    program = base.program(
        world,
        {
            "nightly": {
                "type": JOB_TYPE,
                "properties": {
                    **base.job_properties(world, "${prefix}"),
                    "kmsKeyId": {"fn::secret": world.key_arn},
                },
            }
        },
        status="${nightly.status}",
        jobId="${nightly.jobId}",
        resultsUri="${nightly.resultsUri}",
        kmsKeyId="${nightly.kmsKeyId}",
    )
    program["config"]["prefix"] = {"type": "string", "secret": True}
    stack = yaml_stack(program)
    stack.run("config", "set", "--secret", "prefix", hidden)

    up = stack.up()
    [job] = world.jobs_of()
    assert job["KmsKeyId"] == world.key_arn  # the job got the plaintext
    assert job["OutputConfig"]["S3KeyPrefix"] == hidden
    stack.run("refresh", "--yes")  # refresh re-reads the job: still secret afterwards

    for plaintext in (world.key_arn, hidden):
        assert plaintext not in _backend_text(stack.state_dir), plaintext
        assert plaintext not in up, plaintext

    [resource] = stack.resources(JOB_TYPE)
    assert _is_secret(resource["inputs"]["kmsKeyId"])
    assert _is_secret(resource["inputs"]["outputConfig"]["s3KeyPrefix"])
    outputs = resource["outputs"]
    assert _is_secret(outputs["kmsKeyId"])
    assert _is_secret(outputs["outputConfig"]["s3KeyPrefix"])
    for key in DERIVED:
        assert _is_secret(outputs[key]), (key, outputs[key])
    # What does not derive from them stays readable.
    assert outputs["status"] == "SUCCEEDED" and outputs["jobId"] == job["JobId"]
    assert outputs["outputConfig"]["s3Bucket"] == world.output_bucket

    shown = json.loads(stack.run("stack", "output", "--json").stdout)
    assert shown["status"] == "SUCCEEDED"
    assert shown["kmsKeyId"] == "[secret]" and shown["resultsUri"] == "[secret]"
    revealed = json.loads(stack.run("stack", "output", "--json", "--show-secrets").stdout)
    assert revealed["kmsKeyId"] == world.key_arn
    assert revealed["resultsUri"].startswith(f"s3://{world.output_bucket}/{hidden}")

    stack.run("preview", "--expect-no-changes")
    stack.run("destroy", "--yes")
