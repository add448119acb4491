"""The Pulumi SDK's private APIs this package uses: each one here, and why.

The SDK offers no public way to do these. They are read here and nowhere else, so an SDK
upgrade that moves or changes one breaks this module (and
``tests/core/test_pulumi_internals.py``), not the code that relies on it. The SDK
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
* ``report_dynamic_provider_errors()`` -- the ``traceback`` global of the SDK's dynamic
  provider server (``pulumi/dynamic/__main__.py``, run as ``python -m pulumi.dynamic``, so
  the module is ``sys.modules["__main__"]``). Its ``_abort_with_traceback`` ends every
  failed Check, Diff, Create, Read, Update and Delete with ``traceback.format_exc()`` as
  the message, and ``pulumi up`` prints those frames before the product's own sentence
  (``user_errors``). The SDK has no hook for this; the dynamic provider (``job``) replaces
  that global with a shim whose ``format_exc()`` is the message alone for the product's
  errors and the real traceback for anything else. A server of another shape is left
  alone (tracebacks stay; stderr, which reaches ``pulumi up``'s output, says so once).
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable
from types import CodeType, ModuleType
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


DYNAMIC_SERVER = "pulumi.dynamic.__main__"
"""The module of the SDK's dynamic provider server (run as ``python -m pulumi.dynamic``)."""
DYNAMIC_SERVER_REPORTER = "_abort_with_traceback"
"""Its decorator of the provider calls: a failed call is aborted with ``format_exc()``."""

_reporting_lock = threading.Lock()
_reporting_decided = False


def report_dynamic_provider_errors(message: Callable[[BaseException], str | None]) -> None:
    """In the SDK's dynamic provider server, a failed provider call whose exception
    ``message`` gives a text for reaches the engine as that text alone; every other keeps
    its traceback. Anywhere else (the program, a test calling the provider's methods)
    nothing changes. Cheap after the first call; safe from any thread."""
    global _reporting_decided
    if _reporting_decided:
        return
    with _reporting_lock:
        if _reporting_decided:
            return
        _reporting_decided = True
        server = dynamic_provider_server()
        if server is None:
            return
        reporter = getattr(server, DYNAMIC_SERVER_REPORTER, None)
        code = getattr(reporter, "__code__", None)
        if vars(server).get("traceback") is not traceback or not (
            isinstance(code, CodeType) and reports_through_format_exc(code)
        ):
            where = getattr(server, "__file__", None) or DYNAMIC_SERVER
            print(
                f"rekognition-media: the Pulumi SDK's dynamic provider server ({where}) is not "
                "the one this package knows; errors keep their Python traceback",
                file=sys.stderr,
                flush=True,
            )
            return
        vars(server)["traceback"] = _MessageTraceback(message)


def dynamic_provider_server() -> ModuleType | None:
    """The SDK's dynamic provider server, if this process is one."""
    for name in ("__main__", DYNAMIC_SERVER):
        module = sys.modules.get(name)
        if module is not None and getattr(module.__spec__, "name", None) == DYNAMIC_SERVER:
            return module
    return None


def reports_through_format_exc(reporter: CodeType) -> bool:
    """Whether ``reporter`` (the code of the server's ``_abort_with_traceback``) builds its
    message with the module global ``traceback``'s ``format_exc``: the wrapper it returns
    names both (the shim works only so)."""
    return any(
        isinstance(inner, CodeType)
        and "traceback" in inner.co_names
        and "format_exc" in inner.co_names
        for inner in reporter.co_consts
    )


class _MessageTraceback:
    """The ``traceback`` module, but ``format_exc()`` of one of the product's errors is its
    message alone."""

    def __init__(self, message: Callable[[BaseException], str | None]) -> None:
        self._message = message

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    def format_exc(self, limit: int | None = None, chain: bool = True) -> str:
        error = sys.exc_info()[1]
        text = None if error is None else self._message(error)
        return traceback.format_exc(limit, chain) if text is None else text
