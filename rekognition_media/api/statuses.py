"""The lifecycle of a media analysis job: its statuses in order, and which ones end it.

The statuses are the ``MediaAnalysisJobStatus`` enum of botocore's model, which lists them
in lifecycle order (CREATED, QUEUED, IN_PROGRESS, SUCCEEDED, FAILED). The emulator moves
jobs along it; clients stop waiting at a terminal status and treat a status earlier than
one already seen as a stale read.
"""

from __future__ import annotations

from typing import Final

from .shapes import enum_values

STATUSES: Final = enum_values("MediaAnalysisJobStatus")
"""Every status, in lifecycle order."""
CREATED, QUEUED, IN_PROGRESS, SUCCEEDED, FAILED = STATUSES
TERMINAL: Final = frozenset({SUCCEEDED, FAILED})
"""A job in one of these never changes again."""
_LAST: Final = min(STATUSES.index(status) for status in TERMINAL)
RANK: Final[dict[str, int]] = {status: min(i, _LAST) for i, status in enumerate(STATUSES)}
"""Position in the lifecycle; the terminal statuses share the last one (neither follows
the other)."""
