"""What a finished job found: the moderation summary of its results, read in one pass.

A job's results are a JSON Lines object (one line per analysed image, see
``rekognition_media.api.manifest``) that may hold 10,000 lines, KMS-encrypted in the
output bucket. The summary is what users and other stacks act on: how many images were
flagged (at least one moderation label at or above the job's MinConfidence), per label
how many images and the highest confidence, per content type how many images, the model
version, and the most confident flagged images.

It is computed while the object streams past (:func:`read_summary`), so memory is
bounded by the number of distinct labels and the :data:`MAX_FLAGGED` images kept, never
by the size of the results: lines are split by ``api.manifest.split_lines`` (which caps a
line's length) and the top images kept in a heap. A line that cannot be read is counted
(and the first few listed), not a crash. When the object cannot be read at all,
:class:`SummaryUnavailable` names the one missing thing: the permission (``s3:GetObject``
on the object, ``kms:Decrypt`` on its key) or the object.

The job's ``manifest_statistics`` output (the counts of the manifest summary the service
writes) is declared here too, :class:`ManifestStatistics`.

Both front ends use it through :func:`summary_output` (the job's output, and the one
line ``pulumi up`` prints: :meth:`ModerationSummary.outcome_line`).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict, Field

from rekognition_media.api import limits
from rekognition_media.api.encryption import KMS_SSE_ALGORITHMS
from rekognition_media.api.manifest import (
    SummaryStatistics,
    is_blank,
    parse_result_line,
    split_lines,
)
from rekognition_media.api.statuses import SUCCEEDED

MAX_FLAGGED: Final = 20
"""Flagged images kept in the summary (the most confident ones)."""
MAX_MALFORMED_LISTED: Final = 20
"""Malformed lines listed with their reasons (all are counted)."""
READ_CHUNK_BYTES: Final = 256 * 1024
"""Bytes asked of S3 per read while streaming the results."""
REPORT_COMMAND: Final = "rekognition-media report"
"""The command that shows a job's flagged images (see report/README.md)."""
_LINE_LABELS: Final = 4
"""Categories named in the one-line outcome; the rest are summed up as "N more"."""
# S3's ways of saying the object (or its bucket or version) is not there.
_GONE: Final = frozenset({"404", "NoSuchKey", "NoSuchBucket", "NoSuchVersion"})
_DENIED: Final = frozenset({"403", "AccessDenied", "AccessDeniedException"})
# The fields' docstrings are their descriptions (the plugin's schema shows them).
_DOCUMENTED: Final = ConfigDict(use_attribute_docstrings=True)


class LabelCount(BaseModel):
    """One moderation label: in how many images, and its highest confidence."""

    model_config = _DOCUMENTED

    name: str
    """The label, e.g. `Graphic Violence`."""
    parent_name: str
    """Its parent in the moderation taxonomy (empty at the top level)."""
    taxonomy_level: int
    """1 (top level) to 3."""
    images: int
    """Images with this label at or above MinConfidence."""
    max_confidence: float
    """The label's highest confidence in any image."""


class FlaggedImage(BaseModel):
    """A flagged image and its most confident label."""

    model_config = _DOCUMENTED

    source_ref: str
    """The image, `s3://bucket/key` as the manifest names it."""
    label: str
    """Its most confident moderation label (of equal ones, the most specific)."""
    parent_name: str
    """That label's parent in the taxonomy (empty at the top level)."""
    confidence: float
    """That label's confidence."""


class MalformedLine(BaseModel):
    """A results line that could not be read, and why."""

    model_config = _DOCUMENTED

    line_number: int
    """1-based line of the results object."""
    reason: str
    """What is wrong with it."""


class ManifestStatistics(BaseModel):
    """Line counts of the job's manifest summary: invalid lines do not fail a job."""

    # model_dump() is the job's manifest_statistics output (camelCase in the plugin).

    model_config = _DOCUMENTED

    total_json_lines: int
    """Lines of the input manifest."""
    valid_json_lines: int
    """Lines the job handled: images it analysed."""
    invalid_json_lines: int
    """Lines the job did not handle; the manifest summary lists each with why."""

    @classmethod
    def of(cls, statistics: SummaryStatistics) -> ManifestStatistics:
        return cls(
            total_json_lines=statistics.total,
            valid_json_lines=statistics.valid,
            invalid_json_lines=statistics.invalid,
        )


