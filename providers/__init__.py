"""The ``MediaAnalysisJob`` Pulumi resource (a Python dynamic provider).

Importing this package (the user's program does) loads what the program side runs:
the Args, the resource and its provider class (``job``, ``request``, ``identity``) and
the lanes (``lanes``). Starting and waiting (``start``, ``pollers``, ``budget``) load in
the provider process when a create needs them.
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
    MediaAnalysisJobFailed,
    MediaAnalysisJobProvider,
)

if TYPE_CHECKING:
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
    # JobWaitTimeout is raised in the provider process; importing it on first use keeps
    # the program from loading the pollers.
    if name == "JobWaitTimeout":
        from .pollers import JobWaitTimeout

        return JobWaitTimeout
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
