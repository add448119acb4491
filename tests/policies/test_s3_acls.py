"""s3-acl-no-public-access and s3-bucket-ownership-enforced."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.policy_harness import UNKNOWN_STR, check
from rekognition_media.policies import s3_acl_no_public_access, s3_bucket_ownership_enforced

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
BUCKET_ACL = "aws:s3/bucketAcl:BucketAcl"
BUCKET_ACL_V2 = "aws:s3/bucketAclV2:BucketAclV2"
OBJECT = "aws:s3/bucketObject:BucketObject"
OBJECT_V2 = "aws:s3/bucketObjectv2:BucketObjectv2"
OBJECT_COPY = "aws:s3/objectCopy:ObjectCopy"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"


def acl(resource_type: str, **props: Any) -> Any:
    return check(s3_acl_no_public_access, resource_type, props, name="media")


# --- canned ACLs -------------------------------------------------------------------------------


def test_canned_acl_message_on_a_bucket() -> None:
    assert acl(BUCKET, bucket="media-in", acl="public-read").only() == (
        "aws:s3/bucket:Bucket 'media': `acl` is \"public-read\" - with this canned ACL everyone, "
        "anonymous requests included, can read the bucket. Fix: "
        'remove acl (or set it to "private") and grant access through a bucket policy to named '
        "principals"
    )


@pytest.mark.parametrize(
    "resource_type", [BUCKET, BUCKET_V2, BUCKET_ACL, BUCKET_ACL_V2, OBJECT, OBJECT_V2, OBJECT_COPY]
)
@pytest.mark.parametrize("canned", ["public-read", "public-read-write", "authenticated-read"])
def test_public_canned_acls_everywhere(resource_type: str, canned: str) -> None:
    message = acl(resource_type, bucket="media-in", acl=canned).only()
    assert f'`acl` is "{canned}"' in message
    what = "the object" if "bject" in resource_type else "the bucket"
    assert what in message


@pytest.mark.parametrize(
    "canned",
    [
        "private",
        "bucket-owner-full-control",
        "bucket-owner-read",
        "log-delivery-write",
        "aws-exec-read",
        UNKNOWN_STR,
    ],
)
@pytest.mark.parametrize("resource_type", [BUCKET, BUCKET_ACL_V2, OBJECT_V2])
def test_private_canned_acls(resource_type: str, canned: str) -> None:
    assert acl(resource_type, bucket="media-in", acl=canned).violations == []


def test_no_acl_at_all() -> None:
    outcome = acl(OBJECT_V2, bucket="media-in", key="manifest.jsonl")
    assert outcome.violations == [] and outcome.not_applicable is None


def test_bucket_acl_resource_message() -> None:
    message = acl(BUCKET_ACL, bucket="media-in", acl="public-read-write").only()
    assert message.endswith(
        'Fix: remove the BucketAcl (or set acl "private") and grant access through a bucket '
        "policy to named principals; with BucketOwnershipControls objectOwnership "
        "BucketOwnerEnforced ACLs are off altogether"
    )


# --- grants -----------------------------------------------------------------------------------


def bucket_grant(uri: str, *permissions: str) -> dict[str, Any]:
    return {"type": "Group", "uri": uri, "permissions": list(permissions)}


def access_control_policy(uri: str, permission: str) -> dict[str, Any]:
    grant = {"grantee": {"type": "Group", "uri": uri}, "permission": permission}
    owner = {"id": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}
    return {"grants": [grant], "owner": owner}


def test_bucket_grant_message() -> None:
    grants = [bucket_grant(LOG_DELIVERY, "WRITE"), bucket_grant(ALL_USERS, "READ", "READ_ACP")]
    assert acl(BUCKET, bucket="media-in", grants=grants).only() == (
        f"aws:s3/bucket:Bucket 'media': `grants[1].uri` is \"{ALL_USERS}\" - the grant (READ, "
        "READ_ACP) opens the bucket to everyone, anonymous requests included (AllUsers). Fix: "
        "remove the grant and give access through a bucket policy to named principals"
    )


@pytest.mark.parametrize("uri", [ALL_USERS, AUTHENTICATED, ALL_USERS.replace("http", "https")])
def test_public_group_grants_on_every_resource(uri: str) -> None:
    assert "opens the bucket" in acl(BUCKET_V2, grants=[bucket_grant(uri, "READ")]).only()
    message = acl(OBJECT_COPY, grants=[bucket_grant(uri, "READ")]).only()
    assert "`grants[0].uri`" in message and "opens the object" in message
    for resource_type in (BUCKET_ACL, BUCKET_ACL_V2):
        policy = access_control_policy(uri, "FULL_CONTROL")
        message = acl(resource_type, accessControlPolicy=policy).only()
        assert "`accessControlPolicy.grants[0].grantee.uri`" in message
        assert "the grant (FULL_CONTROL)" in message


def test_named_and_log_delivery_grants_are_fine() -> None:
    canonical = {"type": "CanonicalUser", "id": "79a59df9", "permissions": ["FULL_CONTROL"]}
    grants = [canonical, bucket_grant(LOG_DELIVERY, "WRITE", "READ_ACP")]
    assert acl(BUCKET, grants=grants).violations == []
    policy = access_control_policy(LOG_DELIVERY, "WRITE")
    assert acl(BUCKET_ACL_V2, accessControlPolicy=policy).violations == []


def test_unknown_grants_are_skipped() -> None:
    assert acl(BUCKET, grants=UNKNOWN_STR).violations == []
    assert acl(BUCKET, grants=[bucket_grant(UNKNOWN_STR, "READ")]).violations == []


def test_exempt_bucket_by_name() -> None:
    config = {"exemptResources": ["public-website"]}
    props = {"bucket": "public-website", "acl": "public-read"}
    outcome = check(s3_acl_no_public_access, OBJECT_V2, props, config=config)
    assert outcome.violations == []
    assert outcome.not_applicable is not None


# --- s3-bucket-ownership-enforced ---------------------------------------------------------------


def ownership(value: Any) -> Any:
    props = {"bucket": "media-in", "rule": {"objectOwnership": value}}
    return check(s3_bucket_ownership_enforced, OWNERSHIP, props, name="media-ownership")


def test_enforced_is_fine() -> None:
    assert ownership("BucketOwnerEnforced").violations == []


@pytest.mark.parametrize("value", ["ObjectWriter", "BucketOwnerPreferred"])
def test_acls_left_on(value: str) -> None:
    assert ownership(value).only() == (
        f"{OWNERSHIP} 'media-ownership': `rule.objectOwnership` is \"{value}\" - ACLs stay in "
        "force: any object ACL or bucket ACL can grant access that the bucket policy does not "
        "show, and objects written by other accounts stay theirs. Fix: set "
        "object_ownership='BucketOwnerEnforced' once nothing relies on ACLs"
    )


def test_unknown_ownership_is_not_applicable() -> None:
    assert ownership(UNKNOWN_STR).not_applicable == (
        "rule.objectOwnership is unknown during preview; checked once known"
    )
