"""A local Rekognition media-analysis service on top of moto, on one HTTP endpoint.

``StartMediaAnalysisJob``, ``GetMediaAnalysisJob`` and ``ListMediaAnalysisJobs`` behave
as the AWS documentation describes them (API Reference and Developer Guide, "Bulk
analysis"); S3, KMS, IAM, STS and every other request go to moto. See emulator/README.md.

    from rekognition_media.emulator import Emulator, EmulatorSettings

    with Emulator(EmulatorSettings(job_duration=0.5), port=0) as emu:
        rekognition = emu.client("rekognition")
"""

from __future__ import annotations

import importlib
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

from rekognition_media import DISTRIBUTION

from .settings import EmulatorSettings

if TYPE_CHECKING:
    from .admin import ADMIN_PREFIX
    from .server import Emulator
    from .urls import EmulatorApp

__all__ = ["ADMIN_PREFIX", "Emulator", "EmulatorApp", "EmulatorSettings"]

MISSING_EXTRA = (
    "the Rekognition emulator runs on moto and its server, which come with the emulator "
    f"extra: pip install '{DISTRIBUTION}[emulator]'"
)
_SERVED_BY = {"Emulator": ".server", "EmulatorApp": ".urls", "ADMIN_PREFIX": ".admin"}


def missing_extra() -> str | None:
    """Why the emulator cannot run here (its extra is not installed), or None."""
    return MISSING_EXTRA if find_spec("moto") is None else None


def __getattr__(name: str) -> Any:
    # A stack's install has no moto: the package imports, and using the emulator says
    # which extra it needs rather than failing on an import of moto.
    if name not in _SERVED_BY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    problem = missing_extra()
    if problem is not None:
        raise ModuleNotFoundError(problem, name="moto")
    return getattr(importlib.import_module(_SERVED_BY[name], __name__), name)
