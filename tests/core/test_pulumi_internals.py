"""The Pulumi SDK's private APIs behind ``core.pulumi_internals`` are still there and
still mean what the package relies on; an SDK upgrade that changes one fails here."""

from __future__ import annotations

import subprocess
import sys

import pulumi.runtime.settings
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS

from rekognition_media.core import pulumi_internals
from tests.support import ROOT

# Run in a fresh interpreter: set_mocks changes the process's Pulumi settings for good.
_RUNS = """
import pulumi
import pulumi.runtime.settings
from rekognition_media.core import pulumi_internals


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return args.name + "-id", dict(args.inputs)

    def call(self, args):
        return {}


pulumi.runtime.set_mocks(Mocks(), project="internals", stack="one", preview=False)
first = pulumi_internals.program_run()
assert first is pulumi_internals.program_run()
assert first is pulumi.runtime.settings.SETTINGS.rpc_manager
pulumi.runtime.set_mocks(Mocks(), project="internals", stack="two", preview=False)
assert pulumi_internals.program_run() is not first
print("ok")
"""


def test_each_run_of_a_program_is_a_new_run() -> None:
    # identity and lanes keep per-run state keyed by this object: a second run of an
    # inline program in the same process must see a different one, a run the same one.
    done = subprocess.run(
        [sys.executable, "-c", _RUNS], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_the_engines_parallelism_is_where_the_program_keeps_it() -> None:
    settings = pulumi.runtime.settings.SETTINGS
    assert hasattr(settings, "parallel")
    before = settings.parallel
    try:
        settings.parallel = 7
        assert pulumi_internals.engine_parallelism() == 7
    finally:
        settings.parallel = before


def test_the_sdks_channel_options_are_grpc_options() -> None:
    options = dict(_GRPC_CHANNEL_OPTIONS)
    assert options["grpc.max_receive_message_length"] >= 4 * 1024 * 1024
    assert all(isinstance(key, str) and key.startswith("grpc.") for key in options)
    assert dict(pulumi_internals.GRPC_CHANNEL_OPTIONS) == options


def test_no_other_module_reaches_into_the_sdk() -> None:
    """Private SDK names are used through pulumi_internals only."""
    import ast

    from devtools.layout import parts

    # The sdk is Pulumi's generated code, written for the SDK by Pulumi's own generator.
    folders = [folder for name, folder in sorted(parts().items()) if name != "sdk"]
    paths = [p for folder in folders for p in folder.rglob("*.py")]
    assert any(p.name == "lanes.py" for p in paths)
    found = []
    for path in sorted(paths):
        if path.name == "pulumi_internals.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Attribute):
                names = [node.attr]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pulumi"):
                names = [node.module or "", *(a.name for a in node.names)]
            private = [n for n in names if any(p.startswith("_") for p in n.split("."))]
            if private and (isinstance(node, ast.ImportFrom) or _is_pulumi(node)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {', '.join(private)}")
    assert not found, "\n".join(found)


def _is_pulumi(node: object) -> bool:
    import ast

    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id == "pulumi"


def _dynamic_server_source() -> tuple[str, str]:
    # Read, never imported: importing the server module starts serving.
    import importlib.util

    spec = importlib.util.find_spec(pulumi_internals.DYNAMIC_SERVER)
    assert spec is not None and spec.origin is not None
    with open(spec.origin, encoding="utf-8") as source:
        return spec.origin, source.read()


def test_the_dynamic_provider_server_reports_errors_through_its_traceback_global() -> None:
    """report_dynamic_provider_errors replaces the server module's ``traceback`` global:
    that works only while every provider call is wrapped by a decorator whose wrapper calls
    ``traceback.format_exc()`` through that global, and the module serves when run as the
    main module (``python -m pulumi.dynamic``, so it is ``sys.modules["__main__"]``)."""
    import ast
    from types import CodeType

    path, text = _dynamic_server_source()
    tree = ast.parse(text)
    assert any(
        isinstance(node, ast.Import)
        and any(a.name == "traceback" and a.asname is None for a in node.names)
        for node in tree.body
    ), "the server no longer imports traceback as a module global"
    [code] = [
        const
        for const in compile(text, path, "exec").co_consts
        if isinstance(const, CodeType) and const.co_name == pulumi_internals.DYNAMIC_SERVER_REPORTER
    ]
    assert pulumi_internals.reports_through_format_exc(code)
    [servicer] = [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == "DynamicResourceProviderServicer"
    ]
    decorated = {
        node.name
        for node in servicer.body
        if isinstance(node, ast.FunctionDef)
        and any(
            isinstance(d, ast.Name) and d.id == pulumi_internals.DYNAMIC_SERVER_REPORTER
            for d in node.decorator_list
        )
    }
    assert decorated >= {"Check", "Diff", "Create", "Read", "Update", "Delete"}
    last = tree.body[-1]
    assert isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)
    assert isinstance(last.value.func, ast.Name) and last.value.func.id == "main"


def test_outside_a_dynamic_provider_server_errors_are_left_alone() -> None:
    # The program and the tests calling the provider's methods run in other processes.
    assert pulumi_internals.dynamic_provider_server() is None
    before = traceback_module_of_main()
    pulumi_internals.report_dynamic_provider_errors(lambda error: "never")
    assert traceback_module_of_main() is before


def traceback_module_of_main() -> object:
    return vars(sys.modules["__main__"]).get("traceback")


# A dynamic provider server of another shape: the SDK's module name, no _abort_with_traceback.
_OTHER_SERVER = """
import importlib.machinery, sys, traceback, types
from rekognition_media.core import pulumi_internals

server = types.ModuleType("__main__")
server.__spec__ = importlib.machinery.ModuleSpec(pulumi_internals.DYNAMIC_SERVER, None)
server.__file__ = "/elsewhere/pulumi/dynamic/__main__.py"
server.traceback = traceback
sys.modules["__main__"] = server
assert pulumi_internals.dynamic_provider_server() is server
for _ in range(3):
    pulumi_internals.report_dynamic_provider_errors(lambda error: "a sentence")
assert server.traceback is traceback
print("ok")
"""


def test_a_server_of_another_shape_keeps_its_tracebacks_and_says_so_once() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _OTHER_SERVER],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
    assert done.stderr.count("is not the one this package knows") == 1, done.stderr
    assert "/elsewhere/pulumi/dynamic/__main__.py" in done.stderr


