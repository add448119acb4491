"""The plugin's gRPC server reports a failed call as what went wrong, not as Python frames:
the SDK's real servicer and a real gRPC channel, in process."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from pulumi.provider.experimental.provider import CreateRequest, CreateResponse, Provider
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from rekognition_media.core.lifecycle import MediaAnalysisJobFailed
from rekognition_media.plugin import server
from tests.support import PLUGIN_JOB_TYPE_TOKEN

URN = f"urn:pulumi:dev::media::{PLUGIN_JOB_TYPE_TOKEN}::nightly"


class Failing(Provider):
    def __init__(self, error: Exception) -> None:
        self.error = error

    async def create(self, request: CreateRequest) -> CreateResponse:
        raise self.error


def _create_fails_with(error: Exception) -> grpc.aio.AioRpcError:
    async def call() -> grpc.aio.AioRpcError:
        started, port = await server.start([], "0.1.0", Failing(error), "127.0.0.1:1")
        try:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                stub = provider_pb2_grpc.ResourceProviderStub(channel)
                with pytest.raises(grpc.aio.AioRpcError) as failure:
                    await stub.Create(provider_pb2.CreateRequest(urn=URN), timeout=30)
                return failure.value
        finally:
            await started.stop(None)

    return asyncio.run(call())


def test_a_failed_job_reaches_the_engine_as_its_message() -> None:
    error = MediaAnalysisJobFailed("nightly", "job-1", "INVALID_OUTPUT_CONFIG", "No bucket.")
    failure = _create_fails_with(error)
    assert failure.code() == grpc.StatusCode.UNKNOWN
    assert failure.details() == str(error)  # no frames, no "Unexpected <class ...>"


def test_an_unexpected_error_is_named_by_its_type() -> None:
    failure = _create_fails_with(KeyError("outputConfig"))
    assert failure.details() == "KeyError: 'outputConfig'"
    assert 'File "' not in failure.details()
