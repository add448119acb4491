"""File formats of media analysis jobs: input manifest, results and manifest summary.

Everything that writes or reads them shares this module: the example stack, the
components and the development tools write input manifests (:func:`manifest_jsonl`); the
emulator reads manifests and writes results and summaries; the provider reads a finished
job's manifest summary (:func:`parse_summary`, for ``manifest_statistics``) and so does
the quickstart. Formats follow the Developer Guide ("Processing images
in bulk", "Bulk analysis output manifests"); where the guide is silent the choice is
marked [UNCONFIRMED] and documented in emulator/README.md.

- Input manifest: JSON Lines, one ``{"source-ref": "s3://bucket/key"}`` object per line.
- Results: JSON Lines, ``{"source-ref": ..., "detect-moderation-labels": {...}}``.
- Summary: one JSON object ``{"version", "statistics", "errors"}``; the guide spells the
  error key ``line-numer``, so :func:`parse_summary` accepts it and ``line-number``.
- Output layout: a job's files are under :func:`job_output_prefix` of its output bucket
  (the emulator writes there; a destroy deletes nothing outside it).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Final

SOURCE_REF: Final = "source-ref"
DETECT_MODERATION_LABELS: Final = "detect-moderation-labels"
SUMMARY_VERSION: Final = "1.0"

LINE_NUMBER_KEY: Final = "line-number"
DOCUMENTED_LINE_NUMBER_KEY: Final = "line-numer"
"""The spelling the Developer Guide's example uses (probably a typo, but the only evidence)."""
LINE_NUMBER_KEYS: Final = (LINE_NUMBER_KEY, DOCUMENTED_LINE_NUMBER_KEY)

MAX_LINE_BYTES: Final = 1024 * 1024
"""[UNCONFIRMED] Longer lines are reported invalid without being buffered: a line only
needs a source-ref (an S3 key is at most 1024 bytes), and the cap keeps a reader's
memory bounded whatever the manifest holds."""


class LineErrorCode:
    """``code`` values of summary errors [UNCONFIRMED: AWS documents none].

    Image problems use the exception DetectModerationLabels raises for that image;
    manifest-line problems have their own names.
    """

    INVALID_JSON_LINE: Final = "InvalidJsonLine"
    INVALID_SOURCE_REF: Final = "InvalidSourceRef"
    INVALID_S3_OBJECT: Final = "InvalidS3ObjectException"
    INVALID_IMAGE_FORMAT: Final = "InvalidImageFormatException"
    IMAGE_TOO_LARGE: Final = "ImageTooLargeException"
    INVALID_PARAMETER: Final = "InvalidParameterException"


# --- S3 URIs -------------------------------------------------------------------------


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def parse_s3_uri(uri: str) -> S3Location:
    """``s3://bucket/key`` -> location; ``ValueError`` unless both parts are present."""
    if not uri.startswith("s3://"):
        raise ValueError(f"not an s3:// URI: {uri!r}")
    bucket, sep, key = uri[len("s3://") :].partition("/")
    if not bucket or not sep or not key:
        raise ValueError(f"S3 URI needs a bucket and a key: {uri!r}")
    return S3Location(bucket, key)


# --- output layout -------------------------------------------------------------------


def output_directory(s3_key_prefix: str | None) -> str:
    """``OutputConfig.S3KeyPrefix`` as the key prefix a job writes under: one '/' added
    unless it already ends with one, and empty for an empty or absent prefix, so "out" and
    "out/" lay out alike [UNCONFIRMED: AWS documents no key names]."""
    raw = s3_key_prefix or ""
    return raw if not raw or raw.endswith("/") else raw + "/"


def job_output_prefix(s3_key_prefix: str | None, job_id: str) -> str:
    """The key prefix of one job's own outputs: ``<S3KeyPrefix>/<JobId>/`` (see
    :func:`output_directory`); its results and summary files are under it."""
    return f"{output_directory(s3_key_prefix)}{job_id}/"


