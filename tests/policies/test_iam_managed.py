"""iam-no-broad-managed-policies on every way pulumi-aws attaches a managed policy."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.policy_harness import UNKNOWN_OBJ, UNKNOWN_STR, check
from rekognition_media.policies import iam_no_broad_managed_policies

ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
USER_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
GROUP_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
ROLE = "aws:iam/role:Role"
ROLE_EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"
USER_EXCLUSIVE = "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive"
GROUP_EXCLUSIVE = "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive"

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
CUSTOMER = "arn:aws:iam::111122223333:policy/media-access"


def attach(resource_type: str, arn: Any) -> tuple[dict[str, Any], str]:
    """Props attaching ``arn`` (second in a list where the shape takes several), and the path."""
    if resource_type == ROLE:
        return {"assumeRolePolicy": "{}", "managedPolicyArns": [CUSTOMER, arn]}, (
            "managedPolicyArns[1]"
        )
    if resource_type in (ROLE_EXCLUSIVE, USER_EXCLUSIVE, GROUP_EXCLUSIVE):
        return {"policyArns": [CUSTOMER, arn]}, "policyArns[1]"
    props = {"policyArn": arn}
    if resource_type == ATTACHMENT:
        props["roles"] = ["media-role"]
    return props, "policyArn"


ALL_SHAPES = [
    ROLE_ATTACHMENT,
    USER_ATTACHMENT,
    GROUP_ATTACHMENT,
    ATTACHMENT,
    ROLE,
    ROLE_EXCLUSIVE,
    USER_EXCLUSIVE,
    GROUP_EXCLUSIVE,
]


@pytest.mark.parametrize("resource_type", ALL_SHAPES)
def test_administrator_access_in_every_shape(resource_type: str) -> None:
    props, path = attach(resource_type, ADMIN)
    message = check(iam_no_broad_managed_policies, resource_type, props, name="media").only()
    assert message == (
        f"{resource_type} 'media': `{path}` is \"{ADMIN}\" - the AWS managed policy "
        'AdministratorAccess (matches "AdministratorAccess" in '
        "iam-no-broad-managed-policies.deniedManagedPolicies) grants far more than the workload "
        "needs, on every resource, and AWS may widen it at any time. Fix: attach a "
        "customer-managed policy with the exact actions and resources (e.g. the "
        "MediaAnalysisAccess component's policy), or list the policy in allowedManagedPolicies"
    )


@pytest.mark.parametrize("resource_type", ALL_SHAPES)
def test_customer_managed_policy_in_every_shape_is_compliant(resource_type: str) -> None:
    props, _ = attach(resource_type, CUSTOMER)
    outcome = check(iam_no_broad_managed_policies, resource_type, props)
    assert outcome.violations == []
    assert outcome.not_applicable is None


@pytest.mark.parametrize(
    ("arn", "pattern"),
    [
        ("arn:aws:iam::aws:policy/PowerUserAccess", "PowerUserAccess"),
        ("arn:aws:iam::aws:policy/IAMFullAccess", "IAMFullAccess"),
        ("arn:aws:iam::aws:policy/AmazonS3FullAccess", "AmazonS3FullAccess"),
        ("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "AmazonS3ReadOnlyAccess"),
        (
            "arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser",
            "AWSKeyManagementServicePowerUser",
        ),
        ("arn:aws:iam::aws:policy/AmazonRekognitionFullAccess", "AmazonRekognitionFullAccess"),
        ("arn:aws:iam::aws:policy/ReadOnlyAccess", "ReadOnlyAccess"),
        ("arn:aws:iam::aws:policy/AdministratorAccess-Amplify", "AdministratorAccess-*"),
        ("arn:aws:iam::aws:policy/AmazonEC2FullAccess", "*FullAccess"),
        # other partitions, and policies below a path
        ("arn:aws-us-gov:iam::aws:policy/AdministratorAccess", "AdministratorAccess"),
        ("arn:aws-cn:iam::aws:policy/AmazonS3FullAccess", "AmazonS3FullAccess"),
        ("arn:aws:iam::aws:policy/job-function/AdministratorAccess", "AdministratorAccess"),
    ],
)
def test_default_deny_list(arn: str, pattern: str) -> None:
    message = check(iam_no_broad_managed_policies, ROLE_ATTACHMENT, {"policyArn": arn}).only()
    assert f'`policyArn` is "{arn}" - the AWS managed policy' in message
    assert f'(matches "{pattern}" in iam-no-broad-managed-policies.deniedManagedPolicies)' in (
        message
    )


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
        "arn:aws:iam::aws:policy/AmazonRekognitionReadOnlyAccess",
        # a customer policy that happens to carry the same name is the inline checks' business
        "arn:aws:iam::111122223333:policy/AdministratorAccess",
        "arn:aws:iam::111122223333:policy/team/AmazonS3FullAccess",
    ],
)
def test_narrow_or_customer_policies_pass(arn: str) -> None:
    assert (
        check(iam_no_broad_managed_policies, USER_ATTACHMENT, {"policyArn": arn}).violations == []
    )


def test_service_role_path_and_custom_deny_list() -> None:
    arn = "arn:aws:iam::aws:policy/service-role/AmazonRekognitionServiceRole"
    props = {"policyArn": arn}
    assert check(iam_no_broad_managed_policies, ROLE_ATTACHMENT, props).violations == []
    config = {"deniedManagedPolicies": ["amazonrekognitionservicerole"]}
    message = check(iam_no_broad_managed_policies, ROLE_ATTACHMENT, props, config=config).only()
    assert "the AWS managed policy AmazonRekognitionServiceRole" in message


def test_allowed_managed_policies_are_exceptions_and_make_an_allow_list() -> None:
    props = {"policyArn": "arn:aws:iam::aws:policy/AmazonEC2FullAccess"}
    config = {"allowedManagedPolicies": ["AmazonEC2FullAccess"]}
    assert (
        check(iam_no_broad_managed_policies, ROLE_ATTACHMENT, props, config=config).violations == []
    )
    allow_list = {
        "deniedManagedPolicies": ["*"],
        "allowedManagedPolicies": ["AWSLambdaBasicExecutionRole"],
    }
    lambda_basic = {"policyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}
    narrow = {"policyArn": "arn:aws:iam::aws:policy/AmazonRekognitionReadOnlyAccess"}
    assert (
        check(
            iam_no_broad_managed_policies, ROLE_ATTACHMENT, lambda_basic, config=allow_list
        ).violations
        == []
    )
    message = check(
        iam_no_broad_managed_policies, ROLE_ATTACHMENT, narrow, config=allow_list
    ).only()
    assert '(matches "*" in iam-no-broad-managed-policies.deniedManagedPolicies)' in message


def test_unknown_arns_are_never_flagged() -> None:
    outcome = check(iam_no_broad_managed_policies, ROLE_ATTACHMENT, {"policyArn": UNKNOWN_STR})
    assert outcome.violations == []
    assert outcome.not_applicable == "policyArn is unknown during preview; checked once known"
    outcome = check(iam_no_broad_managed_policies, ROLE, {"managedPolicyArns": UNKNOWN_OBJ})
    assert outcome.not_applicable is not None
    props = {"managedPolicyArns": [UNKNOWN_STR, ADMIN]}
    message = check(iam_no_broad_managed_policies, ROLE, props).only()
    assert message.startswith(f"{ROLE} 'res': `managedPolicyArns[1]` is \"{ADMIN}\"")


def test_role_without_managed_policies_is_compliant() -> None:
    outcome = check(iam_no_broad_managed_policies, ROLE, {"assumeRolePolicy": "{}"})
    assert outcome.violations == []
