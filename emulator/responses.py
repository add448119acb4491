"""The Rekognition wire protocol: AWS JSON 1.1 requests in, JSON results or AWS errors out.

Every response, whatever the input, is either a JSON result or a well-formed AWS error
(``__type``, ``Code``, ``Logref``, ``Message``) with ``Content-Type:
application/x-amz-json-1.1`` and ``x-amzn-RequestId``, so botocore raises the modeled
``client.exceptions.<Name>``. Request validation is :func:`shapes.validate`, the model's
own constraints.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.iam.models import get_account_id_from
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

from rekognition_media.api import shapes

from .exceptions import ApiError, internal_error, invalid_parameter, serialization
from .faults import QUOTA_FAULT, FaultDice, QuotaEnforcer
from .models import MediaAnalysisBackend, Scope
from .settings import SettingsHolder
from .stats import SUCCESS, CallStats

log = logging.getLogger(__name__)

CONTENT_TYPE: Final = "application/x-amz-json-1.1"
TARGET_SERVICE: Final = "RekognitionService"
MAX_BODY_BYTES: Final = 1024 * 1024
"""Requests of these operations are a few KB; larger bodies are refused unread."""

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/,\s]*/([^/,\s]+)/")


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def target_operation(environ: Mapping[str, Any]) -> str | None:
    """The media-analysis operation named by ``X-Amz-Target``, else None (moto's request)."""
    service, _, operation = str(environ.get("HTTP_X_AMZ_TARGET", "")).partition(".")
    if service == TARGET_SERVICE and operation in shapes.OPERATIONS:
        return operation
    return None


def request_scope(environ: Mapping[str, Any], default_region: str) -> Scope:
    """Account and region of a request, resolved the way moto resolves them.

    Region: the SigV4 credential scope. Account: ``MOTO_ACCOUNT_ID``, the
    ``x-moto-account-id`` header, or the account owning the access key in moto's IAM
    (keys from ``sts:AssumeRole`` map to the role's account), else moto's default.
    """
    match = _CREDENTIAL.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    region = match.group(2) if match else default_region
    account = os.environ.get("MOTO_ACCOUNT_ID") or environ.get("HTTP_X_MOTO_ACCOUNT_ID")
    if not account:
        account = get_account_id_from(match.group(1)) if match else DEFAULT_ACCOUNT_ID
    return Scope(str(account), region)


def validation_error_message(violations: list[shapes.Violation]) -> str:
    """AWS's text for constraint violations: ``N validation errors detected: ...``."""
    count = len(violations)
    detail = "; ".join(violation.aws_message() for violation in violations)
    return f"{count} validation error{'s' if count > 1 else ''} detected: {detail}"


class RekognitionResponses:
    """Handles one media-analysis request: faults, quotas, parsing, validation, dispatch."""

    def __init__(
        self,
        backend: MediaAnalysisBackend,
        settings: SettingsHolder,
        stats: CallStats,
    ) -> None:
        self.backend = backend
        self.settings = settings
        self.stats = stats
        self.dice = FaultDice()
        self.limiter = QuotaEnforcer()
        self._handlers: dict[str, Callable[[Scope, Mapping[str, Any]], dict[str, Any]]] = {
            shapes.START: backend.start_job,
            shapes.GET: backend.get_job,
            shapes.LIST: backend.list_jobs,
        }

    def handle(self, operation: str, environ: dict[str, Any]) -> HttpResponse:
        request_id = str(uuid.uuid4())
        outcome = SUCCESS
        try:
            result = self._handle(operation, environ)
            return _response(200, request_id, json.dumps(result).encode("utf-8"))
        except ApiError as error:
            outcome = error.code
            return error_response(error, request_id)
        except Exception:
            log.exception("%s failed", operation)
            unexpected = internal_error()
            outcome = unexpected.code
            return error_response(unexpected, request_id)
        finally:
            self.stats.record(operation, outcome)

    def _handle(self, operation: str, environ: dict[str, Any]) -> dict[str, Any]:
        settings = self.settings.current
        if settings.latency:
            time.sleep(settings.latency)
        fault = self.dice.roll(settings)
        if fault is not None:
            raise ApiError(fault.code, fault.message, fault.status)
        scope = request_scope(environ, settings.default_region)
        if settings.quota_mode and not self.limiter.allow(
            (scope.account_id, scope.region, operation), settings.tps(operation)
        ):
            raise ApiError(QUOTA_FAULT.code, QUOTA_FAULT.message, QUOTA_FAULT.status)
        params = _read_json(environ)
        violations = shapes.validate(operation, params)
        if violations:
            raise invalid_parameter(validation_error_message(violations))
        return self._handlers[operation](scope, params)


def _read_json(environ: dict[str, Any]) -> dict[str, Any]:
    request = Request(environ)
    request.max_content_length = MAX_BODY_BYTES
    try:
        raw = request.get_data(cache=False)
    except RequestEntityTooLarge as exc:
        raise ApiError(
            "SerializationException",
            f"The request body exceeds {MAX_BODY_BYTES} bytes.",
            413,
        ) from exc
    if not raw.strip():
        return {}  # botocore sends "{}" for no parameters; an empty body means the same
    try:
        params = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise serialization(f"The request body is not valid JSON: {exc}") from exc
    if not isinstance(params, dict):
        raise serialization("The request body must be a JSON object.")
    return params


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN and Infinity; JSON (and AWS) does not.
    raise ValueError(f"{name} is not valid JSON")


def error_response(error: ApiError, request_id: str | None = None) -> HttpResponse:
    request_id = request_id or str(uuid.uuid4())
    body = {
        "__type": error.code,
        "Code": error.code,
        "Logref": str(uuid.uuid4()),
        "Message": error.message,
    }
    return _response(error.status, request_id, json.dumps(body).encode("utf-8"))


def _response(status: int, request_id: str, body: bytes) -> HttpResponse:
    headers = [
        ("Content-Type", CONTENT_TYPE),
        ("x-amzn-RequestId", request_id),
        ("Content-Length", str(len(body))),
    ]
    return HttpResponse(status, headers, body)
