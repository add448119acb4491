"""``cross-resource-links`` (advisory): what the stack-level checks could not decide.

The stack checks never turn "don't know" into a violation. They don't know when a
bucket-level resource can't be linked to its bucket (its ``bucket`` is unknown during
preview and its dependency doesn't single out one bucket) or when a value they compare is
unknown (a bucket policy built from ``<bucket>.arn``, a key ARN of a key being created
without a recorded dependency). This policy lists those cases so the report shows what was
not verified; during ``pulumi up`` the values are known and the mandatory checks decide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from pulumi_policy import EnforcementLevel, Severity

from ._framework import (
    Finding,
    StackContext,
    StackReport,
    stack_policy,
)
from .media_analysis_jobs import assess_output_encryption, media_analysis_job_output_encryption
from .s3_buckets import (
    assess_encryption_configured,
    assess_insecure_transport,
    assess_public_access_block,
    s3_bucket_deny_insecure_transport,
    s3_bucket_encryption_configured,
    s3_bucket_public_access_block,
)
from .s3_objects import assess_object_keys, s3_object_kms_key_matches_bucket

ASSESSMENTS: dict[str, Callable[[StackContext], Iterator[Finding]]] = {
    policy.name: assess
    for policy, assess in (
        (s3_bucket_encryption_configured, assess_encryption_configured),
        (s3_bucket_public_access_block, assess_public_access_block),
        (s3_bucket_deny_insecure_transport, assess_insecure_transport),
        (media_analysis_job_output_encryption, assess_output_encryption),
        (s3_object_kms_key_matches_bucket, assess_object_keys),
    )
}
"""The stack-level checks whose "unverified" findings this policy reports, by policy name."""


@stack_policy(
    name="cross-resource-links",
    description="Stack-level checks could link every resource and compare every value they "
    "need (lists what could not be verified, e.g. values unknown during preview).",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    remediation_steps="Pass resource outputs (bucket=<bucket>.id, kms_key_id=<key>.arn) rather "
    "than computed strings so the dependency links the resources; re-check with pulumi up.",
)
def cross_resource_links(stack: StackContext, report: StackReport) -> None:
    """Reports the "unverified" findings of every stack-level check, tagged with its name."""
    for policy_name, assess in ASSESSMENTS.items():
        for finding in assess(stack):
            if finding.verdict == "unverified":
                report(f"[{policy_name}] {finding.message}", finding.urn)
