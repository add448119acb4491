"""s3-bucket-public-access-block and s3-bucket-deny-insecure-transport (stack level)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from devtools.policy_harness import UNKNOWN_BOOL, UNKNOWN_STR, Stack, doc
from rekognition_media.policies import (
    cross_resource_links,
    s3_bucket_deny_insecure_transport,
    s3_bucket_public_access_block,
)

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")

TLS_DENY = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::media-123", "arn:aws:s3:::media-123/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
READ = {
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:role/reader"},
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::media-123/*",
}


def all_on(**overrides: Any) -> dict[str, Any]:
    return {"bucket": "media-123", **dict.fromkeys(FLAGS, True), **overrides}


# --- s3-bucket-public-access-block -----------------------------------------------------------


@pytest.mark.parametrize("bucket_type", [BUCKET, BUCKET_V2])
def test_public_access_block_fully_on(bucket_type: str) -> None:
    stack = Stack()
    bucket = stack.add(bucket_type, "media", {"bucket": "media-123"})
    stack.add(PAB, "media-pab", all_on(bucket=UNKNOWN_STR), deps={"bucket": [bucket]})
    assert stack.check(s3_bucket_public_access_block).violations == []


def test_missing_public_access_block() -> None:
    stack = Stack()
    stack.add(BUCKET, "media", {"bucket": "media-123"})
    outcome = stack.check(s3_bucket_public_access_block)
    assert outcome.only() == (
        "aws:s3/bucket:Bucket 'media' (bucket \"media-123\"): `aws.s3.BucketPublicAccessBlock` is "
        "absent - no public access block in this stack targets the bucket (matched by bucket "
        "name or by depending on the bucket). Fix: add aws.s3.BucketPublicAccessBlock("
        "bucket=<bucket>.id, block_public_acls=True, block_public_policy=True, "
        "ignore_public_acls=True, restrict_public_buckets=True)"
    )
    assert outcome.urns == ["urn:pulumi:dev::media::aws:s3/bucket:Bucket::media"]


def test_flags_off_or_absent_are_reported_on_the_block() -> None:
    stack = Stack()
    stack.add(BUCKET, "media", {"bucket": "media-123"})
    props = all_on(blockPublicPolicy=False)
    del props["restrictPublicBuckets"]
    stack.add(PAB, "media-pab", props)
    outcome = stack.check(s3_bucket_public_access_block)
    message = outcome.only()
    assert message.startswith(
        f"{PAB} 'media-pab' (for aws:s3/bucket:Bucket 'media' (bucket \"media-123\")): "
        "`blockPublicPolicy` is false, `restrictPublicBuckets` is absent - all four"
    )
    assert message.endswith("Fix: set block_public_policy=True, restrict_public_buckets=True")
    assert outcome.urns == [f"urn:pulumi:dev::media::{PAB}::media-pab"]


def test_unknown_flags_and_unlinked_blocks_are_advisory_only() -> None:
    stack = Stack()
    stack.add(BUCKET, "media", {"bucket": "media-123"})
    stack.add(PAB, "media-pab", all_on(ignorePublicAcls=UNKNOWN_BOOL))
    stack.add(BUCKET, "other", {"bucket": "other-9"})
    stack.add(PAB, "mystery-pab", all_on(bucket=UNKNOWN_STR))
    assert stack.check(s3_bucket_public_access_block).violations == []
    advisory = stack.check(cross_resource_links).violations
    assert len(advisory) == 2
    assert advisory[0] == (
        f"[s3-bucket-public-access-block] {PAB} 'media-pab' (for aws:s3/bucket:Bucket 'media' "
        '(bucket "media-123")): some settings are unknown during preview.'
    )
    assert advisory[1].startswith(
        "[s3-bucket-public-access-block] aws:s3/bucket:Bucket 'other' (bucket \"other-9\"): "
        f"no aws.s3.BucketPublicAccessBlock is linked to it, but {PAB} 'mystery-pab' (`bucket` "
        "is unknown during preview and depends on no bucket of this stack)"
    )


def test_block_for_a_bucket_outside_the_stack_is_still_checked() -> None:
    stack = Stack()
    stack.add(PAB, "legacy-pab", all_on(bucket="legacy-bucket", blockPublicAcls=False))
    message = stack.check(s3_bucket_public_access_block).only()
    assert message.startswith(f"{PAB} 'legacy-pab': `blockPublicAcls` is false")


# --- s3-bucket-deny-insecure-transport ---------------------------------------------------------


@pytest.mark.parametrize(
    "policy",
    [
        doc(READ, TLS_DENY),
        doc(READ, TLS_DENY, as_json=False),
        json.dumps(
            {"Statement": {**TLS_DENY, "Condition": {"Bool": {"aws:SecureTransport": False}}}}
        ),
        doc({**TLS_DENY, "Action": ["s3:*"], "Principal": {"AWS": ["*"]}}),
        doc({**TLS_DENY, "Condition": {"BoolIfExists": {"AWS:SecureTransport": ["false"]}}}),
    ],
    ids=["json", "object", "single-statement", "lists", "case-and-ifexists"],
)
def test_bucket_policy_resource_with_tls_deny(policy: Any) -> None:
    stack = Stack()
    bucket = stack.add(BUCKET, "media", {"bucket": "media-123"})
    stack.add(
        POLICY, "media-policy", {"bucket": UNKNOWN_STR, "policy": policy}, deps={"bucket": [bucket]}
    )
    assert stack.check(s3_bucket_deny_insecure_transport).violations == []


def test_inline_bucket_policy_with_tls_deny() -> None:
    stack = Stack()
    stack.add(BUCKET_V2, "media", {"bucket": "media-123", "policy": doc(TLS_DENY)})
    assert stack.check(s3_bucket_deny_insecure_transport).violations == []


def test_policy_without_tls_deny() -> None:
    stack = Stack()
    stack.add(BUCKET, "media", {"bucket": "media-123"})
    stack.add(POLICY, "media-policy", {"bucket": "media-123", "policy": doc(READ)})
    outcome = stack.check(s3_bucket_deny_insecure_transport)
    message = outcome.only()
    assert message.startswith(
        f"{POLICY} 'media-policy' (for aws:s3/bucket:Bucket 'media' (bucket \"media-123\")): "
        "`policy` is a document without a Deny statement with Condition Bool aws:SecureTransport "
        '"false" - '
        "requests over plain HTTP must be denied"
    )
    assert '"Condition": {"Bool": {"aws:SecureTransport": "false"}}' in message
    assert outcome.urns == [f"urn:pulumi:dev::media::{POLICY}::media-policy"]


def test_deny_that_covers_only_some_actions_is_named() -> None:
    stack = Stack()
    stack.add(
        BUCKET,
        "media",
        {"bucket": "media-123", "policy": doc({**TLS_DENY, "Action": "s3:GetObject"})},
    )
    message = stack.check(s3_bucket_deny_insecure_transport).only()
    assert (
        '`policy` is a document whose Statement[0] (Sid "DenyInsecureTransport") denies non-TLS '
        "requests only "
        'for Action "s3:GetObject" and Principal "*"'
    ) in message


def test_no_bucket_policy_at_all() -> None:
    stack = Stack()
    # v7 Bucket outputs a computed `policy`; unknown and not set by the program = absent.
    stack.add(BUCKET, "media", {"bucket": "media-123", "policy": UNKNOWN_STR})
    message = stack.check(s3_bucket_deny_insecure_transport).only()
    assert message.startswith(
        "aws:s3/bucket:Bucket 'media' (bucket \"media-123\"): `policy` is absent - the bucket "
        "has no bucket policy"
    )
    assert "Fix: add aws.s3.BucketPolicy(bucket=<bucket>.id, policy=<document>)" in message


def test_invalid_document_is_a_violation() -> None:
    stack = Stack()
    stack.add(BUCKET, "media", {"bucket": "media-123"})
    stack.add(POLICY, "media-policy", {"bucket": "media-123", "policy": "{not json"})
    message = stack.check(s3_bucket_deny_insecure_transport).only()
    assert "`policy` is not a policy document: not valid JSON" in message


def test_policy_unknown_during_preview_is_advisory() -> None:
    stack = Stack()
    bucket = stack.add(BUCKET, "media", {"bucket": "media-123", "arn": UNKNOWN_STR})
    stack.add(
        POLICY,
        "media-policy",
        {"bucket": UNKNOWN_STR, "policy": UNKNOWN_STR},
        deps={"bucket": [bucket], "policy": [bucket]},
    )
    assert stack.check(s3_bucket_deny_insecure_transport).violations == []
    message = stack.check(cross_resource_links).only()
    assert message.startswith(f"[s3-bucket-deny-insecure-transport] {POLICY} 'media-policy'")
    assert "`policy` is unknown during preview" in message


def test_separate_policy_wins_over_the_inline_one() -> None:
    """BucketPolicy replaces the bucket's policy, so it is the one that must deny."""
    stack = Stack()
    stack.add(BUCKET, "media", {"bucket": "media-123", "policy": doc(TLS_DENY)})
    stack.add(POLICY, "media-policy", {"bucket": "media-123", "policy": doc(READ)})
    outcome = stack.check(s3_bucket_deny_insecure_transport)
    assert outcome.urns == [f"urn:pulumi:dev::media::{POLICY}::media-policy"]


