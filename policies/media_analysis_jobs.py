"""Rekognition media analysis jobs: the dynamic ``MediaAnalysisJob`` and the plugin's, and
the ``MediaAnalysisBatch`` of either front end (one job per manifest shard of a prefix).

The dynamic resource's properties are snake_case nested dicts (``kms_key_id``,
``operations_config.detect_moderation_labels.min_confidence``, ``output_config.s3_bucket``...),
the ``rekognition-media`` plugin's the same names in camelCase; a batch has the job's
request fields under the same names. Every check reads a job or batch through
``_model.MediaJob``, which reads each and names properties as the program spells them.
Values unknown during preview are never a violation: the resource checks return
not-applicable, the stack check lists them under the advisory ``cross-resource-links``
policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity

from rekognition_media.api import limits, shapes

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
    report_violations,
    resource_policy,
    show,
    stack_policy,
    violation,
)
from ._model import (
    BUCKET_SSE_TYPES,
    KMS_ALGORITHMS,
    MEDIA_ANALYSIS_RESOURCES,
    EncryptionConfig,
    KeyRef,
    MediaJob,
    bucket_display,
    bucket_index,
    effective_encryption,
    find_bucket,
    is_aws_managed_key,
    resolve_key,
    rule_key_deps,
    same_key,
    undecided,
)

# --- media-analysis-job-kms-key --------------------------------------------------------------


@resource_policy(
    name="media-analysis-job-kms-key",
    description="Media analysis jobs and batches must encrypt with a customer-managed KMS key "
    "(kms_key_id, kmsKeyId in the plugin's resources).",
    types=MEDIA_ANALYSIS_RESOURCES,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="Pass kms_key_id=<key>.arn (a customer-managed aws.kms.Key) in "
    "MediaAnalysisJobArgs or MediaAnalysisBatchArgs (kmsKeyId in the plugin's resources); there "
    "is no safe automatic fix (which key is a decision).",
)
def media_analysis_job_kms_key(ctx: ResourceContext, report: Report) -> None:
    """Without KmsKeyId Rekognition encrypts images and results with an AWS-owned key."""
    job = MediaJob(ctx.type, ctx.props)
    name = job.path("kms_key_id")
    key = job.get("kms_key_id")
    if key is UNKNOWN:
        ctx.not_applicable(f"{name} is unknown during preview; checked once known")
    if key is None or key == "":
        report(
            violation(
                ctx.label,
                name,
                key,
                "without it Rekognition encrypts the copied images and the results with a key "
                "you neither control nor audit",
                f"pass {name}=<key>.arn (a customer-managed aws.kms.Key) "
                + job.declared(job.args_class, "to"),
            )
        )
    elif isinstance(key, str) and is_aws_managed_key(key):
        report(
            violation(
                ctx.label,
                name,
                key,
                "an AWS-managed key can't be used for media analysis jobs",
                f"pass a customer-managed key ({name}=<key>.arn)",
            )
        )


# --- media-analysis-job-min-confidence --------------------------------------------------------

_MIN_CONFIDENCE_SHAPE = (
    shapes.service_model()
    .operation_model(shapes.START)
    .input_shape.members["OperationsConfig"]
    .members["DetectModerationLabels"]
    .members["MinConfidence"]
)
CONFIDENCE_RANGE: Final = (
    float(_MIN_CONFIDENCE_SHAPE.metadata["min"]),
    float(_MIN_CONFIDENCE_SHAPE.metadata["max"]),
)
"""The API's range of MinConfidence (from botocore's Rekognition model)."""

API_DEFAULT_MIN_CONFIDENCE: Final = limits.DEFAULT_MIN_CONFIDENCE
"""MinConfidence when a request has none (the emulator applies the same by default)."""

MINIMUM_CONFIDENCE: Final = Setting(
    "minimumConfidence",
    {
        "type": "number",
        "minimum": CONFIDENCE_RANGE[0],
        "maximum": CONFIDENCE_RANGE[1],
        "default": API_DEFAULT_MIN_CONFIDENCE,
        "description": "Lowest min_confidence accepted; an absent min_confidence counts as the "
        f"API default ({API_DEFAULT_MIN_CONFIDENCE:g}).",
    },
)
_CONFIDENCE_PATH = ("operations_config", "detect_moderation_labels", "min_confidence")


@resource_policy(
    name="media-analysis-job-min-confidence",
    description="Media analysis jobs and batches must not return moderation labels below the "
    "configured confidence floor.",
    types=MEDIA_ANALYSIS_RESOURCES,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    settings=(MINIMUM_CONFIDENCE,),
    remediation_steps="Raise operations_config.detect_moderation_labels.min_confidence to the "
    "floor, or lower the policy's minimumConfidence.",
)
def media_analysis_job_min_confidence(ctx: ResourceContext, report: Report) -> None:
    """Absent ``min_confidence`` is the API default (50), compared like any value."""
    floor = ctx.config[MINIMUM_CONFIDENCE.name]
    job = MediaJob(ctx.type, ctx.props)
    value = job.get(*_CONFIDENCE_PATH)
    if value is UNKNOWN:
        ctx.not_applicable(
            f"{job.fix_name(*_CONFIDENCE_PATH)} is unknown during preview; checked once known"
        )
    if value is not None and (not isinstance(value, int | float) or isinstance(value, bool)):
        return  # not a number: the provider's check rejects it with the API's wording
    effective = API_DEFAULT_MIN_CONFIDENCE if value is None else float(value)
    if effective < floor:
        found: Any = (
            value
            if value is not None
            else Text(f"absent (the API default {API_DEFAULT_MIN_CONFIDENCE:g} applies)")
        )
        report(
            violation(
                ctx.label,
                job.path(*_CONFIDENCE_PATH),
                found,
                f"labels with confidence below {floor:g} would be returned "
                "(media-analysis-job-min-confidence.minimumConfidence)",
                f"set {job.fix_name(*_CONFIDENCE_PATH)} to {floor:g} or more "
                + job.declared("DetectModerationLabelsArgs"),
            )
        )


# --- media-analysis-job-output-encryption (stack level) ---------------------------------------


def assess_output_encryption(stack: StackContext) -> Iterator[Finding]:
    """Each job's or batch's output bucket (when in the stack) is encrypted with its key.

    A batch writes its manifests there too, under its key, before its jobs read them."""
    for job in stack.subjects(*MEDIA_ANALYSIS_RESOURCES):
        view = MediaJob(job.type, job.props)
        key_value = view.get("kms_key_id")
        if key_value is None or key_value == "":
            continue  # media-analysis-job-kms-key reports it
        bucket_name = view.get("output_config", "s3_bucket")
        bucket = find_bucket(stack, bucket_name, job.depends_on("output_config"))
        if bucket is None:
            if bucket_name is UNKNOWN:
                yield Finding(
                    "unverified",
                    job.urn,
                    f"{job.label}: {view.path('output_config', 's3_bucket')} is unknown during "
                    "preview and does not depend on exactly one bucket of this stack; its "
                    "encryption key is checked once known.",
                )
            continue  # a bucket outside this stack: not ours to check
        job_key = resolve_key(stack, key_value, job.depends_on("kms_key_id"))
        subject = f"{job.label} (output bucket {bucket_display(bucket)})"
        for source, config in effective_encryption(stack, bucket):
            where = "" if source.urn == bucket.urn else f" via {source.label}"
            kms_rules = [r for r in config.rules if r.algorithm in KMS_ALGORITHMS]
            if not kms_rules:
                yield _not_kms(stack, job, subject, where, bucket_name, job_key, source, config)
                continue
            for rule in kms_rules:
                finding = _compare(stack, job, subject, where, job_key, rule.kms_key, source)
                if finding is not None:
                    yield finding


def _not_kms(
    stack: StackContext,
    job: StackResource,
    subject: str,
    where: str,
    bucket_name: Any,
    job_key: KeyRef,
    source: StackResource,
    config: EncryptionConfig,
) -> Finding:
    """The output bucket's effective encryption has no KMS rule (or it isn't known yet)."""
    if undecided(source, config):
        return Finding(
            "unverified",
            job.urn,
            f"{subject}: the bucket's encryption{where} is unknown during preview.",
        )
    if source.type not in BUCKET_SSE_TYPES and bucket_index(stack).unlinked("encryption"):
        return Finding(
            "unverified",
            job.urn,
            f"{subject}: no encryption configuration is linked to the bucket, but one in the "
            "stack could not be linked to its bucket and may be it.",
        )
    algorithms = ", ".join(show(r.algorithm) for r in config.rules)
    return Finding(
        "violation",
        job.urn,
        violation(
            subject,
            MediaJob(job.type, job.props).path("output_config", "s3_bucket"),
            bucket_name,
            f"the bucket's default encryption{where} is {algorithms or 'not KMS'}, not the "
            f"{MediaJob(job.type, job.props).noun}'s KMS key ({job_key.text})",
            "encrypt the output bucket with the job's key "
            "(BucketServerSideEncryptionConfiguration kmsMasterKeyId=<job key>.arn)",
        ),
    )


def _compare(
    stack: StackContext,
    job: StackResource,
    subject: str,
    where: str,
    job_key: KeyRef,
    rule_key: Any,
    source: StackResource,
) -> Finding | None:
    """Compare the job's key with the key of one aws:kms rule of the output bucket."""
    if rule_key is None or rule_key == "":
        bucket_key = KeyRef("none", "", "the AWS-managed key aws/s3")
        verdict: Any = False  # the job's key is customer-managed (media-analysis-job-kms-key)
    else:
        bucket_key = resolve_key(stack, rule_key, rule_key_deps(source))
        verdict = same_key(job_key, bucket_key)
    if verdict is True:
        return None
    view = MediaJob(job.type, job.props)
    if verdict is UNKNOWN:
        return Finding(
            "unverified",
            job.urn,
            f"{subject}: can't tell whether the bucket key{where} ({bucket_key.text}) is the "
            f"{view.noun}'s key ({job_key.text}); match them by ARN, key id or an alias defined "
            "in this stack.",
        )
    key_name = view.path("kms_key_id")
    return Finding(
        "violation",
        job.urn,
        violation(
            subject,
            key_name,
            Text(f"{job_key.text}, but the bucket{where} encrypts with {bucket_key.text}"),
            "results and manifests must be protected by the same key the bucket enforces "
            "(matched by ARN, key id, or alias)",
            f"use one key for both: {key_name}=<key>.arn on the {view.noun} and "
            "kmsMasterKeyId=<key>.arn on the bucket's encryption configuration",
        ),
    )


@stack_policy(
    name="media-analysis-job-output-encryption",
    description="A media analysis job's or batch's output bucket, when in the stack, must be "
    "encrypted with its KMS key.",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="Use the same aws.kms.Key for the job's or batch's kms_key_id and the "
    "output bucket's kmsMasterKeyId.",
)
def media_analysis_job_output_encryption(stack: StackContext, report: StackReport) -> None:
    """Links job -> output bucket -> effective encryption -> key, and compares the keys."""
    report_violations(assess_output_encryption(stack), report)
