"""The S3 server-side encryption algorithms that encrypt under a KMS key.

``aws:kms`` is SSE-KMS; ``aws:kms:dsse`` is dual-layer SSE-KMS (DSSE-KMS), which adds a
second, S3-managed AES-256 layer on top (S3 User Guide, "Using dual-layer server-side
encryption with AWS KMS keys (DSSE-KMS)"). Both take the same key id
(``SSEKMSKeyId`` / ``kmsMasterKeyId``), fall back to the AWS managed ``aws/s3`` key when
none is given, and are read with ``s3:GetObject`` plus ``kms:Decrypt`` on that key. The
policy pack's defaults, its bucket, object and job checks, and the provider's diagnosis of
an unreadable result all take the list from here.
"""

from __future__ import annotations

from typing import Final

SSE_KMS: Final = "aws:kms"
DSSE_KMS: Final = "aws:kms:dsse"
KMS_SSE_ALGORITHMS: Final = (SSE_KMS, DSSE_KMS)
"""Every ``x-amz-server-side-encryption`` value that means "encrypted under a KMS key"."""
