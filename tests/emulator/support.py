"""Test data and a small client facade for the emulator tests (real boto3 over HTTP)."""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from devtools import media
from devtools.media import jpeg
from rekognition_media.api.statuses import TERMINAL
from tests.support import until

__all__ = ["JSON_11", "Aws", "assert_aws_error", "error_code", "jpeg", "png", "post"]


# --- raw HTTP ----------------------------------------------------------------------------

JSON_11 = "application/x-amz-json-1.1"


def post(
    emulator: Any,
    body: bytes,
    target: str | None = None,
    path: str = "/",
    method: str = "POST",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=30)
    all_headers = {"Content-Type": JSON_11, **(headers or {})}
    if target is not None:
        all_headers["X-Amz-Target"] = target
    try:
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        return (
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            response.read(),
        )
    finally:
        conn.close()


def assert_aws_error(response: tuple[int, dict[str, str], bytes], code: str, status: int) -> str:
    got_status, headers, body = response
    assert got_status == status, body
    assert headers["content-type"] == JSON_11
    assert headers["x-amzn-requestid"]
    error = json.loads(body)
    assert error["__type"] == code
    assert error["Code"] == code
    uuid.UUID(error["Logref"])
    assert isinstance(error["Message"], str) and error["Message"]
    message: str = error["Message"]
    return message


# --- images ------------------------------------------------------------------------------


def png(width: int, height: int, pixels: bool = True) -> bytes:
    """A PNG; with ``pixels`` a complete (black) grayscale image, else only a valid header."""
    return media.png(width, height, None if pixels else ())


# --- a region of the emulator, seen through boto3 ----------------------------------------


class Aws:
    """boto3 clients for one region of the emulator, plus job helpers."""

    def __init__(self, make_client: Callable[..., Any], region: str = "us-east-1") -> None:
        self.make_client = make_client
        self.region = region
        self.s3 = make_client("s3", region_name=region)
        self.kms = make_client("kms", region_name=region)
        self.rekognition = make_client("rekognition", region_name=region)

    def client(self, service: str, **kwargs: Any) -> Any:
        return self.make_client(service, region_name=self.region, **kwargs)

    def bucket(self, prefix: str = "bucket", versioned: bool = False) -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        if self.region == "us-east-1":
            self.s3.create_bucket(Bucket=name)
        else:
            self.s3.create_bucket(
                Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.region}
            )
        if versioned:
            self.s3.put_bucket_versioning(
                Bucket=name, VersioningConfiguration={"Status": "Enabled"}
            )
        return name

    def image(
        self,
        bucket: str,
        key: str | None = None,
        body: bytes | None = None,
        labels: str | None = None,
        content_types: str | None = None,
    ) -> str:
        """Upload an image (default a 100x100 PNG); returns its s3:// URI."""
        key = key or f"images/{uuid.uuid4().hex[:8]}.png"
        metadata = {}
        if labels is not None:
            metadata["moderation-labels"] = labels
        if content_types is not None:
            metadata["content-types"] = content_types
        self.s3.put_object(Bucket=bucket, Key=key, Body=body or png(100, 100), Metadata=metadata)
        return f"s3://{bucket}/{key}"

    def manifest(
        self,
        bucket: str,
        lines: Iterable[str | Mapping[str, Any]] | bytes,
        key: str | None = None,
        **hooks: Any,
    ) -> str:
        """Upload a manifest; ``hooks`` become x-amz-meta-emulator-<name> (``_`` -> ``-``)."""
        key = key or f"manifests/{uuid.uuid4().hex[:8]}.jsonl"
        if isinstance(lines, bytes):
            body = lines
        else:
            body = "".join(
                (line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines
            ).encode()
        metadata = {f"emulator-{k.replace('_', '-')}": str(v) for k, v in hooks.items()}
        self.s3.put_object(Bucket=bucket, Key=key, Body=body, Metadata=metadata)
        return key

    def request(
        self, manifest_bucket: str, manifest_key: str, output_bucket: str, **extra: Any
    ) -> dict[str, Any]:
        request: dict[str, Any] = {
            "OperationsConfig": {"DetectModerationLabels": {}},
            "Input": {"S3Object": {"Bucket": manifest_bucket, "Name": manifest_key}},
            "OutputConfig": {"S3Bucket": output_bucket, "S3KeyPrefix": "results"},
        }
        request.update(extra)
        return request

    def start(
        self, manifest_bucket: str, manifest_key: str, output_bucket: str, **extra: Any
    ) -> str:
        request = self.request(manifest_bucket, manifest_key, output_bucket, **extra)
        job_id: str = self.rekognition.start_media_analysis_job(**request)["JobId"]
        return job_id

    def wait(self, job_id: str, timeout: float = 15.0, interval: float = 0.01) -> dict[str, Any]:
        seen: list[dict[str, Any]] = []

        def ended() -> dict[str, Any] | None:
            seen.append(self.rekognition.get_media_analysis_job(JobId=job_id))
            return seen[-1] if seen[-1]["Status"] in TERMINAL else None

        return until(
            ended, timeout, lambda: f"job {job_id} ended (still {seen[-1]['Status']})", interval
        )

    def read(self, s3_object: Mapping[str, str]) -> bytes:
        extra = {"VersionId": s3_object["Version"]} if "Version" in s3_object else {}
        body: bytes = self.s3.get_object(
            Bucket=s3_object["Bucket"], Key=s3_object["Name"], **extra
        )["Body"].read()
        return body

    def results(self, job: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.read(job["Results"]["S3Object"]).splitlines()]

    def summary(self, job: Mapping[str, Any]) -> dict[str, Any]:
        summary: dict[str, Any] = json.loads(self.read(job["ManifestSummary"]["S3Object"]))
        return summary


def error_code(exc: Any) -> str:
    code: str = exc.response["Error"]["Code"]
    return code
