"""Benchmark: N media analysis jobs in one stack, through the real Pulumi CLI.

    .venv/bin/python bench/many_jobs.py --jobs 1,5,20 --duration 20

Starts the emulator in-process and, for each N, runs ``pulumi up`` (the real CLI, via
devtools.engine) on examples/jobs with N jobs of D seconds each:

* ``design``   -- the default configuration: every job on the SDK's default dynamic
                  provider, one process whose server the provider widens to serve every
                  call at once, with one shared ListMediaAnalysisJobs poller
                  (``REKOGNITION_MEDIA_POLLING=shared``);
* ``lanes``    -- the fallback where the server cannot be widened, and the design before
                  it: jobs spread over provider processes of 3
                  (``rekognition-media:jobsPerProvider=3``), one shared poller in each
                  (``--skip-lanes`` leaves it out);
* ``baseline`` -- the straightforward design: every job on the SDK's default dynamic
                  provider (``jobsPerProvider=0``) with one blocking GetMediaAnalysisJob loop
                  per create (``REKOGNITION_MEDIA_POLLING=get``); before the widening, the
                  SDK's four gRPC threads ran its jobs in waves of four;
* ``overhead`` -- the same program with N = 0: the stack's fixed cost (CLI, engine, program);
* ``plugin``   -- the ``rekognition-media`` plugin: a YAML program (written from
                  bench/programs/many-jobs-yaml) with N ``rekognition-media:index:MediaAnalysisJob``
                  resources, run with the plain ``pulumi up`` of the same CLI; one plugin
                  process serves every job (shared poller, ``REKOGNITION_MEDIA_POLLING=shared``);
                  ``plugin-overhead`` is that program with N = 0 (no plugin started);
* ``quota``    -- the design variant with the emulator in quota mode and a concurrent-job
                  quota of M (``--quota M``, default 5) below N: creates wait for slots, so
                  the floor is ceil(N / M) x D; run for the largest N, in the same run.

Every measurement is a fresh stack (its own state dir) on freshly seeded buckets, so every
job is new; only ``stack.up()`` is timed. API calls come from the emulator's call stats
(reset before each up); detection latency is the ``seen X s after completion`` the provider
prints when a job ends. With ``--repeat`` > 1 each figure is the median over the runs.
Provider processes and their RSS are sampled from /proc every 0.1 s during the up: the
``python -m pulumi.dynamic`` processes (dynamic variants) and ``pulumi-resource-rekognition-media``
(the plugin) whose PULUMI_HOME is under the measurement's state dir; the peak is the largest
sum of VmRSS over one sample.

The last line of stdout is one line of figures for the largest N (design variant, and the
quota variant's wall against its floor).
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

from devtools.engine import EngineStack, cli_bin_dir, cli_version, offline_env
from devtools.world import World, provider_env, seed
from rekognition_media.emulator import Emulator, EmulatorSettings

REPO_ROOT = Path(__file__).resolve().parents[1]
PROGRAM = REPO_ROOT / "examples" / "jobs"
PLUGIN_PROGRAM = REPO_ROOT / "bench" / "programs" / "many-jobs-yaml" / "Pulumi.yaml"
PLUGIN_EXE = "pulumi-resource-rekognition-media"
PLUGIN_PROVIDER_TYPE = "pulumi:providers:rekognition-media"
YAML_HOST = "pulumi-language-yaml"
OPERATIONS = (
    "StartMediaAnalysisJob",
    "GetMediaAnalysisJob",
    "ListMediaAnalysisJobs",
)
POLLING_ENV = "REKOGNITION_MEDIA_POLLING"
LANES_KEY = "rekognition-media:jobsPerProvider"
PROVIDER_TYPE = "pulumi:providers:pulumi-python"
DONE_LINE = re.compile(
    r"media analysis job (?P<job>\S+): (?P<status>SUCCEEDED|FAILED) after [\d.]+ s "
    r"\(seen (?P<seen>[\d.]+) s after completion\)"
)

DESIGN, BASELINE, OVERHEAD, QUOTA = "design", "baseline", "overhead", "quota"
LANES = "lanes"
LANE_JOBS = 3  # jobs per provider process of the lanes variant (the fallback's)
PLUGIN, PLUGIN_OVERHEAD = "plugin", "plugin-overhead"
MIB = 1024 * 1024
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
    processes_seen: int = 0  # provider processes seen in /proc during the up
    peak_rss: float = 0.0  # MiB: largest sum of the provider processes' VmRSS in one sample
    yaml_host_processes: int = 0  # of those, started by pulumi-language-yaml (not the engine)


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

    @property
    def processes_seen(self) -> int:
        return round(self.median("processes_seen"))

    @property
    def peak_rss(self) -> float:
        return self.median("peak_rss")


def provider_marker(cmdline: bytes) -> bool:
    """A provider process: a dynamic provider's Python (not its sh wrapper) or the plugin."""
    argv = cmdline.split(b"\0")
    dynamic = any(a == b"pulumi.dynamic" for a in argv)
    plugin = any(a.endswith(PLUGIN_EXE.encode()) for a in argv[:2])
    return dynamic or plugin


