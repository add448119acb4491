"""Benchmark: a job's moderation summary from 10,000 result lines, against the emulator.

    .venv/bin/python bench/moderation_summary.py [--sizes 1000 10000] [--images 100] [--repeat 7]

Starts the emulator in a process of its own (so the figures are the reader's alone),
uploads ``--images`` distinct labelled PNGs (one in ten
flagged at MinConfidence 50) and, per size, a manifest of that many lines referencing
them round-robin; runs a real job (results SSE-KMS encrypted under a customer key), then
times, ``--repeat`` times each, in the same run:

* *download*: ``GetObject`` and reading the whole body (the floor: the bytes must come);
* *download + parse*: the same, then ``json.loads`` of every line (what reading the file
  by hand costs, with everything in memory);
* *read_summary*: ``core.summary.read_summary``, as the provider runs it when a job
  ends: the object streamed in 256 KiB chunks and summarised line by line.

and the tracemalloc peak of one more run of each (memory allocated while it ran). Prints
medians; the ratios are against *download* and *download + parse* of the same size.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3

from devtools import media
from rekognition_media.api.manifest import manifest_jsonl
from rekognition_media.api.statuses import TERMINAL
from rekognition_media.core.summary import ModerationSummary, read_summary

MIN_CONFIDENCE = 50.0
# The emulator accepts any credentials; these are not secrets.
DUMMY = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}


class Emulator:
    """The emulator as a subprocess (``python -m rekognition_media.emulator``)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1", **DUMMY)


@contextlib.contextmanager
def emulator_process() -> Iterator[Emulator]:
    command = [sys.executable, "-m", "rekognition_media.emulator", "--port", "0"]
    command += ["--created-delay", "0", "--queue-delay", "0", "--job-duration", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if "listening on " in line:
                yield Emulator(line.rsplit(" ", 1)[-1].strip())
                return
        raise RuntimeError(f"the emulator exited ({process.wait()}) without listening")
    finally:
        process.terminate()
        process.wait(timeout=30)


def labels_of(index: int) -> dict[str, str]:
    """Every tenth image is flagged (Violence); the others carry a label below 50."""
    if index % 10 == 0:
        return {"moderation-labels": f"Violence:{60 + index % 40};Graphic Violence:55"}
    return {"moderation-labels": "Alcohol:30", "content-types": "Illustrated:70"}


def seed(emulator: Emulator, images: int) -> tuple[str, str, str]:
    s3, kms = emulator.client("s3"), emulator.client("kms")
    suffix = uuid.uuid4().hex[:8]
    bucket_in, bucket_out = f"bench-in-{suffix}", f"bench-out-{suffix}"
    for bucket in (bucket_in, bucket_out):
        s3.create_bucket(Bucket=bucket)
    for index in range(images):
        side = 80 + index % 48
        rows = (bytes((x * 7 + y + index) % 256 for x in range(side)) for y in range(side))
        s3.put_object(
            Bucket=bucket_in,
            Key=f"images/{index:05}.png",
            Body=media.png(side, side, rows),
            Metadata=labels_of(index),
        )
    return bucket_in, bucket_out, kms.create_key()["KeyMetadata"]["Arn"]


def run_job(
    emulator: Emulator, bucket_in: str, bucket_out: str, key_arn: str, lines: int, images: int
) -> dict[str, Any]:
    s3, rekognition = emulator.client("s3"), emulator.client("rekognition")
    keys = [f"images/{i % images:05}.png" for i in range(lines)]
    manifest = f"manifests/{lines}.jsonl"
    s3.put_object(Bucket=bucket_in, Key=manifest, Body=manifest_jsonl(bucket_in, keys).encode())
    job_id = rekognition.start_media_analysis_job(
        OperationsConfig={"DetectModerationLabels": {"MinConfidence": MIN_CONFIDENCE}},
        Input={"S3Object": {"Bucket": bucket_in, "Name": manifest}},
        OutputConfig={"S3Bucket": bucket_out, "S3KeyPrefix": f"results/{lines}"},
        KmsKeyId=key_arn,
    )["JobId"]
    while True:
        job: dict[str, Any] = rekognition.get_media_analysis_job(JobId=job_id)
        if job["Status"] in TERMINAL:
            assert job["Status"] == "SUCCEEDED", job
            return job
        time.sleep(0.05)


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, int, Any]:
    """Median seconds of ``repeat`` calls, tracemalloc peak of one more, its result."""
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        seconds.append(time.perf_counter() - started)
    tracemalloc.start()
    try:
        call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return statistics.median(seconds), peak, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--images", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    with emulator_process() as emulator:
        bucket_in, bucket_out, key_arn = seed(emulator, args.images)
        s3 = emulator.client("s3")
        rows = []
        for lines in args.sizes:
            job = run_job(emulator, bucket_in, bucket_out, key_arn, lines, args.images)
            results = job["Results"]["S3Object"]
            bucket, key = results["Bucket"], results["Name"]

            def download(bucket: str = bucket, key: str = key) -> bytes:
                body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
                return body

            def parse(bucket: str = bucket, key: str = key) -> int:
                return len([json.loads(line) for line in download(bucket, key).splitlines()])

            def summarise(bucket: str = bucket, key: str = key) -> ModerationSummary:
                return read_summary(s3, bucket, key, MIN_CONFIDENCE)

            base, base_peak, body = timed(download, args.repeat)
            parsed, parsed_peak, _ = timed(parse, args.repeat)
            summed, summed_peak, summary = timed(summarise, args.repeat)
            assert summary.images_analysed == lines, summary
            assert summary.images_flagged == lines // 10, summary
            rows.append(
                (
                    lines,
                    len(body),
                    summary.images_flagged,
                    base,
                    base_peak,
                    parsed,
                    parsed_peak,
                    summed,
                    summed_peak,
                )
            )

    print(f"median of {args.repeat} runs each; peak = tracemalloc peak of one more run")
    print(
        "| result lines | flagged | results size | download (s) | download + parse (s) "
        "| read_summary (s) | read_summary / download | read_summary / (download + parse) "
        "| peak: download | "
        "peak: download + parse | peak: read_summary |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    mib = 1024 * 1024
    for lines, size, flagged, base, bp, parsed, pp, summed, sp in rows:
        print(
            f"| {lines:,} | {flagged:,} | {size / mib:.2f} MiB | {base:.3f} | {parsed:.3f} "
            f"| {summed:.3f} | {summed / base:.1f}x | {summed / parsed:.2f}x "
            f"| {bp / mib:.1f} MiB | {pp / mib:.1f} MiB "
            f"| {sp / mib:.2f} MiB |"
        )


if __name__ == "__main__":
    main()
