"""Every request constraint of botocore's model (the API Reference's) is enforced server-side.

Requests are posted raw, so values botocore would refuse client-side reach the server
too. A violation must be InvalidParameterException naming the member; the values just
inside the bounds must pass validation (they then fail on the missing manifest).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from rekognition_media.emulator import Emulator

from .support import Aws, assert_aws_error, post

START = "RekognitionService.StartMediaAnalysisJob"
GET = "RekognitionService.GetMediaAnalysisJob"
LIST = "RekognitionService.ListMediaAnalysisJobs"
ADAPTER = "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v/1"

VALID_START: dict[str, Any] = {
    "ClientRequestToken": "token-1",
    "JobName": "job.name_1-a",
    "OperationsConfig": {
        "DetectModerationLabels": {"MinConfidence": 50, "ProjectVersion": ADAPTER}
    },
    "Input": {"S3Object": {"Bucket": "no-such-bucket", "Name": "m.jsonl", "Version": "v1"}},
    "OutputConfig": {"S3Bucket": "out-bucket", "S3KeyPrefix": "prefix/"},
    "KmsKeyId": "alias/my-key",
}

MISSING = object()


def start_body(path: str, value: Any) -> bytes:
    body = copy.deepcopy(VALID_START)
    *parents, last = path.split(".")
    node = body
    for name in parents:
        node = node[name]
    if value is MISSING:
        del node[last]
    else:
        node[last] = value
    return json.dumps(body).encode()


def member(path: str) -> str:
    return ".".join(part[:1].lower() + part[1:] for part in path.split("."))


START_VIOLATIONS = [
    ("ClientRequestToken", "x" * 65),
    ("ClientRequestToken", ""),
    ("ClientRequestToken", "has space"),
    ("JobName", "x" * 65),
    ("JobName", ""),
    ("JobName", "a b"),
    ("JobName", 7),
    ("OperationsConfig", MISSING),
    ("OperationsConfig", "text"),
    ("OperationsConfig.DetectModerationLabels.MinConfidence", 101),
    ("OperationsConfig.DetectModerationLabels.MinConfidence", -0.5),
    ("OperationsConfig.DetectModerationLabels.MinConfidence", "50"),
    ("OperationsConfig.DetectModerationLabels.ProjectVersion", "arn:aws:short"),
    ("OperationsConfig.DetectModerationLabels.ProjectVersion", "x" * 40),
    ("OperationsConfig.DetectModerationLabels.ProjectVersion", ADAPTER + "0" * 2048),
    ("Input", MISSING),
    ("Input.S3Object", MISSING),
    ("Input.S3Object.Bucket", "ab"),
    ("Input.S3Object.Bucket", "b" * 256),
    ("Input.S3Object.Bucket", "bad/bucket"),
    ("Input.S3Object.Name", ""),
    ("Input.S3Object.Name", "n" * 1025),
    ("Input.S3Object.Version", ""),
    ("Input.S3Object.Version", "v" * 1025),
    ("OutputConfig", MISSING),
    ("OutputConfig.S3Bucket", MISSING),
    ("OutputConfig.S3Bucket", "ab"),
    ("OutputConfig.S3Bucket", "b" * 256),
    ("OutputConfig.S3Bucket", "has space"),
    ("OutputConfig.S3KeyPrefix", "p" * 801),
    ("OutputConfig.S3KeyPrefix", "has space"),
    ("KmsKeyId", ""),
    ("KmsKeyId", "-starts-with-dash"),
    ("KmsKeyId", "k" * 2050),
    ("UnknownMember", 1),
]


@pytest.mark.parametrize(("path", "value"), START_VIOLATIONS)
def test_start_constraint_violations(emulator: Emulator, path: str, value: Any) -> None:
    message = assert_aws_error(
        post(emulator, start_body(path, value), START), "InvalidParameterException", 400
    )
    assert message.startswith("1 validation error detected: Value ")
    assert f"at '{member(path)}' failed to satisfy constraint" in message


START_BOUNDARIES = [
    ("ClientRequestToken", "x" * 64),
    ("ClientRequestToken", "a"),
    ("JobName", "j" * 64),
    ("OperationsConfig.DetectModerationLabels.MinConfidence", 0),
    ("OperationsConfig.DetectModerationLabels.MinConfidence", 100),
    ("OperationsConfig.DetectModerationLabels.MinConfidence", 99.5),
    ("Input.S3Object.Bucket", "b" * 255),
    ("Input.S3Object.Name", "n" * 1024),
    ("Input.S3Object.Version", MISSING),
    ("OutputConfig.S3KeyPrefix", "p" * 800),
    ("OutputConfig.S3KeyPrefix", ""),
    ("KmsKeyId", "arn:aws:kms:us-east-1:123456789012:key/" + "k" * 36),
    ("KmsKeyId", MISSING),
    ("JobName", None),  # JSON null means absent
]


@pytest.mark.parametrize(("path", "value"), START_BOUNDARIES)
def test_start_values_at_the_bounds_pass_validation(
    emulator: Emulator, path: str, value: Any
) -> None:
    # Valid parameters; the manifest bucket does not exist, which Start reports next.
    assert_aws_error(
        post(emulator, start_body(path, value), START), "InvalidS3ObjectException", 400
    )


@pytest.mark.parametrize(
    ("body", "member_name"),
    [
        ({}, "jobId"),
        ({"JobId": ""}, "jobId"),
        ({"JobId": "x" * 65}, "jobId"),
        ({"JobId": "has space"}, "jobId"),
        ({"JobId": 12}, "jobId"),
    ],
)
def test_get_constraint_violations(
    emulator: Emulator, body: dict[str, Any], member_name: str
) -> None:
    message = assert_aws_error(
        post(emulator, json.dumps(body).encode(), GET), "InvalidParameterException", 400
    )
    assert f"at '{member_name}'" in message


@pytest.mark.parametrize(
    ("body", "member_name"),
    [
        ({"MaxResults": 0}, "maxResults"),
        ({"MaxResults": 101}, "maxResults"),
        ({"MaxResults": "5"}, "maxResults"),
        ({"MaxResults": 5.5}, "maxResults"),
        ({"NextToken": "t" * 1025}, "nextToken"),
    ],
)
def test_list_constraint_violations(
    emulator: Emulator, body: dict[str, Any], member_name: str
) -> None:
    message = assert_aws_error(
        post(emulator, json.dumps(body).encode(), LIST), "InvalidParameterException", 400
    )
    assert f"at '{member_name}'" in message


def test_list_max_results_101_through_boto3(aws: Aws) -> None:
    # boto3 checks only minimums client-side, so 101 reaches the server.
    with pytest.raises(aws.rekognition.exceptions.InvalidParameterException) as caught:
        aws.rekognition.list_media_analysis_jobs(MaxResults=101)
    assert "less than or equal to 100" in str(caught.value)
    assert aws.rekognition.list_media_analysis_jobs(MaxResults=100)["MediaAnalysisJobs"] is not None


def test_several_violations_are_reported_together(emulator: Emulator) -> None:
    body = copy.deepcopy(VALID_START)
    body["JobName"] = "a b"
    body["OutputConfig"]["S3KeyPrefix"] = "p" * 801
    message = assert_aws_error(
        post(emulator, json.dumps(body).encode(), START), "InvalidParameterException", 400
    )
    assert message.startswith("2 validation errors detected: ")
    assert "'jobName'" in message and "'outputConfig.s3KeyPrefix'" in message


def test_a_missing_member_is_reported_as_null(emulator: Emulator) -> None:
    message = assert_aws_error(
        post(emulator, start_body("OutputConfig", MISSING), START), "InvalidParameterException", 400
    )
    assert (
        "Value null at 'outputConfig' failed to satisfy constraint: Member must not be null"
        in message
    )


def test_operations_config_without_an_operation_is_rejected(
    aws: Aws, buckets: tuple[str, str]
) -> None:
    source, output = buckets
    manifest = aws.manifest(source, [{"source-ref": aws.image(source)}])
    request = aws.request(source, manifest, output, OperationsConfig={})
    with pytest.raises(aws.rekognition.exceptions.InvalidParameterException):
        aws.rekognition.start_media_analysis_job(**request)


@pytest.mark.parametrize("member", ["Bucket", "Name"])
def test_a_manifest_without_its_bucket_or_key_is_rejected_not_a_server_error(
    aws: Aws, buckets: tuple[str, str], member: str
) -> None:
    source, output = buckets
    manifest = aws.manifest(source, [{"source-ref": aws.image(source)}])
    request = aws.request(source, manifest, output)
    del request["Input"]["S3Object"][member]
    with pytest.raises(aws.rekognition.exceptions.InvalidParameterException) as refused:
        aws.rekognition.start_media_analysis_job(**request)
    # AWS's wording for a missing member, at the member's path in the wire's casing.
    path = f"input.s3Object.{member[0].lower()}{member[1:]}"
    assert f"Value null at '{path}' failed to satisfy constraint" in str(refused.value)
