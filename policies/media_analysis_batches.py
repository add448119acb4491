"""``MediaAnalysisBatch`` of either front end: a cap on how many images one batch analyses.

A batch lists a bucket prefix and starts one job per manifest of at most 10,000 images;
Rekognition bills each image it analyses, so a prefix that turns out to hold millions of
images is a bill nobody saw. The batch's own ``max_images`` (``maxImages`` in the
plugin) stops it before anything is written; this policy makes every batch declare that
cap, and no higher than the organisation allows. The job policies (key, confidence floor,
output bucket's key) check batches too (``media_analysis_jobs``).
"""

from __future__ import annotations

from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity

from ._framework import UNKNOWN, Report, ResourceContext, Setting, resource_policy, violation
from ._model import MEDIA_ANALYSIS_BATCHES, MediaJob

DEFAULT_MAX_IMAGES: Final = 100_000
"""The default ceiling: ten full manifests (about USD 100 at USD 0.001 per image)."""

MAX_IMAGES: Final = Setting(
    "maxImages",
    {
        "type": "integer",
        "minimum": 1,
        "default": DEFAULT_MAX_IMAGES,
        "description": "The highest max_images (maxImages) a batch may declare: the most "
        "images one batch may analyse, and be billed for.",
    },
)


def _whole_number(value: Any) -> int | None:
    """``value`` as an int when it is a whole number (the engine sends numbers as floats)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


@resource_policy(
    name="media-analysis-batch-max-images",
    description="Media analysis batches must declare max_images (maxImages in the plugin's "
    "resource), at most the configured limit.",
    types=MEDIA_ANALYSIS_BATCHES,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    settings=(MAX_IMAGES,),
    remediation_steps="Pass max_images=<n> in MediaAnalysisBatchArgs (maxImages in the plugin's "
    "resource), at most the policy's maxImages; or raise the policy's maxImages in "
    "--policy-pack-config. No automatic fix: how many images to pay for is a decision.",
)
def media_analysis_batch_max_images(ctx: ResourceContext, report: Report) -> None:
    """A value unknown at preview passes; the provider rejects one that is not an integer."""
    limit = ctx.config[MAX_IMAGES.name]
    batch = MediaJob(ctx.type, ctx.props)
    name = batch.path("max_images")
    value = batch.get("max_images")
    if value is UNKNOWN:
        ctx.not_applicable(f"{name} is unknown during preview; checked once known")
    if value is None:
        report(
            violation(
                ctx.label,
                name,
                value,
                "without a cap the batch analyses (and Rekognition bills) every image under "
                "the prefix, however many there are",
                f"pass {batch.fix_name('max_images')}=<n> (at most {limit}) "
                + batch.declared(batch.args_class, "to"),
            )
        )
        return
    number = _whole_number(value)
    if number is None:
        return  # not a whole number: the provider's check rejects it with its own wording
    if number > limit:
        report(
            violation(
                ctx.label,
                name,
                number,
                f"more than the {limit} images one batch may analyse "
                "(media-analysis-batch-max-images.maxImages)",
                f"set {batch.fix_name('max_images')} to {limit} or less "
                + batch.declared(batch.args_class)
                + ", or raise media-analysis-batch-max-images.maxImages",
            )
        )
