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
* ``serve_every_call_at_once()`` -- the thread pool of the SDK's dynamic provider server.
  Its ``main()`` serves gRPC with ``futures.ThreadPoolExecutor(max_workers=4)``: four
  calls at a time for every dynamic resource of the process, and a create waiting for its
  job holds one. The SDK has no setting for it. Called inside the server (every provider
  method starts with ``serving()``, so on a pool thread), it finds the pool that runs the
  calling thread among the process's ``ThreadPoolExecutor``s and raises its
  ``_max_workers``; CPython's pool reads that on every ``submit`` and starts a thread when
  none is idle, so threads come only as calls do (at most the engine's ``--parallel`` at
  once). Calls already queued behind the four get a thread each at once. The program
  decides where jobs go before any provider process exists, so it asks
  ``dynamic_server_serves_every_call()`` first: the same shape read from the server's
  source (not imported: importing it starts serving) and from the standard library's
  pool. Either shape being another, jobs go back to provider lanes and ``pulumi up``'s
  output says so once.
* ``cancel_on_engine_cancel()`` -- the server's ``DynamicResourceProviderServicer.Cancel``,
  which ignores the engine's Cancel (the first Ctrl-C). The server registered the bound
  method with gRPC before any provider code ran, so replacing the class attribute would
  change nothing; the function's code is replaced instead (the bound method calls the
  function's current ``__code__``), by code that calls the given ``cancel`` (the core's
  ``cancellation.cancel``) and then the SDK's own Cancel. The two names it calls are put
  in the server module's globals, the only globals that code can see. Another shape: left
  alone, and stderr says once that the first Ctrl-C does not stop a waiting job.
"""

from __future__ import annotations

import ast
import functools
import gc
import importlib.util
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import CodeType, FunctionType, ModuleType
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


DYNAMIC_SERVER_THREADS = 4096
"""The server's pool once widened: more than any ``--parallel`` a stack runs with (the
pool starts a thread only when a call finds none idle, so this is a ceiling, not a cost)."""
DYNAMIC_SERVER_SERVICER = "DynamicResourceProviderServicer"

_widening_lock = threading.Lock()
_widening_decided = False
_cancel_lock = threading.Lock()
_cancel_decided = False


def _say(what: str, server: ModuleType | None = None) -> None:
    where = getattr(server, "__file__", None) or DYNAMIC_SERVER
    print(
        f"rekognition-media: the Pulumi SDK's dynamic provider server ({where}) is not the "
        f"one this package knows; {what}",
        file=sys.stderr,
        flush=True,
    )


def pool_grows_to_max_workers() -> bool:
    """Whether the standard library's pool starts threads up to ``_max_workers`` as work is
    submitted (read when it is, so raising it later takes effect)."""
    adjust = getattr(ThreadPoolExecutor, "_adjust_thread_count", None)
    code = getattr(adjust, "__code__", None)
    return isinstance(code, CodeType) and {"_max_workers", "_threads"} <= set(code.co_names)


def serves_through_a_pool_of(source: str) -> int | None:
    """The ``max_workers`` of the ``futures.ThreadPoolExecutor`` the server's ``main()``
    hands to ``grpc.server``, from the server's source; None for any other shape."""
    tree = ast.parse(source)
    mains = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main"]
    sizes = []
    for node in ast.walk(mains[0]) if len(mains) == 1 else ():
        if not (isinstance(node, ast.Call) and ast.unparse(node.func) == "grpc.server"):
            continue
        pool = node.args[0] if node.args else None
        if (
            isinstance(pool, ast.Call)
            and ast.unparse(pool.func) == "futures.ThreadPoolExecutor"
            and not pool.args
            and [k.arg for k in pool.keywords] == ["max_workers"]
            and isinstance(pool.keywords[0].value, ast.Constant)
            and isinstance(pool.keywords[0].value.value, int)
        ):
            sizes.append(pool.keywords[0].value.value)
        else:
            return None
    return sizes[0] if len(sizes) == 1 else None


def dynamic_server_source() -> tuple[str, str] | None:
    """Path and text of the SDK's dynamic provider server, read (never imported)."""
    spec = importlib.util.find_spec(DYNAMIC_SERVER)
    if spec is None or spec.origin is None:
        return None
    try:
        with open(spec.origin, encoding="utf-8") as source:
            return spec.origin, source.read()
    except OSError:
        return None


