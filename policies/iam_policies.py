"""IAM least privilege: no wildcard actions, no ``Resource: "*"`` for Rekognition/S3/KMS.

Covers the documents of ``aws.iam.Policy``, ``RolePolicy``, ``UserPolicy``, ``GroupPolicy``
(``policy``) and ``aws.iam.Role`` (``inlinePolicies[].policy``), given as JSON strings or
objects. Only ``Allow`` statements grant anything, so ``Deny`` statements are not checked
(a ``Deny s3:*`` without TLS is exactly what a bucket policy should say).

The Rekognition media-analysis actions (Start/Get MediaAnalysisJob, ListMediaAnalysisJobs)
support no resource-level permissions: IAM only accepts them with ``Resource: "*"``, so they
are exempt from ``iam-no-wildcard-resources`` (setting ``wildcardResourceActions``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity

from ._documents import (
    Document,
    DocumentError,
    Statement,
    is_wildcard,
    matches,
    parse_document,
    service_of,
)
from ._framework import (
    UNKNOWN,
    Report,
    ResourceContext,
    Setting,
    Text,
    as_list,
    path_text,
    resource_policy,
    show,
    violation,
)
from ._model import (
    IAM_GROUP_POLICY,
    IAM_POLICY,
    IAM_ROLE,
    IAM_ROLE_POLICY,
    IAM_USER_POLICY,
)

IAM_TYPES: Final = (IAM_POLICY, IAM_ROLE_POLICY, IAM_USER_POLICY, IAM_GROUP_POLICY, IAM_ROLE)

MEDIA_ANALYSIS_ACTIONS: Final = (
    "rekognition:StartMediaAnalysisJob",
    "rekognition:GetMediaAnalysisJob",
    "rekognition:ListMediaAnalysisJobs",
)


def documents(
    ctx: ResourceContext,
) -> tuple[list[tuple[str, Document]], int, list[tuple[str, str]]]:
    """(property path, document) pairs to check, how many were unknown, and the paths of
    values that are not policy documents (with the reason)."""
    if ctx.type == IAM_ROLE:
        inline = ctx.props.get("inlinePolicies")
        if inline is UNKNOWN:
            return [], 1, []
        values = [
            (
                path_text("inlinePolicies", i, "policy"),
                entry.get("policy") if isinstance(entry, dict) else entry,
            )
            for i, entry in enumerate(as_list(inline))
        ]
    else:
        values = [("policy", ctx.props.get("policy"))]
    docs: list[tuple[str, Document]] = []
    errors: list[tuple[str, str]] = []
    unknown = 0
    for path, value in values:
        try:
            doc = parse_document(value)
        except DocumentError as exc:
            errors.append((path, str(exc)))
            continue
        if doc is UNKNOWN:
            unknown += 1
        elif isinstance(doc, Document):
            docs.append((path, doc))
    return docs, unknown, errors


def _checked_documents(
    ctx: ResourceContext, report: Report, *, report_errors: bool
) -> list[tuple[str, Document]]:
    """The documents to check; invalid ones are reported once (by iam-no-wildcard-actions)."""
    docs, unknown, errors = documents(ctx)
    for path, reason in errors if report_errors else ():
        report(
            violation(
                ctx.label,
                path,
                Text(f"not a policy document ({reason})"),
                "least privilege can't be verified",
                "pass a valid IAM policy JSON document",
            )
        )
    if not docs and not errors and unknown:
        ctx.not_applicable("the policy document is unknown during preview; checked once known")
    return docs


def _allow_statements(doc: Document) -> Iterator[Statement]:
    return (st for st in doc.statements if st.allows)


ALLOWED_ACTION_PATTERNS: Final = Setting(
    "allowedActionPatterns",
    {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "Wildcard action patterns accepted as written (case-insensitive), "
        'e.g. "logs:CreateLog*". Keep it short.',
    },
)


@resource_policy(
    name="iam-no-wildcard-actions",
    description="IAM policies must not allow wildcard actions or use NotAction.",
    types=IAM_TYPES,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    settings=(ALLOWED_ACTION_PATTERNS,),
    remediation_steps="List the exact actions the workload calls (e.g. s3:GetObject) instead "
    "of patterns such as *, s3:* or s3:Get*.",
)
def iam_no_wildcard_actions(ctx: ResourceContext, report: Report) -> None:
    """``*``, ``s3:*``, ``kms:*``, ``rekognition:*``, ``s3:Get*``... and NotAction in Allows."""
    allowed = {p.lower() for p in ctx.config[ALLOWED_ACTION_PATTERNS.name]}
    for path, doc in _checked_documents(ctx, report, report_errors=True):
        for st in _allow_statements(doc):
            where = f"{path} {st.label}"
            if st.field("NotAction") is not None:
                report(
                    violation(
                        ctx.label,
                        f"{where}.NotAction",
                        st.field("NotAction"),
                        "an Allow with NotAction grants every action except the listed ones",
                        "use Action with the exact actions needed",
                    )
                )
            actions = st.values("Action")
            if actions is UNKNOWN:
                continue
            wild = [
                a
                for a in actions
                if isinstance(a, str) and is_wildcard(a) and a.lower() not in allowed
            ]
            if wild:
                report(
                    violation(
                        ctx.label,
                        f"{where}.Action",
                        st.field("Action"),
                        f"wildcard action{'s' if len(wild) > 1 else ''} "
                        f"{', '.join(show(a) for a in wild)} "
                        f"grant{'' if len(wild) > 1 else 's'} more than the workload needs "
                        "(including actions AWS adds later)",
                        "list the exact actions instead (e.g. s3:GetObject, kms:Decrypt)",
                    )
                )


SERVICES: Final = Setting(
    "services",
    {
        "type": "array",
        "items": {"type": "string"},
        "default": ["rekognition", "s3", "kms"],
        "description": 'Service prefixes whose actions must not be allowed on Resource "*".',
    },
)
WILDCARD_RESOURCE_ACTIONS: Final = Setting(
    "wildcardResourceActions",
    {
        "type": "array",
        "items": {"type": "string"},
        "default": list(MEDIA_ANALYSIS_ACTIONS),
        "description": "Actions that support no resource-level permissions and so need "
        'Resource "*" (exact names, case-insensitive).',
    },
)


def _in_scope(action: str, services: list[str]) -> bool:
    service = service_of(action)
    return any(matches(service, s) for s in services)


@resource_policy(
    name="iam-no-wildcard-resources",
    description='IAM policies must not allow Rekognition, S3 or KMS actions on Resource "*".',
    types=IAM_TYPES,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    settings=(SERVICES, WILDCARD_RESOURCE_ACTIONS),
    remediation_steps="Scope Resource to the bucket/object/key ARNs; only the media analysis "
    'actions (no resource-level permissions) keep Resource "*", in a statement of their own.',
)
def iam_no_wildcard_resources(ctx: ResourceContext, report: Report) -> None:
    """Allow statements with ``Resource: "*"`` (or NotResource) and in-scope actions."""
    services = [s.lower() for s in ctx.config[SERVICES.name]]
    exempt_actions = ctx.config[WILDCARD_RESOURCE_ACTIONS.name]
    exempt = {a.lower() for a in exempt_actions}
    for path, doc in _checked_documents(ctx, report, report_errors=False):
        for st in _allow_statements(doc):
            where = f"{path} {st.label}"
            resources = st.values("Resource")
            not_resource = st.field("NotResource")
            if not_resource is not None:
                element, found = "NotResource", not_resource
            elif resources is not UNKNOWN and "*" in resources:
                element, found = "Resource", st.field("Resource")
            else:
                continue
            actions: Any = ["*"] if st.field("NotAction") is not None else st.values("Action")
            if actions is UNKNOWN:
                continue
            offending = [
                a
                for a in actions
                if isinstance(a, str) and _in_scope(a, services) and a.lower() not in exempt
            ]
            if not offending:
                continue
            report(
                violation(
                    ctx.label,
                    f"{where}.{element}",
                    found,
                    f"{', '.join(show(a) for a in offending)} must name the resources they act "
                    f"on ({'/'.join(services)} actions; only {', '.join(exempt_actions) or 'none'} "
                    "are exempt because they support no resource-level permissions)",
                    "set Resource to the bucket/object ARNs (arn:aws:s3:::<bucket>/*) or the key "
                    'ARN; keep the media analysis actions alone in a statement with Resource "*"',
                )
            )