class RssSampler:
    """Samples, every ``interval`` s, the provider processes whose PULUMI_HOME is under
    ``state_dir`` (the CLI passes its environment on): count and the peak of summed VmRSS."""

    def __init__(self, state_dir: Path, interval: float = 0.1) -> None:
        self.root = str(state_dir.resolve())
        self.interval = interval
        self.verdicts: dict[int, bool] = {}
        # pid: [first seen, last seen (s into the up), peak RSS (KiB), most threads]
        self.seen: dict[int, list[float]] = {}
        self.origins: dict[int, tuple[str, str]] = {}  # pid: (parent pid, command line)
        self.began = time.perf_counter()
        self.peak_kib = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _ours(self, pid: int) -> bool:
        verdict = self.verdicts.get(pid)
        if verdict is None:
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                verdict = provider_marker(cmdline)
                if verdict:
                    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
                    home = next(
                        (
                            v[len(b"PULUMI_HOME=") :].decode()
                            for v in environ
                            if v.startswith(b"PULUMI_HOME=")
                        ),
                        "",
                    )
                    verdict = home == self.root or home.startswith(self.root + os.sep)
            except OSError:
                return False  # gone, or another user's: decide again if it shows up
            self.verdicts[pid] = verdict
        return verdict

    def sample(self) -> None:
        total = 0
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit() or not self._ours(int(entry.name)):
                continue
            try:
                status = Path(f"/proc/{entry.name}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if "VmRSS" not in fields:
                continue  # exiting
            kib = int(fields["VmRSS"].split()[0])
            threads = int(fields.get("Threads", "0").strip() or 0)
            total += kib
            now = time.perf_counter() - self.began
            first, _, peak, most = self.seen.get(int(entry.name), [now, now, 0, 0])
            self.seen[int(entry.name)] = [first, now, max(peak, kib), max(most, threads)]
            if int(entry.name) not in self.origins:
                cmdline = Path(f"/proc/{entry.name}/cmdline").read_bytes()
                command = cmdline.replace(b"\0", b" ").decode(errors="replace")[:200]
                parent = fields.get("PPid", "?").strip()
                try:
                    name = Path(f"/proc/{parent}/cmdline").read_bytes().split(b"\0")[0]
                    parent += f" {Path(name.decode(errors='replace')).name}"
                except OSError:
                    pass
                self.origins[int(entry.name)] = (parent, command)
        self.peak_kib = max(self.peak_kib, total)
        self.samples += 1

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)
        self.sample()

    @property
    def peak_mib(self) -> float:
        return self.peak_kib / 1024

    def report(self) -> str:
        """One line per provider process: pid, parent, seen from/to (s into the up), peak
        RSS, most threads, command line."""
        lines = []
        for pid, (first, last, peak, threads) in sorted(self.seen.items(), key=lambda i: i[1][0]):
            parent, command = self.origins.get(pid, ("?", "?"))
            lines.append(
                f"pid {pid} (parent {parent}): seen {first:.1f} to {last:.1f} s, "
                f"peak RSS {peak / 1024:.0f} MiB, up to {threads:.0f} threads: {command}\n"
            )
        return "".join(lines)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Up:
    """A stack made ready for its timed up: ``run()`` runs it and returns the CLI's output;
    ``outputs()`` and ``providers()`` (provider resources in the state) are read after."""

    run: Callable[[], str]
    outputs: Callable[[], dict[str, Any]]
    providers: Callable[[], int]


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
    """One timed ``pulumi up`` of ``variant``: the dynamic program (examples/jobs, through
    the Automation API) or the plugin's YAML program (plain CLI), on a freshly seeded world."""
    world = seed(emulator, duration_seconds=duration)
    wait_timeout = str(int(max(900, 20 * duration)))
    prepare = plugin_up if variant in (PLUGIN, PLUGIN_OVERHEAD) else dynamic_up
    up = prepare(emulator, world, bin_dir, state_dir, variant, jobs, wait_timeout, parallel)
    if quota is not None:
        emulator.update_settings(quota_mode=True, concurrent_jobs=quota)
    emulator.reset_stats()
    began = time.time()
    started = time.perf_counter()
    try:
        with RssSampler(state_dir) as sampler:
            stdout = up.run()
    except auto.CommandError as error:
        raise BenchmarkError(
            f"pulumi up failed ({variant}, N={jobs}); state in {state_dir}\n{error}"
        ) from error
    finally:
        if quota is not None:
            emulator.update_settings(quota_mode=False, concurrent_jobs=None)
    wall = time.perf_counter() - started
    return collect(
        emulator,
        world,
        variant,
        jobs,
        duration,
        began,
        wall,
        stdout,
        up.outputs(),
        up.providers(),
        sampler,
        state_dir,
    )


