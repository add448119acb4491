"""Counts of Rekognition calls by operation and outcome, for the admin stats endpoint.

A benchmark reads them to report API calls per job; outcomes are ``Success`` or the
error code returned, injected faults included.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

SUCCESS = "Success"


class CallStats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[tuple[str, str]] = Counter()
        self._since = time.time()

    def record(self, operation: str, outcome: str) -> None:
        with self._lock:
            self._calls[(operation, outcome)] += 1

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._since = time.time()

    def snapshot(self) -> dict[str, Any]:
        """``{"since", "total", "by_operation": {op: {"total", "outcomes"}}, "by_outcome"}``."""
        with self._lock:
            calls = dict(self._calls)
            since = self._since
        by_operation: dict[str, dict[str, Any]] = {}
        by_outcome: Counter[str] = Counter()
        for (operation, outcome), count in sorted(calls.items()):
            entry = by_operation.setdefault(operation, {"total": 0, "outcomes": {}})
            entry["total"] += count
            entry["outcomes"][outcome] = count
            by_outcome[outcome] += count
        return {
            "since": since,
            "total": sum(calls.values()),
            "by_operation": by_operation,
            "by_outcome": dict(sorted(by_outcome.items())),
        }
