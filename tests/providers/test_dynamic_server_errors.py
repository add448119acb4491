"""The SDK's dynamic provider server reports the product's errors as their message alone,
and any other exception with its traceback: the real server (``python -m pulumi.dynamic``,
as the engine starts it) and a real gRPC channel, with no engine and no AWS call.
(``test_engine_inputs`` checks what `pulumi up` prints.)"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from rekognition_media.providers import TYPE_TOKEN, MediaAnalysisJobProvider

URN = f"urn:pulumi:dev::media::{TYPE_TOKEN}::nightly"


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    # No engine address: the provider's lifeline (providers/lifeline.py) stays off.
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.dynamic"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield provider_pb2_grpc.ResourceProviderStub(channel)
    finally:
        process.kill()
        _, stderr = process.communicate(timeout=30)
        # The server had the expected shape: the provider did not fall back to tracebacks.
        assert "not the one this package knows" not in stderr


def _properties(props: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update({**props, "__provider": serialize_provider(MediaAnalysisJobProvider())})
    return message


def _fails(call: Any, request: Any) -> str:
    with pytest.raises(grpc.RpcError) as failure:
        call(request, timeout=60)
    assert failure.value.code() == grpc.StatusCode.UNKNOWN
    details: str = failure.value.details()
    return details


def test_a_product_error_is_its_message_alone(server: Any) -> None:
    # Inputs known only at create (preview let them through) that the API rejects: the
    # core's InvalidInputs, before any AWS call.
    details = _fails(
        server.Create,
        provider_pb2.CreateRequest(
            urn=URN,
            properties=_properties(
                {
                    "resource_name": "nightly",
                    "region": "us-east-1",
                    "operations_config": {},
                    "input": {"s3_object": {"bucket": "media-in", "name": "m.jsonl"}},
                    "output_config": {"s3_bucket": "media-out"},
                }
            ),
        ),
    )
    assert details.startswith("nightly: invalid inputs: ")
    assert "operations_config = {}: must specify at least one operation" in details
    assert "Traceback" not in details and "lifecycle.py" not in details


def test_any_other_exception_keeps_its_traceback(server: Any) -> None:
    # A state whose results pointer is not an object (edited by hand): the core does not
    # expect it, so this is a bug's report, frames and all. No AWS call is made before it.
    details = _fails(
        server.Delete,
        provider_pb2.DeleteRequest(
            id="job-1",
            urn=URN,
            properties=_properties(
                {
                    "resource_name": "nightly",
                    "region": "us-east-1",
                    "endpoint_url": "http://127.0.0.1:9",
                    "delete_outputs_on_destroy": True,
                    "started_by_stack": True,
                    "results": "s3://media-out/results.jsonl",
                    "output_config": {"s3_bucket": "media-out"},
                }
            ),
        ),
    )
    assert details.startswith("Traceback (most recent call last):")
    assert "lifecycle.py" in details
    assert details.rstrip().endswith("AttributeError: 'str' object has no attribute 'get'")
