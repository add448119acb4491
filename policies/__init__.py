"""The CrossGuard policy pack of pulumi-rekognition-media.

This folder is both the import package ``rekognition_media.policies`` and a policy pack
directory (``pulumi preview --policy-pack policies``). The policies live in the modules
below so other packs can compose them::

    from pulumi_policy import PolicyPack
    from rekognition_media.policies import all_policies, kms_key_rotation

    PolicyPack("my-pack", policies=[*all_policies()])   # or a selection

Modules: one per resource kind (``s3_buckets``, ``s3_objects``, ``s3_acls``,
``kms_keys``, ``iam_policies``, ``iam_trust_policies``, ``media_analysis_jobs``,
``media_analysis_batches``), the
stack-wide links (``cross_resource``), and the framework they share: policies and their
results (``_framework``), the controls each enforces (``_controls``), what the pack
knows of pulumi-aws resources (``_model``) and of policy documents (``_documents``).
``_tls`` holds the TLS-only analysis of bucket policies behind ``s3_buckets``.

Only ``policies/__main__.py`` constructs a ``PolicyPack`` (its constructor serves gRPC and
blocks). See ``policies/README.md`` for the policies, their levels and settings.
"""

from __future__ import annotations

from pulumi_policy import Policy

from ._controls import ALL_CONTROLS, FRAMEWORKS, Control, Framework
from ._framework import (
    CONTROLS,
    EXEMPT_RESOURCES,
    RESOURCE_TYPES,
    UNKNOWN,
    Finding,
    ResourceContext,
    Setting,
    StackContext,
    StackResource,
    resource_policy,
    stack_policy,
)
from .cross_resource import cross_resource_links
from .iam_policies import (
    MEDIA_ANALYSIS_ACTIONS,
    iam_no_broad_managed_policies,
    iam_no_wildcard_actions,
    iam_no_wildcard_resources,
)
from .iam_trust_policies import iam_role_trust_policy_no_public_access
from .kms_keys import (
    kms_key_deletion_window,
    kms_key_policy_no_cross_account_admin,
    kms_key_policy_no_public_access,
    kms_key_rotation,
)
from .media_analysis_batches import media_analysis_batch_max_images
from .media_analysis_jobs import (
    API_DEFAULT_MIN_CONFIDENCE,
    media_analysis_job_kms_key,
    media_analysis_job_min_confidence,
    media_analysis_job_output_encryption,
)
from .s3_acls import s3_acl_no_public_access, s3_bucket_ownership_enforced
from .s3_buckets import (
    s3_bucket_deny_insecure_transport,
    s3_bucket_encryption_configured,
    s3_bucket_kms_encryption,
    s3_bucket_policy_no_public_access,
    s3_bucket_public_access_block,
)
from .s3_objects import s3_object_kms_encryption, s3_object_kms_key_matches_bucket

PACK_NAME = "rekognition-media"
FRAMEWORK_ENV = "REKOGNITION_MEDIA_POLICY_FRAMEWORK"
"""Names a framework key (``fsbp``): the pack then registers only the policies mapped to it."""


def all_policies() -> list[Policy]:
    """Every policy of the pack, in report order."""
    return [
        s3_bucket_kms_encryption,
        s3_bucket_encryption_configured,
        s3_bucket_public_access_block,
        s3_bucket_deny_insecure_transport,
        s3_bucket_policy_no_public_access,
        s3_acl_no_public_access,
        s3_bucket_ownership_enforced,
        s3_object_kms_encryption,
        s3_object_kms_key_matches_bucket,
        kms_key_rotation,
        kms_key_deletion_window,
        kms_key_policy_no_public_access,
        kms_key_policy_no_cross_account_admin,
        media_analysis_job_kms_key,
        media_analysis_job_min_confidence,
        media_analysis_job_output_encryption,
        media_analysis_batch_max_images,
        iam_no_wildcard_actions,
        iam_no_wildcard_resources,
        iam_no_broad_managed_policies,
        iam_role_trust_policy_no_public_access,
        cross_resource_links,
    ]


def controls_of(policy_name: str) -> tuple[Control, ...]:
    """The controls a policy of this pack enforces; () for none (or a policy not of this pack)."""
    return CONTROLS.get(policy_name, ())


def policies_for(framework: str | None) -> list[Policy]:
    """The pack's policies mapped to ``framework`` (a key of FRAMEWORKS); all of them for
    None or "". An unknown key is a ValueError naming the known ones."""
    if not framework:
        return all_policies()
    key = framework.strip().lower()
    if key not in FRAMEWORKS:
        known = ", ".join(sorted(FRAMEWORKS))
        raise ValueError(f"unknown compliance framework {framework!r} (known: {known})")
    return [p for p in all_policies() if any(c.framework.key == key for c in controls_of(p.name))]


__all__ = [
    "ALL_CONTROLS",
    "API_DEFAULT_MIN_CONFIDENCE",
    "EXEMPT_RESOURCES",
    "FRAMEWORKS",
    "FRAMEWORK_ENV",
    "MEDIA_ANALYSIS_ACTIONS",
    "PACK_NAME",
    "RESOURCE_TYPES",
    "UNKNOWN",
    "Control",
    "Finding",
    "Framework",
    "ResourceContext",
    "Setting",
    "StackContext",
    "StackResource",
    "all_policies",
    "controls_of",
    "cross_resource_links",
    "iam_no_broad_managed_policies",
    "iam_no_wildcard_actions",
    "iam_no_wildcard_resources",
    "iam_role_trust_policy_no_public_access",
    "kms_key_deletion_window",
    "kms_key_policy_no_cross_account_admin",
    "kms_key_policy_no_public_access",
    "kms_key_rotation",
    "media_analysis_batch_max_images",
    "media_analysis_job_kms_key",
    "media_analysis_job_min_confidence",
    "media_analysis_job_output_encryption",
    "policies_for",
    "resource_policy",
    "s3_acl_no_public_access",
    "s3_bucket_deny_insecure_transport",
    "s3_bucket_encryption_configured",
    "s3_bucket_kms_encryption",
    "s3_bucket_ownership_enforced",
    "s3_bucket_policy_no_public_access",
    "s3_bucket_public_access_block",
    "s3_object_kms_encryption",
    "s3_object_kms_key_matches_bucket",
    "stack_policy",
]
