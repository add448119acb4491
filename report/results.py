"""The results object, streamed image by image, for the report's grid.

The summary (``core.summary``) has the counts; the grid needs what it leaves out:
every label of each image with its taxonomy path. The object is read in chunks and turned
into one :class:`ImageResult` at a time, so a report holds one line, never the whole file
(a job has up to 10,000 lines). A line that is not a results record becomes a
:class:`MalformedLine` with the reason, for the report to list.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rekognition_media.api.manifest import is_blank, parse_result_line, split_lines

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
    job_id: str | None = None
    """The shard's JobId when the report covers several jobs (the line is that job's)."""


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
    # The summary's parser, so the grid shows exactly the images the summary counts.
    result = parse_result_line(line)
    family = {**parents, **{label.name: label.parent_name for label in result.moderation_labels}}
    labels = sorted(
        (
            Label(
                label.name,
                label.parent_name,
                label.taxonomy_level,
                label.confidence,
                _path(label.name, family),
            )
            for label in result.moderation_labels
            if label.confidence >= min_confidence
        ),
        key=lambda label: (-label.confidence, label.level, label.name),
    )
    content_types = tuple((content.name, content.confidence) for content in result.content_types)
    return ImageResult(number, result.source_ref, tuple(labels), content_types)


def _path(name: str, parents: Mapping[str, str]) -> tuple[str, ...]:
    path = [name]
    while len(path) < MAX_TAXONOMY_DEPTH and parents.get(path[-1]):
        path.append(parents[path[-1]])
    return tuple(reversed(path))
