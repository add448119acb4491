"""devtools.engine drives the real Pulumi CLI: a trivial dynamic resource through its life."""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi import automation as auto

from devtools.engine import StackFactory, cli_version, write_program
from tests.support import ROOT

pytestmark = pytest.mark.engine

TRIVIAL = """
import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class Counter(ResourceProvider):
    def create(self, props):
        return CreateResult("counter-1", {"value": props["value"]})


class Thing(Resource):
    value: pulumi.Output[int]

    def __init__(self, name, value):
        super().__init__(Counter(), name, {"value": value})


thing = Thing("thing", 42)
pulumi.export("value", thing.value)
"""


def test_cli_is_the_pinned_real_binary(pulumi_bin: Path) -> None:
    pinned = (ROOT / ".pulumi-version").read_text().strip()
    assert cli_version(pulumi_bin) == f"v{pinned}"


def test_the_policy_pack_cli_is_its_pin_and_older_than_the_main_pin(
    pulumi_bin: Path, policy_pulumi_bin: Path
) -> None:
    pinned = (ROOT / ".pulumi-policy-cli-version").read_text().strip()
    assert cli_version(policy_pulumi_bin) == f"v{pinned}"
    main = (ROOT / ".pulumi-version").read_text().strip()
    # Only the engine change at v3.274.0 keeps the pack's tests on an older CLI.
    assert tuple(map(int, pinned.split("."))) < (3, 274, 0) <= tuple(map(int, main.split(".")))


def test_up_preview_destroy_of_a_trivial_dynamic_resource(
    engine_stack: StackFactory, tmp_path: Path
) -> None:
    stack = engine_stack(write_program(tmp_path, "trivial", TRIVIAL))

    up = stack.up()
    assert up.summary.result == "succeeded"
    assert up.summary.resource_changes == {"create": 2}  # the stack and the resource
    assert stack.outputs() == {"value": 42}
    [thing] = stack.resources("pulumi-python:dynamic:Resource")
    assert thing["id"] == "counter-1"

    preview = stack.preview()
    assert preview.change_summary == {"same": 2}

    destroy = stack.destroy()
    assert destroy.summary.result == "succeeded"
    assert stack.resources() == []


def test_a_failing_step_raises_with_the_cli_output(
    engine_stack: StackFactory, tmp_path: Path
) -> None:
    broken = TRIVIAL.replace(
        'return CreateResult("counter-1"',
        'raise RuntimeError("boom-7")\n        return CreateResult("x"',
    )
    stack = engine_stack(write_program(tmp_path, "broken", broken))
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert "boom-7" in str(failure.value)
