"""Benchmark: `rekognition-media report --html` over 10,000 results lines, 1,000 flagged.

    .venv/bin/python bench/report.py [--lines 10000] [--flagged 1000] [--repeat 3] [--shards 3]

Starts the emulator in this process and seeds it: ``--flagged`` distinct objects holding
photo-like 1024x768 JPEGs (~160 KB, ``devtools.flagged.photo``; 100 distinct pictures,
each stored under 10 keys) labelled so that every one is flagged, and 100 small clean
PNGs listed round-robin for the remaining lines. One job runs over the manifest. Then,
``--repeat`` times each, the installed ``rekognition-media`` command runs as a child
process against it:

- *summary* (the baseline): ``report JOB --json`` (one streaming pass, no images);
- *html, 1 fetcher*: ``report JOB --html`` with ``--fetchers 1`` (images one by one);
- *html*: ``report JOB --html`` with the default bounded pool of fetchers;
- with ``--shards N`` (N > 1), a batch: N - 1 more jobs over the same manifest, and
  ``report JOB JOB ... --json`` and ``--html`` over all N (N times the lines and the
  flagged images), to show that several shards stream through the memory of one.

For each: wall time, the report process's peak RSS (``ru_maxrss`` from ``os.wait4`` in a
small launcher process, see :data:`LAUNCHER`) and the HTML
size; medians are printed, with the ratio of wall time to the baseline. The page is
checked to hold one thumbnail per flagged image.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from devtools.flagged import LabelledImage, photo, run_job, upload
from devtools.media import png_image
from rekognition_media.emulator import Emulator, EmulatorSettings

COMMAND = Path(sys.executable).with_name("rekognition-media")
DISTINCT_PHOTOS = 100
CLEAN_IMAGES = 100
LABELS = (
    "Violence:{c};Graphic Violence:{d}",
    "Explicit Nudity:{c}",
    "Weapons:{c}",
    "Alcohol:{c};Drinking:{d}",
    "Hate Symbols:{c}",
    "Smoking:{c}",
)


def seed(emulator: Emulator, lines: int, flagged: int, shards: int) -> list[dict[str, Any]]:
    """The job over the manifest, then ``shards - 1`` more jobs over the same manifest."""
    s3 = emulator.client("s3", region_name="us-east-1")
    rekognition = emulator.client("rekognition", region_name="us-east-1")
    s3.create_bucket(Bucket="bench-report-in")
    s3.create_bucket(Bucket="bench-report-out")
    photos = [photo(1024, 768, seed=index) for index in range(DISTINCT_PHOTOS)]
    flagged_images = [
        LabelledImage(
            f"flagged/{index:05d}.jpg",
            photos[index % DISTINCT_PHOTOS],
            LABELS[index % len(LABELS)].format(c=60 + index % 40, d=61 + index % 39),
        )
        for index in range(flagged)
    ]
    clean_images = [
        LabelledImage(f"clean/{index:03d}.png", png_image(100, 100, (index, 90, 200 - index)))
        for index in range(CLEAN_IMAGES)
    ]
    batches = [flagged_images[i::8] for i in range(8)] + [clean_images]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda batch: upload(s3, "bench-report-in", batch), batches))
    # Flagged images spread evenly through the results, as they would be.
    step = max(1, lines // flagged)
    remaining = iter(image.key for image in flagged_images)
    ordered = []
    for line in range(lines):
        key = next(remaining, None) if line % step == 0 else None
        ordered.append(key or clean_images[line % CLEAN_IMAGES].key)
    assert next(remaining, None) is None, "--lines must be at least --flagged"
    jobs = []
    for _ in range(max(1, shards)):
        job = run_job(
            rekognition, s3, "bench-report-in", "bench-report-out", ordered, min_confidence=60
        )
        assert job["Status"] == "SUCCEEDED", job
        jobs.append(job)
    return jobs


# The child is started by a small launcher process, not by this one: at exec Linux keeps
# the larger of the old and new address space's peak in ru_maxrss, and this process holds
# the emulator's objects (hundreds of MB), which a child forked from it would report.
LAUNCHER = """
import json, os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(json.dumps({"wall": time.perf_counter() - started, "maxrss_kib": usage.ru_maxrss,
                  "code": os.waitstatus_to_exitcode(status)}))
"""


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one ``rekognition-media report`` process."""
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(COMMAND), "report", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(done.stdout)
    if measured["code"] != 0:
        raise SystemExit(f"report {' '.join(args)} exited {measured['code']}: {done.stderr}")
    return float(measured["wall"]), int(measured["maxrss_kib"]) * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--flagged", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shards", type=int, default=1, help="jobs of the batch variants")
    options = parser.parse_args()

    settings = EmulatorSettings(created_delay=0, queue_delay=0, job_duration=0)
    with Emulator(settings, host="127.0.0.1", port=0) as emulator:
        started = time.perf_counter()
        jobs = seed(emulator, options.lines, options.flagged, options.shards)
        job = jobs[0]
        print(f"seeded and ran {len(jobs)} job(s) in {time.perf_counter() - started:.1f} s")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": emulator.url,
        }
        with tempfile.TemporaryDirectory() as scratch:
            page = Path(scratch) / "report.html"
            variants = {
                "summary (--json), baseline": [job["JobId"], "--json"],
                "html, 1 fetcher": [job["JobId"], "--html", str(page), "--fetchers", "1"],
                "html (default: 8 fetchers)": [job["JobId"], "--html", str(page)],
            }
            if len(jobs) > 1:
                ids = [shard["JobId"] for shard in jobs]
                variants[f"batch of {len(ids)}: summary (--json)"] = [*ids, "--json"]
                variants[f"batch of {len(ids)}: html"] = [*ids, "--html", str(page)]
            rows = []
            for name, args in variants.items():
                walls, peaks, sizes = [], [], []
                for _ in range(options.repeat):
                    page.unlink(missing_ok=True)
                    wall, peak = run_child(args, env)
                    walls.append(wall)
                    peaks.append(peak)
                    if page.exists():
                        html = page.read_text()
                        thumbnails = html.count('class="thumb-img"')
                        shards = next(i for i, arg in enumerate(args) if arg.startswith("--"))
                        assert thumbnails == options.flagged * shards, thumbnails
                        sizes.append(len(html.encode()))
                rows.append((name, walls, peaks, sizes))
                print(f"{name}: {[round(w, 1) for w in walls]} s", flush=True)

    baseline = statistics.median(rows[0][1])
    print()
    print(
        f"{options.lines:,} results lines, {options.flagged:,} flagged, medians of {options.repeat}"
    )
    print("| run | wall (s) | vs summary | peak RSS (MiB) | HTML (MB) |")
    print("|---|---:|---:|---:|---:|")
    for name, walls, peaks, sizes in rows:
        wall = statistics.median(walls)
        size = f"{statistics.median(sizes) / 1e6:.1f}" if sizes else "-"
        print(
            f"| {name} | {wall:.1f} | {wall / baseline:.1f}x | "
            f"{statistics.median(peaks) / 2**20:.0f} | {size} |"
        )


if __name__ == "__main__":
    main()
