"""Benchmark: a MediaAnalysisBatch over 100,000 images under one prefix (10 shards).

    .venv/bin/python bench/batch.py                      # --images 100000 --duration 20
    .venv/bin/python bench/batch.py --front dynamic      # the dynamic resource instead

Starts the emulator in-process (CREATED and QUEUED 0 s, IN_PROGRESS ``--duration`` s),
writes N small PNGs (the quickstart's 100 px samples, every 100th labelled Violence)
under one prefix straight into moto's backend (``devtools.world.put_many``), then:

* ``bare listing``: the floor, a boto3 paginator listing the prefix (keys only), timed in
  the same run: moto sorts every key of the bucket for each page of 1,000, so listing
  100,000 keys in the emulator costs far more than in S3;
* ``preview``: `pulumi preview` of the batch; the count's own time is the one the
  estimate line prints (``counted in X s``), beside the whole preview's wall time;
* ``up``: `pulumi up` of the same stack: the listing and manifest writing time (the
  ``listed ... in X s`` line), the whole up's wall time against the longest shard's
  duration (its job's CompletionTimestamp - CreationTimestamp, from the emulator), and
  the provider process's peak RSS (VmRSS sampled every 0.1 s: the plugin's
  ``pulumi-resource-rekognition-media``, or the dynamic provider's ``python -m
  pulumi.dynamic`` processes, summed, for ``--front dynamic``).

The plugin runs examples/yaml-batch with the plain CLI; the dynamic resource runs
examples/batch through the Automation API (devtools.engine). Both take the same config.
Targets (issue: bench, not a timed test): listing and manifests <= 60 s, up <= longest
shard + 90 s, provider RSS <= 300 MB, preview's count <= 20 s.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

from devtools.engine import EngineStack, cli_bin_dir, offline_env
from devtools.media import sample_images
from devtools.world import World, provider_env, put_many, seed
from rekognition_media.emulator import Emulator, EmulatorSettings

REPO_ROOT = Path(__file__).resolve().parents[1]
PLUGIN_EXE = "pulumi-resource-rekognition-media"
LISTED = re.compile(r"listed ([\d,]+) images under \S+ into (\d+) manifests in ([\d.]+) s")
COUNTED = re.compile(r"will analyse ([\d,]+) images in (\d+) jobs .* \(counted in ([\d.]+) s\)")


class RssSampler:
    """The peak summed VmRSS of the provider processes whose PULUMI_HOME is under
    ``state_dir`` (the CLI passes its environment on), sampled every ``interval`` s."""

    def __init__(self, state_dir: Path, interval: float = 0.1) -> None:
        self.root = str(state_dir.resolve())
        self.interval = interval
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _ours(self, pid: str) -> bool:
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            return False
        provider = any(a == b"pulumi.dynamic" for a in argv) or any(
            a.endswith(PLUGIN_EXE.encode()) for a in argv[:2]
        )
        return provider and f"PULUMI_HOME={self.root}".encode() in environ

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for entry in os.listdir("/proc"):
                if entry.isdigit() and self._ours(entry):
                    try:
                        status = Path(f"/proc/{entry}/status").read_text()
                    except OSError:
                        continue
                    found = re.search(r"VmRSS:\s+(\d+)", status)
                    total += int(found.group(1)) if found else 0
            self.peak_kib = max(self.peak_kib, total)
            self._stop.wait(self.interval)


def fill(world: World, images: int) -> float:
    """N images under ``big/``: every 100th flagged. Returns the seconds it took."""
    began = time.perf_counter()
    body = sample_images()["images/sample-1.png"]
    flagged = range(0, images, 100)
    put_many(
        world.input_bucket,
        flagged,
        body=body,
        key_format="big/img-{:07d}.png",
        metadata={"moderation-labels": "Violence:88.5"},
    )
    rest = (i for i in range(images) if i % 100)
    put_many(world.input_bucket, list(map("big/img-{:07d}.png".format, rest)), body=body)
    return time.perf_counter() - began


def config(world: World, images: int) -> dict[str, str]:
    return {
        "inputBucket": world.input_bucket,
        "prefix": "big/",
        "outputBucket": world.output_bucket,
        "kmsKeyArn": world.key_arn,
        "maxImages": str(images),
        "jobName": "bench",
    }


class PluginStack:
    def __init__(self, world: World, images: int, state: Path, bin_dir: Path) -> None:
        self.state = state
        self.bin_dir = bin_dir
        self.program = state / "program"
        self.program.mkdir(parents=True)
        (self.program / "Pulumi.yaml").write_text(
            yaml.safe_dump(
                yaml.safe_load((REPO_ROOT / "examples" / "yaml-batch" / "Pulumi.yaml").read_text())
            )
        )
        (state / "backend").mkdir()
        self.run("stack", "init", "bench")
        for key, value in {
            **config(world, images),
            "rekognition-media:endpointUrl": world.emulator.url,
        }.items():
            self.run("config", "set", key, value)

    def run(self, *args: str) -> str:
        result = subprocess.run(
            [str(self.bin_dir / "pulumi"), *args, "--non-interactive"],
            cwd=self.program,
            env={**os.environ, **offline_env(self.bin_dir, self.state), **provider_env()},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"pulumi {' '.join(args)}:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def preview(self) -> str:
        return self.run("preview")

    def up(self) -> str:
        return self.run("up", "--yes", "--skip-preview")


class DynamicStack:
    def __init__(self, world: World, images: int, state: Path, bin_dir: Path) -> None:
        self.state = state
        self.stack = EngineStack(
            program_dir=REPO_ROOT / "examples" / "batch",
            state_dir=state,
            bin_dir=bin_dir,
            stack_name="bench",
            env=provider_env(),
            config={**config(world, images), "endpointUrl": world.emulator.url},
        )

    def preview(self) -> str:
        return str(self.stack.preview().stdout)

    def up(self) -> str:
        return str(self.stack.up().stdout)


def _seconds(value: Any) -> float:
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    return float(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=20.0, help="IN_PROGRESS seconds")
    parser.add_argument("--front", choices=("plugin", "dynamic"), default="plugin")
    args = parser.parse_args()
    for name, value in provider_env().items():
        os.environ.setdefault(name, value)
    settings = EmulatorSettings(created_delay=0, queue_delay=0, job_duration=args.duration)
    bin_dir = cli_bin_dir()
    with Emulator(settings) as emulator, tempfile.TemporaryDirectory() as tmp:
        world = seed(emulator)
        filled = fill(world, args.images)
        print(f"{args.images:,} images written in {filled:.1f} s (moto backend, not timed below)")
        # The floor: the same listing by a bare boto3 paginator, keys only, in this run.
        began = time.perf_counter()
        paginator = world.client("s3").get_paginator("list_objects_v2")
        keys = sum(
            len(page.get("Contents", ()))
            for page in paginator.paginate(Bucket=world.input_bucket, Prefix="big/")
        )
        bare = time.perf_counter() - began
        assert keys == args.images
        make = PluginStack if args.front == "plugin" else DynamicStack
        stack = make(world, args.images, Path(tmp) / "state", bin_dir)

        began = time.perf_counter()
        preview = stack.preview()
        preview_wall = time.perf_counter() - began
        counted = COUNTED.search(preview)
        assert counted, preview

        with RssSampler(Path(tmp) / "state") as sampler:
            began = time.perf_counter()
            out = stack.up()
            up_wall = time.perf_counter() - began
        listed = LISTED.search(out)
        assert listed, out
        jobs = [job for job in world.jobs_of() if job.get("JobName", "").startswith("bench-")]
        longest = max(
            _seconds(job["CompletionTimestamp"]) - _seconds(job["CreationTimestamp"])
            for job in jobs
        )
        statuses = sorted({job["Status"] for job in jobs})
        print(f"front: {args.front}; jobs: {len(jobs)} ({', '.join(statuses)})")
        print(
            "| front | images | shards | bare listing (baseline) | preview: count (wall) | "
            "listing + manifests | "
            "up wall | longest shard | up - longest shard | provider peak RSS |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        print(
            f"| {args.front} | {args.images:,} | {listed.group(2)} | {bare:.1f} s | "
            f"{float(counted.group(3)):.1f} s "
            f"({preview_wall:.1f} s) | {float(listed.group(3)):.1f} s | {up_wall:.1f} s | "
            f"{longest:.1f} s | {up_wall - longest:.1f} s | {sampler.peak_kib / 1024:.0f} MiB |"
        )


if __name__ == "__main__":
    main()
