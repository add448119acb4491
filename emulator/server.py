"""The emulator's lifecycle: :class:`Emulator` serves the app of :mod:`.urls` on one port
from a background thread, for tests, embedding and the CLI (``__main__``).
"""

from __future__ import annotations

import importlib
import threading
from types import TracebackType
from typing import Any, Final, Self

from moto.moto_server.werkzeug_app import MotoRequestHandler
from werkzeug.serving import BaseWSGIServer, make_server

from .models import MediaAnalysisBackend
from .settings import EmulatorSettings, SettingsHolder
from .urls import EmulatorApp

DUMMY_CREDENTIALS: Final = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


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

    def backdate_job(self, job_id: str, seconds: float) -> dict[str, Any]:
        """Make a job ``seconds`` older (``POST /_emulator/jobs/<JobId>/backdate``): its
        CreationTimestamp and every later time move back, so a test that needs a job
        started "a while ago" does not wait for it. Returns the job as Get shows it."""
        return self._running_app().backend.backdate(job_id, seconds)

    def _running_server(self) -> BaseWSGIServer:
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return self._server

    def _running_app(self) -> EmulatorApp:
        if self._app is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return self._app
