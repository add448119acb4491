"""Fault injection and quota mode (all off by default, switched on a running server)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from rekognition_media.emulator import Emulator
from rekognition_media.emulator.settings import parse_text

from .support import Aws, error_code, post

# Measures elapsed time or rates: runs alone, before the parallel workers (scripts/test.sh).
pytestmark = pytest.mark.timing


@pytest.fixture
def rekognition(aws_client: Callable[..., Any]) -> Any:
    """No retries, so every injected error surfaces (botocore retries these 3 times)."""
    return aws_client("rekognition", max_attempts=1)


def call_each_operation(rekognition: Any) -> list[tuple[str, int]]:
    """(error code or "Success", HTTP status) of one call of each operation."""
    outcomes = []
    calls = [
        lambda: rekognition.list_media_analysis_jobs(),
        lambda: rekognition.get_media_analysis_job(JobId="unknown-job"),
        lambda: rekognition.start_media_analysis_job(
            OperationsConfig={"DetectModerationLabels": {}},
            Input={"S3Object": {"Bucket": "no-such-bucket", "Name": "m.jsonl"}},
            OutputConfig={"S3Bucket": "out-bucket"},
        ),
    ]
    for call in calls:
        try:
            call()
            outcomes.append(("Success", 200))
        except rekognition.exceptions.ClientError as exc:
            outcomes.append((error_code(exc), exc.response["ResponseMetadata"]["HTTPStatusCode"]))
    return outcomes


@pytest.mark.parametrize(
    ("setting", "code", "status"),
    [
        ("throttling_rate", "ThrottlingException", 500),
        ("provisioned_throughput_rate", "ProvisionedThroughputExceededException", 400),
        ("internal_error_rate", "InternalServerError", 500),
    ],
)
def test_rate_one_always_injects_that_error(
    emulator: Emulator, rekognition: Any, setting: str, code: str, status: int
) -> None:
    emulator.update_settings(**{setting: 1.0})
    for _ in range(5):
        assert call_each_operation(rekognition) == [(code, status)] * 3
    with pytest.raises(getattr(rekognition.exceptions, code)):
        rekognition.list_media_analysis_jobs()


def test_throttling_status_is_a_setting(emulator: Emulator, rekognition: Any) -> None:
    emulator.update_settings(throttling_rate=1.0, throttling_status=400)
    assert call_each_operation(rekognition)[0] == ("ThrottlingException", 400)


def test_rate_zero_never_injects(emulator: Emulator, rekognition: Any) -> None:
    emulator.update_settings(
        throttling_rate=0, provisioned_throughput_rate=0, internal_error_rate=0
    )
    for _ in range(20):
        codes = [code for code, _ in call_each_operation(rekognition)]
        assert codes == ["Success", "ResourceNotFoundException", "InvalidS3ObjectException"]


def test_fractions_split_calls_and_are_counted_in_stats(
    emulator: Emulator, rekognition: Any
) -> None:
    emulator.update_settings(
        throttling_rate=0.2, provisioned_throughput_rate=0.2, internal_error_rate=0.2, fault_seed=7
    )
    emulator.reset_stats()
    calls = 300
    for _ in range(calls):
        with contextlib.suppress(rekognition.exceptions.ClientError):
            rekognition.list_media_analysis_jobs(MaxResults=1)
    outcomes = emulator.stats()["calls"]["by_operation"]["ListMediaAnalysisJobs"]["outcomes"]
    assert sum(outcomes.values()) == calls
    for code in (
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "InternalServerError",
    ):
        assert 0.1 * calls < outcomes[code] < 0.3 * calls, outcomes
    assert 0.3 * calls < outcomes["Success"] < 0.5 * calls, outcomes


def test_faults_never_touch_moto_services_or_the_admin_api(
    emulator: Emulator, aws: Aws, rekognition: Any
) -> None:
    emulator.update_settings(internal_error_rate=1.0)
    bucket = aws.bucket()
    aws.s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert aws.kms.create_key()["KeyMetadata"]["Enabled"]
    assert aws.client("sts").get_caller_identity()["Account"]
    assert aws.client("iam").list_roles()["Roles"] is not None
    status, _, _ = post(emulator, b"", path="/_emulator/stats", method="GET")
    assert status == 200
    assert call_each_operation(rekognition)[0] == ("InternalServerError", 500)


def test_added_latency(emulator: Emulator, rekognition: Any) -> None:
    emulator.update_settings(latency=0.25)
    started = time.monotonic()
    rekognition.list_media_analysis_jobs(MaxResults=1)
    assert time.monotonic() - started >= 0.25
    emulator.update_settings(latency=0)
    started = time.monotonic()
    rekognition.list_media_analysis_jobs(MaxResults=1)
    assert time.monotonic() - started < 0.2


# --- quota mode --------------------------------------------------------------------------


def burst(call: Callable[[], Any], exceptions: Any, count: int) -> tuple[list[str], float]:
    """Outcomes of ``count`` back-to-back calls, and how long they took."""
    outcomes = []
    started = time.monotonic()
    for _ in range(count):
        try:
            call()
            outcomes.append("Success")
        except exceptions.ClientError as exc:
            outcomes.append(error_code(exc))
    return outcomes, time.monotonic() - started


def assert_token_bucket(outcomes: list[str], elapsed: float, rate: int, ok: str) -> None:
    # A full bucket admits `rate` calls at once; it refills at `rate` per second while
    # the burst runs, so a few more may pass on a slow machine, but not many.
    assert outcomes[:rate] == [ok] * rate
    assert "ProvisionedThroughputExceededException" in outcomes
    assert set(outcomes) == {ok, "ProvisionedThroughputExceededException"}
    assert outcomes.count(ok) <= rate + elapsed * rate + 1


def test_quota_mode_start_tps(emulator: Emulator, aws_client: Callable[..., Any]) -> None:
    aws = Aws(aws_client, "us-west-1")
    source, output = aws.bucket("in"), aws.bucket("out")
    manifest = aws.manifest(source, [{"source-ref": aws.image(source)}])
    rekognition = aws.make_client("rekognition", region_name="us-west-1", max_attempts=1)
    request = aws.request(source, manifest, output)
    emulator.update_settings(quota_mode=True)
    outcomes, elapsed = burst(
        lambda: rekognition.start_media_analysis_job(**request), rekognition.exceptions, 12
    )
    assert_token_bucket(outcomes, elapsed, 5, "Success")
    time.sleep(0.25)  # about one token back at 5/s
    rekognition.start_media_analysis_job(**request)


def test_quota_mode_get_tps(emulator: Emulator, aws_client: Callable[..., Any]) -> None:
    rekognition = aws_client("rekognition", region_name="us-east-2", max_attempts=1)
    emulator.update_settings(quota_mode=True)
    outcomes, elapsed = burst(
        lambda: rekognition.get_media_analysis_job(JobId="unknown"), rekognition.exceptions, 40
    )
    assert_token_bucket(outcomes, elapsed, 20, "ResourceNotFoundException")


def test_quota_mode_concurrent_jobs(emulator: Emulator, aws_client: Callable[..., Any]) -> None:
    # eu-west-2 has the documented quota of 5 concurrent jobs.
    aws = Aws(aws_client, "eu-west-2")
    source, output = aws.bucket("in"), aws.bucket("out")
    slow = aws.manifest(source, [{"source-ref": aws.image(source)}], duration_seconds=0.6)
    emulator.update_settings(quota_mode=True, start_tps=100)
    running = [aws.start(source, slow, output) for _ in range(5)]
    no_retries = aws.client("rekognition", max_attempts=1)  # botocore retries this error
    with pytest.raises(no_retries.exceptions.LimitExceededException):
        no_retries.start_media_analysis_job(**aws.request(source, slow, output))
    for job_id in running:
        aws.wait(job_id)
    aws.start(source, slow, output)  # capacity is back


def test_retention_removes_old_jobs(emulator: Emulator, aws_client: Callable[..., Any]) -> None:
    aws = Aws(aws_client, "ap-south-1")
    source, output = aws.bucket("in"), aws.bucket("out")
    manifest = aws.manifest(source, [{"source-ref": aws.image(source)}])
    request = aws.request(source, manifest, output)
    job_id = aws.rekognition.start_media_analysis_job(ClientRequestToken="kept-token", **request)[
        "JobId"
    ]
    emulator.update_settings(retention_seconds=0.3)
    assert aws.rekognition.get_media_analysis_job(JobId=job_id)
    time.sleep(0.4)  # the clock: past the 0.3 s retention
    with pytest.raises(aws.rekognition.exceptions.ResourceNotFoundException):
        aws.rekognition.get_media_analysis_job(JobId=job_id)
    assert aws.rekognition.list_media_analysis_jobs()["MediaAnalysisJobs"] == []
    # The token expired with its job: the same token starts a new job.
    again = aws.rekognition.start_media_analysis_job(ClientRequestToken="kept-token", **request)
    assert again["JobId"] != job_id


def test_a_job_poll_fault_refuses_get_of_that_job_and_hides_it_from_list(
    emulator: Emulator, aws: Aws, buckets: tuple[str, str], rekognition: Any
) -> None:
    source, output = buckets
    manifest = aws.manifest(source, [{"source-ref": aws.image(source)}])
    refused = aws.start(source, manifest, output, JobName="refused-job")
    other = aws.start(source, manifest, output, JobName="other-job")
    emulator.update_settings(job_poll_faults={"refused-job": "AccessDeniedException"})
    with pytest.raises(rekognition.exceptions.AccessDeniedException) as denied:
        rekognition.get_media_analysis_job(JobId=refused)
    assert refused in str(denied.value)
    assert rekognition.get_media_analysis_job(JobId=other)["JobId"] == other
    listed = {j["JobId"] for j in rekognition.list_media_analysis_jobs()["MediaAnalysisJobs"]}
    assert other in listed and refused not in listed

    emulator.update_settings(job_poll_faults={})
    assert rekognition.get_media_analysis_job(JobId=refused)["JobId"] == refused


def test_job_poll_faults_take_known_error_codes_only(emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="unknown error code"):
        emulator.update_settings(job_poll_faults={"job": "NoSuchErrorException"})


NEW_ACCOUNT = "210987654321"


def account_client(emulator: Emulator, account_id: str) -> Any:
    """A Rekognition client whose credentials belong to ``account_id`` (moto maps keys
    from sts:AssumeRole to the role's account)."""
    credentials = emulator.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/media", RoleSessionName="media"
    )["Credentials"]
    return boto3.client(
        "rekognition",
        endpoint_url=emulator.url,
        region_name="us-east-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def test_an_account_without_bulk_analysis_is_refused_start_only(
    emulator: Emulator, aws: Aws, buckets: tuple[str, str]
) -> None:
    source, output = buckets
    manifest = aws.manifest(source, [{"source-ref": aws.image(source)}])
    request = aws.request(source, manifest, output)
    emulator.update_settings(bulk_analysis_access={NEW_ACCOUNT: False})
    new = account_client(emulator, NEW_ACCOUNT)
    with pytest.raises(new.exceptions.AccessDeniedException):
        new.start_media_analysis_job(**request)
    assert new.list_media_analysis_jobs()["MediaAnalysisJobs"] == []
    # Other accounts keep it.
    assert aws.rekognition.start_media_analysis_job(**request)["JobId"]

    # '*' closes it to every account not named.
    emulator.update_settings(bulk_analysis_access={"*": False, NEW_ACCOUNT: True})
    with pytest.raises(aws.rekognition.exceptions.AccessDeniedException):
        aws.rekognition.start_media_analysis_job(**request)
    assert new.start_media_analysis_job(**request)["JobId"]


def test_bulk_analysis_access_is_per_account_id_as_text_too(emulator: Emulator) -> None:
    value = parse_text("bulk_analysis_access", f"{NEW_ACCOUNT}=false,*=true")
    emulator.update_settings(bulk_analysis_access=value)
    assert not emulator.settings.has_bulk_analysis(NEW_ACCOUNT)
    assert emulator.settings.has_bulk_analysis("123456789012")
    with pytest.raises(ValueError, match="not a 12-digit account id"):
        emulator.update_settings(bulk_analysis_access={"acme": False})
