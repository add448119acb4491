"""S3 ACLs: no canned ACL or grant that opens a bucket or an object to everyone, and ACLs
switched off (Object Ownership ``BucketOwnerEnforced``).

ACLs are read wherever pulumi-aws lets a program set them: the bucket's own ``acl`` and
``grants`` (``Bucket``, deprecated ``BucketV2``), the bucket ACL resources (``BucketAcl``,
deprecated ``BucketAclV2``: ``acl``, ``accessControlPolicy.grants``) and the objects a
stack writes (``BucketObject``, ``BucketObjectv2``, ``ObjectCopy``: ``acl``, ObjectCopy's
``grants``). Public means what S3 Block Public Access calls public: the canned ACLs
``public-read``, ``public-read-write`` and ``authenticated-read``, and any grant to the
``AllUsers`` or ``AuthenticatedUsers`` group ("authenticated" is any AWS account, not
yours).

Neither policy remediates: making a published bucket private, or switching ACLs off while
ACL resources still rely on them, changes who can read data or fails the deployment.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity

from ._controls import S3_2, S3_3, S3_12
from ._framework import (
    UNKNOWN,
    Report,
    ResourceContext,
    as_list,
    get,
    path_text,
    resource_policy,
    violation,
)
from ._model import (
    BUCKET_ACL_TYPES,
    BUCKET_OWNERSHIP_CONTROLS,
    BUCKET_TYPES,
    OBJECT_TYPES,
)

PUBLIC_CANNED_ACLS: Final = {
    "public-read": "everyone, anonymous requests included, can read",
    "public-read-write": "everyone, anonymous requests included, can read and write",
    "authenticated-read": "every AWS account (not just yours) can read",
}
PUBLIC_GROUPS: Final = {
    "allusers": "everyone, anonymous requests included (AllUsers)",
    "authenticatedusers": "every AWS account, not just yours (AuthenticatedUsers)",
}
"""The last path segment of the grantee group URIs that S3 calls public
(``http://acs.amazonaws.com/groups/global/AllUsers``, ``.../AuthenticatedUsers``)."""

Path = tuple[str | int, ...]


def _public_group(uri: Any) -> str | None:
    if not isinstance(uri, str) or "/groups/global/" not in uri.lower():
        return None
    return PUBLIC_GROUPS.get(uri.rstrip("/").rsplit("/", 1)[-1].lower())


def _grants(ctx: ResourceContext) -> Iterator[tuple[Path, Any, Any]]:
    """(path of the grant's uri, uri, permissions) of every grant the resource writes."""
    if ctx.type in BUCKET_ACL_TYPES:
        policy = ctx.props.get("accessControlPolicy")
        many = isinstance(policy, list)
        for i, entry in enumerate(as_list(policy)):
            base: Path = ("accessControlPolicy", i) if many else ("accessControlPolicy",)
            for j, grant in enumerate(as_list(get(entry, "grants"))):
                yield (
                    (*base, "grants", j, "grantee", "uri"),
                    get(grant, "grantee", "uri"),
                    get(grant, "permission"),
                )
        return
    for i, grant in enumerate(as_list(ctx.props.get("grants"))):
        yield ("grants", i, "uri"), get(grant, "uri"), get(grant, "permissions")


def _what(ctx: ResourceContext) -> str:
    return "the object" if ctx.type in OBJECT_TYPES else "the bucket"


def _acl_fix(ctx: ResourceContext) -> str:
    if ctx.type in BUCKET_ACL_TYPES:
        return (
            'remove the BucketAcl (or set acl "private") and grant access through a bucket '
            "policy to named principals; with BucketOwnershipControls objectOwnership "
            "BucketOwnerEnforced ACLs are off altogether"
        )
    return (
        'remove acl (or set it to "private") and grant access through a bucket policy to '
        "named principals"
    )


@resource_policy(
    name="s3-acl-no-public-access",
    description="S3 buckets and objects must not be opened by a canned ACL (public-read, "
    "public-read-write, authenticated-read) or a grant to AllUsers/AuthenticatedUsers.",
    types=(*BUCKET_TYPES, *BUCKET_ACL_TYPES, *OBJECT_TYPES),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    controls=(
        S3_2,
        S3_3,
    ),
    remediation_steps='Use acl "private" (or none) and grant access through a bucket policy '
    "to named principals; turn ACLs off with BucketOwnershipControls BucketOwnerEnforced.",
)
def s3_acl_no_public_access(ctx: ResourceContext, report: Report) -> None:
    """Public canned ACLs and grants to the public groups, on buckets, ACL resources and
    objects (values unknown during preview are skipped)."""
    acl = ctx.props.get("acl")
    if isinstance(acl, str) and acl.lower() in PUBLIC_CANNED_ACLS:
        report(
            violation(
                ctx.label,
                "acl",
                acl,
                f"with this canned ACL {PUBLIC_CANNED_ACLS[acl.lower()]} {_what(ctx)}",
                _acl_fix(ctx),
            )
        )
    for path, uri, permissions in _grants(ctx):
        group = _public_group(uri)
        if group is None:
            continue
        shown = ", ".join(p for p in as_list(permissions) if isinstance(p, str)) or "?"
        report(
            violation(
                ctx.label,
                path_text(*path),
                uri,
                f"the grant ({shown}) opens {_what(ctx)} to {group}",
                "remove the grant and give access through a bucket policy to named principals",
            )
        )


ENFORCED: Final = "BucketOwnerEnforced"


@resource_policy(
    name="s3-bucket-ownership-enforced",
    description="S3 Object Ownership should be BucketOwnerEnforced, which turns ACLs off.",
    types=(BUCKET_OWNERSHIP_CONTROLS,),
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    controls=(S3_12,),
    remediation_steps="Set rule.object_ownership to BucketOwnerEnforced once nothing relies "
    "on ACLs (remove BucketAcl resources and acl arguments first).",
)
def s3_bucket_ownership_enforced(ctx: ResourceContext, report: Report) -> None:
    """BucketOwnershipControls with ObjectWriter or BucketOwnerPreferred keep ACLs in force.
    (A bucket without the resource has BucketOwnerEnforced, S3's default since April 2023.)"""
    value = get(ctx.props, "rule", "objectOwnership")
    if value is UNKNOWN:
        ctx.not_applicable("rule.objectOwnership is unknown during preview; checked once known")
    if value != ENFORCED:
        report(
            violation(
                ctx.label,
                "rule.objectOwnership",
                value,
                "ACLs stay in force: any object ACL or bucket ACL can grant access that the "
                "bucket policy does not show, and objects written by other accounts stay theirs",
                f"set object_ownership={ENFORCED!r} once nothing relies on ACLs",
            )
        )
