"""The Pulumi SDK's private APIs this package uses: each one here, and why.

The SDK offers no public way to do these. They are read here and nowhere else, so an SDK
upgrade that moves or changes one breaks this module (and
``tests/providers/test_pulumi_internals.py``), not the code that relies on it. The SDK
is pinned (``.pulumi-python-sdk-version``; ``pulumi>=3.272.0,<4`` in ``pyproject.toml``).

* ``program_run()`` -- ``pulumi.runtime.settings._get_rpc_manager()``: an object that is
  one run of the program. An inline Automation API program may run many times in one
  process (tests, ``bench/``, users' own tools), and per-run state -- the stack's one
  ``StackIdentity`` resource (``identity``), the jobs' provider lanes (``lanes``) -- must
  start anew with each run; module globals would leak it from one run into the next. No
  public API names the run (``pulumi.get_stack()`` is the same for runs of one stack).
* ``engine_parallelism()`` -- ``pulumi.runtime.settings.SETTINGS.parallel``: the
  ``--parallel`` the engine runs the program with, for the warning that jobs beyond it
  queue (``lanes``). The engine passes it to the program, which keeps it only there.
* ``GRPC_CHANNEL_OPTIONS`` -- ``pulumi.runtime._grpc_settings._GRPC_CHANNEL_OPTIONS``: the
  options of the SDK's own channels to the engine (a 400 MiB message limit, a long
  server queue time). The plugin opens one more channel to the engine, for its progress
  lines (``plugin.engine_log``), and uses the same options as the SDK's.
"""

from __future__ import annotations

from typing import Any

import pulumi.runtime.settings
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS

GRPC_CHANNEL_OPTIONS: list[tuple[str, Any]] = list(_GRPC_CHANNEL_OPTIONS)


def program_run() -> object:
    """The current run of the program (identity only: compare with ``is``)."""
    return pulumi.runtime.settings._get_rpc_manager()


def engine_parallelism() -> int | None:
    """How many resource operations the engine runs at once (``--parallel``), if told."""
    parallel: int | None = pulumi.runtime.settings.SETTINGS.parallel
    return parallel
