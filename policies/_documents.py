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
from typing import Any, Final, Literal

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

_POSITIVE_OPERATORS: Final = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"}
)
MIN_IPV4_PREFIX: Final = 8
MIN_IPV6_PREFIX: Final = 32
"""aws:SourceIp ranges wider than these (e.g. 0.0.0.0/0, 0.0.0.0/1) don't restrict anyone."""


def _fixed(value: Any) -> bool:
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
        if op not in _POSITIVE_OPERATORS:
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
            check = _narrow_cidr if key.lower() == "aws:sourceip" else _fixed
            if values and all(_fixed(v) and check(v) for v in values):
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


# --- KMS: full control (kms:*) for principals of other accounts -------------------------------

ACCOUNT_ID: Final = re.compile(r"^\d{12}$")
ANY_ACCOUNT: Final = "*"
"""A grant's account set contains this when principals of every account are let in."""
_ACCOUNT_CONDITION_KEYS: Final = ("aws:principalaccount", "kms:calleraccount")
_ARN_CONDITION_KEYS: Final = ("aws:principalarn",)


def principal_account(value: str) -> str | None:
    """The account of an ``AWS`` principal: a 12-digit id, or the account of an IAM/STS ARN
    (``"*"`` for a wildcard there); None when the value names no account (a unique id)."""
    if value == "*":
        return ANY_ACCOUNT
    if ACCOUNT_ID.fullmatch(value):
        return value
    arn = parse_arn(value)
    if arn is None or arn.service.lower() not in ("iam", "sts"):
        return None
    return arn.account if ACCOUNT_ID.fullmatch(arn.account) else ANY_ACCOUNT


def _condition_accounts(condition: Any) -> set[str] | Any:
    """Accounts a condition limits the callers to (aws:PrincipalAccount, kms:CallerAccount,
    aws:PrincipalArn with positive operators); empty when it names none, UNKNOWN if unsure."""
    if condition is UNKNOWN:
        return UNKNOWN
    accounts: set[str] = set()
    if not isinstance(condition, dict):
        return accounts
    for operator, clauses in condition.items():
        if operator.lower().removeprefix("foranyvalue:") not in _POSITIVE_OPERATORS:
            continue
        if clauses is UNKNOWN:
            return UNKNOWN
        if not isinstance(clauses, dict):
            continue
        for key, value in clauses.items():
            lowered = key.lower()
            if lowered not in (*_ACCOUNT_CONDITION_KEYS, *_ARN_CONDITION_KEYS):
                continue
            values = [value] if value is UNKNOWN else as_list(value)
            if UNKNOWN in values:
                return UNKNOWN
            for v in values:
                if not isinstance(v, str):
                    continue
                if lowered in _ACCOUNT_CONDITION_KEYS:
                    accounts.add(v if _fixed(v) else ANY_ACCOUNT)
                else:
                    accounts.add(principal_account(v) or ANY_ACCOUNT)
    return accounts


@dataclass(frozen=True)
class FullControlGrant:
    """An Allow of every KMS action (``kms:*``, ``*`` or NotAction) and whose accounts get it."""

    statement: Statement
    element: str  # Action or NotAction
    accounts: frozenset[str]  # ANY_ACCOUNT among them: principals of any account


