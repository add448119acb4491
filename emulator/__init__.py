"""A local Rekognition media-analysis service on top of moto, on one HTTP endpoint.

``StartMediaAnalysisJob``, ``GetMediaAnalysisJob`` and ``ListMediaAnalysisJobs`` behave
as AWS documents it (the team's behavioural reference, rekognition-media-analysis.md);
S3, KMS, IAM, STS and every other request go to moto. See emulator/README.md.

    from rekognition_media.emulator import Emulator, EmulatorSettings

    with Emulator(EmulatorSettings(job_duration=0.5), port=0) as emu:
        rekognition = emu.client("rekognition")
"""

from __future__ import annotations

from .server import ADMIN_PREFIX, Emulator, EmulatorApp
from .settings import EmulatorSettings

__all__ = ["ADMIN_PREFIX", "Emulator", "EmulatorApp", "EmulatorSettings"]