# --- the TLS Deny must cover this bucket and all its objects, unconditionally ----------------


def tls_stack(*statements: dict[str, Any], arn: str | None = None) -> Stack:
    stack = Stack()
    props = {"bucket": "media-123", **({"arn": arn} if arn else {})}
    bucket = stack.add(BUCKET, "media", props)
    stack.add(
        POLICY,
        "media-policy",
        {"bucket": UNKNOWN_STR, "policy": doc(READ, *statements)},
        deps={"bucket": [bucket]},
    )
    return stack


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:s3:::media-123",
        "arn:aws:s3:::media-123/*",
        ["arn:aws:s3:::media-123", "arn:aws:s3:::media-123/uploads/*"],
        ["arn:aws:s3:::other-bucket", "arn:aws:s3:::other-bucket/*"],
        ["arn:aws:s3:::media-123", "arn:aws:s3:::media-123/?"],
        "arn:aws:s3:::media-*/*",
    ],
    ids=[
        "bucket-only",
        "objects-only",
        "prefix-only",
        "other-bucket",
        "one-char-keys",
        "no-bucket",
    ],
)
def test_tls_deny_must_cover_bucket_and_objects(resource: Any) -> None:
    message = stack_message(tls_stack({**TLS_DENY, "Resource": resource}))
    assert (
        '`policy` is a document whose Statement[1] (Sid "DenyInsecureTransport") denies non-TLS '
        f"requests only for Resource {json.dumps(resource, separators=(',', ':'))}, not for both "
        "arn:aws:s3:::media-123 and arn:aws:s3:::media-123/* - requests over plain HTTP must be "
        "denied for every S3 action and principal, on the bucket and every object, with no "
        "other condition narrowing the Deny"
    ) in message


