"""Fault injection and quota enforcement for the Rekognition operations.

Both are off by default. They apply to the three media-analysis operations only: the
admin endpoints and moto's services never see them (the router calls this module only
for Rekognition requests).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

from .settings import EmulatorSettings


@dataclass(frozen=True)
class Fault:
    """An error to answer instead of running the operation."""

    code: str
    status: int
    message: str


THROTTLING = "ThrottlingException"
PROVISIONED_THROUGHPUT = "ProvisionedThroughputExceededException"
INTERNAL_ERROR = "InternalServerError"


class FaultDice:
    """Draws injected faults with the configured probabilities.

    One uniform draw per call is split into consecutive ranges (throttling, provisioned
    throughput, internal error), so the rates are exact fractions of calls and never
    overlap. With ``fault_seed`` set the sequence of outcomes is reproducible.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seed: int | None = None
        self._rng = random.Random()

    def roll(self, settings: EmulatorSettings) -> Fault | None:
        rates = (
            settings.throttling_rate,
            settings.provisioned_throughput_rate,
            settings.internal_error_rate,
        )
        if not any(rates):
            return None
        with self._lock:
            if settings.fault_seed != self._seed:
                self._seed = settings.fault_seed
                self._rng.seed(settings.fault_seed)
            draw = self._rng.random()
        if draw < rates[0]:
            return Fault(THROTTLING, settings.throttling_status, "Slow down.")
        if draw < rates[0] + rates[1]:
            return Fault(PROVISIONED_THROUGHPUT, 400, "Provisioned rate exceeded.")
        if draw < sum(rates):
            return Fault(INTERNAL_ERROR, 500, "Internal server error.")
        return None


class QuotaEnforcer:
    """Quota mode: token buckets per (account, region, operation), ``rate`` calls/s, burst
    ``rate``; a call over quota is refused, never delayed.

    A burst of ``rate`` calls passes at once, as AWS's documented TPS quotas allow; the
    next call within the same second is over quota. Rates below 1/s still admit one call.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str, str], tuple[float, float]] = {}

    def allow(self, key: tuple[str, str, str], rate: float) -> bool:
        now = time.monotonic()
        burst = max(rate, 1.0)
        with self._lock:
            tokens, last = self._buckets.get(key, (burst, now))
            tokens = min(burst, tokens + (now - last) * rate)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                return False
            self._buckets[key] = (tokens - 1, now)
            return True

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


QUOTA_FAULT = Fault(
    PROVISIONED_THROUGHPUT,
    400,
    "You have exceeded the provisioned rate for this operation (quota mode).",
)
