"""The IAM policy documents of the media-analysis infrastructure, as pure functions.

Plain strings in, plain ``dict``s out (``json.dumps`` them for AWS). The components
apply them to their resolved outputs with ``Output.all(...).apply(...)``; the quickstart
calls them directly to pre-create the same key policy and access policy with boto3 in the
emulator (it attaches no bucket policy: the emulator serves plain HTTP, which the TLS-only
statement would refuse). Keeping one source for both means the bring-your-own path is
hardened like the managed one.

Three documents:

``bucket_policy_document``
    Denies any request without TLS, any ``PutObject`` that does not ask for SSE-KMS, and
    any ``PutObject`` that names a KMS key other than the bucket's key.
``key_policy_document``
    Gives the account root full control (so IAM policies in the account can delegate
    and the key can never become unmanageable) and lets only the listed principals
    encrypt, decrypt and generate data keys.
``access_policy_document``
    What a caller of the media-analysis API needs and nothing more: the three
    Rekognition media-analysis actions, read on the input prefix, write on the output
    prefix, GenerateDataKey/Decrypt on the key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rekognition_media.api import shapes

POLICY_VERSION = "2012-10-17"

REKOGNITION_ACTIONS: tuple[str, ...] = tuple(sorted(shapes.MEDIA_ANALYSIS_ACTIONS))
"""The media-analysis API, sorted. None of these can be scoped to a resource ARN (see
``access_policy_document``), so their statement needs ``Resource: "*"``."""

INPUT_READ_ACTIONS: tuple[str, ...] = ("s3:GetObject", "s3:GetObjectVersion")
OUTPUT_WRITE_ACTIONS: tuple[str, ...] = ("s3:PutObject",)
KEY_ACCESS_ACTIONS: tuple[str, ...] = ("kms:Decrypt", "kms:GenerateDataKey")
"""What the media-analysis caller needs on the key: read KMS-encrypted inputs, write
KMS-encrypted outputs."""
KEY_USER_ACTIONS: tuple[str, ...] = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey")
"""What the key policy lets the key users do."""

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_BUCKET_ARN = re.compile(r"^arn:[a-z0-9-]+:s3:::[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
KEY_ARN_PATTERN = re.compile(r"^arn:[a-z0-9-]+:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")
_PRINCIPAL_ARN = re.compile(r"^arn:[a-z0-9-]+:(iam|sts)::\d{12}:\S+$")
_KEY_ARN_RULE = "must be a KMS key ARN (arn:aws:kms:region:account:key/key-id)"
_PARTITION = re.compile(r"^aws(-[a-z]+)*$")


def _check(value: str, pattern: re.Pattern[str], what: str, rule: str) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise ValueError(f"{what}: got {value!r}, {rule}")
    return value


def _check_prefix(value: str, what: str) -> str:
    if not isinstance(value, str) or any(c in value for c in "*?\n"):
        raise ValueError(f"{what}: got {value!r}, must be a plain S3 key prefix (no wildcards)")
    return value


def _objects_under(bucket_arn: str, prefix: str) -> str:
    return f"{bucket_arn}/{prefix}*"


def bucket_policy_document(bucket_arn: str, key_arn: str) -> dict[str, Any]:
    """The policy of an encrypted bucket: TLS only, SSE-KMS with ``key_arn`` only.

    Writers must send both ``x-amz-server-side-encryption: aws:kms`` and
    ``x-amz-server-side-encryption-aws-kms-key-id: <key ARN>``: without the key-id header
    S3 would use the AWS managed ``aws/s3`` key, so a missing header is denied too
    (``StringNotEquals`` matches when the key is absent from the request).
    """
    _check(bucket_arn, _BUCKET_ARN, "bucket_arn", "must be an S3 bucket ARN (arn:aws:s3:::name)")
    _check(key_arn, KEY_ARN_PATTERN, "key_arn", _KEY_ARN_RULE)
    objects = f"{bucket_arn}/*"
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn, objects],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "DenyUnencryptedObjectUploads",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": objects,
                "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
            },
            {
                "Sid": "DenyObjectUploadsWithOtherKmsKey",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": objects,
                "Condition": {
                    "StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key_arn}
                },
            },
        ],
    }


def key_policy_document(
    account_id: str, key_user_arns: Iterable[str], partition: str = "aws"
) -> dict[str, Any]:
    """The policy of the media-analysis KMS key.

    The account root keeps ``kms:*`` (AWS's default key policy statement: without it a
    key whose users are deleted can never be administered again, and IAM policies in
    the account could not grant anything on it). Only ``key_user_arns`` (IAM role/user
    ARNs) may encrypt, decrypt and generate data keys through the key policy itself. In
    a key policy ``Resource: "*"`` means "this key".
    """
    _check(account_id, _ACCOUNT_ID, "account_id", "must be a 12-digit AWS account id")
    _check(partition, _PARTITION, "partition", "must be an AWS partition such as 'aws'")
    users = sorted(set(key_user_arns))
    for arn in users:
        _check(arn, _PRINCIPAL_ARN, "key_user_arns", "each must be an IAM principal ARN")
    statements: list[dict[str, Any]] = [
        {
            "Sid": "EnableRootAccountPermissions",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    if users:
        statements.append(
            {
                "Sid": "AllowMediaAnalysisKeyUsers",
                "Effect": "Allow",
                "Principal": {"AWS": users},
                "Action": list(KEY_USER_ACTIONS),
                "Resource": "*",
            }
        )
    return {"Version": POLICY_VERSION, "Statement": statements}


def access_policy_document(
    input_bucket_arn: str,
    input_prefix: str,
    output_bucket_arn: str,
    output_prefix: str,
    key_arn: str,
) -> dict[str, Any]:
    """Least privilege for running media-analysis jobs.

    ``Resource: "*"`` appears once, on the Rekognition statement, because the API
    requires it: the Service Authorization Reference ("Actions, resources, and condition
    keys for Amazon Rekognition") lists no resource type for GetMediaAnalysisJob and
    ListMediaAnalysisJobs, and for StartMediaAnalysisJob only an optional
    ``projectversion`` (a custom moderation adapter). A job on the base model names no
    resource, so only ``"*"`` matches. Everything else is scoped to ARNs: objects under
    ``input_prefix`` (read), objects under ``output_prefix`` (write) and the key.

    Prefixes are matched literally followed by ``*``; end them with ``/`` to stop
    ``results`` from also matching ``results-old/``. An empty prefix means the whole
    bucket.
    """
    _check(input_bucket_arn, _BUCKET_ARN, "input_bucket_arn", "must be an S3 bucket ARN")
    _check(output_bucket_arn, _BUCKET_ARN, "output_bucket_arn", "must be an S3 bucket ARN")
    _check(key_arn, KEY_ARN_PATTERN, "key_arn", _KEY_ARN_RULE)
    input_prefix = _check_prefix(input_prefix, "input_prefix")
    output_prefix = _check_prefix(output_prefix, "output_prefix")
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                # Resource-level permissions are not supported by these actions (see above).
                "Sid": "RekognitionMediaAnalysis",
                "Effect": "Allow",
                "Action": list(REKOGNITION_ACTIONS),
                "Resource": "*",
            },
            {
                "Sid": "ReadMediaAnalysisInput",
                "Effect": "Allow",
                "Action": list(INPUT_READ_ACTIONS),
                "Resource": _objects_under(input_bucket_arn, input_prefix),
            },
            {
                "Sid": "WriteMediaAnalysisOutput",
                "Effect": "Allow",
                "Action": list(OUTPUT_WRITE_ACTIONS),
                "Resource": _objects_under(output_bucket_arn, output_prefix),
            },
            {
                "Sid": "UseMediaAnalysisKey",
                "Effect": "Allow",
                "Action": list(KEY_ACCESS_ACTIONS),
                "Resource": key_arn,
            },
        ],
    }