class ModerationSummary(BaseModel):
    """What a media analysis job found in its results."""

    # model_dump() is the job's moderation_summary output (camelCase in the plugin).

    model_config = _DOCUMENTED

    images_analysed: int
    """Images the job analysed (lines of the results)."""
    images_flagged: int
    """Images with at least one moderation label at or above MinConfidence."""
    min_confidence: float
    """The job's MinConfidence."""
    labels: list[LabelCount]
    """Per label, the images and the highest confidence; most images first, then by name."""
    categories: dict[str, int]
    """Top-level category (taxonomy level 1) -> flagged images in it; most images first,
    then the most confident."""
    content_types: dict[str, int]
    """Content type (`Animated`, `Illustrated`) -> images."""
    model_version: str | None
    """The moderation model version."""
    top_flagged: list[FlaggedImage] = Field(
        description=f"The most confident flagged images (at most {MAX_FLAGGED}), most "
        "confident first."
    )
    malformed_lines: int
    """Results lines that could not be read (counted, not fatal)."""
    malformed: list[MalformedLine] = Field(
        description=f"The first {MAX_MALFORMED_LISTED} of those lines, with why."
    )

    def to_output(self) -> dict[str, Any]:
        """The snake_case output (the plugin camelCases the keys)."""
        return self.model_dump()

    def outcome_line(self, job_id: str) -> str:
        """``2 of 3 images flagged (MinConfidence 60): Violence 1, Explicit 1 — report: ...``"""
        line = (
            f"{self.images_flagged} of {self.images_analysed} images flagged "
            f"(MinConfidence {_number(self.min_confidence)})"
        )
        if self.categories:
            named = list(self.categories.items())
            shown = named[:_LINE_LABELS]
            line += ": " + ", ".join(f"{_printable(name)} {count}" for name, count in shown)
            if len(named) > _LINE_LABELS:
                line += f", {len(named) - _LINE_LABELS} more"
        if self.malformed_lines:
            line += f"; {self.malformed_lines} results lines unreadable"
        return f"{line} — report: {REPORT_COMMAND} {job_id}"


