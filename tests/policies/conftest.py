"""The policy pack's CLI tests run on the CLI that can start a Python policy pack here.

From v3.274.0 the engine starts one only through Pulumi's Python language host, which
cannot be obtained on this machine; ``policy_pulumi_bin`` is the newest CLI that starts it
without (scripts/pulumi-cli.sh --policy-packs). Every other engine test runs on the main pin.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def pulumi_bin(policy_pulumi_bin: Path) -> Path:
    return policy_pulumi_bin
