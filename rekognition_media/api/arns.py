"""ARNs, split into their parts: the one place an ARN is taken apart.

``arn:<partition>:<service>:<region>:<account>:<resource>`` -- botocore's ``ArnParser``
splits it (the resource keeps its own colons and slashes); S3 bucket ARNs have neither
region nor account (``arn:aws:s3:::my-bucket``). The components accept bucket ARNs for
names, the emulator resolves KMS key ARNs, the policy pack reads key, role and bucket ARNs.
"""

from __future__ import annotations

from dataclasses import dataclass

from botocore.utils import ArnParser, InvalidArnException

_PARSER = ArnParser()


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str


def parse_arn(value: str) -> Arn | None:
    """``value`` split up; None if it is not an ARN."""
    if not value.startswith("arn:"):
        return None
    try:
        parts = _PARSER.parse_arn(value)
    except InvalidArnException:
        return None
    return Arn(
        partition=parts["partition"],
        service=parts["service"],
        region=parts["region"],
        account=parts["account"],
        resource=parts["resource"],
    )