def stack_message(stack: Stack) -> str:
    return stack.check(s3_bucket_deny_insecure_transport).only()


@pytest.mark.parametrize(
    "condition",
    [
        {"Bool": {"aws:SecureTransport": "false"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        {"Bool": {"aws:SecureTransport": "false", "aws:ViaAWSService": "false"}},
        {"Bool": {"aws:SecureTransport": "false"}, "StringEquals": {"s3:prefix": "public/"}},
    ],
    ids=["ip", "second-bool-key", "prefix"],
)
def test_extra_condition_narrows_the_deny(condition: dict[str, Any]) -> None:
    message = stack_message(tls_stack({**TLS_DENY, "Condition": condition}))
    assert "denies non-TLS requests only when its other conditions also hold (Condition {" in (
        message
    )


def test_not_resource_exempts_objects_from_the_deny() -> None:
    statement = {k: v for k, v in TLS_DENY.items() if k != "Resource"}
    statement["NotResource"] = "arn:aws:s3:::media-123/public/*"
    message = stack_message(tls_stack(statement))
    assert 'exempts NotResource "arn:aws:s3:::media-123/public/*" from its non-TLS Deny' in message


@pytest.mark.parametrize(
    "statements",
    [
        [{**TLS_DENY, "Resource": "*"}],
        [{**TLS_DENY, "Resource": "arn:aws:s3:::media-123*"}],
        [{**TLS_DENY, "Resource": ["arn:aws:s3:::*", "arn:aws:s3:::*/*"]}],
        [{**TLS_DENY, "Resource": ["arn:*:s3:::media-123", "arn:aws:s3:::media-1??/*"]}],
        [
            {**TLS_DENY, "Resource": "arn:aws:s3:::media-123"},
            {**TLS_DENY, "Sid": "Objects", "Resource": "arn:aws:s3:::media-123/*"},
        ],
        [{**TLS_DENY, "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}],
    ],
    ids=["star", "name-star", "every-bucket", "patterns", "split-statements", "if-exists"],
)
def test_tls_deny_shapes_that_cover_the_bucket(statements: list[dict[str, Any]]) -> None:
    assert tls_stack(*statements).check(s3_bucket_deny_insecure_transport).violations == []


def test_partition_comes_from_the_bucket_arn() -> None:
    cn = {**TLS_DENY, "Resource": ["arn:aws-cn:s3:::media-123", "arn:aws-cn:s3:::media-123/*"]}
    stack = tls_stack(cn, arn="arn:aws-cn:s3:::media-123")
    assert stack.check(s3_bucket_deny_insecure_transport).violations == []
    message = stack_message(tls_stack(TLS_DENY, arn="arn:aws-cn:s3:::media-123"))
    assert "not for both arn:aws-cn:s3:::media-123 and arn:aws-cn:s3:::media-123/*" in message


def test_inline_policy_of_another_bucket() -> None:
    stack = Stack()
    other = {**TLS_DENY, "Resource": ["arn:aws:s3:::other", "arn:aws:s3:::other/*"]}
    stack.add(BUCKET, "media", {"bucket": "media-123", "policy": doc(other)})
    message = stack_message(stack)
    assert message.startswith("aws:s3/bucket:Bucket 'media': `policy` is a document whose")
    assert "not for both arn:aws:s3:::media-123 and arn:aws:s3:::media-123/*" in message


def test_unknown_bucket_name_is_advisory_only() -> None:
    """Preview: an auto-named bucket, and a policy whose BucketPolicy.bucket is unknown too."""
    stack = Stack()
    bucket = stack.add(BUCKET, "media", {"bucket": UNKNOWN_STR})
    stack.add(
        POLICY,
        "media-policy",
        {"bucket": UNKNOWN_STR, "policy": doc(TLS_DENY)},
        deps={"bucket": [bucket]},
    )
    assert stack.check(s3_bucket_deny_insecure_transport).violations == []
    message = stack.check(cross_resource_links).only()
    assert message.startswith(f"[s3-bucket-deny-insecure-transport] {POLICY} 'media-policy'")
    assert "Resource (the bucket name is not known yet)" in message
    # ... while a Deny on every bucket decides without the name
    stack = Stack()
    bucket = stack.add(BUCKET, "media", {"bucket": UNKNOWN_STR})
    everything = {**TLS_DENY, "Resource": "*"}
    stack.add(
        POLICY,
        "media-policy",
        {"bucket": UNKNOWN_STR, "policy": doc(everything)},
        deps={"bucket": [bucket]},
    )
    assert stack.check(s3_bucket_deny_insecure_transport).violations == []
    assert stack.check(cross_resource_links).violations == []


def test_the_bucket_policys_own_bucket_names_the_bucket() -> None:
    """Inputs of an auto-named bucket carry no name; the BucketPolicy's `bucket` does."""
    stack = Stack()
    bucket = stack.add(BUCKET, "media", {"forceDestroy": True})
    stack.add(
        POLICY,
        "media-policy",
        {"bucket": "media-123", "policy": doc({**TLS_DENY, "Resource": "arn:aws:s3:::media-123"})},
        deps={"bucket": [bucket]},
    )
    assert "not for both arn:aws:s3:::media-123 and" in stack_message(stack)


# --- lookups through the per-run index ------------------------------------------------------


def test_a_name_two_buckets_share_links_to_the_first_in_stack_order() -> None:
    """The index answers as the scans it replaced did: the first bucket with the name."""
    stack = Stack()
    stack.add(BUCKET, "first", {"bucket": "media-123"})
    stack.add(BUCKET, "second", {"bucket": "other", "id": "media-123"})
    stack.add(PAB, "media-pab", all_on())
    outcome = stack.check(s3_bucket_public_access_block)
    assert outcome.urns == [stack.resources[1].urn]  # only "second" lacks a block
    assert "'second'" in outcome.only()


def test_links_by_dependency_and_by_value_in_one_large_stack() -> None:
    stack = Stack()
    for i in range(300):
        bucket = stack.add(BUCKET, f"b{i}", {"bucket": f"media-{i}"})
        by_value = all_on(bucket=f"media-{i}")
        by_dependency = all_on(bucket=UNKNOWN_STR)
        stack.add(PAB, f"pab{i}", by_value if i % 2 else by_dependency, deps={"bucket": [bucket]})
    stack.add(BUCKET, "lonely", {"bucket": "media-lonely"})
    outcome = stack.check(s3_bucket_public_access_block)
    assert outcome.urns == [stack.resources[-1].urn]
