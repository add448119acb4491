# grpc ships no type information; with or without stubs this module must type-check.
# mypy: disable-error-code="import-untyped,unused-ignore"
"""The plugin's gRPC server: the SDK's provider servicer, with a failed call reported to
the engine as what went wrong.

The SDK's servicer (``pulumi.provider.experimental.server``; the pulumi 3.272 SDK, not
3.259's) re-raises an exception from a resource call with the Python frames it passed
through appended to its message, and ``pulumi up`` prints that message under the
resource: a failed job would show the plugin's internals where the user needs the job's
failure code, its id and what to do. The core's errors are written for the user, so the
server here reports the call's own exception: its message (other exceptions are named by
their type). Which errors are the product's own is decided once for both front ends
(``core.user_errors``; the dynamic provider shows them the same way). The frames go
to the plugin's stderr, which the engine keeps in its debug log (``pulumi up
--logtostderr -v=9``), for whoever debugs the plugin itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import traceback
from typing import Any

import grpc
from pulumi.provider.experimental.provider import Provider
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime.proto import provider_pb2_grpc

from rekognition_media.core.pulumi_internals import GRPC_CHANNEL_OPTIONS
from rekognition_media.core.user_errors import user_message


def raised(error: BaseException) -> BaseException:
    """The exception the call raised: ``error`` itself, or the one the SDK's servicer
    re-raised as ``Exception(f"{raised}:\\n{frames}")`` while handling it."""
    inner = error.__context__
    if type(error) is Exception and inner is not None and str(error).startswith(f"{inner}:\n"):
        return inner
    return error


def message(error: BaseException) -> str:
    """What the engine prints for a failed call that raised ``error``."""
    mine = user_message(error)
    if mine is not None:
        return mine  # the core's and the plugin's errors are sentences for the user
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class _PlainErrors(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Ends a call that raised with status UNKNOWN and ``message`` of what it raised."""

    async def intercept_service(self, continuation: Any, details: Any) -> Any:
        handler = await continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler
        call = handler.unary_unary

        async def reporting(request: Any, context: Any) -> Any:
            try:
                return await call(request, context)
            except (grpc.aio.AbortError, NotImplementedError):
                raise  # the servicer set the status itself
            except Exception as error:
                cause = raised(error)
                traceback.print_exception(cause, file=sys.stderr)
                await context.abort(grpc.StatusCode.UNKNOWN, message(cause))

        return grpc.unary_unary_rpc_method_handler(
            reporting,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


async def start(args: list[str], version: str, provider: Provider, engine: str) -> Any:
    """A started server for ``provider`` on a free local port: ``(server, port)``."""
    server = grpc.aio.server(options=GRPC_CHANNEL_OPTIONS, interceptors=[_PlainErrors()])
    servicer = ProviderServicer(args, version, provider, engine_address=engine)
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    return server, port


def serve(args: list[str], version: str, provider: Provider) -> None:
    """What the SDK's ``server.main`` does, on this server: prints the port the plugin
    serves on, then serves until the engine is done with it."""
    parser = argparse.ArgumentParser(description="Pulumi provider plugin (gRPC server)")
    parser.add_argument("engine", help="Pulumi engine address")
    parser.add_argument("--logflow", action="store_true", help="ignored")
    parser.add_argument("--logtostderr", action="store_true", help="ignored")
    engine: str = parser.parse_known_args(args)[0].engine

    async def run() -> None:
        server, port = await start(args, version, provider, engine)
        sys.stdout.buffer.write(f"{port}\n".encode())
        sys.stdout.buffer.flush()
        await server.wait_for_termination()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
