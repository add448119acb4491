"""Documented limits of Rekognition media analysis that the service model does not encode.

botocore's model carries the per-member constraints (see :mod:`.shapes`); these are the
quotas and content limits AWS states only in prose. Everything that enforces or reports
them (the emulator, the provider's client-side throttling) imports them from here so a
changed quota is edited once.

Sources (AWS documentation):
  [GQ]  Developer Guide, "Guidelines and quotas in Amazon Rekognition"
        (Image Bulk Analysis, and the Rekognition Image quotas for images)
  [EQ]  General Reference, "Amazon Rekognition endpoints and quotas"
  [BA]  Developer Guide, "Bulk analysis" (job retention)
  [DM]  API Reference, "DetectModerationLabels" (MinConfidence)
"""

from __future__ import annotations

from typing import Final

from .shapes import GET, LIST, START

# "MB" in the Rekognition guides is taken as MiB, as for its other byte quotas.
_MIB: Final = 1024 * 1024

# --- input manifest [GQ, Image Bulk Analysis] ---------------------------------------
MAX_MANIFEST_LINES: Final = 10_000
"""Images (JSON lines) per batch."""
MAX_MANIFEST_BYTES: Final = 50 * _MIB
"""Size of the manifest object."""

# --- images [GQ, Rekognition Image quotas, applied per manifest line] ---------------
MAX_IMAGE_BYTES: Final = 15 * _MIB
"""Size of an image stored as an S3 object."""
IMAGE_SUFFIXES: Final = (".jpg", ".jpeg", ".png")
"""The image formats Rekognition Image reads (JPEG, PNG), as object-key suffixes."""
MIN_IMAGE_SIDE_PX: Final = 80
"""Minimum height and width."""
MAX_IMAGE_SIDE_PX: Final = 10_000
"""Maximum height and width for DetectModerationLabels."""

# --- moderation [DM] -----------------------------------------------------------------
DEFAULT_MIN_CONFIDENCE: Final = 50.0
"""MinConfidence when a request has none: labels of at least 50% confidence are returned."""

# --- request rates, per account per region [EQ] --------------------------------------
START_TPS: Final = 5
LIST_TPS: Final = 5
GET_TPS: Final = 20
TPS: Final[dict[str, int]] = {START: START_TPS, GET: GET_TPS, LIST: LIST_TPS}

# --- concurrent jobs, per account per region [EQ] ------------------------------------
CONCURRENT_JOBS_BY_REGION: Final[dict[str, int]] = {
    "us-east-1": 20,
    "us-west-2": 20,
    "eu-west-1": 20,
    "us-east-2": 5,
    "ap-south-1": 5,
    "ap-northeast-2": 5,
    "ap-southeast-1": 5,
    "ap-southeast-2": 5,
    "ap-northeast-1": 5,
    "eu-central-1": 5,
    "eu-west-2": 5,
}
DEFAULT_CONCURRENT_JOBS: Final = 5
"""[UNCONFIRMED] Regions the quota page does not list get the smaller quota."""


def concurrent_jobs_limit(region: str) -> int:
    """The documented concurrent-job quota of ``region``."""
    return CONCURRENT_JOBS_BY_REGION.get(region, DEFAULT_CONCURRENT_JOBS)


# --- retention [BA] ------------------------------------------------------------------
JOB_RETENTION_SECONDS: Final = 365 * 24 * 60 * 60
"""Job details are kept one year."""
