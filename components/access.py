"""``MediaAnalysisAccess``: the least-privilege IAM policy for running media-analysis jobs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from rekognition_media.api.resources import ACCESS_TYPE_TOKEN

from .documents import access_policy_document


@dataclass
class MediaAnalysisAccessArgs:
    input_bucket_arn: pulumi.Input[str] | None = None
    """Bucket holding the manifest and images (read)."""
    output_bucket_arn: pulumi.Input[str] | None = None
    """Bucket receiving results and manifest summaries (write)."""
    kms_key_arn: pulumi.Input[str] | None = None
    """Key encrypting both (GenerateDataKey, Decrypt)."""
    input_prefix: pulumi.Input[str] = ""
    """Read is limited to objects under this prefix; "" = the whole input bucket."""
    output_prefix: pulumi.Input[str] = "results/"
    """Write is limited to objects under this prefix (the job's ``S3KeyPrefix``)."""
    policy_name: pulumi.Input[str] | None = None
    """IAM policy name; ``rekognition-media-<random>`` when absent."""
    path: pulumi.Input[str] | None = None
    """IAM path of the policy."""
    description: pulumi.Input[str] | None = None
    """The policy's description."""
    tags: Mapping[str, pulumi.Input[str]] | None = None
    """Tags of the policy."""
    role_name: pulumi.Input[str] | None = None
    """Attach the policy to this IAM role (``aws.iam.RolePolicyAttachment``)."""
    user_name: pulumi.Input[str] | None = None
    """Attach the policy to this IAM user (``aws.iam.UserPolicyAttachment``)."""
    existing_policy_arn: pulumi.Input[str] | None = None
    """Use this policy instead of creating one. Attachments to ``role_name`` /
    ``user_name`` are still made when those are given (they were not brought)."""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        if self.existing_policy_arn is None:
            missing = [
                f
                for f in ("input_bucket_arn", "output_bucket_arn", "kms_key_arn")
                if getattr(self, f) is None
            ]
            if missing:
                raise ValueError(
                    f"MediaAnalysisAccessArgs.{', '.join(missing)}: got None, required when "
                    "the policy is created (existing_policy_arn not given)"
                )


class MediaAnalysisAccess(pulumi.ComponentResource):
    """An IAM policy granting exactly what running media-analysis jobs needs, optionally
    attached to a role and/or a user.

    Its only ``Resource: "*"`` is on the Rekognition media-analysis actions, which do not
    support resource-level permissions (see ``documents.access_policy_document``).
    """

    policy_arn: pulumi.Output[str]
    """ARN of the IAM policy (the created one, or ``existing_policy_arn``)."""
    policy_document: pulumi.Output[str] | None
    """The policy (JSON) when it is managed here."""
    policy: aws.iam.Policy | None
    role_attachment: aws.iam.RolePolicyAttachment | None
    user_attachment: aws.iam.UserPolicyAttachment | None

    def __init__(
        self,
        name: str,
        args: MediaAnalysisAccessArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(ACCESS_TYPE_TOKEN, name, None, opts)
        args.validate()
        child = pulumi.ResourceOptions(parent=self)

        if args.existing_policy_arn is not None:
            self.policy = None
            self.policy_document = None
            self.policy_arn = pulumi.Output.from_input(args.existing_policy_arn)
        else:
            self.policy_document = pulumi.Output.all(
                args.input_bucket_arn,
                args.input_prefix,
                args.output_bucket_arn,
                args.output_prefix,
                args.kms_key_arn,
            ).apply(lambda v: json.dumps(access_policy_document(*v), indent=2))
            self.policy = aws.iam.Policy(
                name,
                name=args.policy_name,
                name_prefix=None if args.policy_name is not None else "rekognition-media-",
                path=args.path,
                description=args.description
                if args.description is not None
                else "Run Rekognition media analysis jobs on one input and one output location",
                policy=self.policy_document,
                tags=args.tags,
                opts=child,
            )
            self.policy_arn = self.policy.arn

        self.role_attachment = None
        self.user_attachment = None
        if args.role_name is not None:
            self.role_attachment = aws.iam.RolePolicyAttachment(
                f"{name}-role", role=args.role_name, policy_arn=self.policy_arn, opts=child
            )
        if args.user_name is not None:
            self.user_attachment = aws.iam.UserPolicyAttachment(
                f"{name}-user", user=args.user_name, policy_arn=self.policy_arn, opts=child
            )

        self.register_outputs({"policy_arn": self.policy_arn})
