"""Converting between S3 bucket names and ARNs (for bring-your-own buckets)."""

from __future__ import annotations

import pulumi

from rekognition_media.api.arns import parse_arn


def bucket_name_of(name_or_arn: str, field: str = "bucket") -> str:
    """``my-bucket`` for ``my-bucket`` or ``arn:aws:s3:::my-bucket``; ``field`` names the
    argument in the error."""
    if name_or_arn.startswith("arn:"):
        arn = parse_arn(name_or_arn)
        if arn is None or arn.service != "s3" or arn.region or arn.account:
            raise ValueError(f"{field}: got {name_or_arn!r}, an ARN must be an S3 bucket ARN")
        return arn.resource
    return name_or_arn


def bucket_arn_of(name_or_arn: str, partition: str = "aws", field: str = "bucket") -> str:
    """``arn:<partition>:s3:::my-bucket`` for a bucket name; an ARN is returned as is."""
    if name_or_arn.startswith("arn:"):
        bucket_name_of(name_or_arn, field)  # validates
        return name_or_arn
    return f"arn:{partition}:s3:::{name_or_arn}"


def bucket_name_output(name_or_arn: pulumi.Input[str], field: str = "bucket") -> pulumi.Output[str]:
    return pulumi.Output.from_input(name_or_arn).apply(lambda v: bucket_name_of(v, field))


def bucket_arn_output(
    name_or_arn: pulumi.Input[str], partition: str, field: str = "bucket"
) -> pulumi.Output[str]:
    return pulumi.Output.from_input(name_or_arn).apply(lambda v: bucket_arn_of(v, partition, field))
