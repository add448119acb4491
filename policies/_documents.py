"""IAM / S3 policy documents as users write them in Pulumi programs.

A document arrives as a JSON string (``json.dumps``, ``aws.iam.get_policy_document().json``)
or as an object (pulumi-aws ``PolicyDocumentArgs``); ``Statement`` is a list or one object;
``Action``/``NotAction``/``Resource``/``NotResource`` are a string or a list. Element names
are matched case-insensitively. Values unknown during preview stay :data:`UNKNOWN`.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from rekognition_media.api.arns import Arn, parse_arn

from ._framework import UNKNOWN, as_list, plain, show, violation

__all__ = ["Arn", "parse_arn"]  # re-exported for the policies (ARNs: api.arns)


@dataclass(frozen=True)
class Statement:
    index: int
    raw: Mapping[str, Any]

    def field(self, name: str) -> Any:
        """The element ``name`` (case-insensitive); None when absent."""
        return _field(self.raw, name)

    def values(self, name: str) -> list[Any] | Any:
        """``Action``/``Resource``/... as a list (UNKNOWN if the whole element is unknown)."""
        value = self.field(name)
        return UNKNOWN if value is UNKNOWN else as_list(value)

    @property
    def effect(self) -> Any:
        return self.field("Effect")

    @property
    def allows(self) -> bool:
        """Allow statements grant access; a missing Effect is treated as Allow (worst case)."""
        effect = self.effect
        return effect is None or (isinstance(effect, str) and effect.lower() == "allow")

    @property
    def label(self) -> str:
        sid = self.field("Sid")
        named = f" (Sid {show(sid)})" if isinstance(sid, str) and sid else ""
        return f"Statement[{self.index}]{named}"


@dataclass(frozen=True)
class Document:
    statements: tuple[Statement, ...]
    statements_unknown: bool = False


class DocumentError(ValueError):
    """The value is not a policy document (invalid JSON, not an object, ...)."""


def parse_document(value: Any) -> Document | Any | None:
    """A :class:`Document`, None when absent, UNKNOWN when not known yet.

    Raises :class:`DocumentError` for a value that is not a policy document.
    """
    if value is None or value is UNKNOWN:
        return value
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            value = plain(json.loads(value))
        except json.JSONDecodeError as exc:
            raise DocumentError(f"not valid JSON ({exc.msg} at char {exc.pos})") from exc
    if not isinstance(value, dict):
        raise DocumentError(f"expected a JSON object, got {show(value)}")
    statements = _field(value, "Statement")
    if statements is UNKNOWN:
        return Document((), statements_unknown=True)
    parsed: list[Statement] = []
    for index, raw in enumerate(as_list(statements)):
        if raw is UNKNOWN:
            return Document(tuple(parsed), statements_unknown=True)
        if not isinstance(raw, dict):
            raise DocumentError(f"Statement[{index}] is {show(raw)}, not an object")
        parsed.append(Statement(index, raw))
    return Document(tuple(parsed))


def _field(obj: Mapping[str, Any], name: str) -> Any:
    if name in obj:
        return obj[name]
    lowered = name.lower()
    for key, value in obj.items():
        if key.lower() == lowered:
            return value
    return None


# --- actions -------------------------------------------------------------------------------


def is_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


def service_of(action: str) -> str:
    """``s3:GetObject`` -> ``s3``; ``*`` -> ``*``."""
    return action.split(":", 1)[0].lower() if ":" in action else action.lower()


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def matches(pattern: str, action: str) -> bool:
    """IAM matching: case-insensitive, ``*`` any run, ``?`` one character."""
    return _pattern(pattern).fullmatch(action) is not None


# --- resources: how much an ARN pattern covers -----------------------------------------------


@dataclass(frozen=True)
class BroadResource:
    """A ``Resource`` pattern that reaches every resource of a service (or of all)."""

    pattern: str
    service: str  # the service whose resources it covers; "*" for any
    why: str


def _name_segments(arn: Arn) -> tuple[str, ...]:
    """The parts of an ARN's resource that name the resource.

    S3 ARNs start with the bucket (object keys follow after ``/``: a wildcard there only
    widens within the bucket). Other services write ``type/name...`` or ``type:name...``:
    the type and the first name (a key id, an alias, a collection) identify it.
    """
    if arn.service.lower() == "s3":
        return (arn.resource.split("/", 1)[0],)
    parts = re.split(r"[/:]", arn.resource, maxsplit=2)
    return tuple(parts[:2]) if len(parts) >= 2 else (parts[0], "")


def broad_resource(pattern: str) -> BroadResource | None:
    """Why ``pattern`` is as broad as ``"*"`` for its service; None when it names resources.

    Broad: ``"*"``; a non-ARN with a wildcard (``arn:*``); a wildcard in the service; a
    wildcard (or nothing) where the resource's name goes: the bucket of an S3 ARN
    (``arn:aws:s3:::*``, ``arn:aws:s3:::*/*``), the key id or alias of a KMS ARN
    (``arn:aws:kms:*:*:key/*``), type or name elsewhere. A wildcard in the partition,
    region or account with a named resource is not: the name still picks the resource
    (a KMS key id is unique; a bucket name is global).
    """
    if pattern == "*":
        return BroadResource(pattern, "*", "no name at all")
    arn = parse_arn(pattern)
    if arn is None:
        if is_wildcard(pattern):
            return BroadResource(pattern, "*", "a wildcard instead of an ARN")
        return None
    if is_wildcard(arn.service):
        return BroadResource(pattern, "*", "a wildcard in the service")
    names = _name_segments(arn)
    if any(is_wildcard(part) or not part for part in names):
        what = "bucket name" if arn.service.lower() == "s3" else "resource type or name"
        return BroadResource(pattern, arn.service.lower(), f"a wildcard in the {what}")
    return None


# --- who a statement lets in: "public" as S3 Block Public Access defines it -------------------


PRINCIPAL_KEYS: Final = (
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:userid",
)
SOURCE_KEYS: Final = (
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOwner",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:SourceIp",
)
S3_RESTRICTING_KEYS: Final = (
    *PRINCIPAL_KEYS,
    *SOURCE_KEYS,
    "s3:DataAccessPointArn",
    "s3:DataAccessPointAccount",
)
"""Condition keys that make an ``Allow`` to ``"*"`` non-public when they are compared, with a
positive operator, to fixed values (S3 User Guide, "The meaning of public")."""
KMS_RESTRICTING_KEYS: Final = (*PRINCIPAL_KEYS, *SOURCE_KEYS, "kms:CallerAccount")
"""The same for a KMS key policy: ``kms:CallerAccount`` is KMS's own spelling of the caller's
account (IAM Access Analyzer counts it as restricting, like aws:PrincipalAccount)."""
TRUST_RESTRICTING_KEYS: Final = (*PRINCIPAL_KEYS, *SOURCE_KEYS, "sts:ExternalId")
"""The same for a role trust policy: a fixed ``sts:ExternalId`` is how a third party is
allowed to assume a role (the confused-deputy guard)."""

POSITIVE_OPERATORS: Final = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"}
)
"""Condition operators (after an optional ``ForAnyValue:``) under which a key compared to fixed
values restricts who a statement lets in."""
MIN_IPV4_PREFIX: Final = 8
MIN_IPV6_PREFIX: Final = 32
"""aws:SourceIp ranges wider than these (e.g. 0.0.0.0/0, 0.0.0.0/1) don't restrict anyone."""


def is_fixed(value: Any) -> bool:
    """A value without wildcards or policy variables (S3's "fixed value")."""
    return isinstance(value, str) and bool(value) and not is_wildcard(value) and "${" not in value


def _narrow_cidr(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    minimum = MIN_IPV4_PREFIX if network.version == 4 else MIN_IPV6_PREFIX
    return network.prefixlen >= minimum


def restricting_condition(condition: Any, keys: Iterable[str]) -> bool | Any:
    """Does ``condition`` limit the statement to fixed principals, sources or networks?

    Only positive operators count (``StringEquals``, ``StringLike``, ``ArnEquals``,
    ``ArnLike``, ``IpAddress``, optionally ``ForAnyValue:``): a negated operator, an
    ``...IfExists`` operator (the key is absent from anonymous requests, which then pass)
    and ``ForAllValues:`` (true for an empty set) restrict nobody. True, False or UNKNOWN.
    """
    if condition is UNKNOWN:
        return UNKNOWN
    if not isinstance(condition, dict):
        return False
    wanted = {k.lower() for k in keys}
    unknown = False
    for operator, clauses in condition.items():
        op = operator.lower().removeprefix("foranyvalue:")
        if op not in POSITIVE_OPERATORS:
            continue
        if clauses is UNKNOWN:
            unknown = True
            continue
        if not isinstance(clauses, dict):
            continue
        for key, value in clauses.items():
            if key.lower() not in wanted:
                continue
            values = [value] if value is UNKNOWN else as_list(value)
            if any(v is UNKNOWN for v in values):
                unknown = True
                continue
            check = _narrow_cidr if key.lower() == "aws:sourceip" else is_fixed
            if values and all(is_fixed(v) and check(v) for v in values):
                return True
    return UNKNOWN if unknown else False


def everyone(principal: Any) -> bool | Any:
    """``"*"``, ``{"AWS": "*"}``, ``{"AWS": ["*", ...]}`` (any principal type) -> True."""
    if principal is UNKNOWN:
        return UNKNOWN
    if principal == "*":
        return True
    if isinstance(principal, dict):
        unknown = False
        for value in principal.values():
            if value is UNKNOWN:
                unknown = True
                continue
            values = as_list(value)
            if "*" in values:
                return True
            unknown = unknown or UNKNOWN in values
        return UNKNOWN if unknown else False
    return False


@dataclass(frozen=True)
class PublicGrant:
    statement: Statement
    element: str  # Principal or NotPrincipal
    condition: Any  # what the statement's Condition is (for the message)


def public_grants(doc: Document, keys: Iterable[str]) -> tuple[list[PublicGrant], list[str]]:
    """Allow statements that grant to everyone without a restricting condition, and the
    labels of statements that can't be judged yet (unknown parts)."""
    keys = tuple(keys)
    grants: list[PublicGrant] = []
    unknown: list[str] = []
    for st in doc.statements:
        if st.effect is UNKNOWN:
            unknown.append(st.label)
            continue
        if not st.allows:
            continue
        not_principal = st.field("NotPrincipal")
        if not_principal is not None:
            # "Everyone except ...": the listed principals are the only ones left out.
            element, public = "NotPrincipal", True if not_principal is not UNKNOWN else UNKNOWN
        else:
            element, public = "Principal", everyone(st.field("Principal"))
        if public is False:
            continue
        restricted = restricting_condition(st.field("Condition"), keys)
        if restricted is True:
            continue
        if public is UNKNOWN or restricted is UNKNOWN:
            unknown.append(st.label)
            continue
        grants.append(PublicGrant(st, element, st.field("Condition")))
    if doc.statements_unknown:
        unknown.append("Statement")
    return grants, unknown


@dataclass(frozen=True)
class Exposure:
    """What a resource policy document guards, for the one public-access analysis.

    The S3 bucket policy, KMS key policy and role trust policy checks differ only in this:
    which condition keys restrict an Allow to everyone, what such an Allow exposes, and
    the fix.
    """

    keys: tuple[str, ...]
    consequence: str  # "makes the bucket public"
    restrictions: str  # what a restricting condition names, for "limits it to no ..."
    fix: str


def public_access_violations(
    subject: str, prop: str, document: Document, exposure: Exposure
) -> list[str]:
    """The messages for each Allow of ``document`` (``prop`` of ``subject``) that lets
    everyone in without a fixed-value condition (see :func:`public_grants`)."""
    grants, _ = public_grants(document, exposure.keys)
    messages = []
    for grant in grants:
        who = (
            "an Allow to every principal"
            if grant.element == "Principal"
            else "an Allow with NotPrincipal (everyone except the listed principals)"
        )
        why = (
            "it has no Condition"
            if grant.condition is None
            else f"its Condition {show(grant.condition)} limits it to no fixed "
            f"{exposure.restrictions}"
        )
        messages.append(
            violation(
                subject,
                f"{prop} {grant.statement.label}.{grant.element}",
                grant.statement.field(grant.element),
                f"{who} {exposure.consequence}: {why}",
                exposure.fix,
            )
        )
    return messages