def dynamic_up(
    emulator: Emulator,
    world: World,
    bin_dir: Path,
    state_dir: Path,
    variant: str,
    jobs: int,
    wait_timeout: str,
    parallel: int | None,
) -> Up:
    """examples/jobs with N ``MediaAnalysisJob`` resources, through ``devtools.engine``."""
    config = world.config(jobs=str(jobs), waitTimeout=wait_timeout)
    env = {**provider_env(), POLLING_ENV: "shared"}
    if variant == BASELINE:
        config[LANES_KEY] = "0"
        env[POLLING_ENV] = "get"
    if variant == LANES:
        config[LANES_KEY] = str(LANE_JOBS)
    stack = EngineStack(
        program_dir=PROGRAM,
        state_dir=state_dir,
        bin_dir=bin_dir,
        stack_name="bench",
        env=env,
        config=config,
    )
    return Up(
        run=lambda: stack.up(**({"parallel": parallel} if parallel else {})).stdout,
        outputs=lambda: {key: value.value for key, value in stack.stack.outputs().items()},
        providers=lambda: len(stack.resources(PROVIDER_TYPE)),
    )


def collect(
    emulator: Emulator,
    world: World,
    variant: str,
    jobs: int,
    duration: float,
    began: float,
    wall: float,
    stdout: str,
    outputs: dict[str, Any],
    providers: int,
    sampler: RssSampler,
    state_dir: Path,
) -> Run:
    """The figures of one up, from the emulator, the CLI's output and the sampler."""
    (state_dir / "up.log").write_text(stdout)
    (state_dir / "providers.txt").write_text(sampler.report())
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
    for match in DONE_LINE.finditer(stdout):
        # The engine repeats diagnostics in its summary: one value per job.
        seen.setdefault(match["job"], float(match["seen"]))
        statuses.setdefault(match["job"], match["status"])
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
            f"{stdout}"
        )
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
        len(sampler.seen),
        sampler.peak_mib,
        sum(1 for parent, _ in sampler.origins.values() if parent.endswith(YAML_HOST)),
    )


def plugin_program(jobs: int) -> dict[str, Any]:
    """bench/programs/many-jobs-yaml with its ``job`` resource repeated ``jobs`` times."""
    template: dict[str, Any] = yaml.safe_load(PLUGIN_PROGRAM.read_text())
    [(_, job)] = template.pop("resources").items()
    resources: dict[str, Any] = {}
    outputs: dict[str, str] = {}
    for index in range(jobs):
        name = f"job{index}"
        properties = copy.deepcopy(job["properties"])  # shared objects would dump as aliases
        properties["jobName"] = f"job-{index}"
        properties["outputConfig"] = {
            **properties["outputConfig"],
            "s3KeyPrefix": f"results/job-{index}/",
        }
        resources[name] = {"type": job["type"], "properties": properties}
        outputs[f"{name}_status"] = f"${{{name}.status}}"
    return {**template, "resources": resources, "outputs": outputs}


