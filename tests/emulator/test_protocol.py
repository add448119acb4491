"""Wire protocol and routing: one endpoint, JSON 1.1, AWS error format, admin API."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from rekognition_media.emulator import Emulator

from .support import JSON_11, Aws, assert_aws_error, post


def test_success_carries_json_11_content_type_and_request_id(aws: Aws) -> None:
    response = aws.rekognition.list_media_analysis_jobs(MaxResults=1)
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["content-type"] == JSON_11
    assert headers["x-amzn-requestid"] == response["ResponseMetadata"]["RequestId"]


def test_error_wire_format_and_modeled_exception(emulator: Emulator, aws: Aws) -> None:
    response = post(emulator, b'{"JobId": "no-such-job"}', "RekognitionService.GetMediaAnalysisJob")
    assert_aws_error(response, "ResourceNotFoundException", 400)
    with pytest.raises(aws.rekognition.exceptions.ResourceNotFoundException):
        aws.rekognition.get_media_analysis_job(JobId="no-such-job")


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"not json",
        b"\xff\xfe",
        b"[]",
        b'"text"',
        b"42",
        b'{"MaxResults": NaN}',
        b"[" * 100_000,
    ],
)
@pytest.mark.parametrize(
    "operation", ["StartMediaAnalysisJob", "GetMediaAnalysisJob", "ListMediaAnalysisJobs"]
)
def test_malformed_bodies_get_a_well_formed_serialization_error(
    emulator: Emulator, body: bytes, operation: str
) -> None:
    response = post(emulator, body, f"RekognitionService.{operation}")
    assert_aws_error(response, "SerializationException", 400)


def test_an_oversized_body_gets_a_well_formed_error(emulator: Emulator) -> None:
    body = b'{"NextToken": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = post(emulator, body, "RekognitionService.ListMediaAnalysisJobs")
    assert_aws_error(response, "SerializationException", 413)


def test_an_empty_body_is_an_empty_request(emulator: Emulator) -> None:
    status, _headers, body = post(emulator, b"", "RekognitionService.ListMediaAnalysisJobs")
    assert status == 200
    assert "MediaAnalysisJobs" in json.loads(body)
    assert_aws_error(
        post(emulator, b"", "RekognitionService.GetMediaAnalysisJob"),
        "InvalidParameterException",
        400,
    )


def test_other_rekognition_operations_go_to_moto(aws: Aws) -> None:
    # moto implements DetectLabels with a canned answer; reaching it proves the routing.
    response = aws.rekognition.detect_labels(Image={"Bytes": b"\x89PNG"})
    assert "Labels" in response


def test_s3_kms_iam_sts_share_the_endpoint(aws: Aws) -> None:
    bucket = aws.bucket()
    aws.s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert aws.s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"
    assert aws.kms.create_key()["KeyMetadata"]["KeyState"] == "Enabled"
    iam = aws.client("iam")
    role = iam.create_role(RoleName=f"r-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument="{}")
    assert role["Role"]["Arn"].startswith("arn:aws:iam::")
    assert aws.client("sts").get_caller_identity()["Account"] == "123456789012"


def admin(emulator: Emulator, method: str, route: str, body: Any = None) -> tuple[int, Any]:
    data = b"" if body is None else json.dumps(body).encode()
    status, headers, raw = post(
        emulator,
        data,
        path=f"/_emulator/{route}",
        method=method,
        headers={"Content-Type": "application/json"},
    )
    assert headers["content-type"] == "application/json"
    return status, json.loads(raw)


def test_admin_settings_read_and_patch(emulator: Emulator) -> None:
    status, settings = admin(emulator, "GET", "settings")
    assert status == 200 and settings["job_duration"] == 0
    status, settings = admin(emulator, "PATCH", "settings", {"job_duration": 1.5})
    assert status == 200 and settings["job_duration"] == 1.5
    assert emulator.settings.job_duration == 1.5


@pytest.mark.parametrize(
    "changes",
    [
        {"job_duration": -1},
        {"throttling_rate": 0.7, "internal_error_rate": 0.7},
        {"no_such_setting": 1},
        {"workers": 9},
        {"results_key_template": "{prefix}results.jsonl"},
        ["not", "an", "object"],
    ],
)
def test_admin_rejects_invalid_settings(emulator: Emulator, changes: Any) -> None:
    before = emulator.settings
    status, body = admin(emulator, "PATCH", "settings", changes)
    assert status == 400 and body["error"]
    assert emulator.settings == before


def test_admin_stats_count_calls_by_operation_and_outcome(emulator: Emulator, aws: Aws) -> None:
    status, _ = admin(emulator, "POST", "stats/reset")
    assert status == 200
    aws.rekognition.list_media_analysis_jobs()
    with pytest.raises(aws.rekognition.exceptions.ResourceNotFoundException):
        aws.rekognition.get_media_analysis_job(JobId="nope")
    aws.s3.list_buckets()  # not a Rekognition call: not counted
    status, stats = admin(emulator, "GET", "stats")
    assert status == 200
    calls = stats["calls"]
    assert calls["total"] == 2
    assert calls["by_operation"]["ListMediaAnalysisJobs"] == {
        "total": 1,
        "outcomes": {"Success": 1},
    }
    assert calls["by_operation"]["GetMediaAnalysisJob"]["outcomes"] == {
        "ResourceNotFoundException": 1
    }
    assert calls["by_outcome"] == {"ResourceNotFoundException": 1, "Success": 1}
    assert set(stats["jobs"]["by_status"]) == {
        "CREATED",
        "QUEUED",
        "IN_PROGRESS",
        "SUCCEEDED",
        "FAILED",
    }
    admin(emulator, "POST", "stats/reset")
    assert emulator.stats()["calls"]["total"] == 0


def test_admin_unknown_route_and_method(emulator: Emulator) -> None:
    assert admin(emulator, "GET", "nope")[0] == 404
    assert admin(emulator, "DELETE", "settings")[0] == 405
    assert admin(emulator, "GET", "health") == (200, {"status": "ok"})
