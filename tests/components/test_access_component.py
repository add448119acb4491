"""MediaAnalysisAccess: the exact statements, attachments, bring-your-own."""

from __future__ import annotations

import pytest

from rekognition_media.components import MediaAnalysisAccess, MediaAnalysisAccessArgs
from tests.support import ACCESS_TYPE_TOKEN

IN = "arn:aws:s3:::media-in"
OUT = "arn:aws:s3:::media-out"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
POLICY = "aws:iam/policy:Policy"
ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
USER_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
EXISTING = "arn:aws:iam::123456789012:policy/media-analysis"


def _args(**kwargs: object) -> MediaAnalysisAccessArgs:
    base: dict[str, object] = {"input_bucket_arn": IN, "output_bucket_arn": OUT, "kms_key_arn": KEY}
    return MediaAnalysisAccessArgs(**{**base, **kwargs})  # type: ignore[arg-type]


def test_policy_statements_exactly(mocks, deploy) -> None:
    out = deploy(
        lambda: {
            "arn": MediaAnalysisAccess(
                "access", _args(input_prefix="manifests/", output_prefix="out/")
            ).policy_arn
        }
    )
    policy = mocks.one(POLICY)
    assert out["arn"] == "arn:aws:iam::123456789012:policy/rekognition-media-0a1b2c3"
    assert policy.inputs["namePrefix"] == "rekognition-media-"
    document = policy.policy()
    assert document["Version"] == "2012-10-17"
    assert document["Statement"] == [
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
            "Resource": f"{IN}/manifests/*",
        },
        {
            "Sid": "WriteMediaAnalysisOutput",
            "Effect": "Allow",
            "Action": ["s3:PutObject"],
            "Resource": f"{OUT}/out/*",
        },
        {
            "Sid": "UseMediaAnalysisKey",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": KEY,
        },
    ]
    assert mocks.of_type(ROLE_ATTACHMENT) == mocks.of_type(USER_ATTACHMENT) == []
    component = mocks.one(ACCESS_TYPE_TOKEN)
    assert policy.parent == component.urn


def test_default_prefixes_whole_input_bucket_and_results(mocks, deploy) -> None:
    deploy(lambda: {"arn": MediaAnalysisAccess("a", _args(policy_name="media")).policy_arn})
    policy = mocks.one(POLICY)
    assert policy.inputs["name"] == "media"
    resources = [s["Resource"] for s in policy.policy()["Statement"]]
    assert resources == ["*", f"{IN}/*", f"{OUT}/results/*", KEY]


def test_attached_to_role_and_user(mocks, deploy) -> None:
    out = deploy(
        lambda: {
            "arn": MediaAnalysisAccess(
                "a", _args(role_name="analyst", user_name="ci", policy_name="media")
            ).policy_arn
        }
    )
    role = mocks.one(ROLE_ATTACHMENT)
    user = mocks.one(USER_ATTACHMENT)
    assert role.inputs == {"role": "analyst", "policyArn": out["arn"]}
    assert user.inputs == {"user": "ci", "policyArn": out["arn"]}
    component = mocks.one(ACCESS_TYPE_TOKEN)
    assert role.parent == user.parent == component.urn


def test_existing_policy_creates_no_policy(mocks, deploy) -> None:
    out = deploy(
        lambda: {
            "arn": MediaAnalysisAccess(
                "a", MediaAnalysisAccessArgs(existing_policy_arn=EXISTING)
            ).policy_arn
        }
    )
    assert out["arn"] == EXISTING
    assert mocks.aws() == []


def test_existing_policy_is_still_attached_when_asked(mocks, deploy) -> None:
    deploy(
        lambda: {
            "arn": MediaAnalysisAccess(
                "a", MediaAnalysisAccessArgs(existing_policy_arn=EXISTING, role_name="analyst")
            ).policy_arn
        }
    )
    assert mocks.of_type(POLICY) == []
    assert mocks.one(ROLE_ATTACHMENT).inputs == {"role": "analyst", "policyArn": EXISTING}


def test_created_policy_needs_buckets_and_key() -> None:
    with pytest.raises(
        ValueError, match=r"MediaAnalysisAccessArgs.output_bucket_arn, kms_key_arn: got None"
    ):
        MediaAnalysisAccessArgs(input_bucket_arn=IN)
