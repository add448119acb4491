"""s3-object-kms-encryption and s3-object-kms-key-matches-bucket: objects the stack writes."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.policy_harness import UNKNOWN_STR, Stack, check
from rekognition_media.policies import (
    cross_resource_links,
    s3_object_kms_encryption,
    s3_object_kms_key_matches_bucket,
)

BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
OBJECT = "aws:s3/bucketObject:BucketObject"
OBJECT_V2 = "aws:s3/bucketObjectv2:BucketObjectv2"
OBJECT_COPY = "aws:s3/objectCopy:ObjectCopy"
OBJECT_TYPES = [OBJECT, OBJECT_V2, OBJECT_COPY]
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:us-east-1:111122223333:key/{KEY_ID}"
OTHER_ID = "99999999-0000-0000-0000-000000000000"
OTHER_ARN = f"arn:aws:kms:us-east-1:111122223333:key/{OTHER_ID}"


def obj(**props: Any) -> dict[str, Any]:
    return {
        "bucket": "media-in",
        "key": "manifest.jsonl",
        "contentType": "application/jsonl",
        **props,
    }


def encryption(resource_type: str = OBJECT_V2, **props: Any) -> Any:
    return check(s3_object_kms_encryption, resource_type, obj(**props), name="manifest")


# --- s3-object-kms-encryption ----------------------------------------------------------------


@pytest.mark.parametrize("resource_type", OBJECT_TYPES)
def test_compliant_objects(resource_type: str) -> None:
    assert encryption(resource_type).violations == []  # the bucket default applies
    kms = {"serverSideEncryption": "aws:kms", "kmsKeyId": KEY_ARN}
    assert encryption(resource_type, **kms).violations == []
    assert (
        encryption(resource_type, serverSideEncryption="aws:kms", kmsKeyId=UNKNOWN_STR).violations
        == []
    )


@pytest.mark.parametrize("resource_type", OBJECT_TYPES)
def test_s3_managed_encryption(resource_type: str) -> None:
    message = encryption(resource_type, serverSideEncryption="AES256").only()
    assert message == (
        f"{resource_type} 'manifest': `serverSideEncryption` is \"AES256\" - the object overrides "
        "the bucket's KMS default encryption with S3-managed keys not in "
        's3-object-kms-encryption.allowedSseAlgorithms ("aws:kms", "aws:kms:dsse"). Fix: '
        "leave server_side_encryption unset (the bucket's default KMS key applies) or set "
        'server_side_encryption="aws:kms" (or "aws:kms:dsse") with kms_key_id=<the bucket\'s '
        "key>.arn"
    )


@pytest.mark.parametrize("resource_type", OBJECT_TYPES)
def test_dsse_object_with_a_customer_key_passes(resource_type: str) -> None:
    props = {"serverSideEncryption": "aws:kms:dsse", "kmsKeyId": KEY_ARN}
    assert encryption(resource_type, **props).violations == []


@pytest.mark.parametrize("key", [None, "alias/aws/s3"])
def test_dsse_object_without_a_customer_key_fails_as_aws_kms_does(key: str | None) -> None:
    message = encryption(serverSideEncryption="aws:kms:dsse", kmsKeyId=key).only()
    kms = encryption(serverSideEncryption="aws:kms", kmsKeyId=key).only()
    found = "absent" if key is None else f'"{key}"'
    for text in (message, kms):
        assert text.startswith(f"{OBJECT_V2} 'manifest': `kmsKeyId` is {found} - ")
        assert "AWS managed key" in text


def test_narrowing_the_setting_to_aws_kms_refuses_dsse_and_names_the_setting() -> None:
    props = {"serverSideEncryption": "aws:kms:dsse", "kmsKeyId": KEY_ARN}
    config = {"allowedSseAlgorithms": ["aws:kms"]}
    message = check(s3_object_kms_encryption, OBJECT_V2, obj(**props), name="m", config=config)
    assert message.only() == (
        f'{OBJECT_V2} \'m\': `serverSideEncryption` is "aws:kms:dsse" - "aws:kms:dsse" uses a '
        "customer-managed KMS key too, but s3-object-kms-encryption.allowedSseAlgorithms "
        'allows only "aws:kms". Fix: leave server_side_encryption unset (the bucket\'s default '
        'applies), set it to "aws:kms", or add "aws:kms:dsse" to '
        "s3-object-kms-encryption.allowedSseAlgorithms"
    )
    kms = obj(serverSideEncryption="aws:kms", kmsKeyId=KEY_ARN)
    assert check(s3_object_kms_encryption, OBJECT_V2, kms, config=config).violations == []


def test_kms_without_a_key_id_is_the_aws_managed_key() -> None:
    message = encryption(serverSideEncryption="aws:kms").only()
    assert '`kmsKeyId` is absent - with serverSideEncryption "aws:kms" and no key id S3' in message
    assert "the AWS managed key aws/s3" in message


@pytest.mark.parametrize("key", ["alias/aws/s3", "arn:aws:kms:us-east-1:111122223333:alias/aws/s3"])
def test_aws_managed_alias(key: str) -> None:
    message = encryption(serverSideEncryption="aws:kms", kmsKeyId=key).only()
    assert f'`kmsKeyId` is "{key}" - an AWS managed key' in message


def test_sse_c_copy() -> None:
    message = encryption(OBJECT_COPY, customerAlgorithm="AES256", customerKey="secret").only()
    assert message.startswith(
        f"{OBJECT_COPY} 'manifest': `customerAlgorithm` is \"AES256\" - SSE-C encrypts the "
        "object with a key the caller keeps, outside KMS"
    )


def test_unknown_algorithm_is_not_applicable() -> None:
    outcome = encryption(serverSideEncryption=UNKNOWN_STR)
    assert outcome.violations == []
    assert outcome.not_applicable == (
        "serverSideEncryption is unknown during preview; checked once known"
    )


# --- s3-object-kms-key-matches-bucket -----------------------------------------------------------


def sse_for(key_id: Any, algorithm: str = "aws:kms") -> list[dict[str, Any]]:
    default = {"sseAlgorithm": algorithm, "kmsMasterKeyId": key_id}
    return [{"applyServerSideEncryptionByDefault": default, "bucketKeyEnabled": True}]


def bucket_stack(bucket_key: Any = KEY_ARN, algorithm: str = "aws:kms") -> tuple[Stack, Any, Any]:
    """A key, a bucket "media-in" encrypted with ``bucket_key`` by a linked SSE resource (an
    unknown ``bucket_key`` is the key's ARN during preview: the rules depend on the key)."""
    stack = Stack()
    key = stack.add(KEY, "media-key", {"arn": KEY_ARN, "keyId": KEY_ID})
    bucket = stack.add(BUCKET, "media-in", {"bucket": "media-in"})
    deps = {"bucket": [bucket]}
    if bucket_key == UNKNOWN_STR:
        deps["rules"] = [key]
    rules = sse_for(bucket_key, algorithm)
    stack.add(SSE, "media-in-sse", {"bucket": UNKNOWN_STR, "rules": rules}, deps=deps)
    return stack, key, bucket


def test_object_with_the_bucket_key() -> None:
    stack, _, _ = bucket_stack()
    stack.add(OBJECT_V2, "manifest", obj(serverSideEncryption="aws:kms", kmsKeyId=KEY_ID))
    stack.add(OBJECT, "sample", obj(key="a.jpg"))  # no own key: the bucket default
    assert stack.check(s3_object_kms_key_matches_bucket).violations == []
    assert stack.check(cross_resource_links).violations == []


def test_dsse_object_in_a_dsse_bucket_is_compared_by_key() -> None:
    stack, _, _ = bucket_stack(algorithm="aws:kms:dsse")
    stack.add(OBJECT_V2, "manifest", obj(serverSideEncryption="aws:kms:dsse", kmsKeyId=KEY_ID))
    assert stack.check(s3_object_kms_key_matches_bucket).violations == []
    stack.add(OBJECT, "other", obj(serverSideEncryption="aws:kms:dsse", kmsKeyId=OTHER_ARN))
    message = stack.check(s3_object_kms_key_matches_bucket).only()
    assert message.startswith(f"{OBJECT} 'other' (in {BUCKET} 'media-in' (bucket \"media-in\")):")
    assert f"but the bucket via {SSE} 'media-in-sse' uses {KEY} 'media-key'" in message


def test_object_with_another_key() -> None:
    stack, _, _ = bucket_stack()
    stack.add(OBJECT_V2, "manifest", obj(serverSideEncryption="aws:kms", kmsKeyId=OTHER_ARN))
    outcome = stack.check(s3_object_kms_key_matches_bucket)
    assert outcome.only() == (
        f"{OBJECT_V2} 'manifest' (in {BUCKET} 'media-in' (bucket \"media-in\")): `kmsKeyId` is "
        f"key id \"{OTHER_ID}\", but the bucket via {SSE} 'media-in-sse' uses {KEY} 'media-key' - "
        "the object would be protected by a different key than the one the bucket enforces (its "
        "key policy, rotation and grants don't apply to it). Fix: leave kms_key_id unset (with "
        "server_side_encryption unset too) or set it to the bucket's key, <key>.arn"
    )
    assert outcome.urns == [f"urn:pulumi:dev::media::{OBJECT_V2}::manifest"]


def test_during_preview_links_by_dependency() -> None:
    """bucket=<bucket>.bucket and kms_key_id=<key>.arn: both unknown, both recorded as deps."""
    stack, key, bucket = bucket_stack(bucket_key=UNKNOWN_STR)
    other = stack.add(KEY, "other-key", {"arn": UNKNOWN_STR, "keyId": UNKNOWN_STR})
    props = obj(bucket=UNKNOWN_STR, serverSideEncryption="aws:kms", kmsKeyId=UNKNOWN_STR)
    stack.add(OBJECT_V2, "same", props, deps={"bucket": [bucket], "kmsKeyId": [key]})
    assert stack.check(s3_object_kms_key_matches_bucket).violations == []
    stack.add(OBJECT_V2, "other", props, deps={"bucket": [bucket], "kmsKeyId": [other]})
    (message,) = stack.check(s3_object_kms_key_matches_bucket).violations
    assert message.startswith(f"{OBJECT_V2} 'other' (in {BUCKET} 'media-in'")
    assert f"`kmsKeyId` is {KEY} 'other-key', but the bucket" in message


def test_same_key_through_an_alias() -> None:
    stack, _, _ = bucket_stack()
    stack.add(ALIAS, "media-alias", {"name": "alias/media", "targetKeyId": KEY_ID})
    stack.add(OBJECT_V2, "manifest", obj(serverSideEncryption="aws:kms", kmsKeyId="alias/media"))
    assert stack.check(s3_object_kms_key_matches_bucket).violations == []


def test_what_cannot_be_told_goes_to_cross_resource_links() -> None:
    stack, _, _ = bucket_stack()
    stack.add(OBJECT_V2, "aliased", obj(serverSideEncryption="aws:kms", kmsKeyId="alias/elsewhere"))
    props = obj(bucket=UNKNOWN_STR, serverSideEncryption="aws:kms", kmsKeyId=KEY_ARN)
    stack.add(OBJECT_V2, "unlinked", props)
    assert stack.check(s3_object_kms_key_matches_bucket).violations == []
    advisories = stack.check(cross_resource_links).violations
    assert len(advisories) == 2, advisories
    assert all(a.startswith("[s3-object-kms-key-matches-bucket] ") for a in advisories)
    assert 'can\'t tell whether `kmsKeyId` (alias "alias/elsewhere")' in advisories[0]
    assert "`bucket` is unknown during preview" in advisories[1]


def test_bucket_outside_the_stack_is_not_compared() -> None:
    stack, _, _ = bucket_stack()
    props = obj(bucket="someone-elses", serverSideEncryption="aws:kms", kmsKeyId=OTHER_ARN)
    stack.add(OBJECT_V2, "elsewhere", props)
    assert stack.check(s3_object_kms_key_matches_bucket).violations == []
    assert stack.check(cross_resource_links).violations == []


def test_exempt_by_bucket_name() -> None:
    stack, _, _ = bucket_stack()
    stack.add(OBJECT_V2, "manifest", obj(serverSideEncryption="aws:kms", kmsKeyId=OTHER_ARN))
    config = {"exemptResources": ["media-in"]}
    assert stack.check(s3_object_kms_key_matches_bucket, config).violations == []
