"""``EncryptedBucket``: an S3 bucket that only holds objects encrypted with one KMS key."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from rekognition_media.api.resources import BUCKET_TYPE_TOKEN

from .arns import bucket_arn_output, bucket_name_output
from .documents import bucket_policy_document


@dataclass
class EncryptedBucketArgs:
    kms_key_arn: pulumi.Input[str] | None = None
    """ARN of the KMS key for default encryption and the only key the bucket policy
    accepts on PutObject. Required unless ``existing_bucket_name`` is given."""
    bucket_name: pulumi.Input[str] | None = None
    """Physical bucket name; auto-named from the resource name (plus a random suffix)
    when absent. Bucket names are lowercase."""
    force_destroy: pulumi.Input[bool] = False
    """Let ``pulumi destroy`` delete a bucket that still holds objects (and versions)."""
    expire_objects_prefix: pulumi.Input[str] | None = None
    """With ``expire_objects_after_days``: expire objects under this prefix ("" = all)."""
    expire_objects_after_days: int | None = None
    """Days after which objects under ``expire_objects_prefix`` expire; the same number
    of days after becoming noncurrent, their old versions are deleted too."""
    partition: str = "aws"
    """AWS partition of the bucket's ARN."""
    tags: Mapping[str, pulumi.Input[str]] | None = None
    """Tags of the bucket."""
    existing_bucket_name: pulumi.Input[str] | None = None
    """Use this bucket (a name or an ``arn:aws:s3:::name`` ARN) instead of creating one:
    nothing is created, its configuration is left to its owner."""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        if self.existing_bucket_name is None and self.kms_key_arn is None:
            raise ValueError(
                "EncryptedBucketArgs.kms_key_arn: got None, required when the bucket is "
                "created (existing_bucket_name not given)"
            )
        if (self.expire_objects_after_days is None) != (self.expire_objects_prefix is None):
            raise ValueError(
                "EncryptedBucketArgs.expire_objects_prefix/expire_objects_after_days: got "
                f"{self.expire_objects_prefix!r}/{self.expire_objects_after_days!r}, "
                "give both or neither"
            )
        days = self.expire_objects_after_days
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
            raise ValueError(
                f"EncryptedBucketArgs.expire_objects_after_days: got {days!r}, "
                "must be a whole number of days, at least 1"
            )


class EncryptedBucket(pulumi.ComponentResource):
    """An S3 bucket with SSE-KMS default encryption (bucket key on), versioning, all
    public access blocked, ACLs disabled (BucketOwnerEnforced), a policy denying non-TLS
    requests and PUTs that are unencrypted or use another key, and optional expiry."""

    bucket_name: pulumi.Output[str]
    """Name of the bucket (the created one, or ``existing_bucket_name``'s)."""
    bucket_arn: pulumi.Output[str]
    """ARN of the bucket (``arn:<partition>:s3:::<name>``)."""
    policy_document: pulumi.Output[str] | None
    """The bucket policy (JSON) when the bucket is managed here."""
    bucket: aws.s3.Bucket | None
    ownership_controls: aws.s3.BucketOwnershipControls | None
    public_access_block: aws.s3.BucketPublicAccessBlock | None
    encryption: aws.s3.BucketServerSideEncryptionConfiguration | None
    versioning: aws.s3.BucketVersioning | None
    policy: aws.s3.BucketPolicy | None
    lifecycle: aws.s3.BucketLifecycleConfiguration | None

    def __init__(
        self,
        name: str,
        args: EncryptedBucketArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(BUCKET_TYPE_TOKEN, name, None, opts)
        args.validate()
        self.policy_document = None
        self.bucket = None
        self.ownership_controls = None
        self.public_access_block = None
        self.encryption = None
        self.versioning = None
        self.policy = None
        self.lifecycle = None

        if args.existing_bucket_name is not None:
            field = "EncryptedBucketArgs.existing_bucket_name"
            self.bucket_name = bucket_name_output(args.existing_bucket_name, field)
            self.bucket_arn = bucket_arn_output(args.existing_bucket_name, args.partition, field)
        else:
            assert args.kms_key_arn is not None  # checked by validate()
            self._create(name, args, args.kms_key_arn)

        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn})

    def _create(self, name: str, args: EncryptedBucketArgs, key_arn: pulumi.Input[str]) -> None:
        child = pulumi.ResourceOptions(parent=self)
        bucket = aws.s3.Bucket(
            name,
            bucket=args.bucket_name,
            force_destroy=args.force_destroy,
            tags=args.tags,
            opts=child,
        )
        self.bucket = bucket
        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn

        self.ownership_controls = aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        self.public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        self.encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms",
                        kms_master_key_id=key_arn,
                    ),
                    bucket_key_enabled=True,
                )
            ],
            opts=child,
        )
        self.versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"
            ),
            opts=child,
        )
        self.policy_document = pulumi.Output.all(
            bucket.arn, pulumi.Output.from_input(key_arn)
        ).apply(lambda v: json.dumps(bucket_policy_document(v[0], v[1]), indent=2))
        # The public access block and the ownership controls go first: S3 rejects policy
        # and ownership changes that race with them (OperationAborted / conflicting
        # conditional operation), and a policy must never exist on a bucket that still
        # allows public policies.
        self.policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=bucket.id,
            policy=self.policy_document,
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[self.public_access_block, self.ownership_controls],
            ),
        )
        if args.expire_objects_after_days is not None:
            days = args.expire_objects_after_days
            prefix = args.expire_objects_prefix if args.expire_objects_prefix is not None else ""
            # Lifecycle rules on a versioned bucket: configure after versioning is on, so
            # the noncurrent-version rule applies from the start.
            self.lifecycle = aws.s3.BucketLifecycleConfiguration(
                f"{name}-lifecycle",
                bucket=bucket.id,
                rules=[
                    aws.s3.BucketLifecycleConfigurationRuleArgs(
                        id="expire-objects",
                        status="Enabled",
                        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=prefix),
                        expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=days),
                        noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                            noncurrent_days=days
                        ),
                        abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                            days_after_initiation=1
                        ),
                    )
                ],
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.versioning]),
            )
