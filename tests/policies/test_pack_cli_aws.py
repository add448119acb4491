"""The policy pack as a CI gate on pulumi-aws resources: `pulumi preview --policy-pack
policies` with the real CLI stops at a KMS key whose key policy lets everyone use the key.

The real pulumi-aws plugin can't be obtained here (see devtools/aws_standin.py), so the
engine previews the program's ``aws.kms.Key`` through a stand-in that passes the inputs
through unchanged; the CLI, the engine, the policy analyzer plugin and the pack are real.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from devtools.aws_standin import install
from devtools.engine import EngineStack, StackFactory, offline_env, write_program
from tests.support import ROOT

pytestmark = pytest.mark.engine

PACK = str(ROOT / "policies")
ACCOUNT = "111122223333"
ROOT_STATEMENT = {
    "Sid": "EnableRootAccountPermissions",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}
PUBLIC_DECRYPT = {
    "Sid": "AnyoneDecrypts",
    "Effect": "Allow",
    "Principal": {"AWS": "*"},
    "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
    "Resource": "*",
}

PROGRAM = """
import json

import pulumi_aws as aws

aws.kms.Key(
    "media-key",
    description="media key",
    enable_key_rotation=True,
    deletion_window_in_days=7,
    policy=json.dumps({policy}),
)
"""


def key_stack(
    engine_stack: StackFactory, pulumi_bin: Path, tmp_path: Path, *statements: dict[str, Any]
) -> EngineStack:
    """A program with one aws.kms.Key whose key policy has ``statements``, previewed with the
    pulumi-aws stand-in first on the engine's PATH."""
    policy = {"Version": "2012-10-17", "Statement": list(statements)}
    source = textwrap.dedent(PROGRAM).replace("{policy}", repr(policy))
    program = write_program(tmp_path, "key-program", source)
    standin_dir = tmp_path / "standin"
    install(standin_dir)
    path = offline_env(pulumi_bin, tmp_path)["PATH"]  # the CLI's own PATH, behind the stand-in
    return engine_stack(
        program, env={"PATH": f"{standin_dir}{os.pathsep}{path}", "AWS_REGION": "us-east-1"}
    )


def test_a_public_key_policy_stops_the_preview(
    engine_stack: StackFactory, pulumi_bin: Path, tmp_path: Path
) -> None:
    stack = key_stack(engine_stack, pulumi_bin, tmp_path, ROOT_STATEMENT, PUBLIC_DECRYPT)
    with pytest.raises(auto.CommandError) as failure:
        stack.preview(policy_packs=[PACK])
    output = str(failure.value)
    [line] = [
        line
        for line in output.splitlines()
        if line.strip().startswith("- [") and "kms-key-policy-no-public-access" in line
    ]
    assert "[mandatory]" in line and "Key: media-key" in line
    assert '`policy Statement[1] (Sid "AnyoneDecrypts").Principal` is {"AWS":"*"}' in output
    assert "an Allow to every principal lets anyone who can reach KMS use the key" in output
    # what previewed the key: the stand-in, in place of the pulumi-aws plugin
    assert f"using pulumi-resource-aws from $PATH at {tmp_path / 'standin'}" in output


def test_the_same_key_with_a_named_principal_passes(
    engine_stack: StackFactory, pulumi_bin: Path, tmp_path: Path
) -> None:
    named = {**PUBLIC_DECRYPT, "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/media"}}
    stack = key_stack(engine_stack, pulumi_bin, tmp_path, ROOT_STATEMENT, named)
    preview = stack.preview(policy_packs=[PACK])
    assert "kms-key-policy" not in preview.stdout
    assert preview.change_summary == {"create": 2}  # stack, key