def test_the_dynamic_provider_server_serves_through_one_thread_pool_of_four() -> None:
    """serve_every_call_at_once widens the pool ``main()`` hands to ``grpc.server``; the
    program counts on it (one process for every job) when the source has this shape."""
    _, text = _dynamic_server_source()
    assert pulumi_internals.serves_through_a_pool_of(text) == 4
    assert pulumi_internals.pool_grows_to_max_workers()
    assert pulumi_internals.dynamic_server_serves_every_call()
    # Any other shape is no pool this package knows.
    assert pulumi_internals.serves_through_a_pool_of(text.replace("max_workers=4", "4")) is None
    other = text.replace("futures.ThreadPoolExecutor(max_workers=4)", "None")
    assert pulumi_internals.serves_through_a_pool_of(other) is None
    assert pulumi_internals.serves_through_a_pool_of("def main():\n    pass\n") is None


# The SDK's server module, run as __main__ without its last statement (``main()``, which
# serves), so that its own servicer class and pool shape are used in-process.
_SERVER_PREAMBLE = """
import importlib.machinery, importlib.util, sys, types
from rekognition_media.core import pulumi_internals

origin = importlib.util.find_spec(pulumi_internals.DYNAMIC_SERVER).origin
source = open(origin, encoding="utf-8").read()
assert source.rstrip().endswith("main()")
server = types.ModuleType("__main__")
server.__spec__ = importlib.machinery.ModuleSpec(pulumi_internals.DYNAMIC_SERVER, None)
server.__file__ = origin
sys.modules["__main__"] = server
exec(compile(source.rstrip()[: -len("main()")], origin, "exec"), vars(server))
"""

_WIDENS = (
    _SERVER_PREAMBLE
    + """
import threading
from concurrent import futures

# What main() does: a pool of four; six calls that each wait for all six.
pool = futures.ThreadPoolExecutor(max_workers=4)
all_six = threading.Barrier(6, timeout=20)


def call():
    pulumi_internals.serve_every_call_at_once()
    all_six.wait()
    return threading.current_thread().name


# Submitted before any of them runs: two queue behind the four.
names = [f.result(timeout=30) for f in [pool.submit(call) for _ in range(6)]]
assert len(set(names)) == 6, names
assert pool._max_workers == pulumi_internals.DYNAMIC_SERVER_THREADS
print("ok")
"""
)


def test_a_call_in_the_servers_pool_widens_it_for_the_calls_queued_behind_it() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _WIDENS], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
    assert "is not the one this package knows" not in done.stderr


_CANCELS = (
    _SERVER_PREAMBLE
    + """
from google.protobuf import empty_pb2

servicer = server.DynamicResourceProviderServicer()
registered = servicer.Cancel  # bound before any provider code runs, as main() registers it
cancelled = []
for _ in range(2):
    pulumi_internals.cancel_on_engine_cancel(lambda: cancelled.append(True))
assert isinstance(registered(empty_pb2.Empty(), None), empty_pb2.Empty)
assert cancelled == [True], cancelled
print("ok")
"""
)


def test_the_engines_cancel_reaches_the_hook_through_the_method_the_server_registered() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _CANCELS], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
    assert "is not the one this package knows" not in done.stderr


def test_the_dynamic_provider_server_ignores_cancel() -> None:
    """The hook exists because the SDK's Cancel does nothing; the day it does something,
    this fails, and whether the hook is still needed is worth a look."""
    import ast

    _, text = _dynamic_server_source()
    [servicer] = [
        node
        for node in ast.parse(text).body
        if isinstance(node, ast.ClassDef) and node.name == pulumi_internals.DYNAMIC_SERVER_SERVICER
    ]
    [cancel] = [
        node
        for node in servicer.body
        if isinstance(node, ast.FunctionDef) and node.name == "Cancel"
    ]
    assert [ast.unparse(statement) for statement in cancel.body] == ["return empty_pb2.Empty()"]


# A server of another shape: the calls come from a thread of no pool, Cancel is a lambda.
_OTHER_POOL = """
import importlib.machinery, sys, types
from rekognition_media.core import pulumi_internals

server = types.ModuleType("__main__")
server.__spec__ = importlib.machinery.ModuleSpec(pulumi_internals.DYNAMIC_SERVER, None)
server.__file__ = "/elsewhere/pulumi/dynamic/__main__.py"
server.DynamicResourceProviderServicer = type(
    "DynamicResourceProviderServicer", (), {"Cancel": lambda self, request, context: None}
)
sys.modules["__main__"] = server
for _ in range(3):
    pulumi_internals.serve_every_call_at_once()
    pulumi_internals.cancel_on_engine_cancel(lambda: None)
print("ok")
"""


def test_a_server_of_another_shape_is_left_alone_and_says_so_once() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _OTHER_POOL],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 2 and all("is not the one this package knows" in x for x in lines)
    assert "serves four calls at a time" in lines[0] and "jobsPerProvider" in lines[0]
    assert "the first Ctrl-C does not stop a waiting job" in lines[1]
