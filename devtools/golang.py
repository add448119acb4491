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

SETTINGS = Path(__file__).resolve().parents[1] / "scripts" / "go.env"
"""The go command's settings every Go build of the repository shares (the scripts too)."""


def _settings() -> dict[str, str]:
    lines = SETTINGS.read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if line and not line.startswith("#"))
    return {key: value for key, value in pairs}


_SHARED = _settings()
GO_MIN_VERSION = _SHARED.pop("GO_MIN_VERSION")
# The checked-in go.mod/go.sum are the pins: builds may not change them.
GO_ENV = {**_SHARED, "GOFLAGS": f"-mod=readonly {_SHARED['GOFLAGS']}"}


class GoMissing(RuntimeError):
    pass


def go_command() -> str:
    """The installed ``go`` (fails loudly, never skips, when there is none)."""
    go = shutil.which("go") or "/usr/local/go/bin/go"
    if not Path(go).is_file():
        raise GoMissing(
            f"the go command is needed (Go >= {GO_MIN_VERSION}): install it and put it on PATH"
        )
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
