"""KMS keys: automatic rotation on, a deletion window no shorter than the team's minimum, and a
key policy that neither lets everyone use the key nor hands full control to other accounts.

Rotation and the deletion window can remediate: turning rotation on and lengthening the
window change nothing about what the key encrypts, so they are safe to apply
automatically. The key policy checks never remediate: who may use a key is a decision.

Key policies are read wherever pulumi-aws writes one: ``aws.kms.Key``, ``KeyPolicy``,
``ReplicaKey``, ``ExternalKey`` and ``ReplicaExternalKey`` (``policy``). An absent policy is
AWS's default key policy (the key's own account root, ``kms:*``): compliant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity

from ._controls import KMS_5
from ._documents import (
    KMS_RESTRICTING_KEYS,
    POSITIVE_OPERATORS,
    Document,
    DocumentError,
    Exposure,
    Statement,
    is_fixed,
    parse_arn,
    parse_document,
    public_access_violations,
    public_grants,
)
from ._framework import (
    UNKNOWN,
    Report,
    ResourceContext,
    Setting,
    Text,
    as_list,
    resource_policy,
    set_path,
    show,
    violation,
)
from ._model import KMS_KEY, KMS_KEY_POLICY_TYPES

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


# --- key policies ------------------------------------------------------------------------------


def _key_policy(ctx: ResourceContext, report: Report, *, report_errors: bool) -> Document | None:
    """The resource's key policy; None when absent (AWS's default policy) or unreadable
    (reported when ``report_errors``: by kms-key-policy-no-public-access, so only once)."""
    value = ctx.props.get("policy")
    if value is UNKNOWN:
        ctx.not_applicable("the key policy is unknown during preview; checked once known")
    try:
        document = parse_document(value)
    except DocumentError as exc:
        if report_errors:
            report(
                violation(
                    ctx.label,
                    "policy",
                    Text(f"not a policy document ({exc})"),
                    "who may use the key can't be verified (and KMS rejects it)",
                    "pass a valid key policy JSON document",
                )
            )
        return None
    return document if isinstance(document, Document) else None


KEY_POLICY_EXPOSURE: Final = Exposure(
    keys=KMS_RESTRICTING_KEYS,
    consequence="lets anyone who can reach KMS use the key (decrypt what it protects, "
    "depending on the actions)",
    restrictions="principal, account, organization, source or network",
    fix='name the principals (Principal {"AWS": "<role ARN>"}) or add a condition with a fixed '
    'value, e.g. {"StringEquals": {"kms:CallerAccount": "<account id>"}} or '
    '{"StringEquals": {"aws:PrincipalOrgID": "o-..."}}',
)


@resource_policy(
    name="kms-key-policy-no-public-access",
    description='KMS key policies must not allow everyone (Principal "*") unless a condition '
    "limits access to fixed principals, accounts, organizations, sources or networks.",
    types=KMS_KEY_POLICY_TYPES,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    controls=(KMS_5,),
    remediation_steps="Grant to named principals, or restrict the Allow with a fixed "
    "kms:CallerAccount, aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalArn, "
    "aws:SourceArn or aws:SourceAccount.",
)
def kms_key_policy_no_public_access(ctx: ResourceContext, report: Report) -> None:
    """The analysis of s3-bucket-policy-no-public-access, on key policies."""
    document = _key_policy(ctx, report, report_errors=True)
    if document is not None:
        for message in public_access_violations(ctx.label, "policy", document, KEY_POLICY_EXPOSURE):
            report(message)


# --- kms-key-policy-no-cross-account-admin: full control (kms:*) for other accounts ----------

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
        if operator.lower().removeprefix("foranyvalue:") not in POSITIVE_OPERATORS:
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
                    accounts.add(v if is_fixed(v) else ANY_ACCOUNT)
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


KEY_ACCOUNTS: Final = Setting(
    "keyAccounts",
    {
        "type": "array",
        "items": {"type": "string", "pattern": "^[0-9]{12}$"},
        "default": [],
        "description": "The AWS account ids the stack's keys live in. When empty, a key's "
        "account is taken from its ARN where the resource names one (KeyPolicy keyId, "
        "ReplicaKey primaryKeyArn); otherwise only grants spanning several accounts are "
        "flagged.",
    },
)
TRUSTED_ACCOUNTS: Final = Setting(
    "trustedAccounts",
    {
        "type": "array",
        "items": {"type": "string", "pattern": "^[0-9]{12}$"},
        "default": [],
        "description": "Other accounts that may hold kms:* on the keys, e.g. a central "
        "key-administration account.",
    },
)


def _key_accounts(ctx: ResourceContext) -> tuple[set[str], str]:
    """The accounts the key may live in, and where that came from (for messages)."""
    for prop in ("arn", "keyId", "primaryKeyArn"):
        value = ctx.props.get(prop)
        arn = parse_arn(value) if isinstance(value, str) else None
        if arn is not None and ACCOUNT_ID.fullmatch(arn.account):
            return {arn.account}, f"from `{prop}`"
    configured = set(ctx.config[KEY_ACCOUNTS.name])
    return configured, f"{ctx.policy_name}.keyAccounts"


def _accounts_text(accounts: set[str] | frozenset[str]) -> str:
    named = sorted(a for a in accounts if a != ANY_ACCOUNT)
    parts = (["any account"] if ANY_ACCOUNT in accounts else []) + named
    return ", ".join(parts)


_ADMIN_FIX = (
    'give kms:* only to the key\'s own account (Principal {"AWS": "arn:aws:iam::<key '
    'account>:root"}) and other accounts only the actions they use (kms:Decrypt, '
    "kms:GenerateDataKey, ...), or list a central key-administration account in trustedAccounts"
)


@resource_policy(
    name="kms-key-policy-no-cross-account-admin",
    description="KMS key policies must not grant kms:* (full control) to principals outside "
    "the key's account.",
    types=KMS_KEY_POLICY_TYPES,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    settings=(KEY_ACCOUNTS, TRUSTED_ACCOUNTS),
    remediation_steps="Keep kms:* for the key's own account root; grant other accounts only "
    "the cryptographic actions they use.",
)
def kms_key_policy_no_cross_account_admin(ctx: ResourceContext, report: Report) -> None:
    """Allows of ``kms:*`` (or ``*``, or NotAction) to AWS principals of other accounts, or to
    everyone limited to no account. Allows to everyone without a restricting condition are
    kms-key-policy-no-public-access's (not reported twice)."""
    document = _key_policy(ctx, report, report_errors=False)
    if document is None:
        return
    public = {grant.statement.index for grant in public_grants(document, KMS_RESTRICTING_KEYS)[0]}
    trusted = set(ctx.config[TRUSTED_ACCOUNTS.name])
    key_accounts, source = _key_accounts(ctx)
    grants = [g for g in full_control_grants(document)[0] if g.statement.index not in public]
    if key_accounts:
        for grant in grants:
            outside = set(grant.accounts) - key_accounts - trusted
            if not outside:
                continue
            report(
                violation(
                    ctx.label,
                    f"policy {grant.statement.label}.Principal",
                    grant.statement.field("Principal") or grant.statement.field("NotPrincipal"),
                    f"it grants {_granted(grant.element, grant.statement)} (full control: use the "
                    "key, change its policy, schedule its deletion) to principals of "
                    f"{_accounts_text(outside)}, outside the key's account "
                    f"{', '.join(sorted(key_accounts))} ({source})",
                    _ADMIN_FIX,
                )
            )
        return
    # The key's account is not known: one account holding kms:* is taken to be the key's own
    # (AWS's default key policy); grants to any account, or to several, can't all be.
    accounts: set[str] = set()
    for grant in grants:
        accounts |= set(grant.accounts) - trusted
    if not (ANY_ACCOUNT in accounts or len(accounts) > 1):
        return
    statements = ", ".join(g.statement.label for g in grants if set(g.accounts) - trusted)
    report(
        violation(
            ctx.label,
            "policy",
            Text(
                f"a document granting kms:* to principals of {_accounts_text(accounts)} "
                f"({statements})"
            ),
            "a key lives in one account, so principals outside it get full control of the key "
            "(use it, change its policy, schedule its deletion)",
            f"{_ADMIN_FIX}; name the key's account in keyAccounts to have each statement "
            "checked against it",
        )
    )


def _granted(element: str, statement: Statement) -> str:
    if element == "NotAction":
        return f"every action except NotAction {show(statement.field('NotAction'))}"
    return f"Action {show(statement.field('Action'))}"