@functools.lru_cache(maxsize=1)
def dynamic_server_serves_every_call() -> bool:
    """In the program: whether the provider processes of this SDK will serve every call at
    once (``serve_every_call_at_once``), so that one process can hold every job."""
    found = dynamic_server_source()
    try:
        size = None if found is None else serves_through_a_pool_of(found[1])
    except SyntaxError:
        size = None
    return size is not None and pool_grows_to_max_workers()


def dynamic_server_path() -> str:
    found = dynamic_server_source()
    return DYNAMIC_SERVER if found is None else found[0]


def serve_every_call_at_once() -> None:
    """In the SDK's dynamic provider server, called from a provider method: the server's
    thread pool serves up to ``DYNAMIC_SERVER_THREADS`` calls at once. Anywhere else
    nothing changes. Cheap after the first call; safe from any thread."""
    global _widening_decided
    if _widening_decided:
        return
    with _widening_lock:
        if _widening_decided:
            return
        _widening_decided = True
        server = dynamic_provider_server()
        if server is None:
            return
        pool = _pool_running_this_thread() if pool_grows_to_max_workers() else None
        if pool is None or not isinstance(getattr(pool, "_max_workers", None), int):
            _say(
                "it serves four calls at a time, so jobs beyond four in this provider process "
                "wait for a thread, and so do other resources' checks (set "
                "rekognition-media:jobsPerProvider to 3 to spread jobs over processes)",
                server,
            )
            return
        queued = pool._work_queue.qsize()
        pool._max_workers = max(pool._max_workers, DYNAMIC_SERVER_THREADS)
        # The pool starts at most one thread per submit: calls that queued behind the
        # four before this one ran get theirs now (each no-op submitted starts one).
        for _ in range(queued):
            pool.submit(_nothing)


def _nothing() -> None:
    pass


def _pool_running_this_thread() -> ThreadPoolExecutor | None:
    me = threading.current_thread()
    pools = [found for found in gc.get_objects() if isinstance(found, ThreadPoolExecutor)]
    # The pool adds a new thread to its set just after starting it, and the thread may
    # already be running its first call.
    deadline = time.monotonic() + 1.0
    while True:
        mine = [pool for pool in pools if me in getattr(pool, "_threads", ())]
        if mine or time.monotonic() > deadline:
            return mine[0] if len(mine) == 1 else None
        time.sleep(0.01)  # the submitting thread is between start() and the set's add


_ON_CANCEL = "_rekognition_media_on_cancel"
_SDK_CANCEL = "_rekognition_media_sdk_cancel"
# Compiled from text: it runs with the server module's globals, where these names are put.
_CANCEL_CODE: CodeType = next(
    const
    for const in compile(
        f"def Cancel(self, request, context):\n"
        f"    {_ON_CANCEL}()\n"
        f"    return {_SDK_CANCEL}(self, request, context)\n",
        "<rekognition-media: the engine's Cancel>",
        "exec",
    ).co_consts
    if isinstance(const, CodeType)
)


def cancel_on_engine_cancel(cancel: Callable[[], None]) -> None:
    """In the SDK's dynamic provider server, the engine's Cancel calls ``cancel`` (then
    the SDK's own Cancel). Anywhere else nothing changes. Cheap after the first call."""
    global _cancel_decided
    if _cancel_decided:
        return
    with _cancel_lock:
        if _cancel_decided:
            return
        _cancel_decided = True
        server = dynamic_provider_server()
        if server is None:
            return
        method = sdk_cancel(server)
        if method is None:
            _say(
                "the first Ctrl-C does not stop a waiting job (a second one ends the run, and "
                "the next pulumi up resumes the job)",
                server,
            )
            return
        sdk_own = FunctionType(method.__code__, method.__globals__, "Cancel")
        vars(server)[_SDK_CANCEL] = sdk_own
        vars(server)[_ON_CANCEL] = cancel
        method.__code__ = _CANCEL_CODE


def sdk_cancel(server: ModuleType) -> FunctionType | None:
    """The servicer's ``Cancel`` function, if it has the shape whose code can be replaced:
    a plain function of (self, request, context), no closure, no defaults, globals of the
    server module."""
    servicer = vars(server).get(DYNAMIC_SERVER_SERVICER)
    method = vars(servicer).get("Cancel") if isinstance(servicer, type) else None
    if not isinstance(method, FunctionType):
        return None
    code = method.__code__
    if (
        method.__closure__ is not None
        or method.__defaults__ is not None
        or method.__globals__ is not vars(server)
        or code.co_argcount != _CANCEL_CODE.co_argcount
        or code.co_freevars
        or code.co_flags & 0x20  # a generator
    ):
        return None
    return method
