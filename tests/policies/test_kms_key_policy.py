"""kms-key-policy-no-public-access and kms-key-policy-no-cross-account-admin."""

from __future__ import annotations

import json
from typing import Any

import pytest

from devtools.policy_harness import UNKNOWN_STR, check, doc
from rekognition_media.components.documents import key_policy_document
from rekognition_media.policies import (
    kms_key_policy_no_cross_account_admin,
    kms_key_policy_no_public_access,
    s3_bucket_policy_no_public_access,
)

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
KEY_TYPES = [
    KEY,
    KEY_POLICY,
    "aws:kms/replicaKey:ReplicaKey",
    "aws:kms/externalKey:ExternalKey",
    "aws:kms/replicaExternalKey:ReplicaExternalKey",
]
ACCOUNT = "111122223333"
OTHER = "444455556666"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROOT = {
    "Sid": "EnableRootAccountPermissions",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}
PUBLIC_DECRYPT = {
    "Sid": "AnyoneDecrypts",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "kms:Decrypt",
    "Resource": "*",
}


def public(*statements: dict[str, Any], resource_type: str = KEY, as_json: bool = True) -> Any:
    props = {"policy": doc(ROOT, *statements, as_json=as_json)}
    return check(kms_key_policy_no_public_access, resource_type, props, name="media-key")


# --- kms-key-policy-no-public-access -----------------------------------------------------------


def test_public_key_policy_message() -> None:
    assert public(PUBLIC_DECRYPT).only() == (
        "aws:kms/key:Key 'media-key': `policy Statement[1] (Sid \"AnyoneDecrypts\").Principal` "
        'is "*" - an Allow to every principal lets anyone who can reach KMS use the key (decrypt '
        "what it protects, depending on the actions): it has no Condition. Fix: name the "
        'principals (Principal {"AWS": "<role ARN>"}) or add a condition with a fixed value, '
        'e.g. {"StringEquals": {"kms:CallerAccount": "<account id>"}} or {"StringEquals": '
        '{"aws:PrincipalOrgID": "o-..."}}'
    )


@pytest.mark.parametrize("resource_type", KEY_TYPES)
@pytest.mark.parametrize("as_json", [True, False], ids=["json", "object"])
def test_every_resource_writing_a_key_policy(resource_type: str, as_json: bool) -> None:
    outcome = public(PUBLIC_DECRYPT, resource_type=resource_type, as_json=as_json)
    assert "lets anyone who can reach KMS use the key" in outcome.only()
    assert public(resource_type=resource_type, as_json=as_json).violations == []


@pytest.mark.parametrize(
    "principal",
    ["*", {"AWS": "*"}, {"AWS": ["*"]}, {"AWS": [f"arn:aws:iam::{ACCOUNT}:root", "*"]}],
    ids=["star", "aws-star", "aws-list", "aws-list-mixed"],
)
def test_every_spelling_of_everyone(principal: Any) -> None:
    assert (
        "an Allow to every principal" in public({**PUBLIC_DECRYPT, "Principal": principal}).only()
    )


def test_not_principal_is_everyone_else() -> None:
    statement = {k: v for k, v in PUBLIC_DECRYPT.items() if k != "Principal"}
    statement["NotPrincipal"] = {"AWS": f"arn:aws:iam::{ACCOUNT}:role/banned"}
    assert "an Allow with NotPrincipal" in public(statement).only()


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"kms:CallerAccount": ACCOUNT}},
        {"StringEquals": {"kms:CallerAccount": ACCOUNT, "kms:ViaService": "s3.amazonaws.com"}},
        {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        {"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/media"}},
        {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    ],
    ids=["caller-account", "caller-account-via-s3", "org", "principal-arn", "source-account"],
)
def test_fixed_value_conditions_make_it_private(condition: dict[str, Any]) -> None:
    assert public({**PUBLIC_DECRYPT, "Condition": condition}).violations == []


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
        {"StringLike": {"kms:CallerAccount": "*"}},
        {"StringNotEquals": {"kms:CallerAccount": OTHER}},
        {"Bool": {"aws:SecureTransport": "true"}},
    ],
    ids=["via-service-only", "wildcard-account", "negated", "tls"],
)
def test_weak_conditions_keep_it_public(condition: dict[str, Any]) -> None:
    message = public({**PUBLIC_DECRYPT, "Condition": condition}).only()
    assert "limits it to no fixed principal, account, organization, source or network" in message


