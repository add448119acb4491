"""Entry point of the policy pack: ``pulumi preview --policy-pack policies``.

The CLI runs this file as a script with the pack directory as working directory, so the
policies are imported through the installed package, never relatively. This is the only
place that constructs a ``PolicyPack`` (the constructor starts the analyzer's gRPC server
and blocks until the engine is done).
"""

from __future__ import annotations

import os
import sys

from pulumi_policy import EnforcementLevel, PolicyPack

from rekognition_media.policies import FRAMEWORK_ENV, PACK_NAME, policies_for


def main() -> None:
    # A pack-wide choice: --policy-pack-config is per policy, so the framework comes from the
    # environment, which the CLI passes on to the analyzer it starts.
    try:
        policies = policies_for(os.environ.get(FRAMEWORK_ENV))
    except ValueError as exc:
        sys.exit(f"{FRAMEWORK_ENV}: {exc}")
    PolicyPack(
        name=PACK_NAME,
        policies=policies,
        # Every policy sets its own default level; this only covers policies added without one.
        enforcement_level=EnforcementLevel.MANDATORY,
        description="Encryption and least privilege across the S3 buckets, KMS keys, IAM "
        "policies and Rekognition media analysis jobs of a stack.",
        provider="aws",
        tags=["rekognition-media", "encryption", "least-privilege"],
    )


if __name__ == "__main__":
    main()