def pulumi(
    bin_dir: Path, program_dir: Path, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(bin_dir / "pulumi"), *args, "--non-interactive"],
        cwd=program_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if result.returncode != 0:
        raise BenchmarkError(
            f"pulumi {' '.join(args)} exited {result.returncode} in {program_dir}:\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result


def plugin_up(
    emulator: Emulator,
    world: World,
    bin_dir: Path,
    state_dir: Path,
    variant: str,
    jobs: int,
    wait_timeout: str,
    parallel: int | None,
) -> Up:
    """A YAML program of N plugin jobs, for plain ``pulumi up``."""
    program_dir = state_dir / "program"
    program_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "backend").mkdir(exist_ok=True)
    (program_dir / "Pulumi.yaml").write_text(yaml.safe_dump(plugin_program(jobs), sort_keys=False))
    env = {
        **os.environ,
        **offline_env(bin_dir, state_dir),
        **provider_env(),
        POLLING_ENV: "shared",
    }
    pulumi(bin_dir, program_dir, env, "stack", "init", "bench")
    config = {
        "inputBucket": world.input_bucket,
        "outputBucket": world.output_bucket,
        "manifest": world.manifest,
        "kmsKeyId": world.key_arn,
        "waitTimeout": wait_timeout,
        "rekognition-media:endpointUrl": emulator.url,
    }
    pairs = [arg for key, value in config.items() for arg in ("--plaintext", f"{key}={value}")]
    pulumi(bin_dir, program_dir, env, "config", "set-all", *pairs)
    up_args = ["up", "--yes", "--skip-preview"]
    if parallel:
        up_args += ["--parallel", str(parallel)]

    def run() -> str:
        up = pulumi(bin_dir, program_dir, env, *up_args)
        return up.stdout + up.stderr

    def outputs() -> dict[str, Any]:
        found: dict[str, Any] = json.loads(
            pulumi(bin_dir, program_dir, env, "stack", "output", "--json").stdout
        )
        return found

    def providers() -> int:
        state = json.loads(pulumi(bin_dir, program_dir, env, "stack", "export").stdout)
        resources = state["deployment"].get("resources") or []
        return sum(1 for r in resources if r["type"] == PLUGIN_PROVIDER_TYPE)

    return Up(run, outputs, providers)


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table(rows: Sequence[Row], overhead: Row | None, plugin_overhead: Row | None) -> list[str]:
    lines = [
        "| N | D (s) | variant | provider processes | wall (s) | wall / D "
        "| speed-up vs baseline | Start / job | Get / job | List / job | calls / job "
        "| detection latency median (max) (s) | jobs started (s into the up) "
        "| provider processes seen (/proc) | peak provider RSS (MiB) |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
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
            f"| {fmt(row.first_start)} to {fmt(row.last_start)} "
            f"| {row.processes_seen} | {row.peak_rss:.0f} |"
        )
    for label, extra in (("fixed overhead (N = 0)", overhead), ("plugin, N = 0", plugin_overhead)):
        if extra is not None:
            lines.append(
                f"| 0 | - | {label} | {extra.providers} | {extra.wall:.1f} "
                f"| - | - | - | - | - | - | - | - | {extra.processes_seen} | {extra.peak_rss:.0f} |"
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


def plugin_floor(plugin: Row, overhead: Row | None) -> float:
    """N / 5 (Starts at the account's 5 TPS) + D + the YAML stack's fixed overhead (N = 0)."""
    return plugin.jobs / 5 + plugin.duration + (overhead.wall if overhead else 0.0)


def plugin_targets(
    plugin: Row, overhead: Row | None, parallel: int | None, jobs_at_target: int = 60
) -> list[str]:
    floor = plugin_floor(plugin, overhead)
    calls = plugin.calls_per_job()
    checks: list[tuple[str, str, bool]] = [
        (
            f"wall <= floor N/5 + D + overhead ({floor:.1f} s) + 10 s = {floor + 10:.1f} s",
            f"{plugin.wall:.1f} s ({plugin.wall - floor:+.1f} s over the floor)",
            plugin.wall <= floor + 10,
        ),
        (
            "one provider process",
            f"{plugin.processes_seen} seen in /proc, of which "
            f"{plugin.median('yaml_host_processes'):.0f} started by {YAML_HOST} "
            f"(the rest by the engine); {plugin.providers} provider resource in the state",
            plugin.processes_seen == 1,
        ),
        (
            "peak provider RSS <= 400 MB",
            f"{plugin.peak_rss * MIB / 1e6:.0f} MB ({plugin.peak_rss:.0f} MiB)",
            plugin.peak_rss * MIB <= 400e6,
        ),
        ("API calls (Start+Get+List) per job <= 3", f"{calls:.2f}", calls <= 3),
    ]
    where = f"N={plugin.jobs}, D={plugin.duration:g} s"
    note = (
        ""
        if plugin.jobs == jobs_at_target
        else f" (stated for N={jobs_at_target}, D=30 s; checked here at {where})"
    )
    lines = [f"Targets of the plugin variant, pulumi up --parallel {parallel or 'default'}{note}:"]
    lines += [f"  {'PASS  ' if met else 'MISSED'}  {text}: {value}" for text, value, met in checks]
    return lines


def comparison(
    plugin: Row, design: Row | None, lanes: Row | None, baseline: Row | None
) -> list[str]:
    """The plugin against the dynamic variants of the same N, same run."""
    lines = [
        "| N | variant | wall (s) | provider processes (/proc) | peak provider RSS (MiB) "
        "| calls / job | detection latency median (max) (s) | plugin wall / its wall "
        "| plugin RSS / its RSS |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in (plugin, design, lanes, baseline):
        if row is None:
            continue
        wall_ratio = f"{plugin.wall / row.wall:.2f}" if row is not plugin else "-"
        rss_ratio = (
            f"{plugin.peak_rss / row.peak_rss:.2f}" if row is not plugin and row.peak_rss else "-"
        )
        lines.append(
            f"| {row.jobs} | {row.variant} | {row.wall:.1f} | {row.processes_seen} "
            f"| {row.peak_rss:.0f} | {row.calls_per_job():.2f} "
            f"| {fmt(row.detect_median, 2)} ({fmt(row.detect_max, 2)}) "
            f"| {wall_ratio} | {rss_ratio} |"
        )
    return lines


def one_process_targets(design: Row, plugin: Row, lanes: Row | None) -> list[str]:
    """The dynamic design (one widened process) against the plugin and the lanes of the
    same run: peak RSS at most 300 MiB (stated for N = 60), wall within 1.15 x the
    plugin's, calls per job no higher than the lanes' (the design before the widening)."""
    ratio = design.wall / plugin.wall
    checks: list[tuple[str, str, bool]] = [
        (
            "peak provider RSS <= 300 MiB",
            f"{design.peak_rss:.0f} MiB in {design.processes_seen} provider process(es)",
            design.peak_rss <= 300,
        ),
        (
            "wall <= 1.15 x the plugin's",
            f"{design.wall:.1f} s / {plugin.wall:.1f} s = {ratio:.2f}",
            ratio <= 1.15,
        ),
    ]
    if lanes is not None:
        checks.append(
            (
                "calls per job <= the lanes'",
                f"{design.calls_per_job():.2f} against {lanes.calls_per_job():.2f}",
                design.calls_per_job() <= lanes.calls_per_job(),
            )
        )
    lines = [f"Targets of the design variant at N={design.jobs}, D={design.duration:g} s:"]
    lines += [f"  {'PASS  ' if met else 'MISSED'}  {text}: {value}" for text, value, met in checks]
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
    parser.add_argument("--skip-baseline", action="store_true", help="no baseline variant")
    parser.add_argument(
        "--skip-lanes", action="store_true", help="no lanes variant (jobsPerProvider=3)"
    )
    parser.add_argument(
        "--skip-plugin", action="store_true", help="no plugin variant (YAML program)"
    )
    parser.add_argument(
        "--plugin-only",
        action="store_true",
        help="only the plugin variant: no dynamic runs (design, baseline, quota, overhead)",
    )
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
    if args.plugin_only and args.skip_plugin:
        parser.error("--plugin-only and --skip-plugin leave nothing to run")

    bin_dir = cli_bin_dir()
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="many-jobs-bench-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    log(f"Pulumi CLI {cli_version(bin_dir)} at {bin_dir}")
    log(f"state dirs under {work_dir}")
    if os.environ.get("PULUMI_PARALLEL") and not args.parallel:
        log(f"note: PULUMI_PARALLEL={os.environ['PULUMI_PARALLEL']} sets pulumi up --parallel")

    variants = [DESIGN]
    if not args.skip_lanes:
        variants.append(LANES)
    if not args.skip_baseline:
        variants.append(BASELINE)
    if args.plugin_only:
        variants = []
    if not args.skip_plugin:
        for tool, where in ((YAML_HOST, bin_dir), (PLUGIN_EXE, Path(sys.executable).parent)):
            if not (where / tool).is_file():
                parser.error(f"{where / tool} is missing (scripts/setup.sh); or --skip-plugin")
        variants.append(PLUGIN)
    rows: dict[tuple[str, int], Row] = {}
    overhead = None if args.plugin_only else Row(OVERHEAD, 0, args.duration)
    plugin_overhead = None if args.skip_plugin else Row(PLUGIN_OVERHEAD, 0, args.duration)
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
                log(
                    f"{'':>8} wall {result.wall:.1f} s, calls {result.calls}, "
                    f"{len(result.latencies)} detection lines, "
                    f"{result.processes_seen} provider processes, "
                    f"peak RSS {result.peak_rss:.0f} MiB"
                )
                return result

            # Untimed warm-up: the first up of a process pays one-off costs (imports, disk).
            if overhead is not None:
                run("warmup", 0)
            if plugin_overhead is not None:
                run(PLUGIN_OVERHEAD, 0)  # untimed: the YAML host's first start
            for _ in range(args.repeat):
                if overhead is not None:
                    overhead.runs.append(run(OVERHEAD, 0))
                if plugin_overhead is not None:
                    plugin_overhead.runs.append(run(PLUGIN_OVERHEAD, 0))
                for jobs in args.jobs:
                    for variant in variants:
                        row = rows.setdefault((variant, jobs), Row(variant, jobs, args.duration))
                        row.runs.append(run(variant, jobs))
                if overhead is not None and args.quota and max(args.jobs) > args.quota:
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
    design = rows.get((DESIGN, largest))
    baseline = rows.get((BASELINE, largest))
    lanes = rows.get((LANES, largest))
    repeat_note = f", median of {args.repeat} runs" if args.repeat > 1 else ""
    parallel_note = f", pulumi up --parallel {args.parallel or 'default (4 x CPUs)'}"
    print(f"\nMany jobs in one stack: D = {args.duration:g} s{repeat_note}{parallel_note}\n")
    print("\n".join(table(ordered, overhead, plugin_overhead)))
    print()
    if design is not None:
        print("\n".join(targets(design, baseline, overhead)))
    plugin = rows.get((PLUGIN, largest))
    if plugin is not None:
        print(f"\nThe plugin against the dynamic variants, N = {largest}{repeat_note}\n")
        print("\n".join(comparison(plugin, design, lanes, baseline)))
        print()
        print("\n".join(plugin_targets(plugin, plugin_overhead, args.parallel)))
        if design is not None:
            print()
            print("\n".join(one_process_targets(design, plugin, lanes)))
    quota = rows.get((QUOTA, largest))
    if quota is not None:
        print(
            f"\nOver the concurrent-job quota: N = {largest}, M = {args.quota}, "
            f"D = {args.duration:g} s{repeat_note}{parallel_note}\n"
        )
        print("\n".join(quota_table([design, quota], args.quota, args.parallel)))
        print()
    parts = [summary_line(design, baseline, quota, args.quota)] if design is not None else []
    if plugin is not None:
        if design is None:
            parts.append(f"jobs={plugin.jobs} duration={plugin.duration:g}")
        parts.append(
            f"plugin_wall={plugin.wall:.1f}"
            f" plugin_floor={plugin_floor(plugin, plugin_overhead):.1f}"
            f" plugin_processes={plugin.processes_seen} plugin_peak_rss_mib={plugin.peak_rss:.0f}"
            f" plugin_calls_per_job={plugin.calls_per_job():.2f}"
        )
        if design is not None:
            parts.append(
                f"design_peak_rss_mib={design.peak_rss:.0f}"
                f" design_wall_over_plugin={design.wall / plugin.wall:.2f}"
            )
        if lanes is not None:
            parts.append(f"lanes_peak_rss_mib={lanes.peak_rss:.0f} lanes_wall={lanes.wall:.1f}")
    line = " ".join(parts)
    print(line.strip(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
