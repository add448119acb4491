"""The ``MediaAnalysisJob`` Pulumi resource: the dynamic front end of the job's core.

Importing this package (the user's program does) loads what the program side runs and
starts nothing: the Args (``args``), the resource and its provider class (``job``), the
stack identity (``identity``) and the lanes (``lanes``), with the core's ``request``,
``changes`` and ``token``. The core's lifecycle (``rekognition_media.core.lifecycle``)
with starting and waiting loads in the provider process when a verb needs it, where the
first call also sets the process up (``serving``).
"""

from typing import TYPE_CHECKING, Any

from .args import (
    DetectModerationLabelsArgs,
    MediaAnalysisBatchArgs,
    MediaAnalysisBatchSourceArgs,
    MediaAnalysisInputArgs,
    MediaAnalysisJobArgs,
    OperationsConfigArgs,
    OutputConfigArgs,
    S3ObjectArgs,
)
from .batch import BATCH_TYPE, MediaAnalysisBatch, MediaAnalysisBatchProvider
from .job import (
    TYPE_TOKEN,
    MediaAnalysisJob,
    MediaAnalysisJobProvider,
)

if TYPE_CHECKING:
    from rekognition_media.core.lifecycle import MediaAnalysisJobFailed
    from rekognition_media.core.pollers import JobWaitTimeout

__all__ = [
    "BATCH_TYPE",
    "TYPE_TOKEN",
    "DetectModerationLabelsArgs",
    "JobWaitTimeout",
    "MediaAnalysisBatch",
    "MediaAnalysisBatchArgs",
    "MediaAnalysisBatchProvider",
    "MediaAnalysisBatchSourceArgs",
    "MediaAnalysisInputArgs",
    "MediaAnalysisJob",
    "MediaAnalysisJobArgs",
    "MediaAnalysisJobFailed",
    "MediaAnalysisJobProvider",
    "OperationsConfigArgs",
    "OutputConfigArgs",
    "S3ObjectArgs",
]


def __getattr__(name: str) -> Any:
    # The job's failures are raised in the provider process; importing them on first use
    # keeps the program from loading the core's provider side (the Start, the pollers).
    if name == "JobWaitTimeout":
        from rekognition_media.core.pollers import JobWaitTimeout

        return JobWaitTimeout
    if name == "MediaAnalysisJobFailed":
        from rekognition_media.core.lifecycle import MediaAnalysisJobFailed

        return MediaAnalysisJobFailed
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
