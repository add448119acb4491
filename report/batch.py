"""Several JobIds, one report: the shards of a ``MediaAnalysisBatch`` read as one.

A batch runs one media analysis job per manifest of at most 10,000 images; its
``job_ids`` output lists them in shard order. Each job is read with
GetMediaAnalysisJob. The SUCCEEDED ones are reported together: their results objects are
streamed one after the other into one summary (so memory stays what one job's report
needs, whatever the number of shards), and their manifest summaries give each shard's
images and invalid lines. A shard that FAILED or has not finished is named with its
status, never dropped: the report covers the others and the command exits 1.

Line numbers run on across the shards in the one summary (the top images' tie-break, the
grid's order); :class:`LineIndex` turns one back into the shard's JobId and its own line.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rekognition_media.api.manifest import LineError
from rekognition_media.api.statuses import SUCCEEDED, TERMINAL
from rekognition_media.core.summary import ModerationSummary, summarise_lines

from .access import ReportError, UsageError
from .job import (
    MAX_LISTED_INVALID_LINES,
    InvalidLines,
    JobFacts,
    ObjectRef,
    failure_of,
    get_job,
    invalid_lines,
    job_facts,
    job_id_of,
    results_of,
)
from .results import stream_lines


@dataclass(frozen=True)
class Shard:
    """One job of the batch: its facts, and what a report reads of it when it SUCCEEDED."""

    facts: JobFacts
    failure: str | None
    results: ObjectRef | None
    """The results object; None when the job has not SUCCEEDED (not in the report)."""
    invalid: InvalidLines | None

    @property
    def job_id(self) -> str:
        return self.facts.job_id

    @property
    def status(self) -> str:
        return self.facts.status

    @property
    def included(self) -> bool:
        return self.results is not None

    @property
    def images(self) -> int | None:
        """Images the job analysed (its manifest summary's valid lines), when known."""
        if self.invalid is None or self.invalid.problem:
            return None
        return self.invalid.total_lines - self.invalid.count

    @property
    def note(self) -> str:
        """What the report says of the shard after its JobId and status."""
        if self.included:
            images = self.images
            text = "images unknown" if images is None else f"{images} images"
            if self.invalid is not None and self.invalid.count:
                text += f", {self.invalid.count} invalid manifest lines"
            return text
        if self.failure:
            return f"not in this report: {self.failure}"
        return "not finished: not in this report"

    def to_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "job_name": self.facts.job_name,
            "status": self.status,
            "images": self.images,
            "failure": self.failure,
        }


@dataclass(frozen=True)
class Batch:
    shards: tuple[Shard, ...]
    min_confidence: float
    min_confidence_given: bool

    @property
    def included(self) -> tuple[Shard, ...]:
        return tuple(shard for shard in self.shards if shard.included)

    @property
    def missing(self) -> tuple[Shard, ...]:
        return tuple(shard for shard in self.shards if not shard.included)

    @property
    def model_version(self) -> str | None:
        return next((s.facts.model_version for s in self.included if s.facts.model_version), None)

    def statuses(self) -> str:
        """``2 SUCCEEDED, 1 FAILED``: the shards' statuses, counted in shard order."""
        counted: dict[str, int] = {}
        for shard in self.shards:
            counted[shard.status] = counted.get(shard.status, 0) + 1
        return ", ".join(f"{count} {status}" for status, count in counted.items())

    def invalid(self) -> InvalidLines:
        """The included shards' invalid manifest lines, summed (listed: see invalid_rows)."""
        problems = [
            f"job {s.job_id}: {s.invalid.problem}"
            for s in self.included
            if s.invalid is not None and s.invalid.problem
        ]
        known = [
            s.invalid for s in self.included if s.invalid is not None and not s.invalid.problem
        ]
        return InvalidLines(
            total_lines=sum(i.total_lines for i in known),
            count=sum(i.count for i in known),
            listed=(),
            problem="; ".join(problems) or None,
        )

    def invalid_rows(self) -> list[tuple[str, LineError]]:
        """(JobId, line) of the invalid manifest lines, the first few across the shards."""
        rows: list[tuple[str, LineError]] = []
        for shard in self.included:
            for error in shard.invalid.listed if shard.invalid is not None else ():
                if len(rows) == MAX_LISTED_INVALID_LINES:
                    return rows
                rows.append((shard.job_id, error))
        return rows

    def incomplete(self) -> str:
        """The one line the command ends with when a shard is not in the report."""
        missing = ", ".join(f"{s.job_id} is {s.status}" for s in self.missing)
        unfinished = any(s.status not in TERMINAL for s in self.missing)
        return (
            f"the report covers {len(self.included)} of {len(self.shards)} jobs: {missing} "
            "(a report needs SUCCEEDED jobs"
            + ("; run it again when they have finished)" if unfinished else ")")
        )


