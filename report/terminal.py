"""The report in a terminal: the summary as tables, and a progress bar while images load.

rich draws the tables; when stdout is not a terminal, or ``NO_COLOR`` is set, they come
out as plain aligned text without colour or box drawing (for logs, pipes and CI). The
progress bar goes to stderr and only when stderr is a terminal, so redirected output
never holds its redraws.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from rekognition_media.core.summary import ModerationSummary, in_taxonomy_order

from .batch import Batch, LineIndex
from .job import InvalidLines, Target

PLAIN_WIDTH = 200
"""Plain output is not wrapped to 80 columns: S3 keys are long and logs are wide."""


def printable(text: str) -> str:
    """``text`` for a terminal: label names and keys come from the results object, which
    anyone who can write to the output bucket could have changed, so no control character
    (an escape sequence retitling or clearing the terminal) is printed."""
    return "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in text)


def is_plain(stream: IO[str]) -> bool:
    return bool(os.environ.get("NO_COLOR")) or not stream.isatty()


def console(stream: IO[str] | None = None) -> Console:
    stream = stream or sys.stdout
    if is_plain(stream):
        return Console(
            file=stream,
            no_color=True,
            force_terminal=False,
            highlight=False,
            emoji=False,
            width=PLAIN_WIDTH,
        )
    return Console(file=stream, highlight=False, emoji=False)


def show(
    out: Console, target: Target, summary: ModerationSummary, invalid: InvalidLines | None
) -> None:
    job = target.job
    heading = (
        f"Job {job.job_id} {job.status}" if job else f"Results {printable(target.results.uri)}"
    )
    out.print(heading, style="bold", markup=False)
    _body(out, summary, invalid, lambda number: f"line {number}")


def show_batch(out: Console, batch: Batch, summary: ModerationSummary, index: LineIndex) -> None:
    """A batch's report: one line per shard (JobId, status, images), then one summary."""
    out.print(f"Batch of {len(batch.shards)} jobs: {batch.statuses()}", style="bold", markup=False)
    for shard in batch.shards:
        style = None if shard.included else "red"
        out.print(
            f"  {shard.job_id} {shard.status}: {printable(shard.note)}", style=style, markup=False
        )

    def where(number: int) -> str:
        job_id, line = index.locate(number)
        return f"job {job_id} line {line}"

    _body(out, summary, batch.invalid(), where)


def _body(
    out: Console,
    summary: ModerationSummary,
    invalid: InvalidLines | None,
    where: Callable[[int], str],
) -> None:
    """The counts, the labels and the most confident images (one job's or a batch's)."""
    plain = out.no_color and not out.is_terminal
    table_box = None if plain else box.SIMPLE_HEAD
    facts = [
        f"{summary.images_flagged} of {summary.images_analysed} images flagged",
        f"MinConfidence {summary.min_confidence:g}",
        f"model {summary.model_version or 'unknown'}",
    ]
    out.print(" · ".join(facts) if not plain else "; ".join(facts), markup=False)
    if summary.content_types:
        types = ", ".join(
            f"{printable(name)} {count}" for name, count in summary.content_types.items()
        )
        out.print(f"content types: {types}", markup=False)
    if invalid is not None:
        if invalid.problem:
            out.print(f"invalid manifest lines: unknown ({invalid.problem})", markup=False)
        elif invalid.count:
            out.print(
                f"invalid manifest lines: {invalid.count} of {invalid.total_lines} "
                "(not analysed; --html lists them)",
                markup=False,
            )
    if summary.malformed_lines:
        out.print(f"unreadable results lines: {summary.malformed_lines}", style="red", markup=False)
        for line in summary.malformed:
            out.print(f"  {where(line.line_number)}: {printable(line.reason)}", markup=False)

    if summary.labels:
        labels = Table(title=None if plain else "Labels", box=table_box, title_justify="left")
        labels.add_column("Label")
        labels.add_column("Parent")
        labels.add_column("Level", justify="right")
        labels.add_column("Images", justify="right")
        labels.add_column("Highest confidence", justify="right")
        for label in in_taxonomy_order(summary.labels):
            # Text, not str: rich would read brackets in a label name as markup.
            labels.add_row(
                Text(printable(label.name)),
                Text(printable(label.parent_name) or "-"),
                str(label.taxonomy_level),
                str(label.images),
                f"{label.max_confidence:.1f}",
            )
        out.print()
        if plain:
            out.print("Labels")
        out.print(labels)

    if summary.top_flagged:
        refs = [image.source_ref for image in summary.top_flagged]
        # On a terminal the images' one bucket goes into the title, so a key fits on its
        # line at 80 columns; piped output keeps whole URIs for grep and copy.
        bucket = None if plain else _one_bucket(refs)
        title = "Most confident flagged images" + (f" in {bucket}" if bucket else "")
        top = Table(title=None if plain else printable(title), box=table_box, title_justify="left")
        top.add_column("Confidence", justify="right")
        top.add_column("Label")
        top.add_column("Image" if not bucket else "Key", overflow="fold")
        for image, ref in zip(summary.top_flagged, refs, strict=True):
            top.add_row(
                f"{image.confidence:.1f}",
                Text(printable(image.label)),
                Text(printable(ref.removeprefix(bucket or ""))),
            )
        out.print()
        if plain:
            out.print("Most confident flagged images")
        out.print(top)


def _one_bucket(refs: list[str]) -> str | None:
    """``s3://bucket/`` when every ref is an object of that one bucket."""
    buckets = {ref[: ref.find("/", 5) + 1] for ref in refs if ref.startswith("s3://")}
    if len(buckets) != 1 or not all(ref.startswith("s3://") for ref in refs):
        return None
    bucket = buckets.pop()
    return bucket if len(bucket) > len("s3://") + 1 else None


@contextmanager
def progress(total: int, description: str = "Fetching images") -> Iterator[Callable[[], None]]:
    """``advance()`` for each image done; draws a bar on stderr when it is a terminal."""
    err = Console(file=sys.stderr)
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=is_plain(sys.stderr),
    )
    with bar:
        task = bar.add_task(description, total=total)
        yield lambda: bar.advance(task)
