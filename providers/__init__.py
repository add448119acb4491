"""The ``MediaAnalysisJob`` Pulumi resource (a Python dynamic provider)."""

from rekognition_media.providers.args import (
    DetectModerationLabelsArgs,
    MediaAnalysisInputArgs,
    MediaAnalysisJobArgs,
    OperationsConfigArgs,
    OutputConfigArgs,
    S3ObjectArgs,
)
from rekognition_media.providers.job import (
    TYPE_TOKEN,
    MediaAnalysisJob,
    MediaAnalysisJobFailed,
    MediaAnalysisJobProvider,
)
from rekognition_media.providers.waiter import JobWaitTimeout

__all__ = [
    "TYPE_TOKEN",
    "DetectModerationLabelsArgs",
    "JobWaitTimeout",
    "MediaAnalysisInputArgs",
    "MediaAnalysisJob",
    "MediaAnalysisJobArgs",
    "MediaAnalysisJobFailed",
    "MediaAnalysisJobProvider",
    "OperationsConfigArgs",
    "OutputConfigArgs",
    "S3ObjectArgs",
]
