"""``rekognition-media report <JobId | s3://bucket/key | JobId JobId ...>``: arguments, the
run, exit codes.

Several JobIds (a batch's ``job_ids``) make one report of the jobs together
(:mod:`.batch`).

Exit codes: 0 done, 1 the report could not be made (unknown job, job not SUCCEEDED, no
access, results gone) or, for several jobs, covers only some of them (the rest are named
in the report and in the one line on stderr), 2 usage (bad arguments, a target that is
neither a JobId nor an ``s3://bucket/key`` URI). Every failure is one line on stderr,
never a traceback.

AWS access uses the standard credential chain; ``--region`` else the usual region
settings; ``--endpoint-url`` else ``AWS_ENDPOINT_URL`` (an emulator or a VPC endpoint).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from rekognition_media import __version__
from rekognition_media.compliance import cli as policy_check
from rekognition_media.core.request import resolve_region
from rekognition_media.core.summary import (
    ModerationSummary,
    SummaryUnavailable,
    read_summary,
)

from . import html, terminal
from .access import ReportError, UsageError, explain
from .batch import Batch, job_ids_of, locate_batch, page_key, summarise
from .job import InvalidLines, Target, invalid_lines, job_id_of, locate
from .results import ImageResult, MalformedLine, images, stream_lines
from .thumbnails import DEFAULT_FETCHERS, with_thumbnails

PROG = "rekognition-media"
DEBUG_ENV = "REKOGNITION_MEDIA_DEBUG"
"""Set to 1 to see the traceback of an unexpected error."""


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as the one-line errors of the rest of the command."""

    def error(self, message: str) -> Any:
        error = UsageError(f"{message} (see {self.prog} --help)")
        error.prog = self.prog
        raise error


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Look at what Rekognition media analysis jobs found; check a stack "
        "against the policy pack.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    report = commands.add_parser(
        "report",
        help="summary, JSON or an HTML page of a job's (or a batch's) flagged images",
        description="Show what a media analysis job found: a summary in the terminal, the "
        "stack output's moderation summary as JSON (--json), or one self-contained HTML "
        "page with the flagged images as blurred thumbnails (--html). Several JobIds (a "
        "MediaAnalysisBatch's job_ids) make one report of the jobs together.",
    )
    report.add_argument(
        "targets",
        nargs="+",
        metavar="JOB_ID_OR_URI",
        help="the JobId (read with GetMediaAnalysisJob) or the results object's s3:// URI; "
        "or several JobIds, e.g. a batch's job_ids, reported as one",
    )
    report.add_argument("--region", help="AWS region (default: the usual AWS settings)")
    report.add_argument(
        "--endpoint-url",
        default=os.environ.get("AWS_ENDPOINT_URL") or None,
        help="endpoint for Rekognition and S3, e.g. the emulator (default: $AWS_ENDPOINT_URL)",
    )
    report.add_argument(
        "--json", action="store_true", help="print the moderation summary as JSON (for CI)"
    )
    report.add_argument(
        "--html",
        metavar="PATH",
        help="write the HTML report to this file, or into this existing folder as "
        f"{html.page_name('<JobId>')} ({html.page_name('<JobId>-and-<N>-more')} for "
        "several jobs)",
    )
    report.add_argument(
        "--include-clean",
        action="store_true",
        help="also show images without labels in the HTML report (they are always counted)",
    )
    report.add_argument(
        "--min-confidence",
        type=_confidence,
        metavar="0-100",
        help="count labels at or above this confidence (default: the job's MinConfidence)",
    )
    report.add_argument(
        "--fetchers",
        type=_fetchers,
        default=DEFAULT_FETCHERS,
        metavar="N",
        help=f"images downloaded at once for --html (default {DEFAULT_FETCHERS})",
    )
    policy_check.add_parser(commands)
    return parser


