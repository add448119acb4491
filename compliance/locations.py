"""From a resource's recorded registration to the file and line of the user's program.

The engine records, per resource, a ``sourcePosition`` and the ``stackTrace`` of its
registration as ``project:///<path relative to the project>#<line>``. Neither is the
user's line as is:

- Python: the SDK's position is the frame that called the concrete resource class, which
  for our dynamic ``MediaAnalysisJob`` is this package's own constructor
  (``providers/job.py``), and for a component's children the component's code. The
  user's line is the first frame of the trace outside this package and the Pulumi SDKs.
- YAML: pulumi-yaml (v1.25.0) records a position in its own Go source for every resource,
  so the resource is found by its name, a key under ``resources:`` of the program file.

Other languages get the recorded position when it lies in the project, else no line. A
resource without a line points at its nearest ancestor (the parent URN chain) with one.
"""

from __future__ import annotations

import importlib.util
import subprocess
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

import rekognition_media


@dataclass(frozen=True)
class Location:
    path: Path  # absolute
    line: int

    def relative_to(self, root: Path) -> str:
        try:
            return self.path.relative_to(root).as_posix()
        except ValueError:
            return self.path.as_posix()


def repository_root(project_dir: Path) -> Path:
    """The git root of the project directory, else the directory itself."""
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=project_dir,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:  # no git
        return project_dir.resolve()
    if found.returncode == 0 and found.stdout.strip():
        return Path(found.stdout.strip()).resolve()
    return project_dir.resolve()


def parse_position(position: str | None, project_root: Path) -> Location | None:
    """``project:///main.py#12,5`` -> the absolute file and the line; None if unusable."""
    if not position:
        return None
    parsed = urllib.parse.urlparse(position)
    line_text = parsed.fragment.split(",", 1)[0]
    if parsed.scheme not in ("project", "file") or not line_text.isdigit():
        return None
    path = urllib.parse.unquote(parsed.path)
    if parsed.scheme == "project":
        resolved = (project_root / path.lstrip("/")).resolve()
    else:
        resolved = Path(path).resolve()
    return Location(resolved, int(line_text))


# The parts whose code declares resources for a user's program: a frame in them is ours, and
# the user's line is the frame that called into them.
_DECLARING_PARTS = ("components", "providers", "sdk", "plugin")


def _ours() -> tuple[Path, ...]:
    """Where this package's declaring code lives (each part is its own folder)."""
    dirs = {Path(rekognition_media.__file__).parent.resolve()}
    for part in _DECLARING_PARTS:
        spec = importlib.util.find_spec(f"{rekognition_media.__name__}.{part}")
        if spec is not None and spec.origin is not None:
            dirs.add(Path(spec.origin).parent.resolve())
    return tuple(dirs)


def _is_library(path: Path, ours: tuple[Path, ...]) -> bool:
    if any(path.is_relative_to(directory) for directory in ours):
        return True
    parts = path.parts
    for index, part in enumerate(parts[:-1]):
        if part in ("site-packages", "dist-packages"):
            following = parts[index + 1]
            return following == "pulumi" or following.startswith("pulumi_")
    return False


class Locator:
    """Finds the user's line of each resource of one preview."""

    def __init__(
        self,
        project_root: Path,
        runtime: str,
        program_file: Path | None,
        states: Mapping[str, Mapping[str, Any]],
    ) -> None:
        self.project_root = project_root
        self.runtime = runtime
        self.program_file = program_file
        self.states = states
        self._ours = _ours()
        self._yaml_keys = _resource_keys(program_file) if runtime == "yaml" else {}

    def own(self, urn: str) -> Location | None:
        """The resource's own line, without looking at its ancestors."""
        state = self.states.get(urn) or {}
        if self.runtime == "yaml":
            line = self._yaml_keys.get(urn_name(urn))
            return Location(self.program_file, line) if line and self.program_file else None
        frames = [frame.get("sourcePosition") for frame in state.get("stackTrace") or ()]
        if not frames:
            frames = [state.get("sourcePosition")]
        for frame in frames:
            location = parse_position(frame, self.project_root)
            if location is None:
                continue
            if self.runtime == "python" and _is_library(location.path, self._ours):
                continue
            if not location.path.is_relative_to(self.project_root) and self.runtime != "python":
                continue  # a language host's own source, as pulumi-yaml's
            return location
        return None

    def find(self, urn: str | None) -> Location | None:
        """The resource's line, else its nearest ancestor's."""
        seen: set[str] = set()
        while urn and urn not in seen:
            seen.add(urn)
            location = self.own(urn)
            if location is not None:
                return location
            urn = (self.states.get(urn) or {}).get("parent")
        return None


def urn_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def urn_type(urn: str) -> str:
    parts = urn.split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""


def _resource_keys(program_file: Path | None) -> dict[str, int]:
    """Resource name -> the 1-based line of its key under ``resources:``."""
    if program_file is None or not program_file.is_file():
        return {}
    try:
        root = yaml.compose(program_file.read_text())
    except yaml.YAMLError:
        return {}
    if not isinstance(root, yaml.MappingNode):
        return {}
    for key, value in root.value:
        if key.value == "resources" and isinstance(value, yaml.MappingNode):
            return {name.value: name.start_mark.line + 1 for name, _ in value.value}
    return {}
