"""Benchmark: the emulator processes manifests of 1,000 and 10,000 images end to end.

    .venv/bin/python bench/emulator_manifest.py [--sizes 1000 10000] [--images 1000]

Each size runs in a fresh subprocess (so peak RSS is per size) that starts the emulator
in-process, uploads ``--images`` distinct small PNGs (80..127 px, written by
``devtools.media``, each with moderation-label metadata) and a manifest
of ``size`` lines referencing them round-robin (at 10,000 lines each image is listed 10
times: uploading 10,000 objects over HTTP would dominate the run). Then it:

1. times Start -> SUCCEEDED as a client sees it (Get polled every 10 ms) and checks the
   summary counts every line valid;
2. runs the same job again under tracemalloc and reports the peak of memory allocated
   while the job ran, above what was allocated before Start.

moto keeps S3 objects in SpooledTemporaryFiles held in RAM up to
``MOTO_S3_DEFAULT_KEY_BUFFER_SIZE`` (default ~5 MB). The "job peak" column therefore
runs with that buffer at 64 KiB, so stored objects (manifest, results) spill to disk
and the figure is the job's own working memory; "job peak, moto default" shows the same
with moto's default, where the results object itself (~150 bytes a line) is in RAM.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
import tracemalloc
from typing import Any

from devtools import media
from rekognition_media.api.manifest import manifest_jsonl
from rekognition_media.api.statuses import TERMINAL

SPILL_BUFFER = str(64 * 1024)


def png(width: int, height: int) -> bytes:
    """A grayscale gradient, so images of the same size still differ by their pixels."""
    rows = (bytes((x * 7 + y) % 256 for x in range(width)) for y in range(height))
    return media.png(width, height, rows)


def aws_wait(rekognition: Any, job_id: str) -> dict[str, Any]:
    """Poll Get every 10 ms until the job is terminal, as a client would."""
    while True:
        job: dict[str, Any] = rekognition.get_media_analysis_job(JobId=job_id)
        if job["Status"] in TERMINAL:
            return job
        time.sleep(0.01)


def run_one(size: int, images: int) -> dict[str, Any]:
    """Runs inside the subprocess: one manifest size, returns the measurements."""
    from rekognition_media.emulator import Emulator, EmulatorSettings, models

    settings = EmulatorSettings(created_delay=0, queue_delay=0, job_duration=0)
    with Emulator(settings) as emulator:
        s3, rekognition = emulator.client("s3"), emulator.client("rekognition")
        s3.create_bucket(Bucket="bench-images")
        s3.create_bucket(Bucket="bench-output")
        keys = []
        for index in range(images):
            key = f"images/{index:05d}.png"
            s3.put_object(
                Bucket="bench-images",
                Key=key,
                Body=png(80 + index % 48, 80 + (index * 7) % 48),
                Metadata={"moderation-labels": f"Violence:{50 + index % 50};Weapons:{index % 100}"},
            )
            keys.append(key)
        manifest = manifest_jsonl(
            "bench-images", (keys[line % images] for line in range(size))
        ).encode()
        s3.put_object(Bucket="bench-images", Key="manifest.jsonl", Body=manifest)
        request = {
            "OperationsConfig": {"DetectModerationLabels": {"MinConfidence": 60}},
            "Input": {"S3Object": {"Bucket": "bench-images", "Name": "manifest.jsonl"}},
            "OutputConfig": {"S3Bucket": "bench-output", "S3KeyPrefix": "bench"},
        }

        started = time.perf_counter()
        job = aws_wait(rekognition, rekognition.start_media_analysis_job(**request)["JobId"])
        wall = time.perf_counter() - started
        assert job["Status"] == "SUCCEEDED", job
        summary_object = job["ManifestSummary"]["S3Object"]
        summary = json.loads(
            s3.get_object(Bucket=summary_object["Bucket"], Key=summary_object["Name"])[
                "Body"
            ].read()
        )
        assert summary["statistics"]["valid-json-lines"] == size, summary["statistics"]

        # Memory: trace the worker's processing of a second, identical job. No HTTP call
        # may overlap it: werkzeug's dev server allocates a transient 10 MB buffer per
        # request (draining the socket), which would swamp the job's own figure. So the
        # job waits 0.3 s in QUEUED (after Start's request is over) and the client waits
        # for the worker instead of polling.
        peaks: list[int] = []
        done = threading.Event()
        untraced = models.process

        def traced(spec: Any, job_settings: Any) -> Any:
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
            try:
                return untraced(spec, job_settings)
            finally:
                peaks.append(tracemalloc.get_traced_memory()[1] - before)
                tracemalloc.stop()
                done.set()

        models.process = traced
        emulator.update_settings(queue_delay=0.3)
        job_id = rekognition.start_media_analysis_job(**request)["JobId"]
        assert done.wait(120)
        models.process = untraced
        assert aws_wait(rekognition, job_id)["Status"] == "SUCCEEDED"
        peak = peaks[0]

    return {
        "size": size,
        "images": images,
        "wall_seconds": wall,
        "job_peak_bytes": peak,
        "manifest_bytes": len(manifest),
        "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def measure(size: int, images: int, spill: bool) -> dict[str, Any]:
    env = dict(os.environ)
    if spill:
        env["MOTO_S3_DEFAULT_KEY_BUFFER_SIZE"] = SPILL_BUFFER
    else:
        env.pop("MOTO_S3_DEFAULT_KEY_BUFFER_SIZE", None)
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(size), "--images", str(images)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def mib(n: float) -> str:
    return f"{n / 1024 / 1024:.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(run_one(args.child, min(args.images, args.child))))
        return

    print(
        "| manifest lines | distinct images | manifest size | Start -> SUCCEEDED | job peak | "
        "job peak, moto default | peak RSS of process |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        spilled = measure(size, args.images, spill=True)
        default = measure(size, args.images, spill=False)
        print(
            f"| {size:,} | {spilled['images']:,} | {spilled['manifest_bytes'] / 1024:.0f} KiB "
            f"| {spilled['wall_seconds']:.2f} s | {mib(spilled['job_peak_bytes'])} "
            f"| {mib(default['job_peak_bytes'])} | {mib(spilled['max_rss_bytes'])} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