class SummaryUnavailable(Exception):
    """The results could not be read; ``reason`` is one line naming what is missing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def summarise_lines(
    lines: Iterable[bytes | str | None], min_confidence: float
) -> ModerationSummary:
    """The summary of results lines (blank lines skipped, a ``None`` line is over-long)."""
    tally = _Tally(min_confidence)
    for number, line in enumerate(lines, start=1):
        tally.add(number, line)
    return tally.summary()


def read_summary(
    s3: Any, bucket: str, key: str, min_confidence: float, version: str | None = None
) -> ModerationSummary:
    """Stream ``s3://bucket/key`` once and summarise it; :class:`SummaryUnavailable` when
    it cannot be read (the reason names the missing permission or object)."""
    uri = f"s3://{bucket}/{key}"
    extra = {"VersionId": version} if version else {}
    try:
        body = s3.get_object(Bucket=bucket, Key=key, **extra)["Body"]
    except ClientError as error:
        raise SummaryUnavailable(_why_unreadable(s3, error, bucket, key, extra)) from None
    except BotoCoreError as error:
        raise SummaryUnavailable(f"could not read the results {uri}: {error}") from None
    tally = _Tally(min_confidence)
    try:
        for number, line in split_lines(body.iter_chunks(READ_CHUNK_BYTES)):
            tally.add(number, line)
    except (BotoCoreError, OSError) as error:
        raise SummaryUnavailable(f"reading the results {uri} broke off: {error}") from None
    finally:
        body.close()
    return tally.summary()


def job_summary(job: Mapping[str, Any], s3: Any) -> ModerationSummary | None:
    """The summary of a SUCCEEDED job's results (``None`` for a job without results).

    MinConfidence is the one the job ran with (its echoed OperationsConfig), so an
    adopted or imported job is judged by its own threshold.
    """
    s3_object = (job.get("Results") or {}).get("S3Object") or {}
    if job.get("Status") != SUCCEEDED or not s3_object.get("Bucket") or not s3_object.get("Name"):
        return None
    summary = read_summary(
        s3,
        s3_object["Bucket"],
        s3_object["Name"],
        job_min_confidence(job),
        s3_object.get("Version"),
    )
    if summary.model_version is None:
        summary.model_version = ((job.get("Results") or {}).get("ModelVersions") or {}).get(
            "Moderation"
        )
    return summary


def summary_output(
    job: Mapping[str, Any], s3: Any, report: Callable[[str], None]
) -> dict[str, Any] | None:
    """The job's ``moderation_summary`` output, its outcome ``report``ed in one line.

    Never raises: a summary that cannot be had is reported (naming the missing
    permission or object) and the output left absent -- never a failed deployment.
    """
    try:
        found = job_summary(job, s3)
    except SummaryUnavailable as unavailable:
        report(f"no moderation summary: {unavailable.reason}")
        return None
    except Exception as error:  # a summary is never worth a failed deployment
        report(f"no moderation summary: {type(error).__name__}: {error}")
        return None
    if found is None:
        return None
    report(found.outcome_line(str(job.get("JobId"))))
    return found.to_output()


def job_min_confidence(job: Mapping[str, Any]) -> float:
    """The job's MinConfidence; the service's default when its request set none."""
    operation = (job.get("OperationsConfig") or {}).get("DetectModerationLabels") or {}
    value = operation.get("MinConfidence")
    return limits.DEFAULT_MIN_CONFIDENCE if value is None else float(value)


def in_taxonomy_order(labels: list[LabelCount]) -> list[LabelCount]:
    """The labels for reading: each label followed by its children, in the summary's order
    (most images first); a child whose parent is not among them stays where it was."""
    names = {label.name for label in labels}
    children: dict[str, list[LabelCount]] = {}
    for label in labels:
        if label.parent_name in names:
            children.setdefault(label.parent_name, []).append(label)
    ordered: list[LabelCount] = []
    # An explicit stack, not recursion: untrusted results could chain labels deeper than
    # Python's recursion limit.
    stack = [label for label in reversed(labels) if label.parent_name not in names]
    while stack:
        label = stack.pop()
        ordered.append(label)
        stack.extend(reversed([c for c in children.pop(label.name, []) if c is not label]))
    # Results are untrusted: a label that is its own ancestor is listed once, at the end.
    placed = {id(label) for label in ordered}
    return ordered + [label for label in labels if id(label) not in placed]


def summary_lines(summary: ModerationSummary) -> Iterator[str]:
    """The summary as plain text (the quickstart prints it; the report command has more)."""
    yield (
        f"{summary.images_flagged} of {summary.images_analysed} images flagged "
        f"(MinConfidence {_number(summary.min_confidence)}, model {summary.model_version})"
    )
    if summary.labels:
        yield "labels (images, highest confidence):"
        for label in in_taxonomy_order(summary.labels):
            name = label.name + (f" ({label.parent_name})" if label.parent_name else "")
            name = _printable(name)
            yield f"  {name:<40} {label.images:>6} {label.max_confidence:6.1f}"
    if summary.content_types:
        types = ", ".join(
            f"{_printable(name)} {count}" for name, count in summary.content_types.items()
        )
        yield f"content types (images): {types}"
    if summary.top_flagged:
        yield "most confident flagged images:"
        for image in summary.top_flagged:
            top, ref = _printable(image.label), _printable(image.source_ref)
            yield f"  {image.confidence:5.1f}  {top:<24} {ref}"
    if summary.malformed_lines:
        yield f"{summary.malformed_lines} results line(s) could not be read:"
        for malformed in summary.malformed:
            yield f"  line {malformed.line_number}: {malformed.reason}"


# --- one pass over the lines --------------------------------------------------------


class _Tally:
    """Counts as lines arrive; holds per-label counts and a heap of :data:`MAX_FLAGGED`."""

    def __init__(self, min_confidence: float) -> None:
        self.min_confidence = float(min_confidence)
        self.analysed = 0
        self.flagged = 0
        self.labels: dict[tuple[str, str, int], list[float]] = {}  # -> [images, max]
        self.parents: dict[str, str] = {}  # label -> parent, to find a label's category
        self.categories: dict[str, list[float]] = {}  # -> [images, highest confidence]
        self.content_types: dict[str, int] = {}
        self.model_version: str | None = None
        # (confidence, -line number, source-ref, label, parent): the smallest is dropped
        # first, and of equal confidences the later line, so no tie depends on heap order.
        self.top: list[tuple[float, int, str, str, str]] = []
        self.malformed_count = 0
        self.malformed: list[MalformedLine] = []

    def add(self, number: int, line: bytes | str | None) -> None:
        if line is not None and (is_blank(line) if isinstance(line, bytes) else not line.strip()):
            return
        try:
            result = parse_result_line(line)
        except ValueError as error:
            self.malformed_count += 1
            if len(self.malformed) < MAX_MALFORMED_LISTED:
                self.malformed.append(MalformedLine(line_number=number, reason=str(error)))
            return
        self.analysed += 1
        if result.model_version is not None:
            self.model_version = result.model_version
        # An image counts once per type.
        for name in dict.fromkeys(content.name for content in result.content_types):
            self.content_types[name] = self.content_types.get(name, 0) + 1
        found = [
            label for label in result.moderation_labels if label.confidence >= self.min_confidence
        ]
        if not found:
            return
        self.flagged += 1
        best: dict[tuple[str, str, int], float] = {}
        for label in found:
            key = (label.name, label.parent_name, label.taxonomy_level)
            best[key] = max(label.confidence, best.get(key, 0.0))
            if label.parent_name:
                self.parents.setdefault(label.name, label.parent_name)
        for key, confidence in best.items():
            counted = self.labels.setdefault(key, [0, 0.0])
            counted[0] += 1
            counted[1] = max(counted[1], confidence)
        in_category: dict[str, float] = {}
        for (name, _, _), confidence in best.items():
            category = self._category(name)
            in_category[category] = max(confidence, in_category.get(category, 0.0))
        for category, confidence in in_category.items():
            counted = self.categories.setdefault(category, [0, 0.0])
            counted[0] += 1
            counted[1] = max(counted[1], confidence)
        # The top label: the most confident, and of equal ones the most specific.
        top = max(found, key=lambda label: (label.confidence, label.taxonomy_level))
        entry = (top.confidence, -number, result.source_ref, top.name, top.parent_name)
        if len(self.top) < MAX_FLAGGED:
            heapq.heappush(self.top, entry)
        elif entry[:2] > self.top[0][:2]:
            heapq.heapreplace(self.top, entry)

    def _category(self, name: str) -> str:
        """The top-level label above ``name`` (as far as the parents seen tell)."""
        seen = {name}
        while name in self.parents and self.parents[name] not in seen:
            name = self.parents[name]
            seen.add(name)
        return name

    def summary(self) -> ModerationSummary:
        labels = [
            LabelCount(
                name=name,
                parent_name=parent,
                taxonomy_level=level,
                images=int(counted[0]),
                max_confidence=counted[1],
            )
            for (name, parent, level), counted in self.labels.items()
        ]
        labels.sort(key=lambda label: (-label.images, label.name, label.taxonomy_level))
        top = sorted(self.top, key=lambda entry: entry[:2], reverse=True)
        return ModerationSummary(
            images_analysed=self.analysed,
            images_flagged=self.flagged,
            min_confidence=self.min_confidence,
            labels=labels,
            categories={
                name: int(counted[0])
                for name, counted in sorted(
                    self.categories.items(), key=lambda item: (-item[1][0], -item[1][1], item[0])
                )
            },
            content_types=_by_count(self.content_types),
            model_version=self.model_version,
            top_flagged=[
                FlaggedImage(source_ref=ref, label=name, parent_name=parent, confidence=confidence)
                for confidence, _, ref, name, parent in top
            ],
            malformed_lines=self.malformed_count,
            malformed=self.malformed,
        )


def _by_count(counts: Mapping[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _printable(text: str) -> str:
    """``text`` for a terminal: the results object is data anyone with write access to
    the bucket could have changed, so no control character reaches `pulumi up`'s output."""
    return "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in text)


