"""The policy documents are pure functions: exact statements, input validation."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rekognition_media.components.documents import (
    access_policy_document,
    bucket_policy_document,
    key_policy_document,
)

BUCKET = "arn:aws:s3:::media-in"
OUT = "arn:aws:s3:::media-out"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = "arn:aws:iam::123456789012:role/analyst"
USER = "arn:aws:iam::123456789012:user/ci"


def test_bucket_policy_is_exactly_the_three_denies() -> None:
    assert bucket_policy_document(BUCKET, KEY) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [BUCKET, f"{BUCKET}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "DenyUnencryptedObjectUploads",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": f"{BUCKET}/*",
                "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
            },
            {
                "Sid": "DenyObjectUploadsWithOtherKmsKey",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": f"{BUCKET}/*",
                "Condition": {
                    "StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": KEY}
                },
            },
        ],
    }


def test_key_policy_grants_root_and_only_the_key_users() -> None:
    doc = key_policy_document("123456789012", [USER, ROLE, USER])
    assert doc == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EnableRootAccountPermissions",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "AllowMediaAnalysisKeyUsers",
                "Effect": "Allow",
                "Principal": {"AWS": [ROLE, USER]},
                "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                "Resource": "*",
            },
        ],
    }


def test_key_policy_without_users_has_only_the_root_statement() -> None:
    doc = key_policy_document("123456789012", [], partition="aws-us-gov")
    assert [s["Sid"] for s in doc["Statement"]] == ["EnableRootAccountPermissions"]
    assert doc["Statement"][0]["Principal"] == {"AWS": "arn:aws-us-gov:iam::123456789012:root"}


def test_access_policy_is_exactly_the_four_statements() -> None:
    doc = access_policy_document(BUCKET, "uploads/", OUT, "results/", KEY)
    assert doc == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "RekognitionMediaAnalysis",
                "Effect": "Allow",
                "Action": [
                    "rekognition:GetMediaAnalysisJob",
                    "rekognition:ListMediaAnalysisJobs",
                    "rekognition:StartMediaAnalysisJob",
                ],
                "Resource": "*",
            },
            {
                "Sid": "ReadMediaAnalysisInput",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                "Resource": f"{BUCKET}/uploads/*",
            },
            {
                "Sid": "WriteMediaAnalysisOutput",
                "Effect": "Allow",
                "Action": ["s3:PutObject"],
                "Resource": f"{OUT}/results/*",
            },
            {
                "Sid": "UseMediaAnalysisKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": KEY,
            },
        ],
    }


def test_access_policy_with_empty_prefixes_covers_whole_buckets() -> None:
    statements = access_policy_document(BUCKET, "", OUT, "", KEY)["Statement"]
    assert statements[1]["Resource"] == f"{BUCKET}/*"
    assert statements[2]["Resource"] == f"{OUT}/*"


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: bucket_policy_document("media-in", KEY), "bucket_arn"),
        (lambda: bucket_policy_document(BUCKET, "alias/media"), "key_arn"),
        (lambda: bucket_policy_document(BUCKET, "1234abcd-12ab"), "key_arn"),
        (lambda: key_policy_document("12345", [ROLE]), "account_id"),
        (lambda: key_policy_document("123456789012", ["*"]), "key_user_arns"),
        (lambda: key_policy_document("123456789012", [ROLE], partition="x"), "partition"),
        (lambda: access_policy_document(BUCKET, "in/*", OUT, "r/", KEY), "input_prefix"),
        (lambda: access_policy_document(BUCKET, "", "*", "r/", KEY), "output_bucket_arn"),
        (lambda: access_policy_document(BUCKET, "", OUT, "r/", "*"), "key_arn"),
    ],
)
def test_invalid_arguments_are_rejected_naming_the_field(call: object, field: str) -> None:
    with pytest.raises(ValueError, match=rf"^{field}: got "):
        call()  # type: ignore[operator]


_names = st.from_regex(r"[a-z0-9][a-z0-9-]{1,30}[a-z0-9]", fullmatch=True)
_prefixes = st.from_regex(r"[A-Za-z0-9/_.-]{0,20}", fullmatch=True)


@given(_names, _names, _prefixes, _prefixes)
def test_access_policy_has_no_wildcard_action_and_one_star_resource(
    in_name: str, out_name: str, in_prefix: str, out_prefix: str
) -> None:
    doc = access_policy_document(
        f"arn:aws:s3:::{in_name}", in_prefix, f"arn:aws:s3:::{out_name}", out_prefix, KEY
    )
    text = json.dumps(doc)
    actions = [a for s in doc["Statement"] for a in s["Action"]]
    assert all("*" not in a for a in actions)
    assert all(s["Effect"] == "Allow" for s in doc["Statement"])
    star = [s["Sid"] for s in doc["Statement"] if s["Resource"] == "*"]
    assert star == ["RekognitionMediaAnalysis"]
    assert f"arn:aws:s3:::{in_name}/{in_prefix}*" in text
    assert f"arn:aws:s3:::{out_name}/{out_prefix}*" in text
