"""One HTTP endpoint: moto's services, the media-analysis operations and admin routes.

Requests are routed in this order:

1. ``/_emulator/...``: admin API (JSON; never subject to fault injection).
2. ``X-Amz-Target: RekognitionService.{Start,Get,List}MediaAnalysisJob(s)``: ours.
3. Everything else, unchanged, to moto's multi-service app (S3, KMS, IAM, STS, ...).

:class:`Emulator` runs it on a background thread, for tests and embedding.
"""

from __future__ import annotations

import http
import importlib
import json
import logging
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any, Final, Self

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from .models import MediaAnalysisBackend
from .responses import HttpResponse, RekognitionResponses, target_operation
from .settings import EmulatorSettings, SettingsHolder, validation_message
from .stats import CallStats

log = logging.getLogger(__name__)

ADMIN_PREFIX: Final = "/_emulator"
DUMMY_CREDENTIALS: Final = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

StartResponse = Any  # the WSGI start_response callable


class EmulatorApp:
    """The WSGI application combining moto, the media-analysis API and the admin API."""

    def __init__(self, settings: SettingsHolder, backend: MediaAnalysisBackend) -> None:
        self.settings = settings
        self.backend = backend
        self.stats = CallStats()
        self.rekognition = RekognitionResponses(backend, settings, self.stats)
        self.moto = DomainDispatcherApplication(create_backend_app)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            try:
                response = self.admin(str(environ.get("REQUEST_METHOD", "GET")), path, environ)
            except Exception as exc:  # still JSON, never werkzeug's HTML error page
                log.exception("admin request %s failed", path)
                response = _json(500, {"error": f"{type(exc).__name__}: {exc}"})
        elif (operation := target_operation(environ)) is not None:
            response = self.rekognition.handle(operation, environ)
        else:
            result: Iterable[bytes] = self.moto(environ, start_response)
            return result
        status = f"{response.status} {http.HTTPStatus(response.status).phrase}"
        start_response(status, response.headers)
        return [response.body]

    # --- admin API -----------------------------------------------------------------------

    def admin(self, method: str, path: str, environ: dict[str, Any]) -> HttpResponse:
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
                return _json(400, {"error": validation_message(exc)})
            return _json(200, updated.model_dump(mode="json"))
        if route == "stats" and method == "GET":
            return _json(200, self.stats_snapshot())
        if route == "stats/reset" and method == "POST":
            self.stats.reset()
            return _json(200, self.stats_snapshot())
        if route in ("health", "settings", "stats", "stats/reset"):
            return _json(405, {"error": f"{method} not allowed on {path}"})
        return _json(404, {"error": f"no admin endpoint {path}"})

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


class _RequestHandler(MotoRequestHandler):
    """moto's handler (it keeps S3 metadata headers with underscores), quiet by default."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if getattr(self.server, "log_requests", lambda: False)():
            super().log_request(code, size)


class Emulator:
    """The emulator on a background thread.

    >>> with Emulator(EmulatorSettings(job_duration=0), port=0) as emu:
    ...     s3 = emu.client("s3")

    ``port=0`` picks a free port; :attr:`url` is the endpoint to give boto3, the AWS CLI
    or Pulumi. Settings can be changed while running with :meth:`update_settings`.
    """

    def __init__(
        self,
        settings: EmulatorSettings | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._initial = settings or EmulatorSettings()
        self.host = host
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._app: EmulatorApp | None = None

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            return self
        holder = SettingsHolder(self._initial)
        backend = MediaAnalysisBackend(holder)
        app = EmulatorApp(holder, backend)
        try:
            server = make_server(
                self.host, self._port, app, threaded=True, request_handler=_RequestHandler
            )
        except BaseException:
            backend.close()
            raise
        server.log_requests = lambda: holder.current.verbose  # type: ignore[attr-defined]
        self._app, self._server = app, server
        self._thread = threading.Thread(
            # A short poll interval makes stop() (and so Ctrl-C) take ~0.1 s, not 0.5 s.
            target=lambda: server.serve_forever(poll_interval=0.1),
            name="rekognition-media-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, app, thread = self._server, self._app, self._thread
        self._server = self._app = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join()
        if app is not None:
            app.backend.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- endpoint ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._running_server().server_port

    @property
    def url(self) -> str:
        """``http://host:port``; a wildcard bind address is given as 127.0.0.1."""
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def client(self, service_name: str, region_name: str = "us-east-1", **kwargs: Any) -> Any:
        """A boto3 client for ``service_name`` pointed at the emulator, dummy credentials."""
        # Imported by name: boto3 has no type information, and only this helper needs it.
        boto3: Any = importlib.import_module("boto3")
        return boto3.client(
            service_name,
            endpoint_url=self.url,
            region_name=region_name,
            **{**DUMMY_CREDENTIALS, **kwargs},
        )

    # --- run-time control (same as the admin API) ----------------------------------------

    @property
    def settings(self) -> EmulatorSettings:
        return self._running_app().settings.current

    def update_settings(self, **changes: Any) -> EmulatorSettings:
        """Change settings on the running emulator (``ValueError`` if invalid)."""
        return self._running_app().settings.update(changes)

    def stats(self) -> dict[str, Any]:
        """Same JSON as ``GET /_emulator/stats``."""
        return self._running_app().stats_snapshot()

    def reset_stats(self) -> None:
        self._running_app().stats.reset()

    def _running_server(self) -> BaseWSGIServer:
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return self._server

    def _running_app(self) -> EmulatorApp:
        if self._app is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return self._app