def _number(value: float) -> str:
    return f"{value:g}"


# --- why the results cannot be read ---------------------------------------------------


def _why_unreadable(
    s3: Any, error: ClientError, bucket: str, key: str, extra: Mapping[str, str]
) -> str:
    """One line naming what is missing: the object, ``s3:GetObject`` or ``kms:Decrypt``.

    S3 answers a GetObject refused for the object's KMS key with AccessDenied too (or a
    ``KMS.*`` code for an unusable key). HeadObject needs ``s3:GetObject`` but not
    ``kms:Decrypt``: when it succeeds, what is missing is the key's, and it names the key.
    """
    uri = f"s3://{bucket}/{key}"
    code = str(error.response.get("Error", {}).get("Code", ""))
    message = str(error.response.get("Error", {}).get("Message", "")).rstrip(".")
    if code in _GONE:
        what = {"NoSuchBucket": f"the bucket {bucket}"}.get(code, f"the results object {uri}")
        return f"{what} does not exist ({code}): deleted since the job wrote it?"
    if code.startswith("KMS."):
        return f"cannot decrypt the results {uri}: kms:Decrypt failed: {code}: {message}"
    if code not in _DENIED:
        return f"cannot read the results {uri}: {code}: {message}"
    if "kms:" in message:
        return f"no kms:Decrypt for the results {uri}: {message}"
    object_arn = f"arn:aws:s3:::{bucket}/{key}"
    try:
        head = s3.head_object(Bucket=bucket, Key=key, **extra)
    except (ClientError, BotoCoreError):
        return f"no s3:GetObject on {object_arn} (AccessDenied reading the results)"
    key_id = head.get("SSEKMSKeyId")
    if head.get("ServerSideEncryption") in KMS_SSE_ALGORITHMS and key_id:
        return f"no kms:Decrypt on {key_id} (the key of the results {uri})"
    return f"no s3:GetObject on {object_arn} (AccessDenied reading the results)"


