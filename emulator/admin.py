"""The admin API under ``/_emulator``: health, live settings and call statistics.

JSON in, JSON out, never subject to fault injection or quotas (the router sends these
requests here before the media-analysis operations are considered).

    GET   /_emulator/health        {"status": "ok"}
    GET   /_emulator/settings      the current EmulatorSettings
    PATCH /_emulator/settings      change settings at run time (400 if invalid)
    GET   /_emulator/stats         calls per operation and outcome, jobs per status
    POST  /_emulator/stats/reset   clear the call counters
    POST  /_emulator/jobs/<JobId>/backdate  {"seconds": 3}: the job, 3 s older
"""

from __future__ import annotations

import json
import logging
from typing import Any, Final

from .models import MediaAnalysisBackend
from .responses import HttpResponse
from .settings import SettingsHolder, settings_error_message
from .stats import CallStats

log = logging.getLogger(__name__)

ADMIN_PREFIX: Final = "/_emulator"
_ROUTES: Final = ("health", "settings", "stats", "stats/reset")


def is_admin_path(path: str) -> bool:
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


class AdminResponses:
    """Answers admin requests over the emulator's live settings, backend and counters."""

    def __init__(
        self, settings: SettingsHolder, backend: MediaAnalysisBackend, stats: CallStats
    ) -> None:
        self.settings = settings
        self.backend = backend
        self.stats = stats

    def handle(self, method: str, path: str, environ: dict[str, Any]) -> HttpResponse:
        """Always a JSON response, never werkzeug's HTML error page."""
        try:
            return self._route(method, path, environ)
        except Exception as exc:
            log.exception("admin request %s failed", path)
            return _json(500, {"error": f"{type(exc).__name__}: {exc}"})

    def _route(self, method: str, path: str, environ: dict[str, Any]) -> HttpResponse:
        route = path[len(ADMIN_PREFIX) :].strip("/")
        if route == "health" and method == "GET":
            return _json(200, {"status": "ok"})
        if route == "settings" and method == "GET":
            return _json(200, self.settings.current.model_dump(mode="json"))
        if route == "settings" and method == "PATCH":
            try:
                changes = json.loads(_body(environ) or b"{}")
                if not isinstance(changes, dict):
                    raise ValueError("settings changes must be a JSON object")
                updated = self.settings.update(changes)
            except ValueError as exc:
                return _json(400, {"error": settings_error_message(exc)})
            return _json(200, updated.model_dump(mode="json"))
        if route == "stats" and method == "GET":
            return _json(200, self.stats_snapshot())
        if route == "stats/reset" and method == "POST":
            self.stats.reset()
            return _json(200, self.stats_snapshot())
        if route.startswith("jobs/") and route.endswith("/backdate"):
            return self._backdate(method, route.split("/")[1], environ)
        if route in _ROUTES:
            return _json(405, {"error": f"{method} not allowed on {path}"})
        return _json(404, {"error": f"no admin endpoint {path}"})

    def _backdate(self, method: str, job_id: str, environ: dict[str, Any]) -> HttpResponse:
        if method != "POST":
            return _json(405, {"error": f"{method} not allowed on {job_id}/backdate"})
        try:
            body = json.loads(_body(environ) or b"{}")
            seconds = body.get("seconds") if isinstance(body, dict) else None
            if isinstance(seconds, bool) or not isinstance(seconds, int | float):
                raise ValueError(f'{{"seconds": <number>}} expected, got {body!r}')
            return _json(200, self.backend.backdate(job_id, float(seconds)))
        except KeyError:
            return _json(404, {"error": f"no job {job_id}"})
        except ValueError as exc:
            return _json(400, {"error": str(exc)})

    def stats_snapshot(self) -> dict[str, Any]:
        return {"calls": self.stats.snapshot(), "jobs": self.backend.job_counts()}


def _body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    data: bytes = environ["wsgi.input"].read(min(length, 1024 * 1024)) if length > 0 else b""
    return data


def _json(status: int, body: Any) -> HttpResponse:
    data = json.dumps(body).encode("utf-8")
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    return HttpResponse(status, headers, data)
