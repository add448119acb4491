"""The import rule of the README's layout section, checked on the source.

Imports run one way: ``plugin`` -> ``components`` -> ``providers`` -> ``api``;
``emulator`` and ``policies`` import only ``api``; ``compliance`` imports ``api`` and
``policies``, ``report`` (the CLI's home) ``compliance``; ``sdk`` (generated) imports no part;
``devtools`` (development support) may import any part, and no part imports ``devtools``
or ``tests``. The module graph has
no cycle, and the job's core (``providers`` without its dynamic front end) imports
neither front end's Pulumi API. Every import counts: at the top, inside functions (the
provider-process imports) and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import rekognition_media

ROOT = Path(rekognition_media.__file__).parent
PACKAGE = "rekognition_media"

ALLOWED: dict[str, frozenset[str]] = {
    "api": frozenset(),
    "providers": frozenset({"api"}),
    "components": frozenset({"api", "providers"}),
    "plugin": frozenset({"api", "providers", "components"}),
    "emulator": frozenset({"api"}),
    "policies": frozenset({"api"}),
    "report": frozenset({"api", "providers", "compliance"}),
    # rekognition-media policy-check: reads the pack's policy objects for their metadata.
    "compliance": frozenset({"api", "policies"}),
    # Pulumi's generated SDK of the plugin (sdk/python): it reaches the plugin through the
    # engine, never by import.
    "sdk": frozenset(),
    "devtools": frozenset(
        {
            "api",
            "providers",
            "components",
            "plugin",
            "emulator",
            "policies",
            "report",
            "compliance",
        }
    ),
}
"""Part -> the parts it may import (the package's root module, ``__version__``, is free)."""

DYNAMIC_FRONT_END = frozenset(
    {
        f"{PACKAGE}.providers",  # re-exports the dynamic resource for programs
        f"{PACKAGE}.providers.job",  # the MediaAnalysisJob dynamic resource
        f"{PACKAGE}.providers.identity",  # the StackIdentity dynamic resource
        f"{PACKAGE}.providers.lanes",  # the program's provider resources for dynamic jobs
        f"{PACKAGE}.providers.lifeline",  # the dynamic provider server's engine watch
    }
)
"""The modules of ``providers`` that are the dynamic front end; the rest is the core."""
FRONT_END_APIS = ("pulumi.dynamic", "pulumi.provider", "grpc")


def _module_name(path: Path) -> str:
    parts = [PACKAGE, *path.relative_to(ROOT).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    """Every product module: the files under the package, through the parts' links."""
    found: dict[str, Path] = {}
    for part in ALLOWED:
        for path in sorted((ROOT / part).rglob("*.py")):
            found[_module_name(path)] = path
    found[PACKAGE] = ROOT / "__init__.py"
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
    if parts[0] == "tests":
        return "tests"
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


@pytest.mark.parametrize(
    "module",
    sorted(m for m in SOURCES if _part(m) in ("api", "providers") and m not in DYNAMIC_FRONT_END),
)
def test_the_core_imports_no_front_end(module: str) -> None:
    used = [
        target
        for target in GRAPH[module]
        if any(target == api or target.startswith(f"{api}.") for api in FRONT_END_APIS)
    ]
    assert not used, f"{module} (the core) imports {', '.join(used)}"


def test_the_layout_is_the_documented_one() -> None:
    # A new part (or a renamed one) must take its place in the rule above.
    linked = {p.name for p in ROOT.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert linked == set(ALLOWED)
    assert "rekognition_media.plugin.provider" in SOURCES  # the plugin is its own part
