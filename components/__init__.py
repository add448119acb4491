"""Encrypted buckets, KMS key and least-privilege IAM for Rekognition media analysis, as
Pulumi components, and the pipeline that wires them to a ``MediaAnalysisJob``.

    from rekognition_media.components import MediaAnalysisPipeline, MediaAnalysisPipelineArgs

Modules: ``documents`` (the policy documents, pure functions), ``key``, ``bucket``,
``access``, ``pipeline`` (the components), ``arns`` (bucket name/ARN helpers). The
sample images of the example stack are in ``devtools.media``, the
manifest writer in ``rekognition_media.api.manifest``. See README.md in this folder.
"""

from .access import MediaAnalysisAccess, MediaAnalysisAccessArgs
from .bucket import EncryptedBucket, EncryptedBucketArgs
from .documents import access_policy_document, bucket_policy_document, key_policy_document
from .key import (
    MAX_DELETION_WINDOW_DAYS,
    MIN_DELETION_WINDOW_DAYS,
    MediaAnalysisKey,
    MediaAnalysisKeyArgs,
)
from .pipeline import MediaAnalysisPipeline, MediaAnalysisPipelineArgs

__all__ = [
    "MAX_DELETION_WINDOW_DAYS",
    "MIN_DELETION_WINDOW_DAYS",
    "EncryptedBucket",
    "EncryptedBucketArgs",
    "MediaAnalysisAccess",
    "MediaAnalysisAccessArgs",
    "MediaAnalysisKey",
    "MediaAnalysisKeyArgs",
    "MediaAnalysisPipeline",
    "MediaAnalysisPipelineArgs",
    "access_policy_document",
    "bucket_policy_document",
    "key_policy_document",
]