def full_control_grants(doc: Document) -> tuple[list[FullControlGrant], list[str]]:
    """Allow statements granting every KMS action to AWS principals, with their accounts,
    and the labels of statements that can't be judged yet."""
    grants: list[FullControlGrant] = []
    unknown: list[str] = []
    for st in doc.statements:
        if st.effect is UNKNOWN:
            unknown.append(st.label)
            continue
        if not st.allows:
            continue
        if st.field("NotAction") is not None:
            element = "NotAction"
        else:
            actions = st.values("Action")
            if actions is UNKNOWN or UNKNOWN in actions:
                unknown.append(st.label)
                continue
            if not any(isinstance(a, str) and a.lower() in ("*", "kms:*") for a in actions):
                continue
            element = "Action"
        accounts: set[str] = set()
        principal = st.field("Principal")
        if st.field("NotPrincipal") is not None:
            accounts.add(ANY_ACCOUNT)
        elif principal is UNKNOWN:
            unknown.append(st.label)
            continue
        else:
            values = (
                [principal]
                if isinstance(principal, str)
                else as_list(principal.get("AWS") if isinstance(principal, dict) else None)
            )
            if UNKNOWN in values:
                unknown.append(st.label)
                continue
            for value in values:
                if isinstance(value, str) and (account := principal_account(value)) is not None:
                    accounts.add(account)
        if ANY_ACCOUNT in accounts:
            # Everyone, narrowed (or not) by the condition to some accounts.
            limited = _condition_accounts(st.field("Condition"))
            if limited is UNKNOWN:
                unknown.append(st.label)
                continue
            if limited:
                accounts = (accounts - {ANY_ACCOUNT}) | limited
        if accounts:
            grants.append(FullControlGrant(st, element, frozenset(accounts)))
    if doc.statements_unknown:
        unknown.append("Statement")
    return grants, unknown


# --- S3: deny requests that are not over TLS -------------------------------------------------


@dataclass(frozen=True)
class TlsVerdict:
    ok: bool | Any  # True, False or UNKNOWN
    detail: str  # reads after "a document ..."


@dataclass(frozen=True)
class BucketTarget:
    """The bucket a policy must protect: its known names (empty: not known yet) and its
    partition (None: not known, any partition is accepted)."""

    names: frozenset[str]
    partition: str | None = None

    def arns(self) -> str:
        name = sorted(self.names)[0] if self.names else "<bucket>"
        partition = self.partition or "aws"
        return f"arn:{partition}:s3:::{name} and arn:{partition}:s3:::{name}/*"


_TLS_OPERATORS = ("bool", "boolifexists")
_TLS_KEY = "aws:securetransport"
TlsCondition = Literal["tls-only", "narrowed", "none"]


def _tls_condition(condition: Any) -> TlsCondition | Any:
    """``tls-only``: exactly ``{Bool(IfExists): {aws:SecureTransport: false}}`` (the key is
    always present, so IfExists changes nothing); ``narrowed``: that plus anything else,
    which makes the Deny apply to fewer requests; ``none``: no such test; or UNKNOWN."""
    if condition is UNKNOWN:
        return UNKNOWN
    if not isinstance(condition, dict):
        return "none"
    found = False
    extra = False
    for operator, clauses in condition.items():
        if clauses is UNKNOWN:
            return UNKNOWN
        if operator.lower() not in _TLS_OPERATORS or not isinstance(clauses, dict):
            extra = True
            continue
        for key, value in clauses.items():
            if key.lower() != _TLS_KEY:
                extra = True
                continue
            values = [value] if value is UNKNOWN else as_list(value)
            if any(v is UNKNOWN for v in values):
                return UNKNOWN
            if any(str(v).lower() == "false" for v in values):
                found = True
            else:
                extra = True
    if not found:
        return "none"
    return "narrowed" if extra else "tls-only"


def _covers(pattern: Any, target: BucketTarget) -> tuple[bool | Any, bool | Any]:
    """Does ``pattern`` match the bucket ARN, and every object ARN, of ``target``?"""
    if not isinstance(pattern, str):
        return False, False
    if pattern == "*":
        return True, True
    arn = parse_arn(pattern)
    if arn is None or not matches(arn.service, "s3"):
        return False, False
    if not (matches(arn.region, "") and matches(arn.account, "")):
        return False, False
    if target.partition is not None and not matches(arn.partition, target.partition):
        return False, False
    resource = arn.resource
    if not target.names:
        # The name is not known yet: only patterns that match any bucket decide.
        every_bucket = resource == "*"
        every_object = resource in ("*", "*/*")
        return (
            True if every_bucket else UNKNOWN,
            True if every_object else UNKNOWN,
        )
    bucket = any(matches(resource, name) for name in target.names)
    # Every key k: the pattern must match "<name>/k" for all k. With a trailing "*" that
    # holds exactly when the rest of the pattern matches a prefix of "<name>/".
    objects = resource.endswith("*") and any(
        matches(resource[:-1], f"{name}/"[:i])
        for name in target.names
        for i in range(len(name) + 2)
    )
    return bucket, objects


