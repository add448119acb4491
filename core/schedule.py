"""When to ask again: the poll schedule of a waiting job, and backoff after an error.

* ``PollSchedule`` follows the job's age (about every second at first, then a fixed
  fraction of the elapsed time, with jitter), so a short job is seen finishing within
  about a second and a long one within a few percent of its duration;
* ``Backoff`` is capped exponential backoff with full jitter, for throttling, server
  errors and an endpoint that does not answer;
* ``Retry`` counts the failed attempts of one call in a row and how long the endpoint has
  not answered, and gives the delay before the next attempt: the one retry loop of the
  Starts (``start``) and the polls (``pollers``), which decide what to retry and when to
  give up (``errors.UNREACHABLE_LIMIT`` of ``unanswered_for``).

How many calls a second the account allows is not decided here: see ``budget``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .errors import UNREACHABLE_RETRY_CAP


@dataclass(frozen=True)
class PollSchedule:
    """How long to wait before the next status poll of a job that has run ``elapsed`` s."""

    minimum: float = 1.0
    fraction: float = 0.04
    maximum: float = 60.0
    jitter: float = 0.1

    def interval(self, elapsed: float) -> float:
        base = min(self.maximum, max(self.minimum, elapsed * self.fraction))
        # Jitter keeps many waiting jobs (and many provider processes) from polling in step.
        return base * random.uniform(1 - self.jitter, 1 + self.jitter)


@dataclass(frozen=True)
class Backoff:
    """Capped exponential backoff with full jitter, for throttling and server errors."""

    base: float = 1.0
    cap: float = 30.0

    def delay(self, attempt: int) -> float:
        return random.uniform(self.base / 2, min(self.cap, self.base * 2**attempt))


@dataclass
class Retry:
    """The failed attempts of one call in a row, and since when the endpoint has not answered.

    ``failed`` notes a failure and returns the delay before the next attempt: the backoff
    of the failures so far, at most ``UNREACHABLE_RETRY_CAP`` while the endpoint has not
    answered (it must show up as answering again within seconds). ``reset`` after an
    answer. The clock is the caller's (``time.monotonic()``).
    """

    backoff: Backoff = field(default_factory=Backoff)
    failures: int = 0
    unanswered_since: float | None = None

    def failed(self, *, unanswered: bool, at: float) -> float:
        """Note a failed attempt (``unanswered``: no answer at all, begun at ``at``)."""
        self.failures += 1
        if unanswered and self.unanswered_since is None:
            self.unanswered_since = at
        delay = self.backoff.delay(self.failures)
        if self.unanswered_since is not None:
            delay = min(delay, UNREACHABLE_RETRY_CAP)
        return delay

    def unanswered_for(self, now: float) -> float:
        """Seconds without an answer (0 while the endpoint answers)."""
        return 0.0 if self.unanswered_since is None else now - self.unanswered_since

    def reset(self) -> None:
        """An answer: the next failure starts counting again."""
        self.failures = 0
        self.unanswered_since = None
