"""The Rekognition media-analysis API contract shared by the provider, emulator and policies.

Constraints, operations and IAM actions come from botocore's service model (``shapes``)
and the service's own rules (``rules``); documented limits and defaults the model does not
carry are in ``limits``; job statuses in ``statuses``; the manifest and output formats in
``manifest``; the Pulumi type tokens of our resources in ``resources``; how values appear
in messages in ``messages``; snake_case <-> PascalCase in ``casing``; the S3
encryption algorithms that use a KMS key in ``encryption``; ARNs taken apart in
``arns``. Each value is defined here once and imported everywhere else.
"""
