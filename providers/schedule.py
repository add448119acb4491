"""When to ask again: the poll schedule of a waiting job, and backoff after an error.

* ``PollSchedule`` follows the job's age (about every second at first, then a fixed
  fraction of the elapsed time, with jitter), so a short job is seen finishing within
  about a second and a long one within a few percent of its duration;
* ``Backoff`` is capped exponential backoff with full jitter, for throttling, server
  errors and an endpoint that does not answer (polls in ``pollers``, Starts in ``start``).

How many calls a second the account allows is not decided here: see ``budget``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


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
