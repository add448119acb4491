"""The HTML report: one self-contained file, written as the results are streamed.

Jinja2 renders ``templates/report.html.j2`` with autoescaping, so object keys and label
names (untrusted: they come from whoever named the images) are always text. The page
also carries a Content-Security-Policy that allows nothing from the network, images only
as ``data:`` URIs, and only its own script and stylesheet (by hash): a value that did
slip through as markup could neither run nor load anything.

The template iterates over the cards lazily (``Template.generate``), so each card is
fetched, scaled, written and dropped before the next: memory stays flat however many
images are flagged. The file is staged in its destination's folder (never elsewhere: a
rename only stays atomic within one file system, and the user named that folder) and
renamed into place at the end, private to its owner (it shows flagged images), so a
failed run leaves no half report behind.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from rekognition_media import __version__
from rekognition_media.core.summary import ModerationSummary, in_taxonomy_order

from .access import ReportError, UsageError
from .batch import Batch
from .job import InvalidLines, Target
from .results import ImageResult, MalformedLine
from .thumbnails import Thumbnail

MAX_LISTED_MALFORMED = 200
"""Malformed results lines listed in the page (all are counted)."""


@dataclass(frozen=True)
class Card:
    """One image of the grid: its results line and its thumbnail (or why there is none)."""

    image: ImageResult
    thumbnail: Thumbnail | None
    job_id: str | None = None
    """The shard's JobId when the report covers several jobs."""
    order: int | None = None
    """The image's place across the shards (its line number in one job's report)."""

    @property
    def position(self) -> int:
        return self.image.line_number if self.order is None else self.order

    @property
    def filter_confidences(self) -> dict[str, float]:
        """Label -> highest confidence of it or a label below it in the taxonomy, so
        filtering on "Violence" also shows images labelled "Graphic Violence"."""
        found: dict[str, float] = {}
        for label in self.image.labels:
            for name in label.path:
                found[name] = max(found.get(name, 0.0), label.confidence)
        return found


@dataclass
class Tally:
    """What the page found while streaming, shown after the grid."""

    cards: int = 0
    placeholders: int = 0
    malformed: list[MalformedLine] = field(default_factory=list)
    malformed_count: int = 0

    def note_malformed(self, line: MalformedLine) -> None:
        self.malformed_count += 1
        if len(self.malformed) < MAX_LISTED_MALFORMED:
            self.malformed.append(line)

    def count(self, cards: Iterable[Card]) -> Iterator[Card]:
        for card in cards:
            self.cards += 1
            if card.thumbnail is not None and card.thumbnail.data_uri is None:
                self.placeholders += 1
            yield card


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("rekognition_media.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _asset(name: str) -> str:
    return resources.files("rekognition_media.report").joinpath("templates", name).read_text()


def _csp_hash(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def render(
    out: Any,
    target: Target | None,
    summary: ModerationSummary,
    invalid: InvalidLines | None,
    cards: Iterable[Card],
    tally: Tally,
    include_clean: bool,
    batch: Batch | None = None,
) -> None:
    """Write the page to the text stream ``out``, pulling ``cards`` as it goes.

    With ``batch`` the page covers its shards: ``target`` is None and ``invalid`` the
    shards' invalid manifest lines summed."""
    script, style = _asset("report.js"), _asset("report.css")
    policy = "; ".join(
        [
            "default-src 'none'",
            "img-src data:",
            f"style-src {_csp_hash(style)}",
            f"script-src {_csp_hash(script)}",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    max_images = max((label.images for label in summary.labels), default=0)
    template = _environment().get_template("report.html.j2")
    stream = template.generate(
        target=target,
        job=target.job if target is not None else None,
        batch=batch,
        invalid_rows=batch.invalid_rows() if batch is not None else None,
        summary=summary,
        invalid=invalid,
        clean=summary.images_analysed - summary.images_flagged,
        labels=in_taxonomy_order(summary.labels),
        label_options=sorted(summary.labels, key=lambda label: label.name.lower()),
        max_images=max_images,
        cards=tally.count(cards),
        tally=tally,
        include_clean=include_clean,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        version=__version__,
        policy=policy,
        script=Markup(script),
        style=Markup(style),
    )
    for chunk in stream:
        out.write(chunk)


def page_name(job_id: str) -> str:
    """The page's file name when ``--html`` names a folder."""
    return f"report-{job_id}.html"


def destination(given: str, job_id: str | None) -> Path:
    """The file ``--html GIVEN`` writes: GIVEN, or ``report-<JobId>.html`` in it when it is
    an existing folder. :class:`UsageError` when the page could not be written there, so
    the command says so before it reads anything.

    An existing file is replaced (by a rename: never written through); a symbolic link or
    anything else that is not a regular file is refused, since the page is private and a
    link may lead anywhere. A link to a folder is a folder (``/tmp`` is one on macOS)."""
    if not given:
        raise UsageError("--html needs a file or folder path")
    try:
        return _destination(given, job_id)
    except OSError as error:  # e.g. a name too long, or a folder on the way not searchable
        raise UsageError(f"cannot write {given}: {error.strerror}") from None


def _destination(given: str, job_id: str | None) -> Path:
    path = Path(given)
    folder_syntax = given.endswith(os.sep) or bool(os.altsep and given.endswith(os.altsep))
    if path.is_dir():
        if job_id is None:
            raise UsageError(
                f"--html {given} is a folder, where the page is named after the JobId "
                f"({page_name('<JobId>')}); with an s3:// URI give the file's path"
            )
        directory, final = path, path / page_name(job_id)
    elif folder_syntax:
        if path.exists():  # a dangling link to a folder: "does not exist" below
            raise UsageError(f"{given} is not a folder")
        raise UsageError(f"the folder {given} does not exist")
    else:
        directory, final = path.parent, path
        if not directory.is_dir():
            if directory.exists():
                raise UsageError(f"{directory} is not a folder, so {final} cannot be written")
            raise UsageError(f"the folder {directory} does not exist")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write in the folder {directory} (no permission or read-only)")
    try:
        mode = final.lstat().st_mode
    except FileNotFoundError:
        return final
    if stat.S_ISLNK(mode):
        raise UsageError(
            f"{final} is a symbolic link; the page is private and never written through or "
            "over a link (remove it or give another path)"
        )
    if not stat.S_ISREG(mode):
        raise UsageError(f"{final} exists and is not a regular file")
    return final


def write(path: Path, **page: Any) -> None:
    """Render to a private temporary file in ``path``'s folder, then rename it to ``path``
    (checked by :func:`destination`); the temporary file is removed on any failure."""
    try:
        # Not a with-block: the file outlives it, to be moved into place or removed.
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
            "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
        )
    except OSError as error:
        raise ReportError(f"cannot write {path}: {error.strerror}") from None
    staged = Path(handle.name)
    try:
        with handle:
            render(handle, **page)
        try:
            os.replace(staged, path)
        except OSError as error:  # e.g. made a folder since destination() looked
            raise ReportError(f"cannot write {path}: {error.strerror}") from None
    except BaseException:
        staged.unlink(missing_ok=True)
        raise


def cards_of(
    pairs: Iterable[tuple[ImageResult, Thumbnail | None]],
) -> Iterator[Card]:
    for image, thumbnail in pairs:
        yield Card(image, thumbnail)


def batch_cards_of(
    pairs: Iterable[tuple[tuple[str, int, ImageResult], Thumbnail | None]],
) -> Iterator[Card]:
    """Cards of several jobs: each image with its shard's JobId and its place across shards."""
    for (job_id, order, image), thumbnail in pairs:
        yield Card(image, thumbnail, job_id, order)
