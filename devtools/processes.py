"""Provider processes the engine started for a stack, found through ``/proc``.

The engine runs each Python dynamic provider as ``sh pulumi-resource-pulumi-python ...``,
which runs ``python -u -m pulumi.dynamic <engine address>``, and the ``rekognition-media``
plugin as its executable (or, installed from a tarball, ``python -m
rekognition_media.plugin``); all inherit the CLI's
environment, including the ``PULUMI_HOME`` ``devtools.engine`` gives every stack (under the
stack's state dir, hence under pytest's temporary directory). That is how a test, or the
session, tells its own provider processes from other users' of the machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MARKERS = (
    "pulumi.dynamic",
    "pulumi-resource-pulumi-python",
    # The rekognition-media plugin: its executable, or the module a tarball's launcher runs.
    "pulumi-resource-rekognition-media",
    "rekognition_media.plugin",
    # The pulumi-aws stand-in some policy-pack tests preview with (devtools/aws_standin.py).
    "devtools.aws_standin",
)


LANGUAGE_HOST_MARKER = "pulumi-language-"
"""Pulumi's own language hosts (``pulumi-language-yaml``). Unlike the providers they do not
exit when their engine is killed (pulumi-yaml v1.25.0 lives on, re-parented), so a test
that SIGKILLs `pulumi up` on purpose leaves one behind for the session to end."""


@dataclass(frozen=True)
class ProviderProcess:
    pid: int
    command: str
    pulumi_home: str

    def __str__(self) -> str:
        return f"pid {self.pid} ({self.command}; PULUMI_HOME={self.pulumi_home})"


def provider_processes(under: Path) -> list[ProviderProcess]:
    """Provider processes of this user whose PULUMI_HOME lies under ``under``."""
    return _processes(under, MARKERS)


def language_hosts(under: Path) -> list[ProviderProcess]:
    """Pulumi language host processes of this user whose PULUMI_HOME lies under ``under``."""
    return _processes(under, (LANGUAGE_HOST_MARKER,))


def _processes(under: Path, markers: tuple[str, ...]) -> list[ProviderProcess]:
    found: list[ProviderProcess] = []
    root = str(under.resolve())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            if not any(marker in command for marker in markers):
                continue
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue  # gone, or another user's
        home = next(
            (v.decode()[len("PULUMI_HOME=") :] for v in environ if v.startswith(b"PULUMI_HOME=")),
            None,
        )
        if home is not None and (home == root or home.startswith(root + os.sep)):
            found.append(ProviderProcess(int(entry.name), command, home))
    return found
