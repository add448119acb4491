"""Job behaviour: Start checks, idempotency, lifecycle, results and summary, FAILED codes."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest

from rekognition_media.api.manifest import parse_summary
from rekognition_media.emulator import Emulator

from .support import Aws, error_code, png

JOB_ID = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")
RANK = {"CREATED": 0, "QUEUED": 1, "IN_PROGRESS": 2, "SUCCEEDED": 3, "FAILED": 3}
INVALID_S3_MESSAGE = (
    "Unable to get object metadata from S3. Check object key, region and/or access permissions."
)


def one_image_manifest(aws: Aws, bucket: str, **hooks: Any) -> str:
    return aws.manifest(bucket, [{"source-ref": aws.image(bucket)}], **hooks)


# --- Start -------------------------------------------------------------------------------


def test_start_returns_a_job_id_of_the_documented_pattern(
    aws: Aws, buckets: tuple[str, str]
) -> None:
    source, output = buckets
    job_id = aws.start(source, one_image_manifest(aws, source), output)
    assert JOB_ID.match(job_id)
    assert aws.wait(job_id)["Status"] == "SUCCEEDED"


def test_same_token_and_body_returns_the_same_job(
    emulator: Emulator, aws: Aws, buckets: tuple[str, str]
) -> None:
    source, output = buckets
    request = aws.request(source, one_image_manifest(aws, source), output)
    token = uuid.uuid4().hex
    first = aws.rekognition.start_media_analysis_job(ClientRequestToken=token, **request)["JobId"]
    created = emulator.stats()["jobs"]["created"]
    again = aws.rekognition.start_media_analysis_job(ClientRequestToken=token, **request)["JobId"]
    assert again == first
    assert emulator.stats()["jobs"]["created"] == created


def _changes(source: str, output: str, other_manifest: str) -> dict[str, dict[str, Any]]:
    return {
        "job name": {"JobName": "other-name"},
        "min confidence": {"OperationsConfig": {"DetectModerationLabels": {"MinConfidence": 51}}},
        "output bucket": {"OutputConfig": {"S3Bucket": "other-bucket", "S3KeyPrefix": "results"}},
        "prefix dropped": {"OutputConfig": {"S3Bucket": output}},
        "kms key added": {"KmsKeyId": "alias/other"},
        "manifest": {"Input": {"S3Object": {"Bucket": source, "Name": other_manifest}}},
    }


@pytest.mark.parametrize(
    "change",
    ["job name", "min confidence", "output bucket", "prefix dropped", "kms key added", "manifest"],
)
def test_same_token_with_any_field_changed_is_a_mismatch(
    aws: Aws, buckets: tuple[str, str], change: str
) -> None:
    source, output = buckets
    request = aws.request(source, one_image_manifest(aws, source), output, JobName="name")
    token = uuid.uuid4().hex
    aws.rekognition.start_media_analysis_job(ClientRequestToken=token, **request)
    changed = {**request, **_changes(source, output, one_image_manifest(aws, source))[change]}
    with pytest.raises(aws.rekognition.exceptions.IdempotentParameterMismatchException):
        aws.rekognition.start_media_analysis_job(ClientRequestToken=token, **changed)


def test_get_of_an_unknown_job_is_resource_not_found(aws: Aws) -> None:
    with pytest.raises(aws.rekognition.exceptions.ResourceNotFoundException):
        aws.rekognition.get_media_analysis_job(JobId="0" * 64)


def test_missing_manifest_is_invalid_s3_object(aws: Aws, buckets: tuple[str, str]) -> None:
    source, output = buckets
    for bucket, key in [(source, "no-such-manifest.jsonl"), ("no-such-bucket-x1", "m.jsonl")]:
        with pytest.raises(aws.rekognition.exceptions.InvalidS3ObjectException) as caught:
            aws.start(bucket, key, output)
        assert caught.value.response["Error"]["Message"] == INVALID_S3_MESSAGE


def test_manifest_version_is_honoured(aws: Aws) -> None:
    source, output = aws.bucket("in", versioned=True), aws.bucket("out")
    first = aws.s3.put_object(
        Bucket=source, Key="m.jsonl", Body=f'{{"source-ref": "{aws.image(source)}"}}\n'.encode()
    )["VersionId"]
    aws.s3.put_object(Bucket=source, Key="m.jsonl", Body=b"")  # the latest version is empty
    with pytest.raises(aws.rekognition.exceptions.InvalidManifestException):
        aws.start(source, "m.jsonl", output)
    request = aws.request(source, "m.jsonl", output)
    request["Input"]["S3Object"]["Version"] = first
    job_id = aws.rekognition.start_media_analysis_job(**request)["JobId"]
    assert aws.wait(job_id)["Status"] == "SUCCEEDED"
    request["Input"]["S3Object"]["Version"] = "no-such-version"
    with pytest.raises(aws.rekognition.exceptions.InvalidS3ObjectException):
        aws.rekognition.start_media_analysis_job(**request)


def test_empty_manifest_is_invalid_manifest(aws: Aws, buckets: tuple[str, str]) -> None:
    source, output = buckets
    with pytest.raises(aws.rekognition.exceptions.InvalidManifestException):
        aws.start(source, aws.manifest(source, b""), output)


def test_manifest_over_50_mb_is_invalid_manifest(aws: Aws, buckets: tuple[str, str]) -> None:
    source, output = buckets
    key = aws.manifest(source, b"\n" * (50 * 1024 * 1024 + 1))
    try:
        with pytest.raises(aws.rekognition.exceptions.InvalidManifestException) as caught:
            aws.start(source, key, output)
        assert "50 MB" in caught.value.response["Error"]["Message"]
    finally:
        aws.s3.delete_object(Bucket=source, Key=key)


def test_manifest_in_another_region_is_invalid_s3_object(aws: Aws, aws_client: Any) -> None:
    other = Aws(aws_client, "eu-west-3")
    source, output = other.bucket("in"), aws.bucket("out")
    manifest = one_image_manifest(other, source)
    with pytest.raises(aws.rekognition.exceptions.InvalidS3ObjectException):
        aws.start(source, manifest, output)


# --- lifecycle -----------------------------------------------------------------------------


def test_status_never_goes_backwards_and_completion_only_when_terminal(
    aws: Aws, buckets: tuple[str, str]
) -> None:
    source, output = buckets
    manifest = one_image_manifest(
        aws, source, created_seconds=0.1, queue_seconds=0.1, duration_seconds=0.2
    )
    job_id = aws.start(source, manifest, output)
    seen = []
    while True:
        job = aws.rekognition.get_media_analysis_job(JobId=job_id)
        seen.append(job["Status"])
        if job["Status"] in ("SUCCEEDED", "FAILED"):
            assert job["CompletionTimestamp"] >= job["CreationTimestamp"]
            break
        assert "CompletionTimestamp" not in job
        assert "Results" not in job and "ManifestSummary" not in job
        time.sleep(0.01)  # the poll interval
    ranks = [RANK[status] for status in seen]
    assert ranks == sorted(ranks)
    assert list(dict.fromkeys(seen)) == ["CREATED", "QUEUED", "IN_PROGRESS", "SUCCEEDED"]
    for _ in range(3):  # stays terminal
        assert aws.rekognition.get_media_analysis_job(JobId=job_id)["Status"] == "SUCCEEDED"


def test_get_and_list_echo_the_request_exactly(aws: Aws, buckets: tuple[str, str]) -> None:
    source, output = buckets
    key_arn = aws.kms.create_key()["KeyMetadata"]["Arn"]
    request = aws.request(
        source,
        one_image_manifest(aws, source),
        output,
        JobName="echo.job-1",
        KmsKeyId=key_arn,
        OperationsConfig={"DetectModerationLabels": {"MinConfidence": 42.5}},
        OutputConfig={"S3Bucket": output, "S3KeyPrefix": "deep/prefix"},
    )
    job_id = aws.rekognition.start_media_analysis_job(**request)["JobId"]
    job = aws.wait(job_id)
    listed = next(
        item
        for item in aws.rekognition.list_media_analysis_jobs()["MediaAnalysisJobs"]
        if item["JobId"] == job_id
    )
    for described in (job, listed):
        for member in ("OperationsConfig", "Input", "OutputConfig", "JobName", "KmsKeyId"):
            assert described[member] == request[member], member
    assert job["Results"] == listed["Results"]


# --- results and summary --------------------------------------------------------------------


def test_results_and_summary_of_a_mixed_manifest(aws: Aws, buckets: tuple[str, str]) -> None:
    source, output = buckets
    good = aws.image(source, labels="Violence:90", content_types="Animated:72.7")
    other = aws.image(source)
    gif = aws.image(source, key="x.gif", body=b"GIF89a" + bytes(100))
    lines = [
        {"source-ref": good},
        "not json",
        {"source-ref": other, "extra": "kept"},
        "",
        {"no-source-ref": good},
        {"source-ref": "https://example.com/a.png"},
        {"source-ref": f"s3://{source}/missing.png"},
        {"source-ref": gif},
        {"source-ref": good},  # duplicate line: duplicate result
        "[1, 2]",
    ]
    job = aws.wait(aws.start(source, aws.manifest(source, lines), output))
    assert job["Status"] == "SUCCEEDED"
    results_object = job["Results"]["S3Object"]
    summary_object = job["ManifestSummary"]["S3Object"]
    assert results_object == {
        "Bucket": output,
        "Name": f"results/{job['JobId']}/results.jsonl",
    }
    assert summary_object["Name"] == f"results/{job['JobId']}/manifest-summary.json"
    assert job["Results"]["ModelVersions"] == {"Moderation": "7.0"}

    results = aws.results(job)
    assert [line["source-ref"] for line in results] == [good, other, good]
    for line in results:
        response = line["detect-moderation-labels"]
        assert set(response) == {"ModerationLabels", "ModerationModelVersion", "ContentTypes"}
        assert response["ModerationModelVersion"] == "7.0"
    assert results[0] == results[2]
    assert results[0]["detect-moderation-labels"]["ContentTypes"] == [
        {"Confidence": 72.7, "Name": "Animated"}
    ]

    raw_summary = aws.summary(job)
    assert raw_summary["version"] == "1.0"
    assert raw_summary["statistics"] == {
        "total-json-lines": 9,  # the blank line is skipped
        "valid-json-lines": 3,
        "invalid-json-lines": 6,
    }
    errors = {entry["line-numer"]: entry for entry in raw_summary["errors"]}
    assert sorted(errors) == [2, 5, 6, 7, 8, 10]
    assert errors[2]["code"] == "InvalidJsonLine" and "source-ref" not in errors[2]
    assert errors[5]["code"] == "InvalidSourceRef"
    assert errors[6]["source-ref"] == "https://example.com/a.png"
    assert errors[7]["code"] == "InvalidS3ObjectException"
    assert errors[8]["code"] == "InvalidImageFormatException"
    assert errors[10]["code"] == "InvalidJsonLine"
    assert all(entry["message"] for entry in errors.values())
    summary = parse_summary(aws.read(summary_object))
    assert summary.statistics.total == summary.statistics.valid + summary.statistics.invalid
    assert len(summary.errors) == summary.statistics.invalid


def test_all_invalid_lines_do_not_fail_the_job_unless_configured(
    emulator: Emulator, aws: Aws, buckets: tuple[str, str]
) -> None:
    source, output = buckets
    manifest = aws.manifest(source, ["bad", "worse"])
    job = aws.wait(aws.start(source, manifest, output))
    assert job["Status"] == "SUCCEEDED"
    assert aws.results(job) == []
    assert aws.summary(job)["statistics"]["invalid-json-lines"] == 2
    emulator.update_settings(fail_if_all_lines_invalid=True)
    job = aws.wait(aws.start(source, manifest, output))
    assert job["Status"] == "FAILED"
    assert job["FailureDetails"]["Code"] == "INVALID_MANIFEST"


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("out", "out/{}/"), ("out/", "out/{}/"), ("a/b//", "a/b//{}/"), ("", "{}/"), (None, "{}/")],
)
def test_output_prefix_with_and_without_trailing_slash(
    aws: Aws, buckets: tuple[str, str], prefix: str | None, expected: str
) -> None:
    source, output = buckets
    config: dict[str, Any] = {"S3Bucket": output}
    if prefix is not None:
        config["S3KeyPrefix"] = prefix
    job = aws.wait(aws.start(source, one_image_manifest(aws, source), output, OutputConfig=config))
    folder = expected.format(job["JobId"])
    assert job["Results"]["S3Object"]["Name"] == folder + "results.jsonl"
    assert job["ManifestSummary"]["S3Object"]["Name"] == folder + "manifest-summary.json"
    assert aws.results(job)


def test_output_layout_and_summary_spelling_are_settings(
    emulator: Emulator, aws: Aws, buckets: tuple[str, str]
) -> None:
    emulator.update_settings(
        results_key_template="{prefix}{job_name}-{job_id}.out.jsonl",
        summary_key_template="summaries/{job_id}.json",
        summary_line_number_key="line-number",
    )
    source, output = buckets
    manifest = aws.manifest(source, ["oops"])
    job = aws.wait(aws.start(source, manifest, output, JobName="named"))
    assert job["Results"]["S3Object"]["Name"] == f"results/named-{job['JobId']}.out.jsonl"
    assert job["ManifestSummary"]["S3Object"]["Name"] == f"summaries/{job['JobId']}.json"
    assert aws.summary(job)["errors"][0]["line-number"] == 1


def test_versioned_output_bucket_reports_the_version(aws: Aws) -> None:
    source, output = aws.bucket("in"), aws.bucket("out", versioned=True)
    job = aws.wait(aws.start(source, one_image_manifest(aws, source), output))
    version = job["Results"]["S3Object"]["Version"]
    head = aws.s3.head_object(Bucket=output, Key=job["Results"]["S3Object"]["Name"])
    assert head["VersionId"] == version
    assert aws.results(job)


def test_exactly_10000_lines_succeed(aws: Aws, buckets: tuple[str, str]) -> None:
    source, output = buckets
    line = f'{{"source-ref": "{aws.image(source)}"}}\n'.encode()
    job = aws.wait(aws.start(source, aws.manifest(source, line * 10_000), output), timeout=60)
    assert job["Status"] == "SUCCEEDED"
    assert aws.summary(job)["statistics"]["valid-json-lines"] == 10_000


# --- FAILED jobs ----------------------------------------------------------------------------


def assert_failed(job: dict[str, Any], code: str) -> None:
    assert job["Status"] == "FAILED"
    assert job["FailureDetails"]["Code"] == code
    assert job["FailureDetails"]["Message"]
    assert "Results" not in job and "ManifestSummary" not in job
    assert job["CompletionTimestamp"] >= job["CreationTimestamp"]


def test_more_than_10000_lines_fail_with_invalid_manifest(
    aws: Aws, buckets: tuple[str, str]
) -> None:
    source, output = buckets
    line = f'{{"source-ref": "{aws.image(source)}"}}\n'.encode()
    job = aws.wait(aws.start(source, aws.manifest(source, line * 10_001), output))
    assert_failed(job, "INVALID_MANIFEST")
    assert "10000" in job["FailureDetails"]["Message"]


def test_a_manifest_of_blank_lines_fails_with_invalid_manifest(
    aws: Aws, buckets: tuple[str, str]
) -> None:
    source, output = buckets
    assert_failed(
        aws.wait(aws.start(source, aws.manifest(source, b"\n \n"), output)), "INVALID_MANIFEST"
    )


def test_missing_output_bucket_fails_with_invalid_output_config(aws: Aws) -> None:
    source = aws.bucket("in")
    job = aws.wait(aws.start(source, one_image_manifest(aws, source), "no-such-output-bucket-9"))
    assert_failed(job, "INVALID_OUTPUT_CONFIG")


@pytest.mark.parametrize(
    "problem", ["unknown", "disabled", "pending-deletion", "asymmetric", "alias"]
)
def test_unusable_kms_key_fails_with_invalid_kms_key(
    aws: Aws, buckets: tuple[str, str], problem: str
) -> None:
    source, output = buckets
    if problem == "unknown":
        key_id = str(uuid.uuid4())
    elif problem == "alias":
        key_id = "alias/no-such-alias"
    elif problem == "asymmetric":
        key_id = aws.kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="RSA_2048")["KeyMetadata"][
            "KeyId"
        ]
    else:
        key_id = aws.kms.create_key()["KeyMetadata"]["KeyId"]
        if problem == "disabled":
            aws.kms.disable_key(KeyId=key_id)
        else:
            aws.kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    job = aws.wait(aws.start(source, one_image_manifest(aws, source), output, KmsKeyId=key_id))
    assert_failed(job, "INVALID_KMS_KEY")


@pytest.mark.parametrize("form", ["key-id", "key-arn", "alias-name", "alias-arn"])
def test_outputs_are_sse_kms_encrypted_under_the_key(
    aws: Aws, buckets: tuple[str, str], form: str
) -> None:
    source, output = buckets
    key = aws.kms.create_key()["KeyMetadata"]
    alias = f"alias/media-{uuid.uuid4().hex[:8]}"
    aws.kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    key_ref = {
        "key-id": key["KeyId"],
        "key-arn": key["Arn"],
        "alias-name": alias,
        "alias-arn": f"arn:aws:kms:us-east-1:123456789012:{alias}",
    }[form]
    job = aws.wait(aws.start(source, one_image_manifest(aws, source), output, KmsKeyId=key_ref))
    assert job["Status"] == "SUCCEEDED", job.get("FailureDetails")
    assert job["KmsKeyId"] == key_ref
    for s3_object in (job["Results"]["S3Object"], job["ManifestSummary"]["S3Object"]):
        head = aws.s3.head_object(Bucket=s3_object["Bucket"], Key=s3_object["Name"])
        assert head["ServerSideEncryption"] == "aws:kms"
        assert head["SSEKMSKeyId"] == key["Arn"]


def test_without_kms_key_outputs_are_not_sse_kms(aws: Aws, buckets: tuple[str, str]) -> None:
    source, output = buckets
    job = aws.wait(aws.start(source, one_image_manifest(aws, source), output))
    head = aws.s3.head_object(Bucket=output, Key=job["Results"]["S3Object"]["Name"])
    assert head.get("ServerSideEncryption") != "aws:kms"


ADAPTER = "arn:aws:rekognition:us-east-1:123456789012:project/mod/version/v1/1700000000000"


def test_unknown_adapter_fails_with_resource_not_found(aws: Aws, buckets: tuple[str, str]) -> None:
    source, output = buckets
    operations = {"DetectModerationLabels": {"ProjectVersion": ADAPTER}}
    job = aws.wait(
        aws.start(source, one_image_manifest(aws, source), output, OperationsConfig=operations)
    )
    assert_failed(job, "RESOURCE_NOT_FOUND")


def test_a_configured_adapter_is_used(
    emulator: Emulator, aws: Aws, buckets: tuple[str, str]
) -> None:
    emulator.update_settings(known_adapters=[ADAPTER])
    source, output = buckets
    operations = {"DetectModerationLabels": {"ProjectVersion": ADAPTER}}
    job = aws.wait(
        aws.start(source, one_image_manifest(aws, source), output, OperationsConfig=operations)
    )
    assert job["Status"] == "SUCCEEDED"
    assert aws.results(job)[0]["detect-moderation-labels"]["ProjectVersion"] == ADAPTER


def test_failure_hook_ends_the_job_failed_with_that_code(
    aws: Aws, buckets: tuple[str, str]
) -> None:
    source, output = buckets
    manifest = one_image_manifest(aws, source, failure_code="THROTTLED", failure_message="busy")
    job = aws.wait(aws.start(source, manifest, output))
    assert_failed(job, "THROTTLED")
    assert job["FailureDetails"]["Message"] == "busy"


@pytest.mark.parametrize(
    "hooks",
    [{"duration_seconds": "soon"}, {"queue_seconds": "-1"}, {"failure_code": "NOT_A_CODE"}],
)
def test_malformed_hooks_are_rejected_loudly(
    aws: Aws, buckets: tuple[str, str], hooks: dict[str, str]
) -> None:
    source, output = buckets
    with pytest.raises(aws.rekognition.exceptions.InvalidManifestException) as caught:
        aws.start(source, one_image_manifest(aws, source, **hooks), output)
    assert "x-amz-meta-emulator-" in caught.value.response["Error"]["Message"]
    assert error_code(caught.value) == "InvalidManifestException"


def test_a_manifest_deleted_before_processing_fails_the_job(
    aws: Aws, buckets: tuple[str, str]
) -> None:
    source, output = buckets
    manifest = one_image_manifest(aws, source, queue_seconds=0.3)
    job_id = aws.start(source, manifest, output)
    aws.s3.delete_object(Bucket=source, Key=manifest)
    assert_failed(aws.wait(job_id), "INVALID_S3_OBJECT")


def test_images_are_read_with_their_own_headers(aws: Aws, buckets: tuple[str, str]) -> None:
    # A large valid PNG: the job reads its header only, the file is still accepted.
    source, output = buckets
    uri = aws.image(source, body=png(2000, 1500))
    job = aws.wait(aws.start(source, aws.manifest(source, [{"source-ref": uri}]), output))
    assert aws.summary(job)["statistics"]["valid-json-lines"] == 1


# --- the tests' clock ------------------------------------------------------------------


def test_a_backdated_job_is_older_by_as_much_and_keeps_its_outcome(
    emulator: Emulator, aws: Aws, buckets: tuple[str, str]
) -> None:
    source, output = buckets
    job_id = aws.start(source, one_image_manifest(aws, source), output)
    before = aws.wait(job_id)
    shown = emulator.backdate_job(job_id, 3)
    after = aws.rekognition.get_media_analysis_job(JobId=job_id)
    moved = before["CreationTimestamp"].timestamp() - after["CreationTimestamp"].timestamp()
    assert moved == pytest.approx(3, abs=0.01)
    completed = before["CompletionTimestamp"].timestamp() - after["CompletionTimestamp"].timestamp()
    assert completed == pytest.approx(3, abs=0.01)
    assert after["Status"] == shown["Status"] == before["Status"] == "SUCCEEDED"
    assert after["Results"] == before["Results"]


def test_backdate_over_the_admin_api_says_what_is_wrong(
    emulator: Emulator, aws: Aws, buckets: tuple[str, str]
) -> None:
    source, output = buckets
    job_id = aws.start(source, one_image_manifest(aws, source), output)

    def post(job: str, body: bytes) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            f"{emulator.url}/_emulator/jobs/{job}/backdate", data=body, method="POST"
        )
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read())

    status, job = post(job_id, b'{"seconds": 2.5}')
    assert status == 200 and job["JobId"] == job_id
    assert post("no-such-job", b'{"seconds": 1}') == (404, {"error": "no job no-such-job"})
    status, said = post(job_id, b'{"seconds": "soon"}')
    assert status == 400 and "seconds" in said["error"]
    status, said = post(job_id, b'{"seconds": -1}')
    assert status == 400 and "between 0 and a year" in said["error"]
