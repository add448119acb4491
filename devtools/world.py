"""A seeded world in the emulator: buckets, a KMS key, sample images and their manifest.

:func:`seed` makes a fresh one (unique names, so many share one emulator); a
:class:`World` gives the stack configuration of ``examples/jobs`` over it and lists the
jobs it ran. The tests and the benchmarks run their stacks on such worlds.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rekognition_media.api.manifest import manifest_jsonl
from rekognition_media.api.statuses import TERMINAL
from rekognition_media.emulator import Emulator

from .media import SAMPLE_MANIFEST_KEY, sample_images, sample_metadata

# Credentials the provider process gets from its environment (the emulator accepts any);
# the tests assert that none of these values ever appears in the Pulumi state.
ACCESS_KEY = "AKIAENGINETEST0SECRET"
SECRET_KEY = "engine-test-secret-7f3a9c1e5b"
SESSION_TOKEN = "engine-test-session-token-42d8"
REGION = "us-east-1"


@dataclass
class World:
    emulator: Emulator
    input_bucket: str
    output_bucket: str
    key_arn: str
    manifest: str

    def client(self, service: str) -> Any:
        return self.emulator.client(service, region_name=REGION)

    def config(self, **extra: str) -> dict[str, str]:
        """Stack configuration for examples/jobs."""
        return {
            "inputBucket": self.input_bucket,
            "outputBucket": self.output_bucket,
            "manifest": self.manifest,
            "kmsKeyId": self.key_arn,
            "endpointUrl": self.emulator.url,
            **extra,
        }

    def jobs(self) -> list[dict[str, Any]]:
        """Every job of the emulator's account, newest first (ListMediaAnalysisJobs)."""
        rekognition = self.client("rekognition")
        found: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {}
        while True:
            page = rekognition.list_media_analysis_jobs(MaxResults=100, **kwargs)
            found.extend(page["MediaAnalysisJobs"])
            if "NextToken" not in page:
                return found
            kwargs = {"NextToken": page["NextToken"]}

    def jobs_reading_input(self) -> list[dict[str, Any]]:
        """Jobs started on this world's manifest, whatever their output bucket."""
        return [j for j in self.jobs() if j["Input"]["S3Object"]["Bucket"] == self.input_bucket]

    def jobs_of(self, output_bucket: str | None = None) -> list[dict[str, Any]]:
        bucket = output_bucket or self.output_bucket
        return [j for j in self.jobs() if j["OutputConfig"]["S3Bucket"] == bucket]

    def ended(self, job_id: str, timeout: float = 60.0) -> dict[str, Any]:
        """The job once it has ended (a terminal status); AssertionError after ``timeout``."""
        rekognition = self.client("rekognition")
        deadline = time.monotonic() + timeout
        while True:
            job: dict[str, Any] = rekognition.get_media_analysis_job(JobId=job_id)
            if job["Status"] in TERMINAL:
                return job
            if time.monotonic() > deadline:
                raise AssertionError(f"job {job_id} still {job['Status']} after {timeout} s")
            time.sleep(0.05)  # a poll interval, not an ordering


def provider_env() -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_SESSION_TOKEN": SESSION_TOKEN,
        "AWS_REGION": REGION,
    }


def no_credentials_env(home: Path) -> dict[str, str]:
    """A provider environment in which the standard credential chain finds nothing: no
    key in the environment, no shared files (``home`` holds none), no instance role."""
    return {
        "AWS_ACCESS_KEY_ID": "",
        "AWS_SECRET_ACCESS_KEY": "",
        "AWS_SESSION_TOKEN": "",
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-credentials"),
        "AWS_CONFIG_FILE": str(home / "no-config"),
        # No container-role variables at all: botocore tries that role when they are set,
        # even to "".
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_REGION": REGION,
    }


def other_account_env(emulator: Emulator, account_id: str) -> dict[str, str]:
    """A provider environment whose credentials belong to ``account_id`` in the emulator
    (moto maps keys from sts:AssumeRole to the role's account)."""
    credentials = emulator.client("sts", region_name=REGION).assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/rekognition-media-test",
        RoleSessionName="rekognition-media-test",
    )["Credentials"]
    return {
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
        "AWS_REGION": REGION,
    }


def seed(emulator: Emulator, duration_seconds: float | None = None) -> World:
    """Fresh buckets, key, images and manifest (unique names: the emulator is shared)."""
    suffix = uuid.uuid4().hex[:10]
    input_bucket, output_bucket = f"media-in-{suffix}", f"media-out-{suffix}"
    s3 = emulator.client("s3", region_name=REGION)
    for bucket in (input_bucket, output_bucket):
        s3.create_bucket(Bucket=bucket)
    key_arn = emulator.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]
    images, labels = sample_images(), sample_metadata()
    for key, body in images.items():
        s3.put_object(Bucket=input_bucket, Key=key, Body=body, Metadata=labels[key])
    metadata = (
        {} if duration_seconds is None else {"emulator-duration-seconds": str(duration_seconds)}
    )
    manifest = SAMPLE_MANIFEST_KEY
    s3.put_object(
        Bucket=input_bucket,
        Key=manifest,
        Body=manifest_jsonl(input_bucket, images).encode(),
        Metadata=metadata,
    )
    return World(emulator, input_bucket, output_bucket, key_arn, manifest)


TWO_SHARDS = 10_001
"""Tiny keys that, with the three sample images, fill two shards of a batch."""


def seed_prefix(
    emulator: Emulator, prefix: str, tiny_keys: int = TWO_SHARDS, suffix: str = ".jpg"
) -> World:
    """A seeded world whose input bucket also holds, under ``prefix``, the three sample
    images (analysed) and ``tiny_keys`` keys ``<prefix>tiny/NNNNNN<suffix>`` that are not
    images (listed as images, their manifest lines invalid in the jobs), for a batch's
    tests."""
    world = seed(emulator)
    s3 = world.client("s3")
    for key in sample_images():
        source = s3.get_object(Bucket=world.input_bucket, Key=key)
        s3.put_object(
            Bucket=world.input_bucket,
            Key=f"{prefix}{key.rsplit('/', 1)[1]}",
            Body=source["Body"].read(),
            Metadata=source["Metadata"],
        )
    put_many(world.input_bucket, range(tiny_keys), key_format=prefix + "tiny/{:06d}" + suffix)
    return world


DEFAULT_ACCOUNT = "123456789012"
"""moto's account for the dummy credentials the tests use."""


def put_many(
    bucket: str,
    keys: list[str] | range,
    body: bytes = b"\xff\xd8\xff",
    key_format: str = "{}",
    account_id: str = DEFAULT_ACCOUNT,
    region: str = REGION,
    metadata: dict[str, str] | None = None,
) -> int:
    """Put objects straight into the in-process emulator's moto backend, not over HTTP:
    10,001 keys (two shards of a batch) take a second instead of a minute. ``keys`` are
    names, or numbers formatted by ``key_format``. The bucket must exist. ``metadata``:
    user metadata without the ``x-amz-meta-`` prefix (the emulator's hooks, such as
    ``moderation-labels``). Returns the count."""
    from moto.s3.models import s3_backends
    from moto.utilities.utils import get_partition

    backend = s3_backends[account_id][get_partition(region)]
    written = 0
    for key in keys:
        name = key if isinstance(key, str) else key_format.format(key)
        stored = backend.put_object(bucket, name, body)
        if metadata:
            stored.set_metadata({f"x-amz-meta-{k}": v for k, v in metadata.items()})
        written += 1
    return written