def test_the_bucket_policy_check_is_the_same_analysis() -> None:
    """kms:CallerAccount restricts in a key policy only: in a bucket policy it is a KMS key
    that S3 never sees, so the same statement is public there."""
    statement = {**PUBLIC_DECRYPT, "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT}}}
    assert public(statement).violations == []
    bucket = check(
        s3_bucket_policy_no_public_access,
        "aws:s3/bucketPolicy:BucketPolicy",
        {"policy": doc(statement)},
    )
    assert "makes the bucket public" in bucket.only()


def test_absent_policy_is_the_aws_default() -> None:
    outcome = check(kms_key_policy_no_public_access, KEY, {"description": "k"})
    assert outcome.violations == [] and outcome.not_applicable is None


def test_unknown_policy_is_not_applicable_and_unknown_parts_are_skipped() -> None:
    outcome = check(kms_key_policy_no_public_access, KEY, {"policy": UNKNOWN_STR})
    assert outcome.not_applicable == "the key policy is unknown during preview; checked once known"
    assert public({**PUBLIC_DECRYPT, "Principal": UNKNOWN_STR}, as_json=False).violations == []


def test_unreadable_policy_is_reported_once() -> None:
    props = {"policy": "{not json"}
    message = check(kms_key_policy_no_public_access, KEY, props, name="k").only()
    assert message.startswith("aws:kms/key:Key 'k': `policy` is not a policy document (not valid")
    assert check(kms_key_policy_no_cross_account_admin, KEY, props).violations == []


# --- kms-key-policy-no-cross-account-admin -----------------------------------------------------


def admin(
    *statements: dict[str, Any],
    resource_type: str = KEY,
    config: dict[str, Any] | None = None,
    **props: Any,
) -> Any:
    props = {"policy": doc(*statements), **props}
    return check(
        kms_key_policy_no_cross_account_admin, resource_type, props, name="k", config=config
    )


def other_root(**changes: Any) -> dict[str, Any]:
    return {
        **ROOT,
        "Sid": "OtherAccountAdmin",
        "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
        **changes,
    }


def test_own_account_root_is_fine_whether_or_not_the_account_is_known() -> None:
    assert admin(ROOT).violations == []
    assert admin(ROOT, config={"keyAccounts": [ACCOUNT]}).violations == []
    assert admin(ROOT, resource_type=KEY_POLICY, keyId=KEY_ARN).violations == []


def test_other_account_message_with_the_account_from_the_key_arn() -> None:
    message = admin(ROOT, other_root(), resource_type=KEY_POLICY, keyId=KEY_ARN).only()
    assert message == (
        f"{KEY_POLICY} 'k': `policy Statement[1] (Sid \"OtherAccountAdmin\").Principal` is "
        f'{{"AWS":"arn:aws:iam::{OTHER}:root"}} - it grants Action "kms:*" (full control: use '
        "the key, change its policy, schedule its deletion) to principals of "
        f"{OTHER}, outside the key's account {ACCOUNT} (from `keyId`). Fix: give kms:* only "
        'to the key\'s own account (Principal {"AWS": "arn:aws:iam::<key account>:root"}) and '
        "other accounts only the actions they use (kms:Decrypt, kms:GenerateDataKey, ...), or "
        "list a central key-administration account in trustedAccounts"
    )


@pytest.mark.parametrize(
    "statement",
    [
        other_root(),
        other_root(Action="*"),
        other_root(Action=["kms:Decrypt", "KMS:*"]),
        other_root(Principal={"AWS": OTHER}),
        other_root(Principal={"AWS": f"arn:aws:iam::{OTHER}:role/admin"}),
        {k: v for k, v in other_root(NotAction="kms:ScheduleKeyDeletion").items() if k != "Action"},
        # everyone, limited only to an organization: every account in it
        other_root(Principal="*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}),
        other_root(Principal="*", Condition={"StringEquals": {"kms:CallerAccount": OTHER}}),
    ],
    ids=[
        "root",
        "star-action",
        "mixed-case",
        "bare-account",
        "role",
        "not-action",
        "org-wide",
        "caller-account",
    ],
)
def test_full_control_for_another_account(statement: dict[str, Any]) -> None:
    message = admin(ROOT, statement, config={"keyAccounts": [ACCOUNT]}).only()
    assert "(full control: use the key, change its policy, schedule its deletion)" in message
    assert f"outside the key's account {ACCOUNT} (kms-key-policy-no-cross-account-admin." in message


@pytest.mark.parametrize(
    "statement",
    [
        other_root(Action=["kms:Decrypt", "kms:GenerateDataKey"]),  # not full control
        other_root(Effect="Deny"),
        other_root(Principal={"Service": "logs.amazonaws.com"}),
        other_root(Principal="*", Condition={"StringEquals": {"kms:CallerAccount": ACCOUNT}}),
        other_root(
            Principal="*",
            Condition={"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/admin"}},
        ),
    ],
    ids=["use-only", "deny", "service", "own-caller-account", "own-principal-arn"],
)
def test_compliant_statements(statement: dict[str, Any]) -> None:
    assert admin(ROOT, statement, config={"keyAccounts": [ACCOUNT]}).violations == []


def test_trusted_accounts_are_the_exception() -> None:
    config = {"keyAccounts": [ACCOUNT], "trustedAccounts": [OTHER]}
    assert admin(ROOT, other_root(), config=config).violations == []


def test_replica_key_takes_its_account_from_the_primary() -> None:
    message = admin(
        ROOT, other_root(), resource_type="aws:kms/replicaKey:ReplicaKey", primaryKeyArn=KEY_ARN
    ).only()
    assert f"outside the key's account {ACCOUNT} (from `primaryKeyArn`)" in message


def test_unknown_key_account_flags_several_accounts_and_any_account() -> None:
    message = admin(ROOT, other_root()).only()
    assert message == (
        f"{KEY} 'k': `policy` is a document granting kms:* to principals of {ACCOUNT}, {OTHER} "
        '(Statement[0] (Sid "EnableRootAccountPermissions"), Statement[1] (Sid '
        '"OtherAccountAdmin")) - a key lives in one account, so principals outside it get full '
        "control of the key (use it, change its policy, schedule its deletion). Fix: give kms:* "
        'only to the key\'s own account (Principal {"AWS": "arn:aws:iam::<key account>:root"}) '
        "and other accounts only the actions they use (kms:Decrypt, kms:GenerateDataKey, ...), "
        "or list a central key-administration account in trustedAccounts; name the key's "
        "account in keyAccounts to have each statement checked against it"
    )
    org_wide = other_root(Principal="*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-a"}})
    assert "principals of any account" in admin(org_wide).only()


