"""Does an S3 bucket policy deny every request not made over TLS?

The analysis behind ``s3-bucket-deny-insecure-transport``: a ``Deny`` of every S3 action to
everyone when ``aws:SecureTransport`` is false, on the bucket and all its objects, with no
other condition narrowing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ._documents import Document, everyone, matches, parse_arn
from ._framework import UNKNOWN, as_list, show


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
