"""The results object, streamed image by image, for the report's grid.

The summary (``providers.summary``) has the counts; the grid needs what it leaves out:
every label of each image with its taxonomy path. The object is read in chunks and turned
into one :class:`ImageResult` at a time, so a report holds one line, never the whole file
(a job has up to 10,000 lines). A line that is not a results record becomes a
:class:`MalformedLine` with the reason, for the report to list.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rekognition_media.api.manifest import (
    DETECT_MODERATION_LABELS,
    SOURCE_REF,
    is_blank,
    split_lines,
)
from rekognition_media.providers.summary import MAX_NAME, MAX_SOURCE_REF

from .access import ReportError, explain
from .job import ObjectRef

CHUNK_BYTES = 256 * 1024
MAX_TAXONOMY_DEPTH = 3
"""The moderation taxonomy has three levels; a deeper chain in the data is a loop."""


@dataclass(frozen=True)
class Label:
    name: str
    parent: str
    level: int
    confidence: float
    path: tuple[str, ...]
    """Top-level label first, this label last (``Violence > Graphic Violence``)."""


@dataclass(frozen=True)
class ImageResult:
    line_number: int
    source_ref: str
    labels: tuple[Label, ...]
    """Labels at or above MinConfidence, most confident first."""
    content_types: tuple[tuple[str, float], ...]

    @property
    def flagged(self) -> bool:
        return bool(self.labels)

    @property
    def top_confidence(self) -> float:
        return self.labels[0].confidence if self.labels else 0.0


@dataclass(frozen=True)
class MalformedLine:
    line_number: int
    reason: str


def stream_lines(s3: Any, results: ObjectRef) -> Iterator[tuple[int, bytes | None]]:
    """``(line_number, line)`` of the results object, read in chunks (``None``: too long)."""
    try:
        body = s3.get_object(**results.get_kwargs())["Body"]
    except Exception as error:
        raise ReportError(explain(error, "s3:GetObject", results.uri)) from None
    try:
        yield from split_lines(body.iter_chunks(CHUNK_BYTES))
    except ReportError:
        raise
    except Exception as error:
        raise ReportError(f"reading {results.uri} failed midway: {error}") from None
    finally:
        body.close()


def images(
    lines: Iterable[tuple[int, bytes | None]],
    min_confidence: float,
    parents: Mapping[str, str],
) -> Iterator[ImageResult | MalformedLine]:
    """Each non-blank line as an image or a malformed line, in the file's order.

    ``parents`` (label -> parent label, from the summary's labels) completes taxonomy
    paths whose ancestors are not among an image's own labels.
    """
    for number, line in lines:
        if line is not None and is_blank(line):
            continue
        if line is None:
            yield MalformedLine(number, "the line is longer than 1 MiB")
            continue
        try:
            yield _image(number, line, min_confidence, parents)
        except ValueError as error:
            yield MalformedLine(number, str(error))


def _image(
    number: int, line: bytes, min_confidence: float, parents: Mapping[str, str]
) -> ImageResult:
    try:
        record = json.loads(line)
    except (UnicodeDecodeError, ValueError):
        raise ValueError("the line is not valid JSON") from None
    if not isinstance(record, dict) or not isinstance(record.get(SOURCE_REF), str):
        raise ValueError(f'the line has no string "{SOURCE_REF}"')
    # The summary's limits, so the grid shows exactly the images the summary counts.
    if len(record[SOURCE_REF]) > MAX_SOURCE_REF:
        raise ValueError(f'"{SOURCE_REF}" is longer than {MAX_SOURCE_REF} characters')
    response = record.get(DETECT_MODERATION_LABELS)
    if not isinstance(response, dict):
        raise ValueError(f'the line has no "{DETECT_MODERATION_LABELS}" object')
    raw_labels = response.get("ModerationLabels") or []
    raw_types = response.get("ContentTypes") or []
    if not isinstance(raw_labels, list) or not isinstance(raw_types, list):
        raise ValueError("ModerationLabels and ContentTypes must be lists")
    own = [_label_fields(raw) for raw in raw_labels]
    family = {**parents, **{name: parent for name, parent, _, _ in own}}
    labels = sorted(
        (
            Label(name, parent, level, confidence, _path(name, family))
            for name, parent, level, confidence in own
            if confidence >= min_confidence
        ),
        key=lambda label: (-label.confidence, label.level, label.name),
    )
    content_types = tuple(
        (str(raw.get("Name", ""))[:MAX_NAME], _confidence(raw))
        for raw in raw_types
        if isinstance(raw, dict)
    )
    return ImageResult(number, record[SOURCE_REF], tuple(labels), content_types)


def _label_fields(raw: Any) -> tuple[str, str, int, float]:
    if not isinstance(raw, dict) or not isinstance(raw.get("Name"), str) or not raw["Name"]:
        raise ValueError("a moderation label without a string Name")
    if len(raw["Name"]) > MAX_NAME:
        raise ValueError(f"a moderation label has a Name longer than {MAX_NAME} characters")
    level = raw.get("TaxonomyLevel", 1)
    if not isinstance(level, int) or isinstance(level, bool):
        raise ValueError(f"label {raw['Name']!r}: TaxonomyLevel is not an integer")
    parent = raw.get("ParentName") or ""
    return raw["Name"], str(parent), level, _confidence(raw)


def _confidence(raw: Mapping[str, Any]) -> float:
    value = raw.get("Confidence")
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or not 0 <= value <= 100
    ):
        raise ValueError(f"{raw.get('Name')!r}: Confidence is not a number 0..100")
    return float(value)


def _path(name: str, parents: Mapping[str, str]) -> tuple[str, ...]:
    path = [name]
    while len(path) < MAX_TAXONOMY_DEPTH and parents.get(path[-1]):
        path.append(parents[path[-1]])
    return tuple(reversed(path))
