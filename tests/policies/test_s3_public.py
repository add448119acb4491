"""s3-bucket-policy-no-public-access: Allow statements S3 would call public."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.policy_harness import UNKNOWN_STR, check, doc
from rekognition_media.policies import s3_bucket_policy_no_public_access

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"

READ_ALL = {
    "Sid": "PublicRead",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::media-123/*",
}
TLS_DENY = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::media-123", "arn:aws:s3:::media-123/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def run(statement: dict[str, Any], resource_type: str = POLICY, as_json: bool = True) -> Any:
    props = {"bucket": "media-123", "policy": doc(TLS_DENY, statement, as_json=as_json)}
    return check(s3_bucket_policy_no_public_access, resource_type, props, name="media-policy")


def test_public_read_message() -> None:
    assert run(READ_ALL).only() == (
        f'{POLICY} \'media-policy\': `policy Statement[1] (Sid "PublicRead").Principal` is "*" - '
        "an Allow to every principal makes the bucket public: it has no Condition. Fix: name the "
        'principals (Principal {"AWS": "<role ARN>"}) or add a condition with a fixed value, e.g. '
        '{"StringEquals": {"aws:PrincipalOrgID": "o-..."}} or, for an AWS service, '
        "aws:SourceArn/aws:SourceAccount"
    )


@pytest.mark.parametrize("resource_type", [POLICY, BUCKET, BUCKET_V2])
@pytest.mark.parametrize("as_json", [True, False], ids=["json", "object"])
def test_every_resource_and_document_form(resource_type: str, as_json: bool) -> None:
    assert "makes the bucket public" in run(READ_ALL, resource_type, as_json).only()


@pytest.mark.parametrize(
    "principal",
    ["*", {"AWS": "*"}, {"AWS": ["*"]}, {"AWS": ["arn:aws:iam::111122223333:root", "*"]}],
    ids=["star", "aws-star", "aws-list", "aws-list-mixed"],
)
def test_everyone_principals(principal: Any) -> None:
    assert "an Allow to every principal" in run({**READ_ALL, "Principal": principal}).only()


def test_not_principal_with_allow_is_everyone_else() -> None:
    statement = {k: v for k, v in READ_ALL.items() if k != "Principal"}
    statement["NotPrincipal"] = {"AWS": "arn:aws:iam::111122223333:role/banned"}
    message = run(statement).only()
    assert '.NotPrincipal` is {"AWS":"arn:aws:iam::111122223333:role/banned"}' in message
    assert "an Allow with NotPrincipal (everyone except the listed principals)" in message


def test_missing_effect_counts_as_allow() -> None:
    statement = {k: v for k, v in READ_ALL.items() if k != "Effect"}
    assert "makes the bucket public" in run(statement).only()


@pytest.mark.parametrize(
    "condition",
    [
        {"Bool": {"aws:SecureTransport": "true"}},
        {"StringLike": {"aws:UserAgent": "MyApp/*"}},
        {"StringLike": {"aws:Referer": "https://example.com/*"}},
        {"StringEquals": {"aws:Referer": "https://example.com/"}},
        {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}},
        {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "0.0.0.0/1"]}},
        {"IpAddress": {"aws:SourceIp": "::/0"}},
        {"StringLike": {"aws:SourceVpc": "vpc-*"}},
        {"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}},
        {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
        {
            "ForAllValues:StringEquals": {
                "aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"
            }
        },
        {"Null": {"aws:PrincipalOrgID": "false"}},
    ],
    ids=[
        "secure-transport",
        "user-agent",
        "referer-like",
        "referer-equals",
        "ipv4-any",
        "ip-list-with-half-the-internet",
        "ipv6-any",
        "wildcard-vpc",
        "policy-variable",
        "negated-operator",
        "if-exists",
        "for-all-values",
        "null",
    ],
)
def test_weak_conditions_keep_it_public(condition: dict[str, Any]) -> None:
    message = run({**READ_ALL, "Condition": condition}).only()
    assert "makes the bucket public: its Condition {" in message
    assert "limits it to no fixed principal, account, organization, source or network" in message


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        {"StringEquals": {"aws:PrincipalAccount": ["111122223333", "444455556666"]}},
        {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/reader"}},
        {"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/main"}},
        {"StringEquals": {"AWS:SourceAccount": "111122223333"}},
        {"StringEquals": {"aws:SourceVpc": "vpc-1a2b3c4d"}},
        {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
        {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}},
        {"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5"]}},
        {"StringEquals": {"s3:DataAccessPointAccount": "111122223333"}},
        # a weak condition next to a strong one: all conditions must hold
        {
            "Bool": {"aws:SecureTransport": "true"},
            "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
        },
    ],
    ids=[
        "org",
        "accounts",
        "principal-arn",
        "source-arn",
        "source-account-any-case",
        "vpc",
        "vpce",
        "narrow-cidrs",
        "for-any-value",
        "access-point-account",
        "weak-and-strong",
    ],
)
def test_strong_conditions_make_it_private(condition: dict[str, Any]) -> None:
    assert run({**READ_ALL, "Condition": condition}).violations == []


@pytest.mark.parametrize(
    "principal",
    [
        {"AWS": "arn:aws:iam::111122223333:role/reader"},
        {"AWS": ["arn:aws:iam::111122223333:root"]},
        {"Service": "logging.s3.amazonaws.com"},
        {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
    ],
)
def test_named_principals_are_not_public(principal: Any) -> None:
    assert run({**READ_ALL, "Principal": principal}).violations == []


def test_deny_to_everyone_is_not_a_grant() -> None:
    props = {"bucket": "media-123", "policy": doc(TLS_DENY)}
    assert check(s3_bucket_policy_no_public_access, POLICY, props).violations == []


def test_bucket_without_policy() -> None:
    outcome = check(s3_bucket_policy_no_public_access, BUCKET, {"bucket": "media-123"})
    assert outcome.violations == []
    assert outcome.not_applicable is None


def test_unknowns_are_never_flagged() -> None:
    outcome = check(s3_bucket_policy_no_public_access, POLICY, {"policy": UNKNOWN_STR})
    assert outcome.violations == []
    assert outcome.not_applicable == (
        "the bucket policy is unknown during preview; checked once known"
    )
    for statement in (
        {**READ_ALL, "Principal": UNKNOWN_STR},
        {**READ_ALL, "Principal": {"AWS": UNKNOWN_STR}},
        {**READ_ALL, "Effect": UNKNOWN_STR},
        {**READ_ALL, "Condition": {"StringEquals": {"aws:PrincipalOrgID": UNKNOWN_STR}}},
        {**READ_ALL, "Condition": UNKNOWN_STR},
    ):
        assert run(statement, as_json=False).violations == [], statement


def test_unreadable_policy_is_left_to_the_tls_check() -> None:
    outcome = check(s3_bucket_policy_no_public_access, POLICY, {"policy": "{not json"})
    assert outcome.violations == []
