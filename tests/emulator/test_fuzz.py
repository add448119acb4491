"""Generated requests, valid and invalid, never crash the server or break the protocol.

Every answer must be either a result of the operation's output shape or a well-formed
AWS error of a modeled (or protocol-level) type with a 4xx status.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rekognition_media.emulator import Emulator

from .support import JSON_11, Aws, post

OPERATIONS = ("StartMediaAnalysisJob", "GetMediaAnalysisJob", "ListMediaAnalysisJobs")
CLIENT_ERRORS = {
    "InvalidParameterException",
    "SerializationException",
    "ResourceNotFoundException",
    "InvalidPaginationTokenException",
    "InvalidS3ObjectException",
    "InvalidManifestException",
    "IdempotentParameterMismatchException",
}
JOB_ID = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")
STATUSES = {"CREATED", "QUEUED", "IN_PROGRESS", "SUCCEEDED", "FAILED"}


@pytest.fixture(scope="module")
def fixtures(aws_client: Any) -> dict[str, str]:
    """A real manifest, so some generated Starts succeed."""
    aws = Aws(aws_client)
    source, output = aws.bucket("fuzz-in"), aws.bucket("fuzz-out")
    manifest = aws.manifest(source, [{"source-ref": aws.image(source)}], key="fuzz.jsonl")
    job_id = aws.start(source, manifest, output)
    return {"source": source, "output": output, "manifest": manifest, "job_id": job_id}


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=10,
)
huge_strings = st.sampled_from(
    [0, 1, 2, 3, 19, 20, 63, 64, 65, 255, 256, 800, 801, 1024, 1025, 2048, 2049, 20_000]
).map(lambda n: "a" * n)


def member(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the valid value, sometimes wrong types, odd sizes or anything JSON."""
    return st.one_of(valid, valid, huge_strings, json_values)


def start_bodies(fx: dict[str, str]) -> st.SearchStrategy[dict[str, Any]]:
    s3_object = st.fixed_dictionaries(
        {
            "Bucket": member(st.sampled_from([fx["source"], "no-such-bucket", "ab"])),
            "Name": member(st.sampled_from([fx["manifest"], "missing.jsonl"])),
        },
        optional={"Version": member(st.text(min_size=1, max_size=8))},
    )
    return st.fixed_dictionaries(
        {
            "OperationsConfig": member(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "DetectModerationLabels": st.fixed_dictionaries(
                            {},
                            optional={
                                "MinConfidence": member(st.floats(min_value=0, max_value=100)),
                                "ProjectVersion": member(
                                    st.just(
                                        "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v/1"
                                    )
                                ),
                            },
                        )
                    },
                )
            ),
            "Input": member(st.fixed_dictionaries({"S3Object": member(s3_object)})),
            "OutputConfig": member(
                st.fixed_dictionaries(
                    {"S3Bucket": member(st.sampled_from([fx["output"], "no-such-out"]))},
                    optional={"S3KeyPrefix": member(st.from_regex(r"\A[a-z/]{0,10}\Z"))},
                )
            ),
        },
        optional={
            "ClientRequestToken": member(st.from_regex(r"\A[a-z0-9]{1,8}\Z")),
            "JobName": member(st.from_regex(r"\A[a-z._-]{1,10}\Z")),
            "KmsKeyId": member(st.just("alias/aws/s3")),
            "Extra": json_values,
        },
    )


def get_bodies(fx: dict[str, str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {}, optional={"JobId": member(st.sampled_from([fx["job_id"], uuid.uuid4().hex]))}
    )


list_bodies = st.fixed_dictionaries(
    {},
    optional={
        "MaxResults": member(st.integers(min_value=1, max_value=100)),
        "NextToken": member(st.text(max_size=30)),
    },
)


def check_response(operation: str, response: tuple[int, dict[str, str], bytes]) -> None:
    status, headers, body = response
    assert headers.get("content-type") == JSON_11
    assert headers.get("x-amzn-requestid")
    data = json.loads(body)
    assert isinstance(data, dict)
    if status == 200:
        if operation == "StartMediaAnalysisJob":
            assert JOB_ID.match(data["JobId"])
        elif operation == "GetMediaAnalysisJob":
            assert data["Status"] in STATUSES
        else:
            assert isinstance(data["MediaAnalysisJobs"], list)
        return
    assert status in (400, 413), (status, data)
    assert data["__type"] == data["Code"] in CLIENT_ERRORS, data
    uuid.UUID(data["Logref"])
    assert isinstance(data["Message"], str) and data["Message"]


FUZZ = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(data=st.data())
def test_structured_requests(
    emulator: Emulator, fixtures: dict[str, str], data: st.DataObject
) -> None:
    operation = data.draw(st.sampled_from(OPERATIONS))
    strategy = {
        "StartMediaAnalysisJob": start_bodies(fixtures),
        "GetMediaAnalysisJob": get_bodies(fixtures),
        "ListMediaAnalysisJobs": list_bodies,
    }[operation]
    body = json.dumps(data.draw(strategy)).encode()
    check_response(operation, post(emulator, body, f"RekognitionService.{operation}"))


@FUZZ
@given(
    operation=st.sampled_from(OPERATIONS),
    body=st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()),
)
def test_junk_bodies(emulator: Emulator, operation: str, body: bytes) -> None:
    check_response(operation, post(emulator, body, f"RekognitionService.{operation}"))
