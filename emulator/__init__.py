"""A local Rekognition media-analysis service on top of moto, on one HTTP endpoint.

``StartMediaAnalysisJob``, ``GetMediaAnalysisJob`` and ``ListMediaAnalysisJobs`` behave
as the AWS documentation describes them (API Reference and Developer Guide, "Bulk
analysis"); S3, KMS, IAM, STS and every other request go to moto. See emulator/README.md.

    from rekognition_media.emulator import Emulator, EmulatorSettings

    with Emulator(EmulatorSettings(job_duration=0.5), port=0) as emu:
        rekognition = emu.client("rekognition")
"""

from __future__ import annotations

from .admin import ADMIN_PREFIX
from .server import Emulator
from .settings import EmulatorSettings
from .urls import EmulatorApp

__all__ = ["ADMIN_PREFIX", "Emulator", "EmulatorApp", "EmulatorSettings"]
