"""The ``MediaAnalysisJob`` Pulumi resource (a Python dynamic provider)."""

from .args import (
    DetectModerationLabelsArgs,
    MediaAnalysisInputArgs,
    MediaAnalysisJobArgs,
    OperationsConfigArgs,
    OutputConfigArgs,
    S3ObjectArgs,
)
from .job import (
    TYPE_TOKEN,
    MediaAnalysisJob,
    MediaAnalysisJobFailed,
    MediaAnalysisJobProvider,
)
from .waiter import JobWaitTimeout

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
