"""S3 object reads are refused as AWS refuses them, where moto alone would answer.

HeadObject is authorized as s3:GetObject; reading an SSE-KMS object needs its key (not
disabled, not pending deletion, kms:Decrypt not denied by the key policy), while a HEAD
of it does not. Clients that explain a refused read rely on both (the provider's
moderation summary tells a missing s3:GetObject from a missing kms:Decrypt this way).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

ALLOW_ALL = {"Sid": "Owner", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*",
             "Resource": "*"}  # fmt: skip


def _object(aws_client: Callable[..., Any], encrypted: bool) -> tuple[Any, Any, str, str]:
    s3, kms = aws_client("s3"), aws_client("kms")
    bucket = f"reads-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    key = kms.create_key()["KeyMetadata"]
    extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key["Arn"]} if encrypted else {}
    s3.put_object(Bucket=bucket, Key="out/results.jsonl", Body=b"{}\n", **extra)
    return s3, kms, bucket, key["KeyId"]


def _error(call: Callable[[], Any]) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as raised:
        call()
    error = raised.value.response
    return (
        error["Error"]["Code"],
        error["Error"]["Message"],
        error["ResponseMetadata"]["HTTPStatusCode"],
    )


def test_a_bucket_policy_denying_get_object_refuses_head_object_too(
    aws_client: Callable[..., Any],
) -> None:
    s3, _, bucket, _ = _object(aws_client, encrypted=False)
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/out/*"}  # fmt: skip
    s3.put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny]})
    )
    read = {"Bucket": bucket, "Key": "out/results.jsonl"}
    assert _error(lambda: s3.head_object(**read))[2] == 403
    assert _error(lambda: s3.get_object(**read))[2] == 403
    s3.put_object(Bucket=bucket, Key="elsewhere.txt", Body=b"x")
    assert s3.head_object(Bucket=bucket, Key="elsewhere.txt")["ContentLength"] == 1


def test_a_key_policy_denying_decrypt_refuses_get_object_but_not_head_object(
    aws_client: Callable[..., Any],
) -> None:
    s3, kms, bucket, key_id = _object(aws_client, encrypted=True)
    read = {"Bucket": bucket, "Key": "out/results.jsonl"}
    assert s3.get_object(**read)["Body"].read() == b"{}\n"
    deny = {"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}
    kms.put_key_policy(
        KeyId=key_id,
        PolicyName="default",
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [ALLOW_ALL, deny]}),
    )
    code, message, status = _error(lambda: s3.get_object(**read))
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    assert (code, status) == ("AccessDenied", 403)
    assert f"not authorized to perform: kms:Decrypt on resource: {arn}" in message
    assert s3.head_object(**read)["SSEKMSKeyId"].endswith(key_id)
    # An object without SSE-KMS does not need the key.
    s3.put_object(Bucket=bucket, Key="plain.txt", Body=b"x")
    assert s3.get_object(Bucket=bucket, Key="plain.txt")["Body"].read() == b"x"


def test_a_disabled_or_deleted_key_refuses_get_object_with_its_kms_code(
    aws_client: Callable[..., Any],
) -> None:
    s3, kms, bucket, key_id = _object(aws_client, encrypted=True)
    read = {"Bucket": bucket, "Key": "out/results.jsonl"}
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    kms.disable_key(KeyId=key_id)
    assert _error(lambda: s3.get_object(**read)) == (
        "KMS.DisabledException",
        f"{arn} is disabled.",
        400,
    )
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert _error(lambda: s3.get_object(**read)) == (
        "KMS.KMSInvalidStateException",
        f"{arn} is pending deletion.",
        400,
    )
    assert s3.head_object(**read)["ContentLength"] == 3
