"""A batch's listing: the prefix read page by page into sorted shards, and its record.

**Bounded memory.** The listing is never held: ListObjectsV2 pages (1,000 keys each) are
classified as they arrive, and the keys kept go, one JSON line each, into a local
spool file per shard of at most ``MAX_MANIFEST_LINES`` lines. Only counts stay in memory.

**Sorted shards in one pass.** S3's ListObjectsV2 returns keys in UTF-8 binary order
(documented for general purpose buckets; moto sorts each listing by the key's ``str``,
i.e. by code point, which is the same order, since UTF-8 preserves code point order). So
cutting the stream every 10,000 kept keys gives the shards a full sort would: the same
listing always gives the same shards. The order is checked as the pages arrive; a
listing out of order (a directory bucket, which does not sort) fails, naming the keys.

**Nothing written before the cap.** The shards are spooled locally while listing; only
when the listing has ended within ``max_images`` are they uploaded as manifests (each
with SSE-KMS under the batch's key), and after them the *record*: a marker object holding
the counts and the manifests' keys. The record is written last, so a create that finds
it knows every manifest is there, and uses them instead of listing again (a second
listing could shift the shards: new uploads under the prefix); a create killed before it
was written lists again and overwrites the same keys.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from botocore.exceptions import ClientError

from rekognition_media.api import limits
from rekognition_media.api.manifest import SOURCE_REF

from .batch_request import SKIP_REASONS, Source, manifest_key
from .errors import error_code

PAGE_KEYS = 1000
"""Keys per ListObjectsV2 page (S3's most)."""
RECORD_NAME = "listing.json"
"""The record's object name, beside the manifests; written last."""
RECORD_VERSION = 1
PROGRESS_EVERY = 5.0
"""Seconds between progress lines while listing."""
_GONE = frozenset({"404", "NoSuchKey"})

Report = Callable[[str], None]


class TooManyImages(ValueError):
    """The prefix holds more images than ``max_images``; nothing was written."""

    def __init__(self, resource: str, source: Source, images: int, max_images: int) -> None:
        super().__init__(
            f"{resource}: {source.uri} holds {images:,} images to analyse, more than "
            f"max_images = {max_images:,}: nothing was written and no job started. Raise "
            "max_images, or narrow the prefix or the suffixes."
        )
        self.images = images
        self.max_images = max_images


class ListingOutOfOrder(RuntimeError):
    """ListObjectsV2 returned keys out of UTF-8 binary order (shards would not be stable)."""


@dataclass
class Counts:
    """What a listing found: images kept, and the objects skipped by reason."""

    images: int = 0
    skipped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SKIP_REASONS, 0))

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def skipped_line(self) -> str:
        named = {"wrong_suffix": "wrong suffix", "too_large": "over 15 MiB", "empty": "empty"}
        parts = [f"{count:,} {named[reason]}" for reason, count in self.skipped.items() if count]
        return ", ".join(parts) if parts else "none"


@dataclass(frozen=True)
class Record:
    """The record of a batch's listing: what was found and the manifests written."""

    images: int
    skipped: dict[str, int]
    manifests: tuple[str, ...]

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "version": RECORD_VERSION,
                "images_listed": self.images,
                "images_skipped": self.skipped,
                "manifests": list(self.manifests),
            },
            indent=1,
        ).encode()

    @classmethod
    def from_json(cls, body: bytes) -> Record:
        data = json.loads(body)
        if data.get("version") != RECORD_VERSION:
            raise ValueError(f"unknown batch record version {data.get('version')!r}")
        return cls(
            images=int(data["images_listed"]),
            skipped={k: int(v) for k, v in data["images_skipped"].items()},
            manifests=tuple(str(k) for k in data["manifests"]),
        )


def skip_reason(key: str, size: int, suffixes: tuple[str, ...]) -> str | None:
    """Why the object is not an image to analyse (``SKIP_REASONS``); None to keep it."""
    if not key.lower().endswith(suffixes):
        return "wrong_suffix"
    if size <= 0:
        return "empty"
    if size > limits.MAX_IMAGE_BYTES:
        return "too_large"
    return None


def list_objects(
    s3: Any, source: Source, report: Report | None = None
) -> Iterator[tuple[str, int]]:
    """Every object under the prefix, ``(key, size)``, page by page, in S3's order (checked)."""
    kwargs: dict[str, Any] = {
        "Bucket": source.bucket,
        "Prefix": source.prefix,
        "MaxKeys": PAGE_KEYS,
    }
    previous: bytes | None = None
    seen = 0
    began = last = time.monotonic()
    while True:
        page = s3.list_objects_v2(**kwargs)
        for entry in page.get("Contents", ()):
            key = entry["Key"]
            encoded = key.encode()
            if previous is not None and encoded <= previous:
                raise ListingOutOfOrder(
                    f"s3://{source.bucket}: ListObjectsV2 returned {key!r} after "
                    f"{previous.decode()!r}: not in UTF-8 binary order, so the shards would "
                    "not be stable (a directory bucket? use a general purpose bucket)"
                )
            previous = encoded
            seen += 1
            yield key, int(entry.get("Size", 0))
        if report and time.monotonic() - last >= PROGRESS_EVERY:
            last = time.monotonic()
            report(f"listing {source.uri}: {seen:,} keys so far ({last - began:.0f} s)")
        token = page.get("NextContinuationToken")
        if not page.get("IsTruncated") or not token:
            return
        kwargs["ContinuationToken"] = token