# --- input manifest ------------------------------------------------------------------


@dataclass(frozen=True)
class ManifestLine:
    """A line that parsed: its 1-based line number and the image it names."""

    line_number: int
    source_ref: str
    location: S3Location


@dataclass(frozen=True)
class LineError:
    """One invalid line, as listed in the summary's ``errors``."""

    line_number: int
    code: str
    message: str
    source_ref: str | None = None

    def to_json(self, line_number_key: str = LINE_NUMBER_KEY) -> dict[str, Any]:
        entry: dict[str, Any] = {line_number_key: self.line_number}
        if self.source_ref is not None:
            entry[SOURCE_REF] = self.source_ref
        entry["code"] = self.code
        entry["message"] = self.message
        return entry


def split_lines(
    chunks: Iterable[bytes], max_line_bytes: int = MAX_LINE_BYTES
) -> Iterator[tuple[int, bytes | None]]:
    """Split a byte stream into ``(line_number, line)``; ``line`` is None when too long.

    Works chunk by chunk, so memory is bounded by the chunk size plus one line. Line
    numbers are 1-based and count every physical line, blank ones included, so an error
    points at the line a person sees in an editor. A final newline ends the last line
    rather than starting an empty one.
    """
    pending = bytearray()
    overflow = False
    number = 0
    for chunk in chunks:
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            if end < 0:
                if not overflow:
                    pending += chunk[start:]
                    if len(pending) > max_line_bytes:
                        overflow = True
                        pending.clear()
                break
            number += 1
            if overflow or len(pending) + (end - start) > max_line_bytes:
                yield number, None
            else:
                pending += chunk[start:end]
                yield number, bytes(pending)
            pending.clear()
            overflow = False
            start = end + 1
    if pending or overflow:
        number += 1
        yield number, None if overflow else bytes(pending)


def is_blank(line: bytes) -> bool:
    """[UNCONFIRMED] Blank lines are skipped: neither counted nor listed as errors."""
    return not line.strip()


def parse_line(line: bytes | None, line_number: int) -> ManifestLine | LineError:
    """Parse one manifest line (None = over :data:`MAX_LINE_BYTES`).

    Extra keys are allowed, as in SageMaker Ground Truth manifests [UNCONFIRMED].
    """
    if line is None:
        return LineError(
            line_number,
            LineErrorCode.INVALID_JSON_LINE,
            f"The line exceeds the maximum length of {MAX_LINE_BYTES} bytes.",
        )
    if line_number == 1 and line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    try:
        data = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return LineError(
            line_number, LineErrorCode.INVALID_JSON_LINE, "The line is not valid JSON."
        )
    if not isinstance(data, dict):
        return LineError(
            line_number, LineErrorCode.INVALID_JSON_LINE, "The line is not a JSON object."
        )
    source_ref = data.get(SOURCE_REF)
    if not isinstance(source_ref, str):
        return LineError(
            line_number,
            LineErrorCode.INVALID_SOURCE_REF,
            f'The line has no string "{SOURCE_REF}" member.',
        )
    try:
        location = parse_s3_uri(source_ref)
    except ValueError:
        return LineError(
            line_number,
            LineErrorCode.INVALID_SOURCE_REF,
            f'"{SOURCE_REF}" must be an S3 URI of the form s3://bucket/key.',
            source_ref,
        )
    return ManifestLine(line_number, source_ref, location)


def manifest_jsonl(bucket: str, keys: Iterable[str]) -> str:
    """The input manifest of images in ``bucket``: one ``{"source-ref": "s3://bucket/key"}``
    per line, in the order given."""
    lines = [json.dumps({SOURCE_REF: f"s3://{bucket}/{key}"}) for key in keys]
    if not lines:
        raise ValueError("manifest_jsonl: got no keys, a manifest lists at least one image")
    return "\n".join(lines) + "\n"


# --- results -------------------------------------------------------------------------


