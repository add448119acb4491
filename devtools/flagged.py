"""Jobs over labelled images in the emulator: what the report's tests and bench look at.

The emulator takes an image's moderation labels from its S3 metadata
(``emulator/moderation.py``), so :class:`LabelledImage` carries them with the image's
bytes. :func:`photo` makes JPEGs that compress like photographs (gradients and noise,
not flat colour), so thumbnail sizes in the bench are realistic. :func:`run_job` uploads
images and a manifest, runs a job and returns the finished job as GetMediaAnalysisJob
shows it.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image

from rekognition_media.api.manifest import SOURCE_REF
from rekognition_media.api.statuses import TERMINAL


@dataclass(frozen=True)
class LabelledImage:
    key: str
    body: bytes
    labels: str = ""
    """``Name:Confidence;...`` as the emulator reads it (``x-amz-meta-moderation-labels``)."""
    content_types: str = ""


def photo(width: int, height: int, seed: int, quality: int = 85) -> bytes:
    """A JPEG that compresses like a photograph, different per ``seed``.

    Gradients, a fractal and coarse noise give detail that survives scaling to a
    thumbnail (flat colour would make thumbnails unrealistically small); fine noise
    gives the full-size file a photograph's size (~160 KB at 1024x768).
    """
    size = (width, height)
    fine = Image.effect_noise(size, 20 + seed % 16)
    coarse = Image.effect_noise((max(1, width // 12), max(1, height // 12)), 70).resize(
        size, Image.Resampling.BICUBIC
    )
    shift = (seed % 7) / 10
    fractal = Image.effect_mandelbrot(size, (-2.0 + shift, -1.2, 0.8 + shift, 1.2), 40 + seed % 60)
    gradient = Image.linear_gradient("L").resize(size).rotate(seed % 360)
    red = Image.blend(gradient, coarse, 0.5)
    green = Image.blend(fractal, fine, 0.25)
    blue = Image.blend(coarse, Image.radial_gradient("L").resize(size), 0.4)
    out = io.BytesIO()
    Image.merge("RGB", (red, green, blue)).save(out, format="JPEG", quality=quality)
    return out.getvalue()


def upload(s3: Any, bucket: str, images: Iterable[LabelledImage]) -> None:
    for image in images:
        metadata = {}
        if image.labels:
            metadata["moderation-labels"] = image.labels
        if image.content_types:
            metadata["content-types"] = image.content_types
        s3.put_object(Bucket=bucket, Key=image.key, Body=image.body, Metadata=metadata)


def run_job(
    rekognition: Any,
    s3: Any,
    input_bucket: str,
    output_bucket: str,
    keys: Sequence[str],
    min_confidence: float | None = None,
    manifest_key: str = "manifests/labelled.jsonl",
    timeout: float = 120.0,
    **manifest_metadata: str,
) -> dict[str, Any]:
    """Run a job over ``keys`` (in ``input_bucket``, in this order) and wait for its end.

    ``manifest_metadata`` becomes the manifest's ``x-amz-meta-emulator-*`` hooks, e.g.
    ``duration_seconds="60"`` for a job still running when this returns (``timeout=0``).
    """
    body = "".join(json.dumps({SOURCE_REF: f"s3://{input_bucket}/{key}"}) + "\n" for key in keys)
    metadata = {f"emulator-{k.replace('_', '-')}": v for k, v in manifest_metadata.items()}
    s3.put_object(Bucket=input_bucket, Key=manifest_key, Body=body.encode(), Metadata=metadata)
    operation = {} if min_confidence is None else {"MinConfidence": min_confidence}
    job_id = rekognition.start_media_analysis_job(
        OperationsConfig={"DetectModerationLabels": operation},
        Input={"S3Object": {"Bucket": input_bucket, "Name": manifest_key}},
        OutputConfig={"S3Bucket": output_bucket, "S3KeyPrefix": "results"},
    )["JobId"]
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = rekognition.get_media_analysis_job(JobId=job_id)
        if job["Status"] in TERMINAL or time.monotonic() >= deadline:
            return job
        time.sleep(0.02)
