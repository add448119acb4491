"""S3 buckets: customer-managed KMS default encryption with bucket keys, the public access
block fully on, a bucket policy that denies requests not made over TLS (on the bucket and
all its objects), and no bucket policy that S3 would call public.

``s3-bucket-kms-encryption`` checks what the program writes, resource by resource (inline
configuration on ``Bucket``/``BucketV2`` and the separate ``BucketServerSideEncryption
Configuration(V2)`` resources) and can remediate the bucket key. The bucket-level checks
(``s3-bucket-encryption-configured``, ``s3-bucket-public-access-block``,
``s3-bucket-deny-insecure-transport``) are stack policies: they link each separate resource
to its bucket (see :func:`rekognition_media.policies._model.link_to_bucket`) and report a
bucket that nothing configures. What they can't decide (a link or a value unknown during
preview) is reported by the advisory ``cross-resource-links`` policy instead of as a
violation. ``s3-bucket-policy-no-public-access`` needs no link: a policy's statements alone
decide whether it is public.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity

from rekognition_media.api.encryption import SSE_KMS

from ._controls import S3_2, S3_3, S3_5, S3_8
from ._documents import (
    S3_RESTRICTING_KEYS,
    Document,
    DocumentError,
    Exposure,
    parse_arn,
    parse_document,
    public_access_violations,
)
from ._framework import (
    UNKNOWN,
    Finding,
    Report,
    ResourceContext,
    Setting,
    StackContext,
    StackReport,
    StackResource,
    Text,
    path_text,
    report_violations,
    resource_policy,
    set_path,
    show,
    stack_policy,
    violation,
)
from ._model import (
    BUCKET_POLICY,
    BUCKET_PUBLIC_ACCESS_BLOCK,
    BUCKET_SSE_TYPES,
    BUCKET_TYPES,
    BUCKET_V2,
    KIND_RESOURCE,
    KMS_ALGORITHMS,
    EncryptionRule,
    Kind,
    Link,
    allowed_sse_algorithms,
    bucket_display,
    bucket_index,
    bucket_names,
    encryption_config,
    is_aws_managed_key,
    one_of,
    undecided,
)
from ._tls import TLS_STATEMENT_EXAMPLE, BucketTarget, denies_insecure_transport

# --- s3-bucket-kms-encryption (resource level, remediates the bucket key) -------------------

ALLOWED_SSE_ALGORITHMS: Final = allowed_sse_algorithms(
    "sseAlgorithm values accepted (both use a KMS key you choose; aws:kms:dsse adds S3's "
    'second encryption layer). Set ["aws:kms:dsse"] to require dual-layer encryption, '
    'or ["aws:kms"] to refuse it.'
)
REQUIRE_BUCKET_KEY: Final = Setting(
    "requireBucketKey",
    {
        "type": "boolean",
        "default": True,
        "description": "Require bucketKeyEnabled=true on aws:kms rules (S3 Bucket Keys "
        "are not supported for aws:kms:dsse, so those rules are not asked for one).",
    },
)

_SSE_FIX = (
    "aws.s3.BucketServerSideEncryptionConfiguration(bucket=<bucket>.id, rules=[{"
    '"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", '
    '"kmsMasterKeyId": <key>.arn}, "bucketKeyEnabled": True}])'
)


def rule_problems(
    rule: EncryptionRule, allowed: list[str], require_bucket_key: bool, setting: str
) -> Iterator[tuple[str, Any, str, str]]:
    """(property path, found, problem, fix) for everything wrong with one rule.

    ``setting`` names the ``allowedSseAlgorithms`` setting in messages, so a user who
    narrowed it sees which setting refused a KMS algorithm.
    """
    if rule.default_path is None:
        yield (
            path_text(*rule.rule_path, "applyServerSideEncryptionByDefault"),
            None,
            "the rule sets no default encryption",
            f'add applyServerSideEncryptionByDefault {{"sseAlgorithm": {show(allowed[0])}, '
            '"kmsMasterKeyId": <key>.arn}',
        )
        return
    algorithm = rule.algorithm
    if algorithm is UNKNOWN:
        return
    if algorithm not in allowed:
        allowed_text = ", ".join(allowed)
        if algorithm in KMS_ALGORITHMS:
            problem = (
                f"{algorithm} uses a customer-managed KMS key too, but {setting} allows only "
                f"{allowed_text}"
            )
            fix = f"set sseAlgorithm to {one_of(allowed)}, or add {show(algorithm)} to {setting}"
        else:
            problem = (
                f"default encryption must use a customer-managed KMS key ({setting}: "
                f"{allowed_text})"
            )
            fix = f"set sseAlgorithm to {one_of(allowed)} and kmsMasterKeyId to your key's ARN"
        yield (path_text(*rule.default_path, "sseAlgorithm"), algorithm, problem, fix)
        return
    key = rule.kms_key
    key_path = path_text(*rule.default_path, "kmsMasterKeyId")
    if key is None or key == "":
        yield (
            key_path,
            key,
            "without a key id S3 uses the AWS-managed key aws/s3, whose key policy you can't "
            "restrict",
            "set kmsMasterKeyId to a customer-managed key (e.g. <key>.arn)",
        )
    elif isinstance(key, str) and is_aws_managed_key(key):
        yield (
            key_path,
            key,
            "that is an AWS-managed key, whose key policy you can't restrict",
            "set kmsMasterKeyId to a customer-managed key (e.g. <key>.arn)",
        )
    if (
        algorithm == SSE_KMS  # S3 Bucket Keys aren't supported for DSSE-KMS
        and require_bucket_key
        and rule.bucket_key is not UNKNOWN
        and rule.bucket_key is not True
    ):
        yield (
            path_text(*rule.rule_path, "bucketKeyEnabled"),
            rule.bucket_key,
            "without an S3 Bucket Key every object operation calls KMS (cost, throttling)",
            "set bucketKeyEnabled to true (enforcementLevel remediate does this)",
        )


def _enable_bucket_key(ctx: ResourceContext) -> Any:
    """Remediation: bucketKeyEnabled=true on every aws:kms rule that lacks it."""
    if not ctx.config[REQUIRE_BUCKET_KEY.name]:
        return None
    changed = False
    for rule in encryption_config(ctx.type, ctx.props).rules:
        if rule.algorithm == SSE_KMS and rule.bucket_key is not True:
            if rule.bucket_key is UNKNOWN:
                continue
            set_path(ctx.args.props, (*rule.rule_path, "bucketKeyEnabled"), True)
            changed = True
    return ctx.args.props if changed else None


@resource_policy(
    name="s3-bucket-kms-encryption",
    description="S3 default encryption must be aws:kms (with an S3 Bucket Key) or "
    "aws:kms:dsse, with a customer-managed key.",
    types=(*BUCKET_TYPES, *BUCKET_SSE_TYPES),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    settings=(ALLOWED_SSE_ALGORITHMS, REQUIRE_BUCKET_KEY),
    remediate=_enable_bucket_key,
    remediation_steps="Use sseAlgorithm aws:kms (with bucketKeyEnabled true) or aws:kms:dsse, "
    "with kmsMasterKeyId set to a customer-managed key; the remediate level sets "
    "bucketKeyEnabled.",
)
def s3_bucket_kms_encryption(ctx: ResourceContext, report: Report) -> None:
    """Checks the encryption configuration a program writes (inline or separate resource)."""
    config = encryption_config(ctx.type, ctx.props)
    if ctx.type in BUCKET_TYPES and not config.present:
        ctx.not_applicable(
            "no inline server-side encryption configuration (s3-bucket-encryption-configured "
            "checks that a separate one targets the bucket)"
        )
    if ctx.type in BUCKET_SSE_TYPES and not config.rules and not config.unknown:
        report(
            violation(ctx.label, "rules", ctx.props.get("rules"), "no rule is defined", _SSE_FIX)
        )
    allowed = ctx.config[ALLOWED_SSE_ALGORITHMS.name]
    setting = f"{ctx.policy_name}.{ALLOWED_SSE_ALGORITHMS.name}"
    require_bucket_key = ctx.config[REQUIRE_BUCKET_KEY.name]
    for rule in config.rules:
        problems = rule_problems(rule, allowed, require_bucket_key, setting)
        for prop, found, problem, fix in problems:
            report(violation(ctx.label, prop, found, problem, fix))


# --- bucket-level checks (stack level) ------------------------------------------------------


def _names(links: list[Link]) -> str:
    return ", ".join(f"{link.resource.label} ({link.how})" for link in links)


def missing(stack: StackContext, bucket: StackResource, kind: Kind, message: str) -> Finding:
    """A bucket lacks a ``kind`` resource: a violation, unless an unlinked one may be it."""
    unlinked = bucket_index(stack).unlinked(kind)
    if unlinked:
        return Finding(
            "unverified",
            bucket.urn,
            f"{bucket_display(bucket)}: no {KIND_RESOURCE[kind]} is linked to it, but "
            f"{_names(unlinked)} could not be linked to a bucket and may configure it. "
            "Pass the bucket resource's output (bucket=<bucket>.id) so the link is recorded; "
            "otherwise it is decided when the values are known (pulumi up).",
        )
    return Finding("violation", bucket.urn, message)


def _for_bucket(link: Link) -> str:
    return f" (for {bucket_display(link.bucket)})" if link.bucket is not None else ""


def _encryption_prop(bucket: StackResource) -> str:
    plural = bucket.type == BUCKET_V2 or "serverSideEncryptionConfigurations" in bucket.props
    return "serverSideEncryptionConfigurations" if plural else "serverSideEncryptionConfiguration"


def assess_encryption_configured(stack: StackContext) -> Iterator[Finding]:
    index = bucket_index(stack)
    for bucket in stack.subjects(*BUCKET_TYPES):
        if index.linked(bucket, "encryption"):
            continue  # its content is s3-bucket-kms-encryption's business
        config = encryption_config(bucket.type, bucket.props)
        prop = _encryption_prop(bucket)
        algorithms = [rule.algorithm for rule in config.rules]
        if any(a in KMS_ALGORITHMS for a in algorithms if isinstance(a, str)):
            continue
        if undecided(bucket, config):
            yield Finding(
                "unverified",
                bucket.urn,
                f"{bucket_display(bucket)}: `{prop}` is set from values unknown during preview; "
                "it is checked once they are known.",
            )
            continue
        if config.rules:
            found: Any = Text("sseAlgorithm " + ", ".join(show(a) for a in algorithms))
        elif config.unknown:
            found = Text("computed by the provider (the program does not set it)")
        else:
            found = None
        yield missing(
            stack,
            bucket,
            "encryption",
            violation(
                bucket_display(bucket),
                prop,
                found,
                "the bucket has no customer-managed KMS default encryption and no "
                "BucketServerSideEncryptionConfiguration in this stack targets it (matched by "
                "bucket name or by depending on the bucket)",
                f"add {_SSE_FIX}",
            ),
        )


PUBLIC_ACCESS_FLAGS: Final = (
    ("blockPublicAcls", "block_public_acls"),
    ("blockPublicPolicy", "block_public_policy"),
    ("ignorePublicAcls", "ignore_public_acls"),
    ("restrictPublicBuckets", "restrict_public_buckets"),
)
_PAB_FIX = (
    "aws.s3.BucketPublicAccessBlock(bucket=<bucket>.id, "
    + ", ".join(f"{py}=True" for _, py in PUBLIC_ACCESS_FLAGS)
    + ")"
)


def assess_public_access_block(stack: StackContext) -> Iterator[Finding]:
    index = bucket_index(stack)
    subjects = {b.urn for b in stack.subjects(*BUCKET_TYPES)}
    checked = {r.urn for r in stack.subjects(BUCKET_PUBLIC_ACCESS_BLOCK)}
    for link in index.links("public-access-block"):
        block = link.resource
        if block.urn not in checked or (
            link.bucket is not None and link.bucket.urn not in subjects
        ):
            continue
        values = {flag: block.props.get(flag) for flag, _ in PUBLIC_ACCESS_FLAGS}
        off = [
            (flag, py) for flag, py in PUBLIC_ACCESS_FLAGS if values[flag] not in (True, UNKNOWN)
        ]
        if off:
            yield Finding(
                "violation",
                block.urn,
                f"{block.label}{_for_bucket(link)}: "
                + ", ".join(f"`{flag}` is {show(values[flag])}" for flag, _ in off)
                + " - all four public access block settings must be true so that no ACL or "
                "bucket policy can make the bucket or its objects public. Fix: set "
                + ", ".join(f"{py}=True" for _, py in off),
            )
        elif UNKNOWN in values.values():
            yield Finding(
                "unverified",
                block.urn,
                f"{block.label}{_for_bucket(link)}: some settings are unknown during preview.",
            )
    for bucket in stack.subjects(*BUCKET_TYPES):
        if not index.linked(bucket, "public-access-block"):
            yield missing(
                stack,
                bucket,
                "public-access-block",
                violation(
                    bucket_display(bucket),
                    "aws.s3.BucketPublicAccessBlock",
                    None,
                    "no public access block in this stack targets the bucket (matched by "
                    "bucket name or by depending on the bucket)",
                    f"add {_PAB_FIX}",
                ),
            )


_TLS_FIX = f"add this statement to the bucket policy: {TLS_STATEMENT_EXAMPLE}"


def bucket_target(bucket: StackResource, source: StackResource) -> BucketTarget:
    """The bucket ``source``'s policy must cover: the bucket's known names, plus the name a
    linked BucketPolicy targets (known during preview even when the bucket's is not)."""
    names = set(bucket_names(bucket))
    if source is not bucket:
        value = source.props.get("bucket")
        if isinstance(value, str) and value:
            names.add(value.rsplit(":::", 1)[-1])
    arn = bucket.props.get("arn")
    parsed = parse_arn(arn) if isinstance(arn, str) else None
    return BucketTarget(frozenset(names), parsed.partition if parsed else None)


def assess_insecure_transport(stack: StackContext) -> Iterator[Finding]:
    index = bucket_index(stack)
    for bucket in stack.subjects(*BUCKET_TYPES):
        linked = index.linked(bucket, "policy")
        has_policy = False
        for source in linked or [bucket]:
            subject = (
                source.label
                if source is bucket
                else f"{source.label} (for {bucket_display(bucket)})"
            )
            value = source.props.get("policy")
            if value is UNKNOWN and source is bucket and not bucket.depends_on("policy"):
                value = None  # computed by the provider: the program sets no inline policy
            if value is UNKNOWN:
                has_policy = True
                yield Finding(
                    "unverified",
                    source.urn,
                    f"{subject}: `policy` is unknown during preview (typically built from "
                    "<bucket>.arn); the TLS-only statement is checked once it is known.",
                )
                continue
            try:
                document = parse_document(value)
            except DocumentError as exc:
                has_policy = True
                yield Finding(
                    "violation",
                    source.urn,
                    violation(
                        subject,
                        "policy",
                        Text(f"not a policy document: {exc}"),
                        "the bucket policy can't be read",
                        _TLS_FIX,
                    ),
                )
                continue
            if document is None:
                continue
            has_policy = True
            verdict = denies_insecure_transport(document, bucket_target(bucket, source))
            if verdict.ok is True:
                continue
            if verdict.ok is UNKNOWN:
                yield Finding(
                    "unverified",
                    source.urn,
                    f"{subject}: `policy` is a document {verdict.detail}; checked once known.",
                )
                continue
            yield Finding(
                "violation",
                source.urn,
                violation(
                    subject,
                    "policy",
                    Text(f"a document {verdict.detail}"),
                    "requests over plain HTTP must be denied for every S3 action and principal, "
                    "on the bucket and every object, with no other condition narrowing the Deny",
                    _TLS_FIX,
                ),
            )
        if not has_policy:
            yield missing(
                stack,
                bucket,
                "policy",
                violation(
                    bucket_display(bucket),
                    "policy",
                    None,
                    "the bucket has no bucket policy (inline, or an aws.s3.BucketPolicy in this "
                    "stack targeting it) denying requests without TLS",
                    "add aws.s3.BucketPolicy(bucket=<bucket>.id, policy=<document>) with the "
                    f"statement {TLS_STATEMENT_EXAMPLE}",
                ),
            )


# --- s3-bucket-policy-no-public-access (resource level) ---------------------------------------

BUCKET_POLICY_EXPOSURE: Final = Exposure(
    keys=S3_RESTRICTING_KEYS,
    consequence="makes the bucket public",
    restrictions="principal, account, organization, source or network",
    fix='name the principals (Principal {"AWS": "<role ARN>"}) or add a condition with a fixed '
    'value, e.g. {"StringEquals": {"aws:PrincipalOrgID": "o-..."}} or, for an AWS service, '
    "aws:SourceArn/aws:SourceAccount",
)


@resource_policy(
    name="s3-bucket-policy-no-public-access",
    description='S3 bucket policies must not allow everyone (Principal "*") unless a condition '
    "limits access to fixed principals, accounts, organizations, sources or networks.",
    types=(BUCKET_POLICY, *BUCKET_TYPES),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    controls=(
        S3_2,
        S3_3,
    ),
    remediation_steps="Grant to named principals, or restrict the Allow with a fixed "
    "aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceArn, "
    "aws:SourceAccount, aws:SourceVpc(e) or a narrow aws:SourceIp.",
)
def s3_bucket_policy_no_public_access(ctx: ResourceContext, report: Report) -> None:
    """Allow statements to ``"*"`` (or with NotPrincipal) that S3 would call public."""
    value = ctx.props.get("policy")
    if value is UNKNOWN:
        ctx.not_applicable("the bucket policy is unknown during preview; checked once known")
    try:
        document = parse_document(value)
    except DocumentError:
        return  # unreadable: s3-bucket-deny-insecure-transport reports it
    if isinstance(document, Document):
        for message in public_access_violations(
            ctx.label, "policy", document, BUCKET_POLICY_EXPOSURE
        ):
            report(message)


@stack_policy(
    name="s3-bucket-encryption-configured",
    description="Every S3 bucket must have customer-managed KMS default encryption configured.",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="Add an aws.s3.BucketServerSideEncryptionConfiguration with "
    "bucket=<bucket>.id, sseAlgorithm aws:kms (or aws:kms:dsse) and kmsMasterKeyId=<key>.arn.",
)
def s3_bucket_encryption_configured(stack: StackContext, report: StackReport) -> None:
    """A bucket nothing encrypts with KMS (no linked SSE resource, no inline KMS rule)."""
    report_violations(assess_encryption_configured(stack), report)


@stack_policy(
    name="s3-bucket-public-access-block",
    description="Every S3 bucket must have a public access block with all four settings on.",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    controls=(S3_8,),
    remediation_steps=f"Add {_PAB_FIX}.",
)
def s3_bucket_public_access_block(stack: StackContext, report: StackReport) -> None:
    """A bucket without a linked BucketPublicAccessBlock, or a block with a setting off."""
    report_violations(assess_public_access_block(stack), report)


@stack_policy(
    name="s3-bucket-deny-insecure-transport",
    description="Every S3 bucket policy must deny requests that are not made over TLS.",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    controls=(S3_5,),
    remediation_steps=f"Add to the bucket policy: {TLS_STATEMENT_EXAMPLE}.",
)
def s3_bucket_deny_insecure_transport(stack: StackContext, report: StackReport) -> None:
    """A bucket whose effective bucket policy lacks the aws:SecureTransport=false Deny."""
    report_violations(assess_insecure_transport(stack), report)
