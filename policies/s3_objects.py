"""Objects the stack writes (``BucketObject``, ``BucketObjectv2``, ``ObjectCopy``): encrypted
with the bucket's KMS key, not with S3-managed keys or another key.

An object without ``serverSideEncryption`` gets the bucket's default encryption, which the
bucket checks already hold to a customer-managed KMS key: fine. An object that names its
own encryption overrides that default, so:

* ``s3-object-kms-encryption`` (resource level, before the upload): the algorithm must be
  KMS (``AES256`` is S3-managed keys, ObjectCopy's ``customerAlgorithm`` is SSE-C with a key
  the pack can't see), one of ``allowedSseAlgorithms`` (default ``aws:kms`` and
  ``aws:kms:dsse``), with ``kmsKeyId`` set (either without a key id uses the AWS managed key
  ``aws/s3``, as S3's PutObject documentation says) and not an AWS-managed alias.
* ``s3-object-kms-key-matches-bucket`` (stack level): when the object's bucket is in the
  stack and its default key is known, the object's ``kmsKeyId`` must be that key (matched by
  ARN, key id or alias, like media-analysis-job-output-encryption). What can't be told
  during preview goes to ``cross-resource-links``.

No remediation: re-encrypting an object under a different key is a decision (and a
replacement of the object).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity

from ._framework import (
    UNKNOWN,
    Finding,
    Report,
    ResourceContext,
    StackContext,
    StackReport,
    StackResource,
    Text,
    report_violations,
    resource_policy,
    show,
    stack_policy,
    violation,
)
from ._model import (
    KMS_ALGORITHMS,
    OBJECT_TYPES,
    allowed_sse_algorithms,
    bucket_display,
    effective_encryption,
    find_bucket,
    is_aws_managed_key,
    one_of,
    resolve_key,
    rule_key_deps,
    same_key,
)

ALLOWED_OBJECT_SSE_ALGORITHMS: Final = allowed_sse_algorithms(
    "serverSideEncryption values an object may name (both use a KMS key you choose; "
    "aws:kms:dsse adds S3's second encryption layer); an object that names none gets the "
    "bucket's default encryption."
)

_KEY_FIX = (
    "leave server_side_encryption unset (the bucket's default KMS key applies) or set "
    'server_side_encryption="aws:kms" (or "aws:kms:dsse") with kms_key_id=<the bucket\'s '
    "key>.arn"
)


@resource_policy(
    name="s3-object-kms-encryption",
    description="S3 objects the stack writes must use KMS encryption with a customer-managed "
    "key (or no setting, so the bucket's default applies).",
    types=OBJECT_TYPES,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    settings=(ALLOWED_OBJECT_SSE_ALGORITHMS,),
    remediation_steps="Remove server_side_encryption so the bucket's KMS default applies, or "
    'set server_side_encryption="aws:kms" (or "aws:kms:dsse") and kms_key_id to the bucket\'s '
    "key ARN.",
)
def s3_object_kms_encryption(ctx: ResourceContext, report: Report) -> None:
    """An object's own encryption settings, when it names any."""
    customer = ctx.props.get("customerAlgorithm")
    if isinstance(customer, str) and customer:
        report(
            violation(
                ctx.label,
                "customerAlgorithm",
                customer,
                "SSE-C encrypts the object with a key the caller keeps, outside KMS: no key "
                "policy, rotation or audit trail",
                f"remove customer_algorithm/customer_key and {_KEY_FIX}",
            )
        )
    algorithm = ctx.props.get("serverSideEncryption")
    if algorithm is UNKNOWN:
        ctx.not_applicable("serverSideEncryption is unknown during preview; checked once known")
    if algorithm is None or algorithm == "":
        return  # the bucket's default encryption applies
    allowed = ctx.config[ALLOWED_OBJECT_SSE_ALGORITHMS.name]
    setting = f"{ctx.policy_name}.{ALLOWED_OBJECT_SSE_ALGORITHMS.name}"
    if algorithm not in allowed:
        allowed_text = ", ".join(map(show, allowed))
        if algorithm in KMS_ALGORITHMS:
            problem = (
                f"{show(algorithm)} uses a customer-managed KMS key too, but {setting} allows "
                f"only {allowed_text}"
            )
            fix = (
                "leave server_side_encryption unset (the bucket's default applies), set it to "
                f"{one_of(allowed)}, or add {show(algorithm)} to {setting}"
            )
        else:
            problem = (
                f"the object overrides the bucket's KMS default encryption with "
                f"{'S3-managed keys' if algorithm == 'AES256' else 'an algorithm'} not in "
                f"{setting} ({allowed_text})"
            )
            fix = _KEY_FIX
        report(violation(ctx.label, "serverSideEncryption", algorithm, problem, fix))
        return
    key = ctx.props.get("kmsKeyId")
    if key is None or key == "":
        report(
            violation(
                ctx.label,
                "kmsKeyId",
                None,
                f"with serverSideEncryption {show(algorithm)} and no key id S3 encrypts the "
                "object with the AWS managed key aws/s3, not the bucket's customer-managed key",
                _KEY_FIX,
            )
        )
    elif isinstance(key, str) and is_aws_managed_key(key):
        report(
            violation(
                ctx.label,
                "kmsKeyId",
                key,
                "an AWS managed key is not the bucket's customer-managed key: its policy can't "
                "be changed",
                _KEY_FIX,
            )
        )


