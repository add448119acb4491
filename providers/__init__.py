"""The ``MediaAnalysisJob`` Pulumi resource (a Python dynamic provider)."""

from . import lifeline
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
from .pollers import JobWaitTimeout

# In a provider server process (where the engine unpickles the provider, importing this
# package), exit when the engine is gone; elsewhere, nothing.
lifeline.start_if_provider_server()

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
