"""iam-role-trust-policy-no-public-access: roles anyone (any AWS account) can assume."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.policy_harness import UNKNOWN_STR, check, doc
from rekognition_media.policies import iam_role_trust_policy_no_public_access

ROLE = "aws:iam/role:Role"
GITHUB_OIDC = "token.actions.githubusercontent.com"
ANYONE = {"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}


def trust(*statements: dict[str, Any], as_json: bool = True) -> Any:
    props = {"assumeRolePolicy": doc(*statements, as_json=as_json), "name": "reader"}
    return check(iam_role_trust_policy_no_public_access, ROLE, props, name="reader")


def test_message() -> None:
    assert trust(ANYONE).only() == (
        "aws:iam/role:Role 'reader': `assumeRolePolicy Statement[0] (Sid \"Anyone\").Principal` "
        'is {"AWS":"*"} - an Allow to every principal lets any AWS account assume the role and '
        "act with its permissions: it has no Condition. Fix: name the principals (Principal "
        '{"AWS": "arn:aws:iam::<account>:root"}, {"Service": "<service>.amazonaws.com"}) or add '
        'a condition with a fixed value, e.g. {"StringEquals": {"sts:ExternalId": "<id>"}} or '
        '{"StringEquals": {"aws:PrincipalOrgID": "o-..."}}'
    )


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "object"])
@pytest.mark.parametrize(
    "principal", ["*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::111122223333:root", "*"]}]
)
def test_everyone_in_any_form(principal: Any, as_json: bool) -> None:
    outcome = trust({**ANYONE, "Principal": principal}, as_json=as_json)
    assert "lets any AWS account assume the role" in outcome.only()


def test_not_principal() -> None:
    statement = {k: v for k, v in ANYONE.items() if k != "Principal"}
    statement["NotPrincipal"] = {"AWS": "arn:aws:iam::111122223333:role/banned"}
    assert "an Allow with NotPrincipal" in trust(statement).only()


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"sts:ExternalId": "a1b2c3d4-partner"}},
        {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        {"StringEquals": {"aws:PrincipalAccount": "111122223333"}},
        {"StringEquals": {"aws:SourceAccount": "111122223333"}},
        {"ArnEquals": {"aws:SourceArn": "arn:aws:s3:::media-in"}},
    ],
    ids=["external-id", "org", "principal-account", "source-account", "source-arn"],
)
def test_fixed_value_conditions_are_the_exception(condition: dict[str, Any]) -> None:
    assert trust({**ANYONE, "Condition": condition}).violations == []


@pytest.mark.parametrize(
    "condition",
    [
        {"StringLike": {"sts:ExternalId": "*"}},
        {"StringEquals": {"sts:ExternalId": "${aws:username}"}},
        {"StringNotEquals": {"sts:ExternalId": "blocked"}},
        {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    ],
    ids=["wildcard-external-id", "policy-variable", "negated", "if-exists", "mfa-only"],
)
def test_weak_conditions_keep_it_open(condition: dict[str, Any]) -> None:
    message = trust({**ANYONE, "Condition": condition}).only()
    assert (
        "limits it to no fixed principal, account, organization, source, network or external id"
        in message
    )
    assert "lets any AWS account assume the role" in message


@pytest.mark.parametrize(
    "principal",
    [
        {"Service": "rekognition.amazonaws.com"},
        {"AWS": "arn:aws:iam::111122223333:root"},
        {"AWS": "444455556666"},
        {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{GITHUB_OIDC}"},
    ],
    ids=["service", "account-root", "bare-account", "oidc"],
)
def test_named_principals_are_fine(principal: Any) -> None:
    assert trust({**ANYONE, "Principal": principal}).violations == []


def test_deny_is_not_a_grant() -> None:
    assert trust({**ANYONE, "Effect": "Deny"}).violations == []


def test_unknowns() -> None:
    props = {"assumeRolePolicy": UNKNOWN_STR}
    outcome = check(iam_role_trust_policy_no_public_access, ROLE, props)
    assert (
        outcome.not_applicable == "assumeRolePolicy is unknown during preview; checked once known"
    )
    assert trust({**ANYONE, "Principal": UNKNOWN_STR}, as_json=False).violations == []
    condition = {"StringEquals": {"sts:ExternalId": UNKNOWN_STR}}
    assert trust({**ANYONE, "Condition": condition}, as_json=False).violations == []


def test_unreadable_trust_policy() -> None:
    props = {"assumeRolePolicy": '["not", "an object"]'}
    message = check(iam_role_trust_policy_no_public_access, ROLE, props, name="r").only()
    assert message.startswith(
        "aws:iam/role:Role 'r': `assumeRolePolicy` is not a policy document (expected a JSON "
        'object, got ["not","an object"])'
    )
