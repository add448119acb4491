"""Benchmark: N media analysis jobs in one stack, through the real Pulumi CLI.

    .venv/bin/python bench/many_jobs.py --jobs 1,5,20 --duration 20

Starts the emulator in-process and, for each N, runs ``pulumi up`` (the real CLI, via
rekognition_media.devtools.engine) on examples/jobs with N jobs of D seconds each:

* ``design``   -- the default configuration: jobs spread over provider "lanes"
                  (``rekognition-media:jobsPerProvider`` default) and one shared
                  ListMediaAnalysisJobs poller per provider process
                  (``REKOGNITION_MEDIA_POLLING=shared``);
* ``baseline`` -- the straightforward design: every job on the SDK's default dynamic
                  provider (``jobsPerProvider=0``, one process, four gRPC threads) with one
                  blocking GetMediaAnalysisJob loop per create (``REKOGNITION_MEDIA_POLLING=get``);
* ``overhead`` -- the same program with N = 0: the stack's fixed cost (CLI, engine, program);
* ``quota``    -- the design variant with the emulator in quota mode and a concurrent-job
                  quota of M (``--quota M``, default 5) below N: creates wait for slots, so
                  the floor is ceil(N / M) x D; run for the largest N, in the same run.

Every measurement is a fresh stack (its own state dir) on freshly seeded buckets, so every
job is new; only ``stack.up()`` is timed. API calls come from the emulator's call stats
(reset before each up); detection latency is the ``seen X s after completion`` the provider
prints when a job ends. With ``--repeat`` > 1 each figure is the median over the runs.

The last line of stdout is one line of figures for the largest N (design variant, and the
quota variant's wall against its floor).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pulumi import automation as auto

from rekognition_media.devtools.engine import EngineStack, cli_bin_dir, cli_version
from rekognition_media.devtools.world import provider_env, seed
from rekognition_media.emulator import Emulator, EmulatorSettings

REPO_ROOT = Path(__file__).resolve().parents[1]
PROGRAM = REPO_ROOT / "examples" / "jobs"
OPERATIONS = (
    "StartMediaAnalysisJob",
    "GetMediaAnalysisJob",
    "ListMediaAnalysisJobs",
)
SHORT = {
    "StartMediaAnalysisJob": "Start",
    "GetMediaAnalysisJob": "Get",
    "ListMediaAnalysisJobs": "List",
}
POLLING_ENV = "REKOGNITION_MEDIA_POLLING"
LANES_KEY = "rekognition-media:jobsPerProvider"
PROVIDER_TYPE = "pulumi:providers:pulumi-python"
DONE_LINE = re.compile(
    r"media analysis job (?P<job>\S+): (?P<status>SUCCEEDED|FAILED) after [\d.]+ s "
    r"\(seen (?P<seen>[\d.]+) s after completion\)"
)

DESIGN, BASELINE, OVERHEAD, QUOTA = "design", "baseline", "overhead", "quota"
START = "StartMediaAnalysisJob"
REFUSED = "LimitExceededException"


class BenchmarkError(RuntimeError):
    pass


@dataclass
class Run:
    """One timed ``pulumi up``."""

    variant: str
    jobs: int
    duration: float
    wall: float
    calls: dict[str, int]
    latencies: list[float]
    providers: int
    starts: list[float]  # seconds after the up began at which each job was created
    state_dir: Path
    refused: int = 0  # Starts answered LimitExceededException (quota variant)
    over_rate: int = 0  # calls answered ProvisionedThroughputExceededException (TPS quotas)
    max_running: int = 0  # most jobs running at once


@dataclass
class Row:
    """The median of the runs of one (variant, N)."""

    variant: str
    jobs: int
    duration: float
    runs: list[Run] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    def calls_per_job(self, operation: str | None = None) -> float:
        if self.jobs == 0:
            return 0.0
        ops = OPERATIONS if operation is None else (operation,)
        return statistics.median(
            sum(r.calls.get(op, 0) for op in ops) / self.jobs for r in self.runs
        )

    @property
    def detect_median(self) -> float | None:
        values = [statistics.median(r.latencies) for r in self.runs if r.latencies]
        return statistics.median(values) if values else None

    @property
    def detect_max(self) -> float | None:
        values = [max(r.latencies) for r in self.runs if r.latencies]
        return statistics.median(values) if values else None

    @property
    def first_start(self) -> float | None:
        values = [r.starts[0] for r in self.runs if r.starts]
        return statistics.median(values) if values else None

    @property
    def last_start(self) -> float | None:
        values = [r.starts[-1] for r in self.runs if r.starts]
        return statistics.median(values) if values else None

    @property
    def providers(self) -> int:
        return round(statistics.median(r.providers for r in self.runs))

    def median(self, attribute: str) -> float:
        return statistics.median(float(getattr(r, attribute)) for r in self.runs)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure(
    emulator: Emulator,
    bin_dir: Path,
    state_dir: Path,
    variant: str,
    jobs: int,
    duration: float,
    parallel: int | None,
    quota: int | None = None,
) -> Run:
    world = seed(emulator, duration_seconds=duration)
    config = world.config(jobs=str(jobs), waitTimeout=str(int(max(900, 20 * duration))))
    env = {**provider_env(), POLLING_ENV: "shared"}
    if variant == BASELINE:
        config[LANES_KEY] = "0"
        env[POLLING_ENV] = "get"
    stack = EngineStack(
        program_dir=PROGRAM,
        state_dir=state_dir,
        bin_dir=bin_dir,
        stack_name="bench",
        env=env,
        config=config,
    )
    if quota is not None:
        emulator.update_settings(quota_mode=True, concurrent_jobs=quota)
    emulator.reset_stats()
    began = time.time()
    started = time.perf_counter()
    try:
        up = stack.up(**({"parallel": parallel} if parallel else {}))
    except auto.CommandError as error:
        raise BenchmarkError(
            f"pulumi up failed ({variant}, N={jobs}); state in {state_dir}\n{error}"
        ) from error
    finally:
        if quota is not None:
            emulator.update_settings(quota_mode=False, concurrent_jobs=None)
    wall = time.perf_counter() - started
    (state_dir / "up.log").write_text(up.stdout)
    stats = emulator.stats()["calls"]["by_operation"]
    calls = {op: int(stats.get(op, {}).get("total", 0)) for op in stats}
    failed_calls = {
        op: {k: v for k, v in entry.get("outcomes", {}).items() if k != "Success"}
        for op, entry in stats.items()
    }
    failed_calls = {op: outcomes for op, outcomes in failed_calls.items() if outcomes}
    if failed_calls:
        log(f"  note: calls answered with errors: {failed_calls}")
    refused = int(failed_calls.get(START, {}).get(REFUSED, 0))
    over_rate = sum(
        int(outcomes.get("ProvisionedThroughputExceededException", 0))
        for outcomes in failed_calls.values()
    )

    seen: dict[str, float] = {}
    statuses: dict[str, str] = {}
    for match in DONE_LINE.finditer(up.stdout):
        # The engine repeats diagnostics in its summary: one value per job.
        seen.setdefault(match["job"], float(match["seen"]))
        statuses.setdefault(match["job"], match["status"])
    outputs = {key: value.value for key, value in up.outputs.items()}
    not_succeeded = {
        key: value
        for key, value in outputs.items()
        if key.endswith("_status") and value != "SUCCEEDED"
    }
    statuses_out = [key for key in outputs if key.endswith("_status")]
    if not_succeeded or len(statuses_out) != jobs or len(seen) != jobs:
        raise BenchmarkError(
            f"{variant}, N={jobs}: expected {jobs} SUCCEEDED jobs with a detection line, got "
            f"outputs {outputs} and {len(seen)} lines ({statuses}); state in {state_dir}\n"
            f"{up.stdout}"
        )
    providers = len(stack.resources(PROVIDER_TYPE))
    listed = world.jobs_of()
    starts = sorted(job["CreationTimestamp"].timestamp() - began for job in listed)
    spans = [(j["CreationTimestamp"], j["CompletionTimestamp"]) for j in listed]
    max_running = max((sum(1 for c, d in spans if c <= t < d) for t, _ in spans), default=0)
    if len(listed) != jobs:
        raise BenchmarkError(f"{variant}, N={jobs}: {len(listed)} jobs in the emulator")
    return Run(
        variant,
        jobs,
        duration,
        wall,
        calls,
        list(seen.values()),
        providers,
        starts,
        state_dir,
        refused,
        over_rate,
        max_running,
    )


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table(rows: Sequence[Row], overhead: Row | None) -> list[str]:
    lines = [
        "| N | D (s) | variant | provider processes | wall (s) | wall / D "
        "| speed-up vs baseline | Start / job | Get / job | List / job | calls / job "
        "| detection latency median (max) (s) | jobs started (s into the up) |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    by_key = {(r.variant, r.jobs): r for r in rows}
    for row in rows:
        baseline = by_key.get((BASELINE, row.jobs))
        speedup = f"{baseline.wall / row.wall:.2f}x" if row.variant == DESIGN and baseline else "-"
        per_op = [fmt(row.calls_per_job(op), 2) for op in OPERATIONS]
        lines.append(
            f"| {row.jobs} | {row.duration:g} | {row.variant} | {row.providers} "
            f"| {row.wall:.1f} | {row.wall / row.duration:.2f} | {speedup} | "
            + " | ".join(per_op)
            + f" | {row.calls_per_job():.2f} "
            f"| {fmt(row.detect_median, 2)} ({fmt(row.detect_max, 2)}) "
            f"| {fmt(row.first_start)} to {fmt(row.last_start)} |"
        )
    if overhead is not None:
        lines.append(
            f"| 0 | - | fixed overhead (N = 0) | {overhead.providers} | {overhead.wall:.1f} "
            "| - | - | - | - | - | - | - | - |"
        )
    return lines


def quota_table(rows: Sequence[Row], quota: int, parallel: int | None) -> list[str]:
    """The quota runs against their floor, and the unlimited design runs of the same N."""
    lines = [
        "| N | D (s) | variant | concurrent-job quota M | --parallel | wall (s) "
        "| floor ceil(N/M) x D (s) | wall / floor | wall / D | most jobs at once "
        "| Start / job | Starts refused (LimitExceeded) | List / job "
        "| calls over a TPS quota | jobs started (s into the up) |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        limit = quota if row.variant == QUOTA else None
        waves = math.ceil(row.jobs / limit) if limit else 1
        floor = waves * row.duration
        lines.append(
            f"| {row.jobs} | {row.duration:g} | {row.variant} "
            f"| {limit if limit else 'none'} | {parallel or 'default'} | {row.wall:.1f} "
            f"| {floor:.0f} | {row.wall / floor:.2f} | {row.wall / row.duration:.2f} "
            f"| {row.median('max_running'):.0f} | {row.calls_per_job(START):.2f} "
            f"| {row.median('refused'):.0f} "
            f"| {row.calls_per_job('ListMediaAnalysisJobs'):.2f} | {row.median('over_rate'):.0f} "
            f"| {fmt(row.first_start)} to {fmt(row.last_start)} |"
        )
    return lines


def targets(design: Row, baseline: Row | None, overhead: Row | None) -> list[str]:
    limit = 1.5 * design.duration + (overhead.wall if overhead else 0.0)
    calls = design.calls_per_job()
    detect = design.detect_median
    checks: list[tuple[str, str, bool]] = [
        (
            f"wall <= 1.5 x D + fixed overhead = {limit:.1f} s",
            f"{design.wall:.1f} s",
            design.wall <= limit,
        )
    ]
    if baseline is not None:
        speedup = baseline.wall / design.wall
        checks.append((">= 3x faster than the baseline", f"{speedup:.2f}x", speedup >= 3))
    checks.append(("API calls (Start+Get+List) per job <= 10", f"{calls:.2f}", calls <= 10))
    checks.append(
        (
            "median detection latency <= 2 s",
            f"{fmt(detect, 2)} s",
            detect is not None and detect <= 2,
        )
    )
    lines = [f"Targets at N={design.jobs}, D={design.duration:g} s (design variant):"]
    lines += [f"  {'met   ' if met else 'MISSED'}  {text}: {value}" for text, value, met in checks]
    return lines


def summary_line(design: Row, baseline: Row | None, quota: Row | None, limit: int) -> str:
    speedup = f"{baseline.wall / design.wall:.2f}" if baseline else "n/a"
    line = (
        f"jobs={design.jobs} duration={design.duration:g} wall={design.wall:.1f} "
        f"wall_over_d={design.wall / design.duration:.2f} speedup_vs_baseline={speedup} "
        f"calls_per_job={design.calls_per_job():.2f} "
        f"detect_latency_median={fmt(design.detect_median, 2)}"
    )
    if quota is not None:
        floor = math.ceil(quota.jobs / limit) * quota.duration
        line += (
            f" quota={limit} quota_wall={quota.wall:.1f} quota_floor={floor:.0f} "
            f"quota_wall_over_floor={quota.wall / floor:.2f}"
        )
    return line


def parse_jobs(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"--jobs {text!r}: integers, comma-separated") from error
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"--jobs {text!r}: one or more integers >= 1")
    return values


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=parse_jobs, default=[1, 5, 20], help="N, e.g. 1,5,20")
    parser.add_argument("--duration", type=float, default=20.0, help="D: seconds per job")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure (medians)")
    parser.add_argument("--skip-baseline", action="store_true", help="design variant only")
    parser.add_argument(
        "--quota",
        type=int,
        default=5,
        help="M: concurrent-job quota of the quota run (largest N; 0 skips it)",
    )
    parser.add_argument(
        "--parallel",
        type=int,
        default=None,
        help="pulumi up --parallel (default: the CLI's own default, 4 x CPUs)",
    )
    parser.add_argument("--work-dir", type=Path, default=None, help="where state dirs go")
    parser.add_argument("--keep", action="store_true", help="keep the state dirs")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.duration <= 0 or args.quota < 0:
        parser.error("--repeat must be >= 1, --duration > 0 and --quota >= 0")

    bin_dir = cli_bin_dir()
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="many-jobs-bench-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    log(f"Pulumi CLI {cli_version(bin_dir)} at {bin_dir}")
    log(f"state dirs under {work_dir}")
    if os.environ.get("PULUMI_PARALLEL") and not args.parallel:
        log(f"note: PULUMI_PARALLEL={os.environ['PULUMI_PARALLEL']} sets pulumi up --parallel")

    variants = [DESIGN] if args.skip_baseline else [DESIGN, BASELINE]
    rows: dict[tuple[str, int], Row] = {}
    overhead = Row(OVERHEAD, 0, args.duration)
    counter = 0
    settings = EmulatorSettings(created_delay=0, queue_delay=0, job_duration=0)
    try:
        with Emulator(settings, host="127.0.0.1", port=0) as emulator:
            log(f"emulator at {emulator.url}")

            def run(variant: str, jobs: int) -> Run:
                nonlocal counter
                counter += 1
                state_dir = work_dir / f"{counter:02d}-{variant}-n{jobs}"
                log(f"{variant:>8} N={jobs:<3} D={args.duration:g} s ... ({state_dir.name})")
                result = measure(
                    emulator,
                    bin_dir,
                    state_dir,
                    variant,
                    jobs,
                    args.duration,
                    args.parallel,
                    quota=args.quota if variant == QUOTA else None,
                )
                log(f"{'':>8} wall {result.wall:.1f} s, calls {result.calls}")
                return result

            # Untimed warm-up: the first up of a process pays one-off costs (imports, disk).
            run("warmup", 0)
            for _ in range(args.repeat):
                overhead.runs.append(run(OVERHEAD, 0))
                for jobs in args.jobs:
                    for variant in variants:
                        row = rows.setdefault((variant, jobs), Row(variant, jobs, args.duration))
                        row.runs.append(run(variant, jobs))
                if args.quota and max(args.jobs) > args.quota:
                    jobs = max(args.jobs)
                    row = rows.setdefault((QUOTA, jobs), Row(QUOTA, jobs, args.duration))
                    row.runs.append(run(QUOTA, jobs))
    except BenchmarkError as error:
        log(f"\nFAILED: {error}")
        log(f"state dirs kept under {work_dir}")
        return 1

    if args.keep or args.work_dir:
        log(f"state dirs kept under {work_dir}")
    else:
        shutil.rmtree(work_dir, ignore_errors=True)

    ordered = [rows[(v, n)] for n in args.jobs for v in variants]
    largest = max(args.jobs)
    design = rows[(DESIGN, largest)]
    baseline = rows.get((BASELINE, largest))
    repeat_note = f", median of {args.repeat} runs" if args.repeat > 1 else ""
    parallel_note = f", --parallel {args.parallel}" if args.parallel else ""
    print(f"\nMany jobs in one stack: D = {args.duration:g} s{repeat_note}{parallel_note}\n")
    print("\n".join(table(ordered, overhead)))
    print()
    print("\n".join(targets(design, baseline, overhead)))
    quota = rows.get((QUOTA, largest))
    if quota is not None:
        print(
            f"\nOver the concurrent-job quota: N = {largest}, M = {args.quota}, "
            f"D = {args.duration:g} s{repeat_note}{parallel_note}\n"
        )
        print("\n".join(quota_table([design, quota], args.quota, args.parallel)))
        print()
    print(summary_line(design, baseline, quota, args.quota), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