def result_line(
    source_ref: str,
    moderation_labels: Sequence[Mapping[str, Any]],
    content_types: Sequence[Mapping[str, Any]],
    model_version: str,
    project_version: str | None = None,
) -> dict[str, Any]:
    """One results line: the image and its DetectModerationLabels response."""
    response: dict[str, Any] = {
        "ModerationLabels": [dict(label) for label in moderation_labels],
        "ModerationModelVersion": model_version,
        "ContentTypes": [dict(content_type) for content_type in content_types],
    }
    if project_version is not None:
        response["ProjectVersion"] = project_version
    return {SOURCE_REF: source_ref, DETECT_MODERATION_LABELS: response}


def dumps_line(obj: Mapping[str, Any]) -> bytes:
    """Serialize one JSON Lines record, newline included."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n"


MAX_SOURCE_REF: Final = 5 + 255 + 1 + 1024
"""``s3://`` + bucket (at most 255) + ``/`` + key (at most 1024): a longer source-ref is
not an image of a manifest (and would bloat a stack's outputs)."""
MAX_NAME: Final = 256
"""Longest label or content type name taken (the model's names are a few words)."""


@dataclass(frozen=True)
class ModerationLabel:
    name: str
    confidence: float
    parent_name: str
    """``""`` for a top-level label."""
    taxonomy_level: int


@dataclass(frozen=True)
class ContentType:
    name: str
    confidence: float


@dataclass(frozen=True)
class ResultLine:
    source_ref: str
    moderation_labels: tuple[ModerationLabel, ...]
    content_types: tuple[ContentType, ...]
    model_version: str | None
    project_version: str | None = None


def parse_result_line(line: str | bytes | None) -> ResultLine:
    """One results line, checked against the documented format; ``ValueError`` says what
    is wrong (``None``: a line longer than :data:`MAX_LINE_BYTES`). Results are data
    anyone with write access to the bucket could have changed, so every reader (the job's
    summary, the report, the emulator's tests) takes exactly the lines this accepts."""
    if line is None:
        raise ValueError("the line is longer than the results format allows")
    try:
        data = json.loads(line)
    except (UnicodeDecodeError, ValueError):
        raise ValueError("the line is not valid JSON") from None
    if not isinstance(data, dict):
        raise ValueError("the line is not a JSON object")
    source_ref = data.get(SOURCE_REF)
    if not isinstance(source_ref, str) or not source_ref:
        raise ValueError(f'the line has no "{SOURCE_REF}" string')
    if len(source_ref) > MAX_SOURCE_REF:
        raise ValueError(f'"{SOURCE_REF}" is longer than {MAX_SOURCE_REF} characters')
    response = data.get(DETECT_MODERATION_LABELS)
    if not isinstance(response, dict):
        raise ValueError(f'the line has no "{DETECT_MODERATION_LABELS}" object')
    version = response.get("ModerationModelVersion")
    project = response.get("ProjectVersion")
    return ResultLine(
        source_ref=source_ref,
        moderation_labels=tuple(_label(e) for e in _entries(response, "ModerationLabels")),
        content_types=tuple(
            ContentType(_name(e, "ContentTypes"), _confidence(e, "ContentTypes"))
            for e in _entries(response, "ContentTypes")
        ),
        model_version=version if isinstance(version, str) else None,
        project_version=project if isinstance(project, str) else None,
    )


def _entries(response: Mapping[str, Any], member: str) -> list[Any]:
    value = response.get(member)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{member} is not a list")
    return value


def _label(entry: Any) -> ModerationLabel:
    name = _name(entry, "ModerationLabels")
    parent = entry.get("ParentName") or ""
    level = entry.get("TaxonomyLevel", 1)
    if not isinstance(parent, str) or not isinstance(level, int) or isinstance(level, bool):
        raise ValueError(f"label {name!r} has a malformed ParentName or TaxonomyLevel")
    return ModerationLabel(name, _confidence(entry, "ModerationLabels"), parent, level)


def _name(entry: Any, member: str) -> str:
    name = entry.get("Name") if isinstance(entry, dict) else None
    if not isinstance(name, str) or not name:
        raise ValueError(f"an entry of {member} has no Name")
    if len(name) > MAX_NAME:
        raise ValueError(f"an entry of {member} has a Name longer than {MAX_NAME} characters")
    return name


def _confidence(entry: Mapping[str, Any], member: str) -> float:
    value = entry.get("Confidence")
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or not 0 <= value <= 100
    ):
        raise ValueError(f"{member} {entry.get('Name')!r} has no Confidence between 0 and 100")
    return float(value)


