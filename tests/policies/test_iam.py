"""iam-no-wildcard-actions and iam-no-wildcard-resources on every IAM resource shape."""

from __future__ import annotations

import json
from typing import Any

import pytest

from devtools.policy_harness import UNKNOWN_OBJ, UNKNOWN_STR, check, doc
from rekognition_media.policies import iam_no_wildcard_actions, iam_no_wildcard_resources

POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
USER_POLICY = "aws:iam/userPolicy:UserPolicy"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
ROLE = "aws:iam/role:Role"

READ_INPUT = {
    "Sid": "ReadInput",
    "Effect": "Allow",
    "Action": ["s3:GetObject", "s3:GetObjectVersion"],
    "Resource": "arn:aws:s3:::media-in/*",
}
MEDIA_ANALYSIS = {
    "Effect": "Allow",
    "Action": [
        "rekognition:StartMediaAnalysisJob",
        "rekognition:GetMediaAnalysisJob",
        "rekognition:ListMediaAnalysisJobs",
    ],
    "Resource": "*",
}
ASSUME = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "rekognition.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def shape(resource_type: str, document: Any) -> tuple[dict[str, Any], str]:
    """Props for each IAM resource shape carrying ``document``, and the property path."""
    if resource_type == ROLE:
        props = {
            "assumeRolePolicy": ASSUME,
            "inlinePolicies": [
                {"name": "base", "policy": doc(READ_INPUT)},
                {"name": "x", "policy": document},
            ],
        }
        return props, "inlinePolicies[1].policy"
    props = {"policy": document}
    if resource_type == ROLE_POLICY:
        props["role"] = "media-role"
    return props, "policy"


ALL_SHAPES = [POLICY, ROLE_POLICY, USER_POLICY, GROUP_POLICY, ROLE]


@pytest.mark.parametrize("resource_type", ALL_SHAPES)
@pytest.mark.parametrize("as_json", [True, False], ids=["json", "object"])
def test_least_privilege_document_is_compliant(resource_type: str, as_json: bool) -> None:
    props, _ = shape(resource_type, doc(READ_INPUT, MEDIA_ANALYSIS, as_json=as_json))
    for policy in (iam_no_wildcard_actions, iam_no_wildcard_resources):
        outcome = check(policy, resource_type, props)
        assert outcome.violations == [], policy.name
        assert outcome.not_applicable is None


@pytest.mark.parametrize("resource_type", ALL_SHAPES)
def test_wildcard_action_in_every_shape(resource_type: str) -> None:
    statement = {**READ_INPUT, "Action": ["s3:Get*", "kms:Decrypt"]}
    props, path = shape(resource_type, doc(statement))
    message = check(iam_no_wildcard_actions, resource_type, props, name="media").only()
    assert message == (
        f"{resource_type} 'media': `{path} Statement[0] (Sid \"ReadInput\").Action` is "
        '["s3:Get*","kms:Decrypt"] - wildcard action "s3:Get*" grants more than the workload '
        "needs (including actions AWS adds later). Fix: list the exact actions instead (e.g. "
        "s3:GetObject, kms:Decrypt)"
    )


@pytest.mark.parametrize(
    "action", ["*", "s3:*", "kms:*", "rekognition:*", "s3:?etObject", "S3:GET*"]
)
def test_wildcard_action_forms(action: str) -> None:
    statement = {"Effect": "Allow", "Action": action, "Resource": "arn:aws:s3:::b/*"}
    message = check(iam_no_wildcard_actions, POLICY, {"policy": doc(statement)}).only()
    assert f'wildcard action "{action}"' in message


def test_single_statement_object_and_string_action() -> None:
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": KEY},
        }
    )
    assert (
        '`policy Statement[0].Action` is "kms:*"'
        in check(iam_no_wildcard_actions, POLICY, {"policy": document}).only()
    )


KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_not_action_is_a_wildcard() -> None:
    statement = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::b/*"}
    message = check(iam_no_wildcard_actions, ROLE_POLICY, {"policy": doc(statement)}).only()
    assert (
        '`policy Statement[0].NotAction` is "iam:*" - an Allow with NotAction grants every action'
        in message
    )


def test_deny_statements_may_use_wildcards() -> None:
    deny = {
        "Effect": "Deny",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    for policy in (iam_no_wildcard_actions, iam_no_wildcard_resources):
        assert check(policy, POLICY, {"policy": doc(READ_INPUT, deny)}).violations == []


def test_allowed_action_patterns_config() -> None:
    statement = {"Effect": "Allow", "Action": "logs:CreateLog*", "Resource": "arn:aws:logs:*:*:*"}
    props = {"policy": doc(statement)}
    assert check(iam_no_wildcard_actions, POLICY, props).violations
    config = {"allowedActionPatterns": ["logs:createlog*"]}
    assert check(iam_no_wildcard_actions, POLICY, props, config=config).violations == []


@pytest.mark.parametrize("resource_type", ALL_SHAPES)
def test_wildcard_resource_in_every_shape(resource_type: str) -> None:
    statement = {**READ_INPUT, "Action": ["s3:GetObject", "sts:GetCallerIdentity"], "Resource": "*"}
    props, path = shape(resource_type, doc(statement))
    message = check(iam_no_wildcard_resources, resource_type, props, name="media").only()
    assert message.startswith(
        f'{resource_type} \'media\': `{path} Statement[0] (Sid "ReadInput").Resource` is "*" - '
        '"s3:GetObject" must name the resources they act on (rekognition/s3/kms actions; only '
        "rekognition:StartMediaAnalysisJob, rekognition:GetMediaAnalysisJob, "
        "rekognition:ListMediaAnalysisJobs are exempt because they support no resource-level "
        "permissions). Fix: set Resource to the bucket/object ARNs"
    )


def test_media_analysis_actions_need_the_wildcard_and_are_exempt() -> None:
    props = {"policy": doc(MEDIA_ANALYSIS)}
    assert check(iam_no_wildcard_resources, POLICY, props).violations == []
    mixed = {**MEDIA_ANALYSIS, "Action": [*MEDIA_ANALYSIS["Action"], "kms:Decrypt"]}
    message = check(iam_no_wildcard_resources, POLICY, {"policy": doc(mixed)}).only()
    assert '- "kms:Decrypt" must name the resources' in message
    no_exemption = {"wildcardResourceActions": []}
    message = check(iam_no_wildcard_resources, POLICY, props, config=no_exemption).only()
    assert '"rekognition:StartMediaAnalysisJob", "rekognition:GetMediaAnalysisJob"' in message
    assert "only none are exempt" in message


def test_wildcard_patterns_are_never_exempt() -> None:
    statement = {"Effect": "Allow", "Action": "rekognition:*MediaAnalysisJob", "Resource": "*"}
    message = check(iam_no_wildcard_resources, POLICY, {"policy": doc(statement)}).only()
    assert '"rekognition:*MediaAnalysisJob" must name the resources' in message


def test_services_config_scopes_the_check() -> None:
    statement = {"Effect": "Allow", "Action": ["kms:Decrypt", "s3:GetObject"], "Resource": ["*"]}
    props = {"policy": doc(statement)}
    message = check(iam_no_wildcard_resources, POLICY, props, config={"services": ["s3"]}).only()
    assert '"s3:GetObject" must name' in message
    assert "kms:Decrypt" not in message.split(" must name")[0]


def test_other_services_and_all_actions() -> None:
    other = {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}
    assert check(iam_no_wildcard_resources, POLICY, {"policy": doc(other)}).violations == []
    star = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    assert (
        '"*" must name the resources'
        in check(iam_no_wildcard_resources, POLICY, {"policy": doc(star)}).only()
    )


def test_not_resource_and_not_action() -> None:
    not_resource = {
        "Effect": "Allow",
        "Action": "s3:PutObject",
        "NotResource": "arn:aws:s3:::secret/*",
    }
    message = check(iam_no_wildcard_resources, USER_POLICY, {"policy": doc(not_resource)}).only()
    assert '`policy Statement[0].NotResource` is "arn:aws:s3:::secret/*"' in message
    not_action = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    message = check(iam_no_wildcard_resources, USER_POLICY, {"policy": doc(not_action)}).only()
    assert '"*" must name the resources' in message


def test_unknown_documents_are_not_applicable() -> None:
    for policy in (iam_no_wildcard_actions, iam_no_wildcard_resources):
        outcome = check(policy, POLICY, {"policy": UNKNOWN_STR})
        assert outcome.violations == []
        assert (
            outcome.not_applicable
            == "the policy document is unknown during preview; checked once known"
        )
        outcome = check(policy, ROLE, {"inlinePolicies": UNKNOWN_OBJ})
        assert outcome.not_applicable is not None


def test_known_inline_policies_are_checked_when_others_are_unknown() -> None:
    props = {
        "inlinePolicies": [
            {"name": "a", "policy": UNKNOWN_STR},
            {"name": "b", "policy": doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})},
        ]
    }
    assert (
        "`inlinePolicies[1].policy Statement[0].Action`"
        in check(iam_no_wildcard_actions, ROLE, props).only()
    )
    assert (
        "`inlinePolicies[1].policy Statement[0].Resource`"
        in check(iam_no_wildcard_resources, ROLE, props).only()
    )


def test_unknown_parts_of_an_object_document_are_skipped() -> None:
    statement = {"Effect": "Allow", "Action": UNKNOWN_STR, "Resource": "*"}
    for policy in (iam_no_wildcard_actions, iam_no_wildcard_resources):
        assert check(policy, POLICY, {"policy": doc(statement, as_json=False)}).violations == []


def test_invalid_document_is_reported_once() -> None:
    message = check(iam_no_wildcard_actions, POLICY, {"policy": "{"}).only()
    assert message.startswith(
        "aws:iam/policy:Policy 'res': `policy` is not a policy document (not valid JSON"
    )
    assert check(iam_no_wildcard_resources, POLICY, {"policy": "{"}).violations == []


# --- iam-no-wildcard-resources: ARN patterns as broad as "*" ----------------------------------


@pytest.mark.parametrize(
    ("action", "resource", "why"),
    [
        ("s3:GetObject", "arn:aws:s3:::*", "a wildcard in the bucket name"),
        ("s3:GetObject", "arn:aws:s3:::*/*", "a wildcard in the bucket name"),
        ("s3:PutObject", "arn:aws:s3:::media-*/*", "a wildcard in the bucket name"),
        ("s3:ListBucket", "arn:aws-cn:s3:::*", "a wildcard in the bucket name"),
        ("kms:Decrypt", "arn:aws:kms:*:*:key/*", "a wildcard in the resource type or name"),
        (
            "kms:Decrypt",
            "arn:aws:kms:us-east-1:111122223333:*",
            "a wildcard in the resource type or name",
        ),
        (
            "rekognition:DetectLabels",
            "arn:aws:rekognition:us-east-1:111122223333:project/*",
            "a wildcard in the resource type or name",
        ),
        ("s3:GetObject", "arn:*", "a wildcard instead of an ARN"),
        ("kms:Decrypt", "arn:aws:*:*:*:*", "a wildcard in the service"),
        ("*", "arn:aws:s3:::*", "a wildcard in the bucket name"),
    ],
)
def test_wildcard_arn_is_as_broad_as_star(action: str, resource: str, why: str) -> None:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    message = check(iam_no_wildcard_resources, POLICY, {"policy": doc(statement)}).only()
    assert f'`policy Statement[0].Resource` is "{resource}" - "{action}" must name' in message
    assert f'but "{resource}" has {why}, as broad as "*"' in message