def count(s3: Any, source: Source, report: Report | None = None) -> Counts:
    """The images under the prefix and the objects skipped (keys and sizes only)."""
    counts = Counts()
    for key, size in list_objects(s3, source, report):
        reason = skip_reason(key, size, source.suffixes)
        if reason is None:
            counts.images += 1
        else:
            counts.skipped[reason] += 1
    return counts


class Spool:
    """The shards of one listing, as local JSON Lines files (removed by ``close``)."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="rekognition-media-batch-")
        self.paths: list[Path] = []
        self._open: IO[bytes] | None = None
        self._lines = 0

    def add(self, line: bytes) -> None:
        if self._open is None or self._lines >= limits.MAX_MANIFEST_LINES:
            self._next()
        assert self._open is not None
        self._open.write(line)
        self._lines += 1

    def _next(self) -> None:
        if self._open is not None:
            self._open.close()
        path = Path(self._dir.name) / f"shard-{len(self.paths):05d}.jsonl"
        self.paths.append(path)
        self._open = path.open("wb")
        self._lines = 0

    def finish(self) -> None:
        if self._open is not None:
            self._open.close()
            self._open = None

    def close(self) -> None:
        self.finish()
        self._dir.cleanup()


def spool_listing(
    s3: Any, source: Source, max_images: int, resource: str, report: Report
) -> tuple[Counts, Spool]:
    """List the prefix into local shards; ``TooManyImages`` (after counting them all, so
    it names the number) when it holds more than ``max_images``."""
    counts = Counts()
    spool = Spool()
    try:
        for key, size in list_objects(s3, source, report):
            reason = skip_reason(key, size, source.suffixes)
            if reason is not None:
                counts.skipped[reason] += 1
                continue
            counts.images += 1
            if counts.images <= max_images:
                ref = f"s3://{source.bucket}/{key}"
                spool.add(json.dumps({SOURCE_REF: ref}).encode() + b"\n")
        spool.finish()
        if counts.images > max_images:
            raise TooManyImages(resource, source, counts.images, max_images)
    except BaseException:
        spool.close()
        raise
    return counts, spool


def write_manifests(
    s3: Any,
    spool: Spool,
    bucket: str,
    directory: str,
    kms_key_id: str | None,
    counts: Counts,
) -> Record:
    """Upload the spooled shards as manifests, then the record (last)."""
    encryption = (
        {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id} if kms_key_id else {}
    )
    keys = []
    for index, path in enumerate(spool.paths):
        key = manifest_key(directory, index)
        with path.open("rb") as body:
            s3.put_object(
                Bucket=bucket, Key=key, Body=body, ContentType="application/jsonl", **encryption
            )
        keys.append(key)
    record = Record(counts.images, dict(counts.skipped), tuple(keys))
    s3.put_object(
        Bucket=bucket,
        Key=directory + RECORD_NAME,
        Body=record.to_json(),
        ContentType="application/json",
        **encryption,
    )
    return record


def read_record(s3: Any, bucket: str, directory: str) -> Record | None:
    """The record an earlier create wrote; None when there is none (list again)."""
    try:
        body = s3.get_object(Bucket=bucket, Key=directory + RECORD_NAME)["Body"].read()
    except ClientError as error:
        if error_code(error) in _GONE:
            return None
        raise
    return Record.from_json(body)


def manifest_keys_in_order(s3: Any, bucket: str, record: Record) -> Iterator[str]:
    """The image keys the manifests list, in shard order (which is S3's key order)."""
    for manifest in record.manifests:
        body = s3.get_object(Bucket=bucket, Key=manifest)["Body"]
        try:
            for line in body.iter_lines():
                if line.strip():
                    ref = str(json.loads(line)[SOURCE_REF])
                    yield ref.split("/", 3)[3]
        finally:
            body.close()


def count_unlisted(s3: Any, source: Source, bucket: str, record: Record) -> int:
    """Images under the prefix now that the batch's manifests do not list: both streams
    are in key order, so one merge pass counts them in bounded memory."""
    listed = manifest_keys_in_order(s3, bucket, record)
    pending = next(listed, None)
    unlisted = 0
    for key, size in list_objects(s3, source):
        if skip_reason(key, size, source.suffixes) is not None:
            continue
        encoded = key.encode()
        while pending is not None and pending.encode() < encoded:
            pending = next(listed, None)
        if pending == key:
            pending = next(listed, None)
        else:
            unlisted += 1
    return unlisted
