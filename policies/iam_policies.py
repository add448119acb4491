"""IAM least privilege: no wildcard actions, no ``Resource: "*"`` (or an ARN pattern as broad)
for Rekognition/S3/KMS, no over-broad AWS managed policies attached.

Covers the documents of ``aws.iam.Policy``, ``RolePolicy``, ``UserPolicy``, ``GroupPolicy``
(``policy``) and ``aws.iam.Role`` (``inlinePolicies[].policy``), given as JSON strings or
objects. Only ``Allow`` statements grant anything, so ``Deny`` statements are not checked
(a ``Deny s3:*`` without TLS is exactly what a bucket policy should say).

The Rekognition media-analysis actions (Start/Get MediaAnalysisJob, ListMediaAnalysisJobs)
support no resource-level permissions: IAM only accepts them with ``Resource: "*"``, so they
are exempt from ``iam-no-wildcard-resources`` (setting ``wildcardResourceActions``).

``iam-no-broad-managed-policies`` reads the managed policy ARNs of the attachment resources
and ``Role.managedPolicyArns``: the pack can't see an AWS managed policy's document, so it
goes by name (a deny-list, see policies/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity

from rekognition_media.api import shapes

from ._controls import IAM_1, IAM_21, KMS_1, KMS_2
from ._documents import (
    BroadResource,
    Document,
    DocumentError,
    Statement,
    broad_resource,
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
    MANAGED_POLICY_ARN_PROPS,
)

IAM_TYPES: Final = (IAM_POLICY, IAM_ROLE_POLICY, IAM_USER_POLICY, IAM_GROUP_POLICY, IAM_ROLE)

MEDIA_ANALYSIS_ACTIONS: Final = shapes.MEDIA_ANALYSIS_ACTIONS
"""The IAM actions of the media-analysis API (StartMediaAnalysisJob, GetMediaAnalysisJob,
ListMediaAnalysisJobs under the service prefix)."""


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
    controls=(
        IAM_1,
        IAM_21,
    ),
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


ALLOWED_RESOURCE_PATTERNS: Final = Setting(
    "allowedResourcePatterns",
    {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "Resource ARN patterns with a wildcard in the name accepted as written "
        '(exact strings), e.g. "arn:aws:s3:::team-media-*/*". Keep it short.',
    },
)


def _in_scope(action: str, services: list[str]) -> bool:
    service = service_of(action)
    return any(matches(service, s) for s in services)


def _reaches(action: str, broad: BroadResource) -> bool:
    """Can ``action`` act on what ``broad`` covers (the same service, either a pattern)?"""
    service = service_of(action)
    return matches(broad.service, service) or matches(service, broad.service)


_RESOURCE_FIX = (
    "set Resource to the bucket/object ARNs (arn:aws:s3:::<bucket>/*) or the key "
    'ARN; keep the media analysis actions alone in a statement with Resource "*"'
)

_BROAD_RESOURCE_FIX = f"{_RESOURCE_FIX}, or list the exact pattern in allowedResourcePatterns"


@resource_policy(
    name="iam-no-wildcard-resources",
    description='IAM policies must not allow Rekognition, S3 or KMS actions on Resource "*" '
    "or on an ARN pattern as broad (arn:aws:s3:::*, arn:aws:kms:*:*:key/*, arn:*).",
    types=IAM_TYPES,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    controls=(
        KMS_1,
        KMS_2,
    ),
    settings=(SERVICES, WILDCARD_RESOURCE_ACTIONS, ALLOWED_RESOURCE_PATTERNS),
    remediation_steps="Scope Resource to the bucket/object/key ARNs; only the media analysis "
    'actions (no resource-level permissions) keep Resource "*", in a statement of their own.',
)
def iam_no_wildcard_resources(ctx: ResourceContext, report: Report) -> None:
    """Allow statements with in-scope actions on ``Resource: "*"``, on an ARN with a wildcard
    where the bucket, key or resource name goes, or with NotResource."""
    services = [s.lower() for s in ctx.config[SERVICES.name]]
    exempt_actions = ctx.config[WILDCARD_RESOURCE_ACTIONS.name]
    exempt = {a.lower() for a in exempt_actions}
    allowed_patterns = set(ctx.config[ALLOWED_RESOURCE_PATTERNS.name])
    scope = (
        f"{'/'.join(services)} actions; only {', '.join(exempt_actions) or 'none'} "
        "are exempt because they support no resource-level permissions"
    )
    for path, doc in _checked_documents(ctx, report, report_errors=False):
        for st in _allow_statements(doc):
            where = f"{path} {st.label}"
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
            resources = st.values("Resource")
            not_resource = st.field("NotResource")
            if not_resource is not None or (resources is not UNKNOWN and "*" in resources):
                element = "NotResource" if not_resource is not None else "Resource"
                report(
                    violation(
                        ctx.label,
                        f"{where}.{element}",
                        st.field(element),
                        f"{', '.join(show(a) for a in offending)} must name the resources they "
                        f"act on ({scope})",
                        _RESOURCE_FIX,
                    )
                )
                continue
            if not isinstance(resources, list):
                continue  # unknown during preview
            broad = [
                b
                for r in resources
                if isinstance(r, str)
                and r not in allowed_patterns
                and (b := broad_resource(r)) is not None
            ]
            reached = [(b, [a for a in offending if _reaches(a, b)]) for b in broad]
            reached = [(b, acts) for b, acts in reached if acts]
            if reached:
                named = list(dict.fromkeys(a for _, acts in reached for a in acts))
                patterns = "; ".join(f"{show(b.pattern)} has {b.why}" for b, _ in reached)
                report(
                    violation(
                        ctx.label,
                        f"{where}.Resource",
                        st.field("Resource"),
                        f"{', '.join(show(a) for a in named)} must name the resources they act "
                        f'on, but {patterns}, as broad as "*" ({scope})',
                        _BROAD_RESOURCE_FIX,
                    )
                )


# --- iam-no-broad-managed-policies -------------------------------------------------------------

AWS_MANAGED_POLICY_ARN: Final = re.compile(r"^arn:aws[a-z0-9-]*:iam::aws:policy/(?:.+/)?([^/]+)$")
"""An AWS managed policy in any partition, at any path (``service-role/``, ``job-function/``)."""

DENIED_MANAGED_POLICIES: Final = Setting(
    "deniedManagedPolicies",
    {
        "type": "array",
        "items": {"type": "string"},
        "default": [
            "AdministratorAccess",
            "AdministratorAccess-*",
            "PowerUserAccess",
            "ReadOnlyAccess",
            "IAMFullAccess",
            "AmazonS3FullAccess",
            "AmazonS3ReadOnlyAccess",
            "AWSKeyManagementServicePowerUser",
            "AmazonRekognitionFullAccess",
            "*FullAccess",
        ],
        "description": "Names of AWS managed policies that must not be attached (IAM-style "
        '"*" patterns, case-insensitive, matched at any path and in any partition). '
        '"*FullAccess" policies grant <service>:* on every resource.',
    },
)
ALLOWED_MANAGED_POLICIES: Final = Setting(
    "allowedManagedPolicies",
    {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "Exceptions to deniedManagedPolicies (same matching). With "
        'deniedManagedPolicies ["*"] this turns the check into an allow-list.',
    },
)


def _first_match(patterns: list[str], name: str) -> str | None:
    return next((p for p in patterns if matches(p, name)), None)


@resource_policy(
    name="iam-no-broad-managed-policies",
    description="IAM roles, users and groups must not get over-broad AWS managed policies "
    "(AdministratorAccess, PowerUserAccess, *FullAccess, ...).",
    types=tuple(MANAGED_POLICY_ARN_PROPS),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    settings=(DENIED_MANAGED_POLICIES, ALLOWED_MANAGED_POLICIES),
    remediation_steps="Attach a customer-managed policy listing the exact actions and "
    "resources (e.g. the MediaAnalysisAccess component's policy) instead.",
)
def iam_no_broad_managed_policies(ctx: ResourceContext, report: Report) -> None:
    """Managed policy ARNs attached by ``*PolicyAttachment(s)(Exclusive)`` and
    ``Role.managedPolicyArns``, matched by name against the deny-list."""
    denied = ctx.config[DENIED_MANAGED_POLICIES.name]
    allowed = ctx.config[ALLOWED_MANAGED_POLICIES.name]
    prop = MANAGED_POLICY_ARN_PROPS[ctx.type]
    value = ctx.props.get(prop)
    if value is UNKNOWN:
        ctx.not_applicable(f"{prop} is unknown during preview; checked once known")
    many = isinstance(value, list)
    for index, arn in enumerate(as_list(value)):
        if not isinstance(arn, str):
            continue  # unknown until the policy exists: a new policy is not AWS managed
        found = AWS_MANAGED_POLICY_ARN.match(arn)
        if found is None:
            continue
        name = found.group(1)
        pattern = _first_match(denied, name)
        if pattern is None or _first_match(allowed, name) is not None:
            continue
        report(
            violation(
                ctx.label,
                path_text(prop, index) if many else prop,
                arn,
                f"the AWS managed policy {name} (matches {show(pattern)} in "
                "iam-no-broad-managed-policies.deniedManagedPolicies) grants far more than "
                "the workload needs, on every resource, and AWS may widen it at any time",
                "attach a customer-managed policy with the exact actions and resources (e.g. "
                "the MediaAnalysisAccess component's policy), or list the policy in "
                "allowedManagedPolicies",
            )
        )
