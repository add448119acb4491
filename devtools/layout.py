"""Where each ``rekognition_media`` package lives in the checkout, as the build maps it.

The parts are folders at the repository root (``core/``, ``providers/``, ...) that
pyproject.toml's ``[tool.setuptools]`` maps to ``rekognition_media.<part>``: the one
declaration, which the wheel, editable installs, the type check (``typecheck``) and the
layout tests (tests/test_layout.py) all read.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "rekognition_media"


def package_dirs(root: Path = ROOT) -> dict[str, Path]:
    """Import name -> its folder, for every package the distribution ships."""
    settings = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    mapped: dict[str, str] = settings.get("package-dir", {})
    return {name: root / _folder(name, mapped) for name in settings["packages"]}


def parts(root: Path = ROOT) -> dict[str, Path]:
    """Part name (``core``, ``sdk``, ...) -> its folder: the top-level subpackages."""
    return {
        name.split(".")[1]: folder
        for name, folder in package_dirs(root).items()
        if name.count(".") == 1
    }


def _folder(name: str, mapped: Mapping[str, str]) -> str:
    # As setuptools resolves it: a package sits under its nearest mapped ancestor's folder.
    pieces = name.split(".")
    for cut in range(len(pieces), 0, -1):
        ancestor = ".".join(pieces[:cut])
        if ancestor in mapped:
            return "/".join([mapped[ancestor], *pieces[cut:]])
    return "/".join(pieces)