def test_a_single_other_account_needs_key_accounts_to_be_caught() -> None:
    """Without the key's account, one account holding kms:* is taken to be the key's own."""
    lone = other_root()
    assert admin(lone).violations == []
    assert (
        f"principals of {OTHER}, outside" in admin(lone, config={"keyAccounts": [ACCOUNT]}).only()
    )


def test_public_grants_are_left_to_the_public_access_check() -> None:
    everyone = other_root(Principal="*")
    assert admin(ROOT, everyone, config={"keyAccounts": [ACCOUNT]}).violations == []
    assert "an Allow to every principal" in public(everyone).only()


def test_unknown_parts_are_skipped() -> None:
    outcome = check(kms_key_policy_no_cross_account_admin, KEY, {"policy": UNKNOWN_STR})
    assert outcome.not_applicable is not None
    statement = other_root(Principal={"AWS": UNKNOWN_STR})
    props = {"policy": doc(ROOT, statement, as_json=False)}
    config = {"keyAccounts": [ACCOUNT]}
    assert check(kms_key_policy_no_cross_account_admin, KEY, props, config=config).violations == []


@pytest.mark.parametrize("config", [None, {"keyAccounts": [ACCOUNT]}], ids=["inferred", "given"])
def test_the_components_key_policy_passes_both_checks(config: dict[str, Any] | None) -> None:
    """MediaAnalysisKey's policy: the root keeps kms:*, key users (of any account) get only
    Encrypt/Decrypt/GenerateDataKey."""
    users = [f"arn:aws:iam::{ACCOUNT}:role/analyst", f"arn:aws:iam::{OTHER}:role/partner"]
    props = {"policy": json.dumps(key_policy_document(ACCOUNT, users)), "enableKeyRotation": True}
    for policy in (kms_key_policy_no_public_access, kms_key_policy_no_cross_account_admin):
        outcome = check(policy, KEY, props, config=config)
        assert outcome.violations == [] and outcome.not_applicable is None, policy.name
