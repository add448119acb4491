"""kms-key-rotation and kms-key-deletion-window (with remediation and config)."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.policy_harness import UNKNOWN_BOOL, UNKNOWN_NUM, UNKNOWN_STR, check, remediate, secret
from rekognition_media.policies import kms_key_deletion_window, kms_key_rotation

KEY = "aws:kms/key:Key"


def key(**props: Any) -> dict[str, Any]:
    return {"description": "media key", "enableKeyRotation": True, **props}


# --- kms-key-rotation --------------------------------------------------------------------------


def test_rotation_on_is_compliant() -> None:
    assert check(kms_key_rotation, KEY, key()).violations == []


@pytest.mark.parametrize(("value", "shown"), [(False, "false"), (None, "absent")])
def test_rotation_off_or_absent(value: Any, shown: str) -> None:
    props = key(enableKeyRotation=value) if value is not None else {"description": "k"}
    message = check(kms_key_rotation, KEY, props, name="media-key").only()
    assert message == (
        f"aws:kms/key:Key 'media-key': `enableKeyRotation` is {shown} - without rotation the same "
        "key material protects the data indefinitely. Fix: set enable_key_rotation=True "
        "(enforcementLevel remediate does this)"
    )


@pytest.mark.parametrize(
    ("props", "reason"),
    [
        ({"customerMasterKeySpec": "RSA_2048"}, "only exists for symmetric encryption keys"),
        ({"customerMasterKeySpec": "HMAC_256"}, "only exists for symmetric encryption keys"),
        ({"customKeyStoreId": "cks-1234"}, "custom key store (customKeyStoreId)"),
        ({"customerMasterKeySpec": UNKNOWN_STR}, "unknown during preview"),
        ({"enableKeyRotation": UNKNOWN_BOOL}, "enableKeyRotation is unknown during preview"),
    ],
)
def test_rotation_not_applicable(props: dict[str, Any], reason: str) -> None:
    outcome = check(kms_key_rotation, KEY, key(**{"enableKeyRotation": False, **props}))
    assert outcome.violations == []
    assert outcome.not_applicable is not None
    assert reason in outcome.not_applicable


def test_rotation_remediation_returns_fixed_props() -> None:
    props = key(enableKeyRotation=False, policy=secret('{"Statement": []}'))
    fixed = remediate(kms_key_rotation, KEY, props)
    assert fixed == {**props, "enableKeyRotation": True}  # the secret stays a secret
    assert remediate(kms_key_rotation, KEY, {"description": "k"}) == {
        "description": "k",
        "enableKeyRotation": True,
    }


def test_rotation_remediation_leaves_unsupported_and_compliant_keys_alone() -> None:
    asymmetric = key(enableKeyRotation=False, customerMasterKeySpec="ECC_NIST_P256")
    assert remediate(kms_key_rotation, KEY, asymmetric) is None
    assert remediate(kms_key_rotation, KEY, key()) is None


# --- kms-key-deletion-window -------------------------------------------------------------------


@pytest.mark.parametrize("days", [7, 30, None])
def test_deletion_window_default_minimum(days: Any) -> None:
    props = key() if days is None else key(deletionWindowInDays=days)
    assert check(kms_key_deletion_window, KEY, props).violations == []


def test_configured_minimum_changes_the_outcome() -> None:
    props = key(deletionWindowInDays=10)
    assert check(kms_key_deletion_window, KEY, props).violations == []
    message = check(
        kms_key_deletion_window, KEY, props, name="k", config={"minimumDeletionWindowDays": 14}
    ).only()
    assert message == (
        "aws:kms/key:Key 'k': `deletionWindowInDays` is 10 - a scheduled deletion must stay "
        "cancellable for at least 14 days (kms-key-deletion-window.minimumDeletionWindowDays). "
        "Fix: set deletion_window_in_days=14 or more"
    )


def test_absent_window_is_the_aws_default_of_30() -> None:
    config = {"minimumDeletionWindowDays": 30.0}  # numbers arrive as floats from the CLI
    assert check(kms_key_deletion_window, KEY, key(), config=config).violations == []
    message = check(
        kms_key_deletion_window, KEY, key(deletionWindowInDays=29), config=config
    ).only()
    assert "`deletionWindowInDays` is 29" in message


def test_unknown_window_is_not_applicable() -> None:
    outcome = check(kms_key_deletion_window, KEY, key(deletionWindowInDays=UNKNOWN_NUM))
    assert outcome.violations == []
    assert outcome.not_applicable == "deletionWindowInDays is unknown during preview"


def test_deletion_window_remediation() -> None:
    config = {"minimumDeletionWindowDays": 21}
    fixed = remediate(kms_key_deletion_window, KEY, key(deletionWindowInDays=7), config=config)
    assert fixed == key(deletionWindowInDays=21)
    assert (
        remediate(kms_key_deletion_window, KEY, key(deletionWindowInDays=30), config=config) is None
    )
