"""EncryptedBucket: every security property on the resources' inputs, ordering, BYO."""

from __future__ import annotations

import pytest

from rekognition_media.components import EncryptedBucket, EncryptedBucketArgs
from tests.support import BUCKET_TYPE_TOKEN

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
S3 = "aws:s3/"
BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"


def _outputs(bucket: EncryptedBucket) -> dict[str, object]:
    return {"name": bucket.bucket_name, "arn": bucket.bucket_arn}


def test_bucket_security_properties(mocks, deploy) -> None:
    out = deploy(
        lambda: _outputs(
            EncryptedBucket(
                "media-in", EncryptedBucketArgs(kms_key_arn=KEY, bucket_name="media-in")
            )
        )
    )
    assert out == {"name": "media-in", "arn": "arn:aws:s3:::media-in"}
    assert mocks.one(BUCKET).inputs["bucket"] == "media-in"
    assert mocks.one(BUCKET).inputs["forceDestroy"] is False

    assert mocks.one(SSE).inputs == {
        "bucket": "media-in",
        "rules": [
            {
                "applyServerSideEncryptionByDefault": {
                    "sseAlgorithm": "aws:kms",
                    "kmsMasterKeyId": KEY,
                },
                "bucketKeyEnabled": True,
            }
        ],
    }
    assert mocks.one(VERSIONING).inputs == {
        "bucket": "media-in",
        "versioningConfiguration": {"status": "Enabled"},
    }
    pab = mocks.one(PAB).inputs
    assert pab["bucket"] == "media-in"
    assert pab["blockPublicAcls"] is True
    assert pab["blockPublicPolicy"] is True
    assert pab["ignorePublicAcls"] is True
    assert pab["restrictPublicBuckets"] is True
    assert mocks.one(OWNERSHIP).inputs == {
        "bucket": "media-in",
        "rule": {"objectOwnership": "BucketOwnerEnforced"},
    }
    assert mocks.of_type(LIFECYCLE) == []


def test_bucket_policy_denies_non_tls_unencrypted_and_wrong_key_puts(mocks, deploy) -> None:
    deploy(lambda: _outputs(EncryptedBucket("b", EncryptedBucketArgs(kms_key_arn=KEY))))
    bucket_name = mocks.one(BUCKET).name + "-0a1b2c3"  # the mocks' auto-name
    arn = f"arn:aws:s3:::{bucket_name}"
    policy = mocks.one(POLICY)
    assert policy.inputs["bucket"] == bucket_name
    statements = {s["Sid"]: s for s in policy.policy()["Statement"]}
    assert set(statements) == {
        "DenyInsecureTransport",
        "DenyUnencryptedObjectUploads",
        "DenyObjectUploadsWithOtherKmsKey",
    }
    tls = statements["DenyInsecureTransport"]
    assert (tls["Effect"], tls["Principal"], tls["Action"]) == ("Deny", "*", "s3:*")
    assert tls["Resource"] == [arn, f"{arn}/*"]
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    unencrypted = statements["DenyUnencryptedObjectUploads"]
    assert (unencrypted["Effect"], unencrypted["Principal"]) == ("Deny", "*")
    assert (unencrypted["Action"], unencrypted["Resource"]) == ("s3:PutObject", f"{arn}/*")
    assert unencrypted["Condition"] == {
        "StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}
    }
    wrong_key = statements["DenyObjectUploadsWithOtherKmsKey"]
    assert (wrong_key["Effect"], wrong_key["Principal"]) == ("Deny", "*")
    assert (wrong_key["Action"], wrong_key["Resource"]) == ("s3:PutObject", f"{arn}/*")
    assert wrong_key["Condition"] == {
        "StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": KEY}
    }


def test_children_are_parented_and_policy_waits_for_access_block(mocks, deploy) -> None:
    deploy(
        lambda: _outputs(
            EncryptedBucket(
                "b",
                EncryptedBucketArgs(
                    kms_key_arn=KEY, expire_objects_prefix="tmp/", expire_objects_after_days=3
                ),
            )
        )
    )
    component = mocks.one(BUCKET_TYPE_TOKEN)
    children = [r for r in mocks.registrations if r.typ.startswith(S3)]
    assert len(children) == 7
    assert all(r.parent == component.urn for r in children)
    policy = mocks.one(POLICY)
    assert mocks.one(PAB).urn in policy.dependencies
    assert mocks.one(OWNERSHIP).urn in policy.dependencies
    assert mocks.one(VERSIONING).urn in mocks.one(LIFECYCLE).dependencies
    for typ in (SSE, VERSIONING, PAB, OWNERSHIP, POLICY, LIFECYCLE):
        assert mocks.one(BUCKET).urn in mocks.one(typ).dependencies, typ


def test_expiry_rule_under_prefix(mocks, deploy) -> None:
    deploy(
        lambda: _outputs(
            EncryptedBucket(
                "b",
                EncryptedBucketArgs(
                    kms_key_arn=KEY, expire_objects_prefix="results/", expire_objects_after_days=30
                ),
            )
        )
    )
    assert mocks.one(LIFECYCLE).inputs["rules"] == [
        {
            "id": "expire-objects",
            "status": "Enabled",
            "filter": {"prefix": "results/"},
            "expiration": {"days": 30},
            "noncurrentVersionExpiration": {"noncurrentDays": 30},
            "abortIncompleteMultipartUpload": {"daysAfterInitiation": 1},
        }
    ]


@pytest.mark.parametrize(
    "existing", ["media-existing", "arn:aws:s3:::media-existing"], ids=["name", "arn"]
)
def test_existing_bucket_creates_nothing(mocks, deploy, existing: str) -> None:
    out = deploy(
        lambda: _outputs(EncryptedBucket("b", EncryptedBucketArgs(existing_bucket_name=existing)))
    )
    assert mocks.aws() == []
    assert out == {"name": "media-existing", "arn": "arn:aws:s3:::media-existing"}


def test_existing_bucket_in_another_partition(mocks, deploy) -> None:
    out = deploy(
        lambda: _outputs(
            EncryptedBucket(
                "b", EncryptedBucketArgs(existing_bucket_name="media", partition="aws-cn")
            )
        )
    )
    assert out["arn"] == "arn:aws-cn:s3:::media"
    assert mocks.aws() == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, r"EncryptedBucketArgs.kms_key_arn: got None, required when the bucket is created"),
        (
            {"kms_key_arn": KEY, "expire_objects_after_days": 3},
            r"expire_objects_prefix/expire_objects_after_days: got None/3, give both",
        ),
        (
            {"kms_key_arn": KEY, "expire_objects_prefix": "", "expire_objects_after_days": 0},
            r"expire_objects_after_days: got 0, must be a whole number of days, at least 1",
        ),
    ],
)
def test_invalid_args_are_rejected(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EncryptedBucketArgs(**kwargs)  # type: ignore[arg-type]
