"""``MediaAnalysisKey``: the customer managed KMS key that encrypts inputs and results."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from rekognition_media.api.resources import KEY_TYPE_TOKEN

from .documents import KEY_ARN_PATTERN, key_policy_document

MIN_DELETION_WINDOW_DAYS = 7
MAX_DELETION_WINDOW_DAYS = 30


def validate_deletion_window(days: object, field_name: str = "deletion_window_in_days") -> int:
    """``days`` if it is a whole number of days from 7 to 30, else a ValueError saying why."""
    if isinstance(days, bool) or not isinstance(days, int):
        raise ValueError(
            f"{field_name}: got {days!r}, must be a whole number of days between "
            f"{MIN_DELETION_WINDOW_DAYS} and {MAX_DELETION_WINDOW_DAYS}"
        )
    if days < MIN_DELETION_WINDOW_DAYS:
        raise ValueError(
            f"{field_name}: got {days}, must be at least {MIN_DELETION_WINDOW_DAYS} days "
            f"(the AWS KMS minimum waiting period; {MIN_DELETION_WINDOW_DAYS} is also the default)"
        )
    if days > MAX_DELETION_WINDOW_DAYS:
        raise ValueError(
            f"{field_name}: got {days}, must be at most {MAX_DELETION_WINDOW_DAYS} days "
            "(the AWS KMS maximum waiting period)"
        )
    return days


def check_key_arn(arn: str) -> str:
    """``arn`` if it is a KMS key ARN (not a key id or alias), else a ValueError."""
    if not isinstance(arn, str) or not KEY_ARN_PATTERN.match(arn):
        raise ValueError(
            f"existing_key_arn: got {arn!r}, must be a KMS key ARN "
            "(arn:<partition>:kms:<region>:<account>:key/<key-id>), not a key id or alias: "
            "the bucket policy and the IAM policy must name the key by ARN"
        )
    return arn


@dataclass
class MediaAnalysisKeyArgs:
    key_user_arns: pulumi.Input[Sequence[pulumi.Input[str]]] = field(default_factory=list)
    """IAM principal ARNs (roles, users) the key policy lets encrypt, decrypt and
    GenerateDataKey. The account root is always granted administration."""
    account_id: pulumi.Input[str] | None = None
    """12-digit account id for the root statement; looked up with
    ``aws.get_caller_identity`` when absent."""
    deletion_window_in_days: int = MIN_DELETION_WINDOW_DAYS
    """Waiting period before a scheduled deletion happens: 7 (default) to 30 days."""
    alias_name: pulumi.Input[str] | None = None
    """Full alias name (``alias/...``); ``alias/rekognition-media-<random>`` when absent."""
    description: pulumi.Input[str] | None = None
    """The key's description; ``Rekognition media analysis (<name>)`` when absent."""
    partition: str = "aws"
    """AWS partition of the ARNs in the key policy."""
    tags: Mapping[str, pulumi.Input[str]] | None = None
    """Tags of the key."""
    existing_key_arn: pulumi.Input[str] | None = None
    """Use this key instead of creating one: nothing is created (no key, no alias)."""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        validate_deletion_window(
            self.deletion_window_in_days, "MediaAnalysisKeyArgs.deletion_window_in_days"
        )
        if isinstance(self.existing_key_arn, str):
            check_key_arn(self.existing_key_arn)


class MediaAnalysisKey(pulumi.ComponentResource):
    """A KMS key with rotation on, a deletion window of at least 7 days, an alias and a
    key policy granting the account root and only the given key users."""

    key_arn: pulumi.Output[str]
    """ARN of the key (the created one, or ``existing_key_arn``)."""
    key_id: pulumi.Output[str]
    """Id of the key (the last part of its ARN)."""
    alias_name: pulumi.Output[str] | None
    """Name of the key's alias (``alias/...``) when the key is managed here."""
    policy_document: pulumi.Output[str] | None
    """The key policy (JSON) when the key is managed here."""
    key: aws.kms.Key | None
    alias: aws.kms.Alias | None

    def __init__(
        self,
        name: str,
        args: MediaAnalysisKeyArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(KEY_TYPE_TOKEN, name, None, opts)
        args = args if args is not None else MediaAnalysisKeyArgs()
        args.validate()
        child = pulumi.ResourceOptions(parent=self)

        if args.existing_key_arn is not None:
            self.key = None
            self.alias = None
            self.alias_name = None
            self.policy_document = None
            self.key_arn = pulumi.Output.from_input(args.existing_key_arn).apply(check_key_arn)
            self.key_id = self.key_arn.apply(lambda arn: arn.rsplit("/", 1)[-1])
        else:
            account_id: pulumi.Output[str]
            if args.account_id is not None:
                account_id = pulumi.Output.from_input(args.account_id)
            else:
                account_id = aws.get_caller_identity_output(
                    opts=pulumi.InvokeOutputOptions(parent=self)
                ).account_id
            partition = args.partition
            self.policy_document = pulumi.Output.all(
                account_id, pulumi.Output.from_input(args.key_user_arns)
            ).apply(
                lambda v: json.dumps(key_policy_document(v[0], list(v[1]), partition), indent=2)
            )
            self.key = aws.kms.Key(
                name,
                description=args.description
                if args.description is not None
                else f"Rekognition media analysis ({name})",
                enable_key_rotation=True,
                deletion_window_in_days=args.deletion_window_in_days,
                key_usage="ENCRYPT_DECRYPT",
                customer_master_key_spec="SYMMETRIC_DEFAULT",
                policy=self.policy_document,
                tags=args.tags,
                opts=child,
            )
            self.alias = aws.kms.Alias(
                f"{name}-alias",
                name=args.alias_name,
                name_prefix=None if args.alias_name is not None else "alias/rekognition-media-",
                target_key_id=self.key.key_id,
                opts=child,
            )
            self.key_arn = self.key.arn
            self.key_id = self.key.key_id
            self.alias_name = self.alias.name

        self.register_outputs(
            {
                "key_arn": self.key_arn,
                "key_id": self.key_id,
                "alias_name": self.alias_name,
            }
        )
