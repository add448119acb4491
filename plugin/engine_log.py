# grpc ships no type information; with or without stubs this module must type-check.
# mypy: disable-error-code="import-untyped,unused-ignore"
"""The core's progress lines in ``pulumi up``'s output, under the job's resource.

The core reports progress (started, each status change, the elapsed time, the summary's
counts) by writing lines to stderr: for the dynamic provider those reach ``pulumi up``.
A resource plugin's stderr is only debug output to the engine, so in the plugin process
stderr is replaced by a writer that sends each complete line written by a thread serving
a resource call to the engine's ``Log`` service, as an info message of that resource.
Lines written by anything else go to the real stderr.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, TextIO, TypeVar

import grpc
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from rekognition_media.core.pulumi_internals import GRPC_CHANNEL_OPTIONS

T = TypeVar("T")

_current = threading.local()


class EngineLog:
    def __init__(self, engine_address: str) -> None:
        channel = grpc.insecure_channel(engine_address, options=GRPC_CHANNEL_OPTIONS)
        self._engine = engine_pb2_grpc.EngineStub(channel)

    def info(self, urn: str, message: str) -> None:
        # The engine may be going away; a progress line is not worth failing the call for.
        with contextlib.suppress(grpc.RpcError):
            self._engine.Log(
                engine_pb2.LogRequest(severity=engine_pb2.INFO, message=message, urn=urn)
            )


class _ResourceStderr:
    """A stderr that routes the lines of resource calls to the engine."""

    def __init__(self, log: EngineLog, fallback: TextIO) -> None:
        self._log = log
        self._fallback = fallback

    def write(self, text: str) -> int:
        urn: str | None = getattr(_current, "urn", None)
        if urn is None:
            return self._fallback.write(text)
        pending: str = getattr(_current, "pending", "") + text
        *lines, rest = pending.split("\n")
        _current.pending = rest
        for line in lines:
            if line.strip():
                self._log.info(urn, line)
        return len(text)

    def flush(self) -> None:
        self._fallback.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fallback, name)


def install(engine_address: str) -> None:
    """Route resource calls' stderr lines to the engine at ``engine_address``."""
    sys.stderr = _ResourceStderr(EngineLog(engine_address), sys.stderr)  # type: ignore[assignment]


@contextlib.contextmanager
def _serving(urn: str) -> Iterator[None]:
    _current.urn, _current.pending = urn, ""
    try:
        yield
    finally:
        if _current.pending:
            sys.stderr.write("\n")  # a last line without its newline
        _current.urn, _current.pending = None, ""


def serving(urn: str, call: Callable[..., T], *args: Any) -> T:
    """Run ``call(*args)`` in this thread with its stderr lines logged under ``urn``."""
    with _serving(urn):
        return call(*args)
