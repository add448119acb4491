"""The policy documents are accepted by the emulator's S3, KMS and IAM (moto), which is how
the quickstart pre-creates the bring-your-own resources."""

from __future__ import annotations

import json
from typing import Any

from devtools.media import SAMPLE_MANIFEST_KEY, sample_images
from rekognition_media.api.manifest import manifest_jsonl
from rekognition_media.components.documents import (
    access_policy_document,
    bucket_policy_document,
    key_policy_document,
)


def test_bring_your_own_resources_can_be_precreated_with_the_documents(aws_client: Any) -> None:
    s3, kms, iam, sts = (aws_client(s) for s in ("s3", "kms", "iam", "sts"))
    account = sts.get_caller_identity()["Account"]
    key = kms.create_key(Policy=json.dumps(key_policy_document(account, [])))["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    stored = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
    assert stored == key_policy_document(account, [])

    buckets = {"in": "components-byo-in", "out": "components-byo-out"}
    for bucket in buckets.values():
        s3.create_bucket(Bucket=bucket)
    images = sample_images()
    for name, body in images.items():
        s3.put_object(
            Bucket=buckets["in"], Key=name, Body=body,
            ServerSideEncryption="aws:kms", SSEKMSKeyId=key["Arn"],
        )  # fmt: skip
    s3.put_object(
        Bucket=buckets["in"],
        Key=SAMPLE_MANIFEST_KEY,
        Body=manifest_jsonl(buckets["in"], sorted(images)).encode(),
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=key["Arn"],
    )
    head = s3.head_object(Bucket=buckets["in"], Key="images/sample-1.png")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"].endswith(key["KeyId"])
    # The bucket policies go on last: moto enforces a bucket policy's Deny statements on
    # object requests without evaluating Bool/StringNotEquals conditions, so under these
    # policies every object request to the emulator is denied (see components/README.md).
    for bucket in buckets.values():
        s3.put_bucket_policy(
            Bucket=bucket,
            Policy=json.dumps(bucket_policy_document(f"arn:aws:s3:::{bucket}", key["Arn"])),
        )
        stored = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        assert stored == bucket_policy_document(f"arn:aws:s3:::{bucket}", key["Arn"])

    document = access_policy_document(
        f"arn:aws:s3:::{buckets['in']}",
        "",
        f"arn:aws:s3:::{buckets['out']}",
        "results/",
        key["Arn"],
    )
    policy = iam.create_policy(
        PolicyName="components-byo-media-analysis", PolicyDocument=json.dumps(document)
    )["Policy"]
    version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId="v1")["PolicyVersion"]
    stored_document = version["Document"]
    if isinstance(stored_document, str):
        stored_document = json.loads(stored_document)
    assert stored_document == document