def job_ids_of(targets: Sequence[str]) -> list[str]:
    """Several targets are a batch's JobIds: each a JobId, none twice. Reads nothing."""
    seen: set[str] = set()
    job_ids = []
    for target in targets:
        job_id = job_id_of(target)
        if job_id is None:
            raise UsageError(
                f"{target} is an s3:// URI: give one results URI alone, or several JobIds "
                "(a batch's job_ids)"
            )
        if job_id in seen:
            raise UsageError(f"JobId {job_id} is given twice")
        seen.add(job_id)
        job_ids.append(job_id)
    return job_ids


def locate_batch(
    job_ids: Sequence[str], rekognition: Any, s3: Any, min_confidence: float | None
) -> Batch:
    """Read every job; :class:`ReportError` when none SUCCEEDED or their thresholds differ."""
    shards = []
    listed = 0  # invalid lines kept for listing, across shards: a few, however many shards
    for job_id in job_ids:
        job = get_job(rekognition, job_id)
        facts = job_facts(job, min_confidence)
        if facts.status == SUCCEEDED:
            invalid = invalid_lines(s3, facts.manifest_summary)
            invalid = replace(invalid, listed=invalid.listed[: MAX_LISTED_INVALID_LINES - listed])
            listed += len(invalid.listed)
            shards.append(Shard(facts, None, results_of(job), invalid))
        else:
            shards.append(Shard(facts, failure_of(job), None, None))
    batch_shards = tuple(shards)
    included = [shard for shard in batch_shards if shard.included]
    if not included:
        statuses = ", ".join(f"{s.job_id} {s.status}" for s in batch_shards)
        raise ReportError(
            f"none of the {len(batch_shards)} jobs has SUCCEEDED ({statuses}); a report needs "
            "a SUCCEEDED job (run it again when they have finished)"
        )
    thresholds = sorted({shard.facts.min_confidence for shard in included})
    if len(thresholds) > 1:
        shown = ", ".join(f"{value:g}" for value in thresholds)
        raise ReportError(
            f"the jobs ran with different MinConfidence ({shown}); give --min-confidence to "
            "count their labels at one threshold"
        )
    return Batch(batch_shards, thresholds[0], min_confidence is not None)


@dataclass
class LineIndex:
    """Where each shard's lines start in the numbering that runs on across shards."""

    starts: list[int] = field(default_factory=list)
    job_ids: list[str] = field(default_factory=list)

    def locate(self, number: int) -> tuple[str, int]:
        """The JobId and the shard's own line number of line ``number`` of the batch."""
        at = bisect_right(self.starts, number - 1) - 1
        return self.job_ids[at], number - self.starts[at]


def batch_lines(s3: Any, batch: Batch, index: LineIndex) -> Iterator[tuple[int, bytes | None]]:
    """Every results line of the included shards, one shard after the other, numbered on."""
    offset = 0
    for shard in batch.included:
        assert shard.results is not None
        index.starts.append(offset)
        index.job_ids.append(shard.job_id)
        number = 0
        for number, line in stream_lines(s3, shard.results):
            yield offset + number, line
        offset += number


def summarise(s3: Any, batch: Batch) -> tuple[ModerationSummary, LineIndex]:
    """One summary of every included shard's results, streamed in turn; and where lines are."""
    index = LineIndex()
    summary = summarise_lines(
        (line for _, line in batch_lines(s3, batch, index)), batch.min_confidence
    )
    if summary.model_version is None:
        summary.model_version = batch.model_version
    return summary, index


def page_key(job_ids: Sequence[str]) -> str:
    """What names the page of several jobs: ``<first JobId>-and-<n>-more``."""
    return f"{job_ids[0]}-and-{len(job_ids) - 1}-more"
