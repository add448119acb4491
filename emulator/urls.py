"""Routing: which part of the emulator answers a request (moto's ``urls.py``, as one WSGI app).

Requests are routed in this order:

1. ``/_emulator/...``: the admin API (:mod:`.admin`; never subject to fault injection).
2. ``X-Amz-Target: RekognitionService.{Start,Get,List}MediaAnalysisJob(s)``: the
   media-analysis operations (:mod:`.responses` over :mod:`.models`).
3. S3 object reads that AWS would refuse and moto would not (:mod:`.object_reads`: a
   HeadObject under a bucket policy denying s3:GetObject, an SSE-KMS object whose key
   cannot decrypt): the refusal.
4. Everything else, unchanged, to moto's multi-service app (S3, KMS, IAM, STS, ...).
"""

from __future__ import annotations

import http
from collections.abc import Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from . import object_reads
from .admin import AdminResponses, is_admin_path
from .models import MediaAnalysisBackend
from .responses import RekognitionResponses, request_scope, target_operation
from .settings import SettingsHolder
from .stats import CallStats

StartResponse = Any  # the WSGI start_response callable


class EmulatorApp:
    """The WSGI application combining moto, the media-analysis API and the admin API."""

    def __init__(self, settings: SettingsHolder, backend: MediaAnalysisBackend) -> None:
        self.settings = settings
        self.backend = backend
        self.stats = CallStats()
        self.rekognition = RekognitionResponses(backend, settings, self.stats)
        self.admin = AdminResponses(settings, backend, self.stats)
        self.moto = DomainDispatcherApplication(create_backend_app)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if is_admin_path(path):
            response = self.admin.handle(str(environ.get("REQUEST_METHOD", "GET")), path, environ)
        elif (operation := target_operation(environ)) is not None:
            response = self.rekognition.handle(operation, environ)
        else:
            scope = request_scope(environ, self.settings.current.default_region)
            refused = object_reads.refused_read(environ, scope)
            if refused is None:
                result: Iterable[bytes] = self.moto(environ, start_response)
                return result
            response = refused
        status = f"{response.status} {http.HTTPStatus(response.status).phrase}"
        start_response(status, response.headers)
        return [response.body]

    def stats_snapshot(self) -> dict[str, Any]:
        """Same JSON as ``GET /_emulator/stats``."""
        return self.admin.stats_snapshot()
