"""``policy-check`` previews with the policy pack, so its CLI tests run on the CLI that can
start a Python policy pack here (tests/policies/conftest.py says why)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def pulumi_bin(policy_pulumi_bin: Path) -> Path:
    return policy_pulumi_bin
