"""The import rule of the README's layout section, checked on the source.

Imports run one way: ``plugin`` -> ``components`` -> ``providers`` -> ``core`` -> ``api``,
and the plugin and the report reach the job through ``core``, never ``providers`` (the
dynamic front end); ``emulator`` and ``policies`` import only ``api``; ``compliance``
imports ``api`` and ``policies``, ``report`` (the CLI's home) ``compliance``; ``sdk``
(generated) imports no part; no part imports ``devtools`` (development support, in the
checkout, not in the wheel) or ``tests``. The module graph has no cycle, and the core
(``core`` and ``api``, by folder) imports neither front end's Pulumi API. Every import counts: at
the top, inside functions (the provider-process imports) and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.layout import PACKAGE, package_dirs, parts
from tests.support import ROOT

ALLOWED: dict[str, frozenset[str]] = {
    "api": frozenset(),
    # The job's core, shared by both front ends; it knows neither.
    "core": frozenset({"api"}),
    # The dynamic front end.
    "providers": frozenset({"api", "core"}),
    "components": frozenset({"api", "core", "providers"}),
    # The plugin front end: the core, never the dynamic front end (its components' Python
    # classes create their jobs through hooks the plugin overrides).
    "plugin": frozenset({"api", "core", "components"}),
    "emulator": frozenset({"api"}),
    "policies": frozenset({"api"}),
    "report": frozenset({"api", "core", "compliance"}),
    # rekognition-media policy-check: reads the pack's policy objects for their metadata.
    "compliance": frozenset({"api", "policies"}),
    # Pulumi's generated SDK of the plugin (sdk/python): it reaches the plugin through the
    # engine, never by import.
    "sdk": frozenset(),
}
"""Part -> the parts it may import (the package's root module, ``__version__``, is free)."""

FRONT_END_APIS = ("pulumi.dynamic", "pulumi.provider", "grpc")


def _sources() -> dict[str, Path]:
    """Every product module, found where the build's package mapping puts each package."""
    found: dict[str, Path] = {}
    for package, folder in package_dirs().items():
        for path in sorted(folder.glob("*.py")):
            name = package if path.stem == "__init__" else f"{package}.{path.stem}"
            found[name] = path
    return found


SOURCES = _sources()


def _is_package(name: str) -> bool:
    return SOURCES.get(name, Path()).name == "__init__.py"


def _imports(name: str, path: Path) -> Iterator[str]:
    """The modules ``name`` imports, absolute; ``from x import y`` counts ``x.y`` when
    ``y`` is a module."""
    package = name if _is_package(name) else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            submodules = [
                f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in SOURCES
            ]
            # `from . import client` imports the module client, not the package's __init__.
            if len(submodules) < len(node.names) or node.module:
                yield target
            yield from submodules


def _part(module: str) -> str | None:
    """The part a module of this package belongs to; None for other distributions."""
    parts = module.split(".")
    if parts[0] in ("tests", "devtools"):
        return parts[0]  # the checkout's: no part may import them
    if parts[0] != PACKAGE:
        return None
    return parts[1] if len(parts) > 1 else ""


GRAPH = {name: sorted(set(_imports(name, path))) for name, path in SOURCES.items()}


@pytest.mark.parametrize("module", sorted(SOURCES))
def test_imports_run_one_way(module: str) -> None:
    here = _part(module)
    assert here is not None
    wrong = []
    for target in GRAPH[module]:
        there = _part(target)
        if there is None or there == "" or there == here:
            continue
        if here == "" or there not in ALLOWED.get(here, frozenset()):
            wrong.append(f"{module} imports {target} ({here or 'the root'} -> {there})")
    assert not wrong, "\n".join(wrong)


def test_the_module_graph_has_no_cycle() -> None:
    internal = {m: [t for t in targets if t in SOURCES and t != m] for m, targets in GRAPH.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []
    cycles: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in internal[module]:
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(internal):
        if module not in state:
            visit(module)
    assert not cycles, "\n".join(cycles)


@pytest.mark.parametrize("module", sorted(m for m in SOURCES if _part(m) in ("api", "core")))
def test_the_core_imports_no_front_end(module: str) -> None:
    used = [
        target
        for target in GRAPH[module]
        if any(target == api or target.startswith(f"{api}.") for api in FRONT_END_APIS)
    ]
    assert not used, f"{module} (the core) imports {', '.join(used)}"


def test_the_layout_is_the_documented_one() -> None:
    # A new part (or a renamed one) must take its place in the rule above.
    assert set(parts()) == set(ALLOWED)
    assert "rekognition_media.plugin.provider" in SOURCES  # the plugin is its own part
    # Every package folder in the checkout is one the build maps: none left out of the wheel.
    folders = {folder.resolve() for folder in package_dirs().values()}
    for part, folder in parts().items():
        unmapped = [
            init.parent
            for init in folder.rglob("__init__.py")
            if init.parent.resolve() not in folders and "__pycache__" not in init.parts
        ]
        assert not unmapped, f"{part}: packages the build does not list: {unmapped}"


def test_the_repository_holds_no_symbolic_link() -> None:
    # A checkout where links are files (Windows' default, core.symlinks=false) must work.
    tracked = subprocess.run(
        ["git", "ls-files", "--stage"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    links = [line.split("\t", 1)[1] for line in tracked if line.startswith("120000 ")]
    assert not links, f"symbolic links in the repository: {links}"


# What importing a part loads and starts, in a fresh interpreter each.
_IMPORT_PROBE = """
import importlib, json, sys, threading
importlib.import_module(sys.argv[1])
print(json.dumps({"threads": threading.active_count(), "modules": sorted(sys.modules)}))
"""


def _import_alone(module: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE, module],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    loaded: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.slow
@pytest.mark.parametrize("part", sorted(set(ALLOWED) - {"sdk"}))
def test_importing_a_part_starts_nothing(part: str) -> None:
    assert _import_alone(f"{PACKAGE}.{part}")["threads"] == 1


@pytest.mark.slow
def test_the_report_and_the_plugin_load_no_dynamic_front_end() -> None:
    report = set(_import_alone(f"{PACKAGE}.report.cli")["modules"])
    # The report reads results: neither the Pulumi SDK nor gRPC, nor the dynamic provider.
    assert not {m for m in report if m.split(".")[0] in ("pulumi", "grpc")}
    assert not {m for m in report if m.startswith(f"{PACKAGE}.providers")}
    plugin = set(_import_alone(f"{PACKAGE}.plugin.provider")["modules"])
    assert not {m for m in plugin if m.startswith(f"{PACKAGE}.providers")}