def test_wildcard_arn_message_in_full() -> None:
    statement = {
        **READ_INPUT,
        "Resource": ["arn:aws:s3:::media-in/*", "arn:aws:s3:::*/*"],
    }
    props, path = shape(ROLE, doc(statement))
    message = check(iam_no_wildcard_resources, ROLE, props, name="media").only()
    assert message == (
        f"{ROLE} 'media': `{path} Statement[0] (Sid \"ReadInput\").Resource` is "
        '["arn:aws:s3:::media-in/*","arn:aws:s3:::*/*"] - "s3:GetObject", "s3:GetObjectVersion" '
        'must name the resources they act on, but "arn:aws:s3:::*/*" has a wildcard in the '
        'bucket name, as broad as "*" (rekognition/s3/kms actions; only '
        "rekognition:StartMediaAnalysisJob, rekognition:GetMediaAnalysisJob, "
        "rekognition:ListMediaAnalysisJobs are exempt because they support no resource-level "
        "permissions). Fix: set Resource to the bucket/object ARNs (arn:aws:s3:::<bucket>/*) or "
        'the key ARN; keep the media analysis actions alone in a statement with Resource "*", '
        "or list the exact pattern in allowedResourcePatterns"
    )


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("s3:GetObject", "arn:aws:s3:::media-in/*"),
        ("s3:PutObject", "arn:aws:s3:::media-out/results/*"),
        ("s3:GetObject", "arn:aws:s3:::media-in/${aws:username}/*"),
        ("s3:GetObject", "arn:*:s3:::media-in/*"),
        ("s3:ListBucket", "arn:aws:s3:::media-in"),
        ("kms:Decrypt", KEY),
        ("kms:Decrypt", "arn:aws:kms:*:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
        ("rekognition:DetectLabels", "arn:aws:rekognition:*:111122223333:project/media/*"),
        # A wildcard ARN of one service grants nothing to actions of another.
        ("kms:Decrypt", "arn:aws:s3:::*"),
        # Services outside the `services` setting are not this policy's business.
        ("sqs:SendMessage", "arn:*"),
    ],
)
def test_named_resources_are_compliant(action: str, resource: str) -> None:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    assert check(iam_no_wildcard_resources, POLICY, {"policy": doc(statement)}).violations == []


def test_media_analysis_actions_are_exempt_from_wildcard_arns_too() -> None:
    statement = {**MEDIA_ANALYSIS, "Resource": "arn:aws:rekognition:*:*:*"}
    assert check(iam_no_wildcard_resources, POLICY, {"policy": doc(statement)}).violations == []


def test_allowed_resource_patterns_config() -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::team-*/*"}
    props = {"policy": doc(statement)}
    assert check(iam_no_wildcard_resources, POLICY, props).violations
    config = {"allowedResourcePatterns": ["arn:aws:s3:::team-*/*"]}
    assert check(iam_no_wildcard_resources, POLICY, props, config=config).violations == []


def test_unknown_resource_is_skipped() -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": UNKNOWN_STR}
    document = doc(statement, as_json=False)
    assert check(iam_no_wildcard_resources, POLICY, {"policy": document}).violations == []
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": [UNKNOWN_STR]}
    document = doc(statement, as_json=False)
    assert check(iam_no_wildcard_resources, POLICY, {"policy": document}).violations == []
