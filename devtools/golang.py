"""The go command as the project runs it: the installed toolchain, offline-friendly.

The Go programs of this repository (scripts/gen-sdks, scripts/python-program-gen, the Go
SDK and its example) pin their modules in checked-in go.mod/go.sum files; builds must use
exactly those (``-mod=readonly``), the installed Go (never a toolchain download) and no
workspace file found above the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

GO_ENV = {"GOTOOLCHAIN": "local", "GOFLAGS": "-mod=readonly -buildvcs=false", "GOWORK": "off"}


class GoMissing(RuntimeError):
    pass


def go_command() -> str:
    """The installed ``go`` (fails loudly, never skips, when there is none)."""
    go = shutil.which("go") or "/usr/local/go/bin/go"
    if not Path(go).is_file():
        raise GoMissing("the go command is needed (Go >= 1.26): install it and put it on PATH")
    return go


def go_env() -> dict[str, str]:
    return {**os.environ, **GO_ENV}


def run_go(*args: str, cwd: Path, timeout: float = 1200) -> subprocess.CompletedProcess[str]:
    """``go <args>`` in ``cwd``; the caller judges the result (output captured as text)."""
    return subprocess.run(
        [go_command(), *args],
        cwd=cwd,
        env=go_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