# --- a batch: the summaries of its shards as one ----------------------------------------


def merge_summaries(summaries: Iterable[ModerationSummary]) -> ModerationSummary | None:
    """One summary of a batch's shards, of the shape of a job's: counts summed, per label
    the images summed and the highest confidence, the :data:`MAX_FLAGGED` most confident
    flagged images of all shards; ``None`` when no shard has one.

    Memory is bounded by the shards' summaries, each already bounded (labels and
    :data:`MAX_FLAGGED` images). A malformed line keeps its shard's line number, with the
    shard named in the reason (shards are numbered in the order given, from 0).
    """
    given = list(summaries)
    if not given:
        return None
    labels: dict[tuple[str, str, int], list[float]] = {}
    content_types: dict[str, int] = {}
    flagged: list[tuple[float, str, FlaggedImage]] = []
    malformed: list[MalformedLine] = []
    versions: dict[str, int] = {}
    for shard, summary in enumerate(given):
        for label in summary.labels:
            counted = labels.setdefault(
                (label.name, label.parent_name, label.taxonomy_level), [0, 0.0]
            )
            counted[0] += label.images
            counted[1] = max(counted[1], label.max_confidence)
        for name, count in summary.content_types.items():
            content_types[name] = content_types.get(name, 0) + count
        for image in summary.top_flagged:
            entry = (image.confidence, image.source_ref, image)
            if len(flagged) < MAX_FLAGGED:
                heapq.heappush(flagged, entry)
            elif entry[:2] > flagged[0][:2]:
                heapq.heapreplace(flagged, entry)
        for line in summary.malformed:
            if len(malformed) < MAX_MALFORMED_LISTED:
                malformed.append(
                    MalformedLine(
                        line_number=line.line_number, reason=f"shard {shard}: {line.reason}"
                    )
                )
        if summary.model_version is not None:
            versions[summary.model_version] = versions.get(summary.model_version, 0) + 1
    merged_labels = [
        LabelCount(
            name=name,
            parent_name=parent,
            taxonomy_level=level,
            images=int(counted[0]),
            max_confidence=counted[1],
        )
        for (name, parent, level), counted in labels.items()
    ]
    merged_labels.sort(key=lambda label: (-label.images, label.name, label.taxonomy_level))
    categories: dict[str, int] = {}
    for summary in given:
        for name, count in summary.categories.items():
            categories[name] = categories.get(name, 0) + count
    # A category's confidence is its labels' highest (the shards' category maps carry
    # counts only): the same order as one job's, most images first, then most confident.
    confidence = _category_confidence(merged_labels)
    return ModerationSummary(
        images_analysed=sum(summary.images_analysed for summary in given),
        images_flagged=sum(summary.images_flagged for summary in given),
        min_confidence=given[0].min_confidence,
        labels=merged_labels,
        categories=dict(
            sorted(
                categories.items(),
                key=lambda item: (-item[1], -confidence.get(item[0], 0.0), item[0]),
            )
        ),
        content_types=_by_count(content_types),
        model_version=max(versions, key=lambda v: (versions[v], v)) if versions else None,
        top_flagged=[image for _, _, image in sorted(flagged, key=lambda e: e[:2], reverse=True)],
        malformed_lines=sum(summary.malformed_lines for summary in given),
        malformed=malformed,
    )


def _category_confidence(labels: list[LabelCount]) -> dict[str, float]:
    parents = {label.name: label.parent_name for label in labels if label.parent_name}
    found: dict[str, float] = {}
    for label in labels:
        name, seen = label.name, {label.name}
        while name in parents and parents[name] not in seen:
            name = parents[name]
            seen.add(name)
        found[name] = max(found.get(name, 0.0), label.max_confidence)
    return found
