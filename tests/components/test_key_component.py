"""MediaAnalysisKey: rotation, deletion window, alias, key policy, bring-your-own."""

from __future__ import annotations

import pytest

from rekognition_media.components import MediaAnalysisKey, MediaAnalysisKeyArgs
from tests.support import KEY_TYPE_TOKEN

KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
ROLE = "arn:aws:iam::123456789012:role/analyst"
USER = "arn:aws:iam::123456789012:user/ci"
EXISTING = "arn:aws:kms:eu-west-1:123456789012:key/0f0f0f0f-1111-2222-3333-444444444444"


def test_key_has_rotation_default_window_alias_and_policy(mocks, deploy) -> None:
    out = deploy(
        lambda: _outputs(
            MediaAnalysisKey(
                "media-key",
                MediaAnalysisKeyArgs(account_id="123456789012", key_user_arns=[USER, ROLE]),
            )
        )
    )
    key = mocks.one(KEY)
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 7
    assert key.inputs["keyUsage"] == "ENCRYPT_DECRYPT"
    assert key.inputs["customerMasterKeySpec"] == "SYMMETRIC_DEFAULT"
    statements = key.policy()["Statement"]
    assert [s["Principal"] for s in statements] == [
        {"AWS": "arn:aws:iam::123456789012:root"},
        {"AWS": [ROLE, USER]},
    ]
    assert statements[0]["Action"] == "kms:*"
    assert statements[1]["Action"] == ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    assert all(s["Effect"] == "Allow" for s in statements)

    alias = mocks.one(ALIAS)
    assert alias.inputs["namePrefix"] == "alias/rekognition-media-"
    assert alias.inputs["targetKeyId"] == out["key_id"]
    assert out["key_arn"].startswith("arn:aws:kms:us-east-1:123456789012:key/")
    assert out["key_arn"].endswith(out["key_id"])
    assert out["alias_name"].startswith("alias/rekognition-media-")
    # children are parented to the component, and the component has its type token
    component = mocks.one(KEY_TYPE_TOKEN)
    assert key.parent == alias.parent == component.urn
    assert mocks.calls == []  # account id given: no getCallerIdentity invoke


def test_explicit_alias_and_longer_window(mocks, deploy) -> None:
    deploy(
        lambda: _outputs(
            MediaAnalysisKey(
                "k",
                MediaAnalysisKeyArgs(
                    account_id="123456789012",
                    alias_name="alias/media",
                    deletion_window_in_days=30,
                ),
            )
        )
    )
    assert mocks.one(KEY).inputs["deletionWindowInDays"] == 30
    assert mocks.one(ALIAS).inputs["name"] == "alias/media"
    assert "namePrefix" not in mocks.one(ALIAS).inputs
    # no key users: only the root statement
    assert [s["Sid"] for s in mocks.one(KEY).policy()["Statement"]] == [
        "EnableRootAccountPermissions"
    ]


def test_account_id_is_looked_up_when_not_given(mocks, deploy) -> None:
    deploy(lambda: _outputs(MediaAnalysisKey("k", MediaAnalysisKeyArgs(key_user_arns=[ROLE]))))
    assert [c.token for c in mocks.calls] == ["aws:index/getCallerIdentity:getCallerIdentity"]
    root = mocks.one(KEY).policy()["Statement"][0]
    assert root["Principal"] == {"AWS": "arn:aws:iam::210987654321:root"}


@pytest.mark.parametrize("days", [6, 0, -7])
def test_deletion_window_below_seven_days_is_rejected(days: int) -> None:
    with pytest.raises(ValueError) as err:
        MediaAnalysisKeyArgs(deletion_window_in_days=days)
    message = str(err.value)
    assert "deletion_window_in_days" in message
    assert f"got {days}" in message
    assert "at least 7 days" in message


@pytest.mark.parametrize("days", [31, 7.5, True, "7"])
def test_deletion_window_must_be_whole_days_up_to_thirty(days: object) -> None:
    with pytest.raises(ValueError, match="deletion_window_in_days: got"):
        MediaAnalysisKeyArgs(deletion_window_in_days=days)  # type: ignore[arg-type]


def test_window_changed_after_construction_is_still_rejected(mocks) -> None:
    args = MediaAnalysisKeyArgs(account_id="123456789012")
    args.deletion_window_in_days = 3
    with pytest.raises(ValueError, match="got 3, must be at least 7 days"):
        MediaAnalysisKey("k", args)
    assert mocks.of_type(KEY) == []


def test_existing_key_creates_nothing(mocks, deploy) -> None:
    out = deploy(
        lambda: _outputs(MediaAnalysisKey("k", MediaAnalysisKeyArgs(existing_key_arn=EXISTING)))
    )
    assert mocks.aws() == []
    assert out["key_arn"] == EXISTING
    assert out["key_id"] == "0f0f0f0f-1111-2222-3333-444444444444"
    assert out["alias_name"] is None
    assert mocks.calls == []


@pytest.mark.parametrize("bad", ["alias/media", "0f0f0f0f-1111", "arn:aws:kms:eu-west-1:1:alias/x"])
def test_existing_key_must_be_a_key_arn(bad: str) -> None:
    with pytest.raises(ValueError, match="existing_key_arn: got"):
        MediaAnalysisKeyArgs(existing_key_arn=bad)


def _outputs(key: MediaAnalysisKey) -> dict[str, object]:
    return {"key_arn": key.key_arn, "key_id": key.key_id, "alias_name": key.alias_name}
