"""mypy over the package as it is imported: ``python -m devtools.typecheck [mypy args]``.

The parts are folders at the repository root that the build backend maps to
``rekognition_media.<part>`` (pyproject.toml, ``[tool.setuptools.package-dir]``). An
editable install resolves them through an import hook, which mypy does not run, so mypy
would not find ``rekognition_media.core``. This lays the package out as it is imported,
under ``build/typecheck/`` (links to the files, or copies where links are not allowed),
runs mypy there with the project's settings, and prints its findings with the paths of
the files in the checkout. The mapping is pyproject.toml's (``devtools.layout``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from devtools.layout import PACKAGE, ROOT, package_dirs

TREE = ROOT / "build" / "typecheck"
# Checked with the package: test tooling that imports every part.
EXTRA_FOLDERS = ("devtools",)
SOURCE_SUFFIXES = (".py", ".pyi")
MARKERS = ("py.typed",)


def _files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.iterdir()):
        if path.is_file() and (path.suffix in SOURCE_SUFFIXES or path.name in MARKERS):
            yield path


def lay_out(tree: Path = TREE) -> dict[Path, Path]:
    """Rebuild ``tree``; return each laid-out file -> its file in the checkout."""
    shutil.rmtree(tree, ignore_errors=True)
    origins: dict[Path, Path] = {}
    folders = {name.replace(".", "/"): source for name, source in package_dirs().items()}
    folders.update({name: ROOT / name for name in EXTRA_FOLDERS})
    for relative, source in folders.items():
        target = tree / relative
        target.mkdir(parents=True, exist_ok=True)
        for path in _files(source):
            _link(path, target / path.name)
            origins[target / path.name] = path
    return origins


def _link(source: Path, target: Path) -> None:
    try:
        target.symlink_to(source)
    except OSError:  # no symlinks here (Windows without the privilege): a copy checks the same
        shutil.copy2(source, target)


def run(arguments: list[str]) -> int:
    origins = lay_out()
    shown = {os.path.relpath(laid, TREE): os.path.relpath(p, ROOT) for laid, p in origins.items()}
    targets = arguments or [PACKAGE, *EXTRA_FOLDERS]
    result = subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")),
            *("--cache-dir", str(ROOT / ".mypy_cache")),
            *targets,
        ],
        cwd=TREE,
        capture_output=True,
        text=True,
        check=False,
    )
    sys.stdout.write(checkout_paths(result.stdout, shown))
    sys.stderr.write(checkout_paths(result.stderr, shown))
    return result.returncode


def checkout_paths(text: str, by_shown: Mapping[str, str]) -> str:
    """mypy's ``path:line: ...`` lines with the laid-out paths replaced by the checkout's."""
    return re.sub(
        r"^([^\s:]+\.pyi?)(?=:)",
        lambda found: by_shown.get(found.group(1), found.group(1)),
        text,
        flags=re.MULTILINE,
    )


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
