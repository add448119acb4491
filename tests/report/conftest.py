"""Fixtures of the report tests: a job over labelled images in the emulator, and the
``rekognition-media`` command run as a user runs it (its console script, a subprocess).

The labelled job (one per module) holds, in manifest order:

1. ``images/violence.png`` Violence 88.5, Graphic Violence 75, Animated 80
2. ``images/explicit.jpg`` (a real JPEG) Explicit Nudity 91
3. an image whose key holds ``<script>`` and whose label is a ``<script>`` element, 95
4. ``images/clean.png`` with no label
5. ``images/broken.png``, a PNG header without pixels (the job accepts it, the report
   cannot decode it) labelled Weapons 70
6. ``images/missing.png``, never uploaded: an invalid manifest line

so 5 images analysed, 4 flagged with a thumbnail and 1 flagged with a placeholder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devtools.flagged import LabelledImage, photo, run_job, upload
from devtools.media import png, png_image
from rekognition_media.emulator import Emulator

REGION = "us-east-1"
SCRIPT_KEY = "images/<script>window.__pwnedByKey=1</script>.png"
SCRIPT_LABEL = "<script>window.__pwnedByLabel=1</script>"
COMMAND = Path(sys.executable).with_name("rekognition-media")


@dataclass(frozen=True)
class LabelledJob:
    job: dict[str, Any]
    input_bucket: str
    output_bucket: str
    s3: Any
    rekognition: Any

    @property
    def job_id(self) -> str:
        return str(self.job["JobId"])

    @property
    def results_uri(self) -> str:
        results = self.job["Results"]["S3Object"]
        return f"s3://{results['Bucket']}/{results['Name']}"


def images() -> list[LabelledImage]:
    return [
        LabelledImage(
            "images/violence.png",
            png_image(300, 200, (200, 40, 40), (255, 255, 255)),
            "Violence:88.5;Graphic Violence:75",
            "Animated:80",
        ),
        LabelledImage("images/explicit.jpg", photo(640, 480, seed=7), "Explicit Nudity:91"),
        LabelledImage(SCRIPT_KEY, png_image(100, 100, (40, 70, 200)), f"{SCRIPT_LABEL}:95"),
        LabelledImage("images/clean.png", png_image(100, 100, (40, 160, 60))),
        LabelledImage("images/broken.png", png(100, 100, ()), "Weapons:70"),
    ]


def make_job(emulator: Emulator, **kwargs: Any) -> LabelledJob:
    s3 = emulator.client("s3", region_name=REGION)
    rekognition = emulator.client("rekognition", region_name=REGION)
    suffix = uuid.uuid4().hex[:10]
    input_bucket, output_bucket = f"report-in-{suffix}", f"report-out-{suffix}"
    s3.create_bucket(Bucket=input_bucket)
    s3.create_bucket(Bucket=output_bucket)
    labelled = images()
    upload(s3, input_bucket, labelled)
    keys = [image.key for image in labelled] + ["images/missing.png"]
    job = run_job(rekognition, s3, input_bucket, output_bucket, keys, min_confidence=60, **kwargs)
    return LabelledJob(job, input_bucket, output_bucket, s3, rekognition)


@pytest.fixture(scope="module")
def labelled_job(emulator: Emulator) -> LabelledJob:
    made = make_job(emulator)
    assert made.job["Status"] == "SUCCEEDED", made.job
    return made


Report = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def report(emulator: Emulator) -> Report:
    """``report(*args, env=...)``: run ``rekognition-media report`` against the emulator."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return run_report(emulator, args, env)

    return run


def run_report(
    emulator: Emulator,
    args: Sequence[str],
    env: dict[str, str] | None = None,
    stdout: int | None = None,
    stderr: int | None = None,
) -> subprocess.CompletedProcess[str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") and key != "NO_COLOR"
    }
    environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_ENDPOINT_URL=emulator.url,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    environ.update(env or {})
    return subprocess.run(
        [str(COMMAND), "report", *args],
        env=environ,
        stdout=subprocess.PIPE if stdout is None else stdout,
        stderr=subprocess.PIPE if stderr is None else stderr,
        text=True,
        timeout=120,
        check=False,
    )


@dataclass(frozen=True)
class Shards:
    first: dict[str, Any]
    second: dict[str, Any]
    failed: dict[str, Any]
    running: dict[str, Any]
    input_bucket: str
    output_bucket: str
    s3: Any

    @property
    def ids(self) -> list[str]:
        return [self.first["JobId"], self.second["JobId"]]


@pytest.fixture(scope="module")
def shards(emulator: Emulator, labelled_job: LabelledJob) -> Shards:
    """The labelled images as a batch of two jobs (the first three, the rest), and a
    FAILED and a still-running job over the first image."""
    s3 = emulator.client("s3", region_name=REGION)
    rekognition = emulator.client("rekognition", region_name=REGION)
    source, out = labelled_job.input_bucket, labelled_job.output_bucket
    keys = [image.key for image in images()] + ["images/missing.png"]
    upload(s3, source, images())  # the labelled job's images, in its buckets

    def shard(index: int, part: list[str], **kwargs: Any) -> dict[str, Any]:
        return run_job(
            rekognition,
            s3,
            source,
            kwargs.pop("output", out),
            part,
            min_confidence=kwargs.pop("min_confidence", 60),
            manifest_key=f"batch/manifest-{index}.jsonl",
            **kwargs,
        )

    first, second = shard(0, keys[:3]), shard(1, keys[3:])
    failed = shard(2, keys[:1], output="report-batch-no-such-bucket")
    running = shard(3, keys[:1], timeout=0, duration_seconds="600")
    assert (first["Status"], second["Status"], failed["Status"]) == (
        "SUCCEEDED",
        "SUCCEEDED",
        "FAILED",
    )
    assert running["Status"] != "SUCCEEDED"
    return Shards(first, second, failed, running, source, out, s3)
