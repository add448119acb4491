"""Run a Pulumi program directory through the real Pulumi CLI, offline and isolated.

The CLI is the one ``scripts/pulumi-cli.sh`` provides in a checkout (built from Pulumi's
Go modules), or any directory named by ``PULUMI_CLI_DIR``. Pulumi's Python language host
is not obtainable there, so the program (``__main__.py`` of the directory) runs through the
Automation API's inline-program mode: the pulumi Python SDK serves the language runtime in
this process and the real ``pulumi`` binary drives the engine, the dynamic-provider plugin
and policy packs exactly as ``pulumi up`` does.

Every stack gets its own file backend and PULUMI_HOME under ``state_dir``; every command
is non-interactive with no update check and no plugin download. A failing step raises
``CommandError`` carrying the CLI's full output. The tests, the quickstart and the
benchmarks all run their stacks this way.
"""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

REPO_ROOT = Path(__file__).resolve().parents[1]
"""The checkout this module runs from (editable installs); holds scripts/pulumi-cli.sh."""
PASSPHRASE = "rekognition-media-local-backend"
"""The default passphrase of a stack's secrets. Each stack lives in its own throwaway
file backend, so it protects nothing; it only has to stay the same for the stack."""


class CLINotAvailable(RuntimeError):
    pass


def cli_bin_dir(policy_packs: bool = False) -> Path:
    """The directory holding ``pulumi`` and its helper plugins (never skipped: fails loudly).

    ``policy_packs``: the CLI that can run Python policy packs here (pinned in
    .pulumi-policy-cli-version; scripts/pulumi-cli.sh says why it is not the main pin).
    """
    variable = "PULUMI_POLICY_CLI_DIR" if policy_packs else "PULUMI_CLI_DIR"
    given = os.environ.get(variable)
    if given:
        return Path(given)
    script = REPO_ROOT / "scripts" / "pulumi-cli.sh"
    if not script.is_file():
        raise CLINotAvailable(
            f"no {script} (not a checkout): set {variable} to the directory of `pulumi`"
        )
    args = [str(script), "--policy-packs"] if policy_packs else [str(script)]
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CLINotAvailable(
            f"scripts/pulumi-cli.sh could not provide the Pulumi CLI:\n{result.stderr}"
        )
    return Path(result.stdout.strip().splitlines()[-1])


def cli_version(bin_dir: Path) -> str:
    return subprocess.run(
        [str(bin_dir / "pulumi"), "version"], capture_output=True, text=True, check=True
    ).stdout.strip()


def offline_env(bin_dir: Path, state_dir: Path, passphrase: str = PASSPHRASE) -> dict[str, str]:
    """The environment that keeps every Pulumi command offline and non-interactive."""
    return {
        "PULUMI_HOME": str(state_dir / "home"),
        "PULUMI_BACKEND_URL": f"file://{state_dir / 'backend'}",
        "PULUMI_CONFIG_PASSPHRASE": passphrase,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_SKIP_CONFIRMATIONS": "true",
        # Dynamic providers and policy packs run in this interpreter's environment,
        # where the package is installed (inline programs set no virtualenv option).
        "PULUMI_PYTHON_CMD": sys.executable,
        "PATH": f"{bin_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}"
        + os.environ.get("PATH", ""),
    }


