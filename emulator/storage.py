"""S3 and KMS as the job sees them: moto's in-process backends behind a small interface.

The emulator serves moto in the same process, so jobs read manifests and images and
write results straight from/to moto's backends instead of over HTTP: 10,000 images
take seconds, not minutes. Objects are read and written in chunks through the key's
buffer so job memory stays flat whatever the manifest or results size. That reaches
into moto's ``FakeKey`` internals (``_value_buffer``, ``_etag``); moto is pinned below
6, and each access falls back to moto's public (whole-value) API if the internals move.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Final

from moto.kms.models import kms_backends
from moto.s3.models import FakeKey, S3Backend, s3_backends
from moto.utilities.utils import get_partition

from rekognition_media.api.arns import parse_arn

CHUNK_BYTES: Final = 256 * 1024


class StorageError(Exception):
    """An S3 or KMS resource the job needs is missing or unusable; message says which."""


class NoSuchBucket(StorageError):
    pass


class NoSuchObject(StorageError):
    pass


class KmsKeyError(StorageError):
    pass


@dataclass(frozen=True)
class StoredObject:
    """An S3 object version, readable by offset or as a stream of chunks."""

    bucket: str
    key: str
    size: int
    metadata: dict[str, str]
    _fake: FakeKey

    def read_at(self, offset: int, length: int) -> bytes:
        buffer = getattr(self._fake, "_value_buffer", None)
        try:
            if buffer is None:
                return self._fake.value[offset : offset + length]
            with self._fake.lock:
                buffer.seek(offset)
                data: bytes = buffer.read(length)
                return data
        except ValueError as exc:  # moto closes the buffer of a deleted key
            raise NoSuchObject(f"s3://{self.bucket}/{self.key} was deleted") from exc

    def iter_chunks(self, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
        offset = 0
        while True:
            chunk = self.read_at(offset, chunk_bytes)
            if not chunk:
                return
            offset += len(chunk)
            yield chunk


class Storage:
    """S3 and KMS of one account, seen from one region (the job's)."""

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region

    @property
    def _s3(self) -> S3Backend:
        backend: S3Backend = s3_backends[self.account_id][get_partition(self.region)]
        return backend

    def bucket_region(self, bucket: str) -> str:
        """The bucket's region; :class:`NoSuchBucket` if there is no such bucket."""
        try:
            region: str = self._s3.get_bucket(bucket).region_name
        except Exception as exc:  # moto raises MissingBucket, AccessDenied..., all "no"
            raise NoSuchBucket(f"bucket {bucket!r} does not exist") from exc
        return region

    def bucket_is_versioned(self, bucket: str) -> bool:
        return bool(self._s3.get_bucket(bucket).is_versioned)

    def get_object(self, bucket: str, key: str, version: str | None = None) -> StoredObject:
        """The object (latest or ``version``); :class:`NoSuchBucket`/:class:`NoSuchObject`."""
        self.bucket_region(bucket)
        try:
            fake = self._s3.get_object(bucket, key, version_id=version)
        except Exception as exc:  # e.g. an invalid version id
            raise NoSuchObject(f"s3://{bucket}/{key} does not exist") from exc
        if fake is None:
            raise NoSuchObject(f"s3://{bucket}/{key} does not exist")
        metadata = {str(name).lower(): str(value) for name, value in fake.metadata.items()}
        return StoredObject(bucket, key, int(fake.size), metadata, fake)

    def put_object(self, bucket: str, key: str, source: IO[bytes], kms_key_arn: str | None) -> str:
        """Store ``source`` (read from its start) as an object; returns its version id.

        With ``kms_key_arn`` the object is SSE-KMS encrypted under that key, as S3 does
        for ``ServerSideEncryption=aws:kms, SSEKMSKeyId=...``.
        """
        extra: dict[str, Any] = {}
        if kms_key_arn is not None:
            extra = {"encryption": "aws:kms", "kms_key_id": kms_key_arn}
        source.seek(0)
        fake = self._s3.put_object(bucket, key, b"", disable_notification=True, **extra)
        buffer = getattr(fake, "_value_buffer", None)
        if buffer is None or not hasattr(fake, "_etag"):
            # moto defines a setter for FakeKey.value that its annotations hide.
            fake.value = source.read()  # type: ignore[misc]
        else:
            digest = hashlib.md5(usedforsecurity=False)
            size = 0
            with fake.lock:
                buffer.seek(0)
                buffer.truncate()
                for chunk in iter(lambda: source.read(CHUNK_BYTES), b""):
                    buffer.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                fake.contentsize = size
                fake._etag = digest.hexdigest()
        return str(fake.version_id)

    def resolve_kms_key(self, key_ref: str) -> str:
        """The ARN of a usable symmetric KMS key named by id, ARN, alias or alias ARN.

        :class:`KmsKeyError` when the key is unknown, disabled, pending deletion or not
        an encryption key.
        """
        account, region = self.account_id, self.region
        if key_ref.startswith("arn:"):
            parsed = parse_arn(key_ref)
            if parsed is None or parsed.service != "kms":
                raise KmsKeyError(f"{key_ref!r} is not a KMS key or alias ARN")
            region, account = parsed.region, parsed.account
        try:
            key = kms_backends[account][region].describe_key(key_ref)
        except Exception as exc:  # moto raises KeyError, NotFound or AttributeError
            raise KmsKeyError(f"KMS key {key_ref!r} does not exist") from exc
        if key.key_state != "Enabled":
            raise KmsKeyError(f"KMS key {key_ref!r} is {key.key_state}")
        # moto leaves KeyUsage unset when CreateKey omits it; AWS defaults it the same way.
        usage = key.key_usage or "ENCRYPT_DECRYPT"
        if usage != "ENCRYPT_DECRYPT" or key.key_spec != "SYMMETRIC_DEFAULT":
            raise KmsKeyError(f"KMS key {key_ref!r} is not a symmetric encryption key")
        arn: str = key.arn
        return arn
