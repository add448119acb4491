"""IAM role trust policies: a role that anyone, or any AWS account, can assume.

``aws.iam.Role.assumeRolePolicy`` is a resource policy like a bucket policy: an ``Allow`` to
``Principal "*"`` (``{"AWS": "*"}``, NotPrincipal) lets every AWS principal of every account
call ``sts:AssumeRole``, unless a condition limits it to fixed values. The analysis is
s3-bucket-policy-no-public-access's (see ``_documents.public_grants``), with
``sts:ExternalId`` added to the restricting condition keys: a fixed external id is how a
third party is let in.
"""

from __future__ import annotations

from typing import Final

from pulumi_policy import EnforcementLevel, Severity

from ._documents import (
    TRUST_RESTRICTING_KEYS,
    Document,
    DocumentError,
    Exposure,
    parse_document,
    public_access_violations,
)
from ._framework import UNKNOWN, Report, ResourceContext, Text, resource_policy, violation
from ._model import IAM_ROLE

TRUST_POLICY_EXPOSURE: Final = Exposure(
    keys=TRUST_RESTRICTING_KEYS,
    consequence="lets any AWS account assume the role and act with its permissions",
    restrictions="principal, account, organization, source, network or external id",
    fix='name the principals (Principal {"AWS": "arn:aws:iam::<account>:root"}, '
    '{"Service": "<service>.amazonaws.com"}) or add a condition with a fixed value, e.g. '
    '{"StringEquals": {"sts:ExternalId": "<id>"}} or {"StringEquals": '
    '{"aws:PrincipalOrgID": "o-..."}}',
)


@resource_policy(
    name="iam-role-trust-policy-no-public-access",
    description="IAM role trust policies must not let everyone assume the role unless a "
    "condition limits it to fixed principals, accounts, organizations or an external id.",
    types=(IAM_ROLE,),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation_steps="Name the principals that assume the role, or restrict the Allow with a "
    "fixed sts:ExternalId, aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, "
    "aws:SourceArn or aws:SourceAccount.",
)
def iam_role_trust_policy_no_public_access(ctx: ResourceContext, report: Report) -> None:
    """Allow statements of ``assumeRolePolicy`` to everyone without a restricting condition."""
    value = ctx.props.get("assumeRolePolicy")
    if value is UNKNOWN:
        ctx.not_applicable("assumeRolePolicy is unknown during preview; checked once known")
    try:
        document = parse_document(value)
    except DocumentError as exc:
        report(
            violation(
                ctx.label,
                "assumeRolePolicy",
                Text(f"not a policy document ({exc})"),
                "who may assume the role can't be verified (and IAM rejects it)",
                "pass a valid trust policy JSON document",
            )
        )
        return
    if isinstance(document, Document):
        for message in public_access_violations(
            ctx.label, "assumeRolePolicy", document, TRUST_POLICY_EXPOSURE
        ):
            report(message)
