"""The ``MediaAnalysisJob`` Pulumi resource (a Python dynamic provider).

Importing this package (the user's program does) loads what the program side runs:
the Args, the resource and its provider class (``job``, ``request``, ``changes``,
``identity``) and the lanes (``lanes``). The job's lifecycle (``lifecycle``) with starting
and waiting (``start``, ``pollers``, ``budget``) loads in the provider process when a verb
needs it.
"""

from typing import TYPE_CHECKING, Any

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
    MediaAnalysisJobProvider,
)

if TYPE_CHECKING:
    from .lifecycle import MediaAnalysisJobFailed
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


def __getattr__(name: str) -> Any:
    # The job's failures are raised in the provider process; importing them on first use
    # keeps the program from loading the core's provider side (the Start, the pollers).
    if name == "JobWaitTimeout":
        from .pollers import JobWaitTimeout

        return JobWaitTimeout
    if name == "MediaAnalysisJobFailed":
        from .lifecycle import MediaAnalysisJobFailed

        return MediaAnalysisJobFailed
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