# --- manifest summary ----------------------------------------------------------------


@dataclass(frozen=True)
class SummaryStatistics:
    total: int = 0
    valid: int = 0
    invalid: int = 0

    def to_json(self) -> dict[str, int]:
        return {
            "total-json-lines": self.total,
            "valid-json-lines": self.valid,
            "invalid-json-lines": self.invalid,
        }


@dataclass(frozen=True)
class ManifestSummary:
    statistics: SummaryStatistics
    errors: tuple[LineError, ...] = field(default_factory=tuple)
    version: str = SUMMARY_VERSION


def build_summary(
    statistics: SummaryStatistics,
    errors: Iterable[LineError],
    line_number_key: str = LINE_NUMBER_KEY,
) -> dict[str, Any]:
    """The summary as a JSON-ready dict (for small summaries; see :func:`write_summary`)."""
    return {
        "version": SUMMARY_VERSION,
        "statistics": statistics.to_json(),
        "errors": [error.to_json(line_number_key) for error in errors],
    }


def write_summary(
    out: IO[bytes],
    statistics: SummaryStatistics,
    errors: Iterable[LineError],
    line_number_key: str = LINE_NUMBER_KEY,
) -> None:
    """Write the same JSON as :func:`build_summary`, one error at a time.

    A manifest may have 10,000 invalid lines; streaming keeps the writer's memory flat.
    """
    head = {"version": SUMMARY_VERSION, "statistics": statistics.to_json()}
    out.write(json.dumps(head, separators=(",", ":")).encode("utf-8")[:-1])
    out.write(b',"errors":[')
    for index, error in enumerate(errors):
        if index:
            out.write(b",")
        out.write(json.dumps(error.to_json(line_number_key), separators=(",", ":")).encode("utf-8"))
    out.write(b"]}")


def parse_summary(data: str | bytes | Mapping[str, Any]) -> ManifestSummary:
    """Read a manifest summary, accepting ``line-number`` and ``line-numer``.

    ``ValueError`` when the statistics are missing or not integers.
    """
    obj = json.loads(data) if isinstance(data, str | bytes) else data
    if not isinstance(obj, Mapping):
        raise ValueError("manifest summary is not a JSON object")
    stats = obj.get("statistics")
    if not isinstance(stats, Mapping):
        raise ValueError("manifest summary has no statistics")
    counts = []
    for key in ("total-json-lines", "valid-json-lines", "invalid-json-lines"):
        value = stats.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"manifest summary statistic {key!r} is not an integer")
        counts.append(value)
    errors = []
    for entry in obj.get("errors") or ():
        if not isinstance(entry, Mapping):
            raise ValueError("manifest summary error entry is not an object")
        number = next((entry[k] for k in LINE_NUMBER_KEYS if k in entry), None)
        if not isinstance(number, int) or isinstance(number, bool):
            raise ValueError(f"manifest summary error entry without a line number: {entry}")
        source_ref = entry.get(SOURCE_REF)
        errors.append(
            LineError(
                line_number=number,
                code=str(entry.get("code", "")),
                message=str(entry.get("message", "")),
                source_ref=source_ref if isinstance(source_ref, str) else None,
            )
        )
    return ManifestSummary(
        statistics=SummaryStatistics(*counts),
        errors=tuple(errors),
        version=str(obj.get("version", SUMMARY_VERSION)),
    )