def _confidence(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 100, got {text!r}")
    return value


def _fetchers(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 64, got {text!r}")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    # Who reports an interrupt or an unexpected error, and with which exit code.
    prog, unexpected = f"{PROG} report", 1
    try:
        args = build_parser().parse_args(argv)
        if args.command == "policy-check":
            prog, unexpected = policy_check.PROG, policy_check.COULD_NOT_RUN
            return policy_check.main(args)
        return run(args)
    except ReportError as error:
        print(f"{error.prog}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if os.environ.get(DEBUG_ENV):
            raise
        print(
            f"{prog}: error: unexpected {type(error).__name__}: {error} "
            f"(set {DEBUG_ENV}=1 for the traceback)",
            file=sys.stderr,
        )
        return unexpected


def run(args: argparse.Namespace) -> int:
    if len(args.targets) > 1:
        return run_batch(args)
    # Every argument is checked before the first AWS call: a bad one costs no waiting.
    [given] = args.targets
    job_id = job_id_of(given)
    page = html.destination(args.html, job_id) if args.html is not None else None
    rekognition, s3 = _clients(args.region, args.endpoint_url, args.fetchers)
    target = locate(given, rekognition, args.min_confidence)
    summary = _summary(s3, target)
    invalid = invalid_lines(s3, target.job.manifest_summary) if target.job else None
    if args.json:
        print(json.dumps(summary.to_output(), indent=2))
    else:
        terminal.show(terminal.console(), target, summary, invalid)
    if page is not None:
        tally = _write_html(page, s3, target, summary, invalid, args)
        note = f"report written to {page} ({tally.cards} image(s)"
        note += f", {tally.placeholders} without a preview)" if tally.placeholders else ")"
        print(note, file=sys.stderr if args.json else sys.stdout)
    return 0


def run_batch(args: argparse.Namespace) -> int:
    """Several JobIds: one report of the SUCCEEDED ones, the others named; exit 1 if any."""
    job_ids = job_ids_of(args.targets)
    page = html.destination(args.html, page_key(job_ids)) if args.html is not None else None
    rekognition, s3 = _clients(args.region, args.endpoint_url, args.fetchers)
    batch = locate_batch(job_ids, rekognition, s3, args.min_confidence)
    summary, index = summarise(s3, batch)
    if args.json:
        output = summary.to_output() | {"jobs": [shard.to_json() for shard in batch.shards]}
        print(json.dumps(output, indent=2))
    else:
        terminal.show_batch(terminal.console(), batch, summary, index)
    if page is not None:
        tally = _write_batch_html(page, s3, batch, summary, args)
        note = f"report written to {page} ({tally.cards} image(s)"
        note += f", {tally.placeholders} without a preview)" if tally.placeholders else ")"
        print(note, file=sys.stderr if args.json else sys.stdout)
    if batch.missing:
        raise ReportError(batch.incomplete())
    return 0


def _clients(region: str | None, endpoint_url: str | None, fetchers: int) -> tuple[Any, Any]:
    config = Config(
        connect_timeout=10,
        read_timeout=60,
        retries={"mode": "standard", "max_attempts": 5},
        max_pool_connections=max(10, fetchers + 2),
        user_agent_extra=f"rekognition-media-report/{__version__}",
    )
    if endpoint_url:
        # Emulators and private endpoints rarely resolve bucket subdomains.
        config = config.merge(Config(s3={"addressing_style": "path"}))
    try:
        session = boto3.session.Session()
        region = resolve_region(region)
        rekognition = session.client(
            "rekognition", region_name=region, endpoint_url=endpoint_url, config=config
        )
        s3 = session.client("s3", region_name=region, endpoint_url=endpoint_url, config=config)
    except ValueError as error:  # botocore's "Invalid endpoint: ..."
        raise UsageError(str(error)) from None
    except Exception as error:
        raise ReportError(explain(error, "creating AWS clients", region or "no region")) from None
    return rekognition, s3


def _summary(s3: Any, target: Target) -> ModerationSummary:
    results = target.results
    try:
        summary = read_summary(
            s3, results.bucket, results.key, target.min_confidence, results.version
        )
    except SummaryUnavailable as error:
        raise ReportError(error.reason) from None
    if summary.model_version is None and target.job is not None:
        summary.model_version = target.job.model_version
    return summary


def _write_html(
    path: Path,
    s3: Any,
    target: Target,
    summary: ModerationSummary,
    invalid: InvalidLines | None,
    args: argparse.Namespace,
) -> html.Tally:
    tally = html.Tally()
    parents = {label.name: label.parent_name for label in summary.labels if label.parent_name}
    records = images(stream_lines(s3, target.results), target.min_confidence, parents)

    def shown(records: Iterator[ImageResult | MalformedLine]) -> Iterator[ImageResult]:
        for record in records:
            if isinstance(record, MalformedLine):
                tally.note_malformed(record)
            elif record.flagged or args.include_clean:
                yield record

    total = summary.images_flagged + (
        summary.images_analysed - summary.images_flagged if args.include_clean else 0
    )
    with terminal.progress(total) as advance:
        pairs = with_thumbnails(
            s3,
            shown(records),
            lambda image: image.source_ref,
            fetchers=args.fetchers,
            on_done=advance,
        )
        html.write(
            path,
            target=target,
            summary=summary,
            invalid=invalid,
            cards=html.cards_of(pairs),
            tally=tally,
            include_clean=args.include_clean,
        )
    return tally


def _write_batch_html(
    path: Path, s3: Any, batch: Batch, summary: ModerationSummary, args: argparse.Namespace
) -> html.Tally:
    """The page of several jobs: each shard's results streamed in turn, as for one job."""
    tally = html.Tally()
    parents = {label.name: label.parent_name for label in summary.labels if label.parent_name}

    def shown() -> Iterator[tuple[str, int, ImageResult]]:
        offset = 0
        for shard in batch.included:
            assert shard.results is not None
            number = 0
            lines = stream_lines(s3, shard.results)
            for record in images(lines, batch.min_confidence, parents):
                number = record.line_number
                if isinstance(record, MalformedLine):
                    tally.note_malformed(replace(record, job_id=shard.job_id))
                elif record.flagged or args.include_clean:
                    yield shard.job_id, offset + record.line_number, record
            offset += number

    total = summary.images_flagged + (
        summary.images_analysed - summary.images_flagged if args.include_clean else 0
    )
    with terminal.progress(total) as advance:
        pairs = with_thumbnails(
            s3, shown(), lambda item: item[2].source_ref, fetchers=args.fetchers, on_done=advance
        )
        html.write(
            path,
            target=None,
            summary=summary,
            invalid=batch.invalid(),
            cards=html.batch_cards_of(pairs),
            tally=tally,
            include_clean=args.include_clean,
            batch=batch,
        )
    return tally
