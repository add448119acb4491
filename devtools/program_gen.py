"""Pulumi's Python program generator, served as the language host ``pulumi import --out`` asks.

``pulumi import --out`` has the project's language host write the program for what it
imported (the host's ``GenerateProgram``: bind the PCL the CLI wrote, run
``pkg/v3/codegen/python``). The real ``pulumi-language-python`` cannot be obtained here (its
Go module is refused by the proxy), so ``scripts/python-program-gen`` serves that one call
with the same code, built from the served ``pkg/v3``; every other language-host call
answers "unimplemented". A directory holding it, first on PATH for ``pulumi import`` only,
makes the real CLI generate the Python a user would get.
"""

from __future__ import annotations

from pathlib import Path

from .engine import REPO_ROOT
from .golang import GoMissing, run_go

SOURCE = REPO_ROOT / "scripts" / "python-program-gen"
HOST = "pulumi-language-python"


class GeneratorNotBuilt(RuntimeError):
    pass


def build_python_program_generator(dest: Path) -> Path:
    """Builds the host into ``dest`` (a directory of the caller's) and returns ``dest``.

    The module's go.mod/go.sum pin pkg/v3; ``-mod=readonly`` refuses to change them. Fails
    loudly (never skips) without Go or the modules.
    """
    dest.mkdir(parents=True, exist_ok=True)
    try:
        result = run_go("build", "-trimpath", "-o", str(dest / HOST), ".", cwd=SOURCE)
    except GoMissing as error:
        raise GeneratorNotBuilt(str(error)) from None
    if result.returncode != 0:
        raise GeneratorNotBuilt(f"go build in {SOURCE} failed:\n{result.stdout}{result.stderr}")
    return dest
