"""Job records on disk (``--state-dir``), so a restarted emulator still knows its jobs.

One JSON file per job, replaced atomically, so a crash mid-write leaves the previous
record intact and concurrent jobs never contend for one file. The pagination-token key
is kept here too, so NextTokens handed out before a restart stay valid after it.
moto's S3, KMS, IAM and STS live in memory only: their contents do not survive.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class JobFiles:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.jobs = directory / "jobs"
        self.jobs.mkdir(parents=True, exist_ok=True)

    def save(self, job_id: str, record: Mapping[str, Any]) -> None:
        _write_atomic(self.jobs / f"{job_id}.json", json.dumps(record, indent=1).encode("utf-8"))

    def delete(self, job_id: str) -> None:
        (self.jobs / f"{job_id}.json").unlink(missing_ok=True)

    def load(self) -> Iterator[dict[str, Any]]:
        for path in sorted(self.jobs.glob("*.json")):
            try:
                record = json.loads(path.read_text("utf-8"))
            except (OSError, ValueError):
                log.warning("ignoring unreadable job record %s", path)
                continue
            if isinstance(record, dict):
                yield record

    def token_key(self) -> bytes:
        path = self.directory / "pagination-token.key"
        if not path.exists():
            _write_atomic(path, secrets.token_bytes(32))
        return path.read_bytes()


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
