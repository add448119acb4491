"""KMS keys: automatic rotation on, and a deletion window no shorter than the team's minimum.

Both can remediate: turning rotation on and lengthening the deletion window change nothing
about what the key encrypts, so they are safe to apply automatically.
"""

from __future__ import annotations

from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity

from ._framework import (
    UNKNOWN,
    Report,
    ResourceContext,
    Setting,
    Text,
    resource_policy,
    set_path,
    violation,
)
from ._model import KMS_KEY

AWS_DEFAULT_DELETION_WINDOW_DAYS: Final = 30
"""What AWS uses when ``deletionWindowInDays`` is absent (allowed range 7..30)."""


def _rotation_not_supported(props: dict[str, Any]) -> str | None:
    """Why automatic rotation doesn't apply to this key (None: it applies)."""
    spec = props.get("customerMasterKeySpec")
    if spec is UNKNOWN:
        return "customerMasterKeySpec is unknown during preview"
    if spec not in (None, "SYMMETRIC_DEFAULT"):
        return f"automatic rotation only exists for symmetric encryption keys (spec {spec})"
    for prop in ("customKeyStoreId", "xksKeyId"):
        if props.get(prop) not in (None, ""):
            return f"keys in a custom key store ({prop}) can't be rotated automatically"
    return None


def _enable_rotation(ctx: ResourceContext) -> Any:
    if _rotation_not_supported(ctx.props) or ctx.props.get("enableKeyRotation") is True:
        return None
    set_path(ctx.args.props, ("enableKeyRotation",), True)
    return ctx.args.props


@resource_policy(
    name="kms-key-rotation",
    description="KMS keys must have automatic key rotation enabled.",
    types=(KMS_KEY,),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediate=_enable_rotation,
    remediation_steps="Set enable_key_rotation=True on the aws.kms.Key (the remediate level "
    "does this).",
)
def kms_key_rotation(ctx: ResourceContext, report: Report) -> None:
    """Symmetric keys outside custom key stores must rotate automatically."""
    reason = _rotation_not_supported(ctx.props)
    if reason:
        ctx.not_applicable(reason)
    value = ctx.props.get("enableKeyRotation")
    if value is UNKNOWN:
        ctx.not_applicable("enableKeyRotation is unknown during preview")
    if value is not True:
        report(
            violation(
                ctx.label,
                "enableKeyRotation",
                value,
                "without rotation the same key material protects the data indefinitely",
                "set enable_key_rotation=True (enforcementLevel remediate does this)",
            )
        )


MINIMUM_DELETION_WINDOW: Final = Setting(
    "minimumDeletionWindowDays",
    {
        "type": "integer",
        "minimum": 7,
        "maximum": 30,
        "default": 7,
        "description": "Shortest deletionWindowInDays accepted (AWS allows 7..30, default 30).",
    },
)


def _lengthen_window(ctx: ResourceContext) -> Any:
    minimum = ctx.config[MINIMUM_DELETION_WINDOW.name]
    value = ctx.props.get("deletionWindowInDays")
    if isinstance(value, int | float) and not isinstance(value, bool) and value < minimum:
        set_path(ctx.args.props, ("deletionWindowInDays",), minimum)
        return ctx.args.props
    return None


@resource_policy(
    name="kms-key-deletion-window",
    description="KMS keys must keep a deletion window of at least the configured minimum.",
    types=(KMS_KEY,),
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    settings=(MINIMUM_DELETION_WINDOW,),
    remediate=_lengthen_window,
    remediation_steps="Set deletion_window_in_days to at least minimumDeletionWindowDays (the "
    "remediate level sets it to the minimum).",
)
def kms_key_deletion_window(ctx: ResourceContext, report: Report) -> None:
    """A short deletion window leaves little time to cancel an accidental key deletion."""
    minimum = ctx.config[MINIMUM_DELETION_WINDOW.name]
    value = ctx.props.get("deletionWindowInDays")
    if value is UNKNOWN:
        ctx.not_applicable("deletionWindowInDays is unknown during preview")
    effective = AWS_DEFAULT_DELETION_WINDOW_DAYS if value is None else value
    if not isinstance(effective, int | float) or isinstance(effective, bool):
        report(
            violation(
                ctx.label,
                "deletionWindowInDays",
                value,
                "not a number of days",
                f"set deletion_window_in_days={minimum}",
            )
        )
        return
    if effective < minimum:
        report(
            violation(
                ctx.label,
                "deletionWindowInDays",
                value if value is not None else Text(f"absent (AWS default {effective})"),
                f"a scheduled deletion must stay cancellable for at least {minimum} days "
                "(kms-key-deletion-window.minimumDeletionWindowDays)",
                f"set deletion_window_in_days={minimum} or more",
            )
        )
