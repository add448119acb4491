"""Ending this provider process when the Pulumi engine that started it is gone.

The engine starts a dynamic provider as ``python -u -m pulumi.dynamic <engine address>``
(through the ``pulumi-resource-pulumi-python`` shell script). The SDK's server never exits
by itself: after a SIGKILL of `pulumi up` (a lost SSH session, a cancelled CI job, the OOM
killer) it is re-parented to init and lives on, and a create that waits keeps polling AWS.
Pulumi's Go plugins avoid this by health-checking the engine's gRPC address and exiting
when it stops answering (``rpcutil.Healthcheck``, pulumi/pulumi#9735). This module does the
same from inside the process, since it is loaded there with the provider:

* every ``CHECK_EVERY`` seconds, whether the engine process is still the parent (of the
  shell script that started us, or ours) -- on Linux, through ``/proc``;
* and whether the engine's address still answers a gRPC health check (any answer,
  ``UNIMPLEMENTED`` included, is life; ``UNAVAILABLE`` ``GRPC_FAILURES`` times in a row is
  death), which also works where ``/proc`` does not.

When either says the engine is gone, the process ends at once with ``os._exit``: no
thread makes another AWS call, and nothing is left to clean up (the jobs keep running in
Rekognition; the next `pulumi up` resumes waiting for them through their idempotency
tokens). ``start_if_provider_server`` does nothing in any other process (the program,
tests), so importing the provider package is harmless everywhere.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
import time
from pathlib import Path

import grpc

CHECK_EVERY = 2.0
GRPC_TIMEOUT = 5.0
GRPC_FAILURES = 3
WRAPPER = "pulumi-resource-pulumi-python"
PROVIDER_SERVER = "pulumi.dynamic.__main__"
_ADDRESS = re.compile(r"^[\w.\-\[\]:]+:\d+$")

_started = False
_lock = threading.Lock()


def start_if_provider_server() -> None:
    """Watch the engine, if this process is a Python dynamic provider server."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if spec is None or spec.name != PROVIDER_SERVER:
        return
    addresses = [arg for arg in sys.argv[1:] if _ADDRESS.match(arg)]
    if addresses:
        start(addresses[0])


def start(engine_address: str) -> None:
    global _started
    with _lock:
        if _started:
            return
        _started = True
    ancestry = _Ancestry.of_this_process()
    threading.Thread(
        target=_watch, args=(engine_address, ancestry), name="engine-lifeline", daemon=True
    ).start()


def _watch(engine_address: str, ancestry: _Ancestry | None) -> None:
    channel = grpc.insecure_channel(engine_address)
    check = channel.unary_unary("/grpc.health.v1.Health/Check")
    failures = 0
    while True:
        time.sleep(CHECK_EVERY)
        if ancestry is not None and not ancestry.intact():
            _exit(f"the Pulumi engine (pid {ancestry.engine_pid}) has exited")
        try:
            check(b"", timeout=GRPC_TIMEOUT)  # an empty HealthCheckRequest
            failures = 0
        except grpc.RpcError as error:
            code = error.code() if isinstance(error, grpc.Call) else None
            if code == grpc.StatusCode.UNAVAILABLE:
                failures += 1
            elif code is not None:
                failures = 0  # it answered (UNIMPLEMENTED, say): alive
            if failures >= GRPC_FAILURES:
                _exit(f"the Pulumi engine at {engine_address} no longer answers")


def _exit(reason: str) -> None:
    with contextlib.suppress(Exception):  # the engine's end of the pipe is gone with it
        print(
            f"rekognition-media provider (pid {os.getpid()}): {reason}; exiting",
            file=sys.stderr,
            flush=True,
        )
    os._exit(1)


class _Ancestry:
    """The engine's pid and the process whose parent it must stay (Linux ``/proc``)."""

    def __init__(self, child_pid: int, engine_pid: int) -> None:
        self.child_pid = child_pid
        self.engine_pid = engine_pid

    @classmethod
    def of_this_process(cls) -> _Ancestry | None:
        parent = os.getppid()
        if _cmdline(parent) is None:
            return None  # no /proc
        if WRAPPER in (_cmdline(parent) or ""):
            # `sh pulumi-resource-pulumi-python` does not exec python: the engine is its parent.
            grandparent = _ppid(parent)
            return None if grandparent is None else cls(parent, grandparent)
        return cls(os.getpid(), parent)

    def intact(self) -> bool:
        if self.child_pid == os.getpid():
            return os.getppid() == self.engine_pid
        # The wrapper gone (re-parented: our parent changed) or re-parented itself.
        return os.getppid() == self.child_pid and _ppid(self.child_pid) == self.engine_pid


def _cmdline(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # pid (comm) state ppid ...; comm may hold spaces and parentheses.
    return int(stat.rsplit(")", 1)[1].split()[1])