def _merge(a: bool | Any, b: bool | Any) -> bool | Any:
    if a is True or b is True:
        return True
    return UNKNOWN if UNKNOWN in (a, b) else False


def denies_insecure_transport(doc: Document, target: BucketTarget) -> TlsVerdict:
    """Does ``doc`` deny every S3 action to everyone, on the bucket and all its objects, when
    ``aws:SecureTransport`` is false, with no other condition narrowing the Deny?

    Statements may share the work (one for the bucket ARN, one for the objects).
    """
    unknown: list[str] = []
    partial: list[str] = []
    bucket_covered: bool | Any = False
    objects_covered: bool | Any = False
    for st in doc.statements:
        effect = st.effect
        if effect is UNKNOWN:
            unknown.append(f"{st.label} Effect")
            continue
        if not (isinstance(effect, str) and effect.lower() == "deny"):
            continue
        condition = _tls_condition(st.field("Condition"))
        if condition is UNKNOWN:
            unknown.append(f"{st.label} Condition")
            continue
        if condition == "none":
            continue
        actions = st.values("Action")
        principal = everyone(st.field("Principal"))
        if actions is UNKNOWN or principal is UNKNOWN or UNKNOWN in actions:
            unknown.append(f"{st.label} Action/Principal")
            continue
        all_s3 = any(isinstance(a, str) and a.lower() in ("*", "s3:*") for a in actions)
        if not (all_s3 and principal):
            partial.append(
                f"whose {st.label} denies non-TLS requests only for Action "
                f"{show(st.field('Action'))} and Principal {show(st.field('Principal'))}"
            )
            continue
        if condition == "narrowed":
            partial.append(
                f"whose {st.label} denies non-TLS requests only when its other conditions "
                f"also hold (Condition {show(st.field('Condition'))})"
            )
            continue
        if st.field("NotResource") is not None:
            partial.append(
                f"whose {st.label} exempts NotResource {show(st.field('NotResource'))} "
                "from its non-TLS Deny"
            )
            continue
        resources = st.values("Resource")
        if resources is UNKNOWN or UNKNOWN in resources:
            unknown.append(f"{st.label} Resource")
            continue
        bucket: bool | Any = False
        objects: bool | Any = False
        for pattern in resources:
            b, o = _covers(pattern, target)
            bucket, objects = _merge(bucket, b), _merge(objects, o)
        if bucket is True and objects is True:
            return TlsVerdict(True, f"{st.label} denies s3:* without TLS")
        bucket_covered = _merge(bucket_covered, bucket)
        objects_covered = _merge(objects_covered, objects)
        if UNKNOWN in (bucket, objects):
            unknown.append(f"{st.label} Resource (the bucket name is not known yet)")
        else:
            partial.append(
                f"whose {st.label} denies non-TLS requests only for Resource "
                f"{show(st.field('Resource'))}, not for both {target.arns()}"
            )
    if bucket_covered is True and objects_covered is True:
        return TlsVerdict(True, "its statements together deny s3:* without TLS")
    if doc.statements_unknown or unknown:
        return TlsVerdict(UNKNOWN, "with unknown parts: " + ", ".join(unknown or ["Statement"]))
    if partial:
        return TlsVerdict(False, "; ".join(partial))
    return TlsVerdict(
        False, 'without a Deny statement with Condition Bool aws:SecureTransport "false"'
    )


TLS_STATEMENT_EXAMPLE = (
    '{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", '
    '"Resource": [<bucket ARN>, <bucket ARN>/*], '
    '"Condition": {"Bool": {"aws:SecureTransport": "false"}}}'
)