def assess_object_keys(stack: StackContext) -> Iterator[Finding]:
    """Objects with their own KMS key, compared with their bucket's default key."""
    for obj in stack.subjects(*OBJECT_TYPES):
        algorithm = obj.props.get("serverSideEncryption")
        key_value = obj.props.get("kmsKeyId")
        if algorithm not in KMS_ALGORITHMS or key_value is None or key_value == "":
            continue  # no own key (bucket default), or s3-object-kms-encryption's business
        if isinstance(key_value, str) and is_aws_managed_key(key_value):
            continue  # s3-object-kms-encryption reports it
        bucket_name = obj.props.get("bucket")
        bucket = find_bucket(stack, bucket_name, obj.depends_on("bucket"))
        if bucket is None:
            if bucket_name is UNKNOWN:
                yield Finding(
                    "unverified",
                    obj.urn,
                    f"{obj.label}: `bucket` is unknown during preview and does not depend on "
                    "exactly one bucket of this stack; its KMS key is compared with the "
                    "bucket's once known.",
                )
            continue  # a bucket outside this stack: its default key is not known here
        yield from _compare(stack, obj, bucket, key_value)


def _compare(
    stack: StackContext, obj: StackResource, bucket: StackResource, key_value: Any
) -> Iterator[Finding]:
    object_key = resolve_key(stack, key_value, obj.depends_on("kmsKeyId"))
    subject = f"{obj.label} (in {bucket_display(bucket)})"
    for source, config in effective_encryption(stack, bucket):
        where = "" if source.urn == bucket.urn else f" via {source.label}"
        for rule in config.rules:
            if rule.algorithm not in KMS_ALGORITHMS or rule.kms_key in (None, ""):
                continue  # no customer-managed default key: the bucket checks report it
            bucket_key = resolve_key(stack, rule.kms_key, rule_key_deps(source))
            verdict = same_key(object_key, bucket_key)
            if verdict is True:
                continue
            if verdict is UNKNOWN:
                yield Finding(
                    "unverified",
                    obj.urn,
                    f"{subject}: can't tell whether `kmsKeyId` ({object_key.text}) is the "
                    f"bucket's default key{where} ({bucket_key.text}); match them by ARN, key "
                    "id or an alias defined in this stack.",
                )
                continue
            yield Finding(
                "violation",
                obj.urn,
                violation(
                    subject,
                    "kmsKeyId",
                    Text(f"{object_key.text}, but the bucket{where} uses {bucket_key.text}"),
                    "the object would be protected by a different key than the one the bucket "
                    "enforces (its key policy, rotation and grants don't apply to it)",
                    "leave kms_key_id unset (with server_side_encryption unset too) or set it to "
                    "the bucket's key, <key>.arn",
                ),
            )


@stack_policy(
    name="s3-object-kms-key-matches-bucket",
    description="S3 objects the stack writes with their own KMS key must use their bucket's "
    "default key.",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="Use the bucket's key for the object's kms_key_id, or leave the object's "
    "encryption unset so the bucket default applies.",
)
def s3_object_kms_key_matches_bucket(stack: StackContext, report: StackReport) -> None:
    """Links object -> bucket -> effective default encryption -> key, and compares keys."""
    report_violations(assess_object_keys(stack), report)