@dataclass
class EngineStack:
    """One stack of one program directory, in its own backend."""

    program_dir: Path
    state_dir: Path
    bin_dir: Path
    stack_name: str = "test"
    env: Mapping[str, str] = field(default_factory=dict)
    config: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    passphrase: str = PASSPHRASE
    outputs_seen: list[str] = field(default_factory=list)
    echo: bool = False
    """Also print each line the engine writes, as it comes (``devtools.run``: a test that
    runs a command in another process waits on its output)."""

    def __post_init__(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        (self.state_dir / "backend").mkdir(exist_ok=True)
        project = yaml.safe_load((self.program_dir / "Pulumi.yaml").read_text())
        self.project_name: str = project["name"]
        workspace_dir = self.state_dir / "workspace"
        workspace_dir.mkdir(exist_ok=True)
        self.stack = auto.create_or_select_stack(
            stack_name=self.stack_name,
            project_name=self.project_name,
            program=self._program,
            opts=auto.LocalWorkspaceOptions(
                work_dir=str(workspace_dir),
                pulumi_home=str(self.state_dir / "home"),
                pulumi_command=auto.PulumiCommand(root=str(self.bin_dir.parent)),
                env_vars={**offline_env(self.bin_dir, self.state_dir, self.passphrase), **self.env},
                project_settings=auto.ProjectSettings(
                    name=self.project_name,
                    runtime="python",
                    backend=auto.ProjectBackend(url=f"file://{self.state_dir / 'backend'}"),
                ),
                secrets_provider="passphrase",
            ),
        )
        for key, value in self.config.items():
            self.stack.set_config(key, auto.ConfigValue(value))
        for key, value in self.secrets.items():
            self.stack.set_config(key, auto.ConfigValue(value, secret=True))

    def _program(self) -> None:
        # What the language host does: run __main__.py as the main module, importable
        # siblings on sys.path.
        sys.path.insert(0, str(self.program_dir))
        try:
            runpy.run_path(str(self.program_dir / "__main__.py"), run_name="__main__")
        finally:
            sys.path.remove(str(self.program_dir))

    def _collect(self, line: str) -> None:
        self.outputs_seen.append(line)
        if self.echo:
            print(line, flush=True)

    def up(self, **kwargs: Any) -> auto.UpResult:
        return self.stack.up(on_output=self._collect, color="never", **kwargs)

    def preview(self, **kwargs: Any) -> auto.PreviewResult:
        return self.stack.preview(on_output=self._collect, color="never", **kwargs)

    def refresh(self, **kwargs: Any) -> auto.RefreshResult:
        return self.stack.refresh(on_output=self._collect, color="never", **kwargs)

    def destroy(self, **kwargs: Any) -> auto.DestroyResult:
        return self.stack.destroy(on_output=self._collect, color="never", **kwargs)

    def outputs(self) -> dict[str, Any]:
        return {key: value.value for key, value in self.stack.outputs().items()}

    def export(self) -> dict[str, Any]:
        """The stack's state as ``pulumi stack export`` writes it."""
        deployment = self.stack.export_stack()
        return {"version": deployment.version, "deployment": deployment.deployment}

    def export_text(self, show_secrets: bool = False) -> str:
        """``pulumi stack export`` output, optionally with secrets decrypted."""
        if not show_secrets:
            return json.dumps(self.export())
        command = [str(self.bin_dir / "pulumi"), "stack", "export", "--show-secrets"]
        command += ["--stack", self.stack_name, "--non-interactive"]
        result = subprocess.run(
            command,
            cwd=self.state_dir / "workspace",
            env={
                **os.environ,
                **offline_env(self.bin_dir, self.state_dir, self.passphrase),
                **self.env,
            },
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"pulumi stack export failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def spec(self) -> dict[str, Any]:
        """What ``devtools.run`` needs to run this stack in another process."""
        return {
            "program_dir": str(self.program_dir),
            "state_dir": str(self.state_dir),
            "bin_dir": str(self.bin_dir),
            "stack_name": self.stack_name,
            "env": dict(self.env),
            "config": dict(self.config),
            "passphrase": self.passphrase,
        }

    def resources(self, type_: str | None = None) -> list[dict[str, Any]]:
        found = self.export()["deployment"].get("resources", [])
        return [r for r in found if type_ is None or r["type"] == type_]

    def cancel(self) -> None:
        """Release the lock a killed ``pulumi`` process left on the stack."""
        self.stack.cancel()


StackFactory = Callable[..., EngineStack]
"""Makes an ``EngineStack`` of a program directory: ``make(program_dir, name, **fields)``."""


def write_program(root: Path, name: str, source: str) -> Path:
    """A program directory named ``name`` with ``source`` as its ``__main__.py``."""
    program = root / name
    program.mkdir(parents=True, exist_ok=True)
    (program / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
    (program / "__main__.py").write_text(source)
    return program
