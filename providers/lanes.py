"""Which provider process runs each job, in the user's program process.

The Python dynamic provider server in the Pulumi SDK serves four calls at a time (a thread
pool of four) for all dynamic resources of its process, and a create that waits for a job
holds one of those threads. The provider widens that pool from inside the process on its
first call (``serving``, through ``core.pulumi_internals``), so by default every job runs
on the SDK's default dynamic provider: one process for every job of the stack and one
poller for all of them, as the plugin does, with threads to spare for other resources'
``check`` and ``diff``.

Lanes are the fallback, and a setting: ``assign_provider`` (called by
``MediaAnalysisJob.__init__``) spreads jobs over explicit ``pulumi-python`` provider
resources, ``rekognition-media-lane-N``, a few jobs per lane (the engine starts one
process per provider resource), which leaves a thread free in each process. It does so
when ``jobsPerProvider`` is set above 0, or when this SDK's server is not the shape the
widening knows (``pulumi up``'s output says so once). It also warns when a stack has more
jobs than ``pulumi up --parallel`` runs at once. What happens inside a provider process --
the poller (``pollers``), the List and Start quotas shared with other processes
(``budget``) -- is not imported here: this module runs in the program, and imports only
``pulumi`` (and the SDK internals it needs, ``pulumi_internals``).

Settings (stack configuration, namespace ``rekognition-media``):

* ``jobsPerProvider``: jobs per provider process. Unset: 0 (every job on the SDK's default
  dynamic provider, one process) where the server can be widened, else 3. 0 puts every
  job on the default provider in any case.
"""

from __future__ import annotations

import itertools
import threading

import pulumi

from rekognition_media.core import pulumi_internals

CONFIG_NAMESPACE = "rekognition-media"
FALLBACK_JOBS_PER_PROVIDER = 3
"""Jobs per lane where the server cannot be widened: a fourth thread stays free."""


class _Run:
    """Jobs and lanes of one program run (an inline Automation API program may run many
    times in one process, so the state is tied to the run's RPC manager, not the module)."""

    def __init__(self, rpc_manager: object) -> None:
        self.rpc_manager = rpc_manager
        self.jobs = 0
        self.laned = itertools.count()
        self.lanes: dict[int, pulumi.ProviderResource] = {}
        self.fallback_said = False


_run: _Run | None = None
_run_lock = threading.Lock()


def assign_provider(
    resource_name: str, opts: pulumi.ResourceOptions | None
) -> pulumi.ResourceOptions:
    """Resource options that put this job on a provider lane, unless the user chose one."""
    opts = opts or pulumi.ResourceOptions()
    with _run_lock:
        run = _current_run()
        run.jobs += 1
        _warn_beyond_parallelism(run.jobs)
        per_lane = jobs_per_provider()
        if per_lane and configured_jobs_per_provider() is None and not run.fallback_said:
            run.fallback_said = True
            pulumi.log.warn(
                "rekognition-media: the Pulumi SDK's dynamic provider server "
                f"({pulumi_internals.dynamic_server_path()}) is not the one this package "
                f"knows, so it serves four calls at a time: jobs run in provider processes of "
                f"{per_lane} (rekognition-media:jobsPerProvider) instead of all in one"
            )
        if opts.provider is not None or opts.providers or per_lane == 0:
            return opts
        lane = next(run.laned) // per_lane
        if lane not in run.lanes:
            # Lanes are top-level and not parented to a job, so removing one job never
            # deletes a provider other jobs still use.
            run.lanes[lane] = pulumi.ProviderResource(
                "pulumi-python", f"rekognition-media-lane-{lane}", {}
            )
        provider = run.lanes[lane]
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(provider=provider))


def _current_run() -> _Run:
    global _run
    rpc_manager = pulumi_internals.program_run()
    if _run is None or _run.rpc_manager is not rpc_manager:
        _run = _Run(rpc_manager)
    return _run


def _warn_beyond_parallelism(jobs: int) -> None:
    """The engine runs at most --parallel operations at once (default 4 x CPUs), and a
    create that waits for its job holds one: say so when this job will queue for a slot."""
    parallel = pulumi_internals.engine_parallelism()
    if not parallel or jobs != parallel + 1 or pulumi.runtime.is_dry_run():
        return
    pulumi.log.warn(
        f"This stack has more than {parallel} media analysis jobs, and `pulumi up` runs at "
        f"most {parallel} resource operations at once (--parallel; the default is 4 x CPUs): "
        "the jobs beyond that wait for a slot instead of running alongside the others. "
        "Run `pulumi up --parallel <number of jobs + 10>` (or set PULUMI_PARALLEL) to run "
        "them all at once."
    )


def jobs_per_provider() -> int:
    """Jobs per lane; 0: every job on the SDK's default dynamic provider."""
    value = configured_jobs_per_provider()
    if value is not None:
        return value
    return 0 if pulumi_internals.dynamic_server_serves_every_call() else FALLBACK_JOBS_PER_PROVIDER


def configured_jobs_per_provider() -> int | None:
    value = pulumi.Config(CONFIG_NAMESPACE).get_int("jobsPerProvider")
    if value is not None and value < 0:
        raise ValueError(f"{CONFIG_NAMESPACE}:jobsPerProvider = {value}: must be 0 or more")
    return value
