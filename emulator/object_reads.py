"""S3 object reads authorized as AWS authorizes them, where moto does not.

Two differences matter to clients that explain a refused read (the provider's moderation
summary names the missing permission):

* **HeadObject is s3:GetObject.** AWS authorizes HeadObject as ``s3:GetObject``; moto
  checks a bucket policy for an ``s3:HeadObject`` action that does not exist, so a bucket
  policy denying ``s3:GetObject`` refuses GetObject but lets HeadObject through. Here a
  HEAD of an object is refused (403, no body, as S3 answers a HEAD) whenever GetObject
  would be.
* **Reading an SSE-KMS object needs the key.** moto stores objects unencrypted and
  ignores their key on reads. AWS decrypts with the object's key on GetObject (not on
  HeadObject): a disabled key answers ``KMS.DisabledException``, a key pending deletion
  ``KMS.KMSInvalidStateException``, a deleted one ``KMS.NotFoundException``, and a key
  policy that denies ``kms:Decrypt`` answers AccessDenied naming ``kms:Decrypt``.

Only path-style object requests signed for S3 (how boto3 and the provider reach the
emulator) are looked at; everything else, and every read these rules allow, goes to moto
unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import parse_qs, unquote
from xml.sax.saxutils import escape

from moto.iam.access_control import IAMPolicy, PermissionResult
from moto.kms.models import kms_backends
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition

from .models import Scope
from .responses import HttpResponse

_S3_SIGNED: Final = re.compile(r"Credential=[^/,\s]+/[^/,\s]*/[^/,\s]+/s3/")
# Sub-resources of an object read (?acl, ?tagging, ...) are other actions: left to moto.
_PLAIN_READ_QUERY: Final = frozenset({"versionId", "partNumber", "response-content-type"})


def refused_read(environ: Mapping[str, Any], scope: Scope) -> HttpResponse | None:
    """The answer AWS would give to this object read and moto would not, else None."""
    method = str(environ.get("REQUEST_METHOD", ""))
    if method not in ("GET", "HEAD") or not _S3_SIGNED.search(
        str(environ.get("HTTP_AUTHORIZATION", ""))
    ):
        return None
    bucket_name, _, key_name = unquote(str(environ.get("PATH_INFO", ""))).lstrip("/").partition("/")
    query = parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)
    if not bucket_name or not key_name or set(query) - _PLAIN_READ_QUERY:
        return None
    try:
        backend = s3_backends[scope.account_id][get_partition(scope.region)]
        bucket = backend.get_bucket(bucket_name)
        version = query["versionId"][0] if "versionId" in query else None
        key = backend.get_object(bucket_name, key_name, version_id=version)
    except Exception:  # no such bucket, key or version: moto answers that itself
        return None
    if method == "HEAD":
        resource = f"arn:{get_partition(scope.region)}:s3:::{bucket_name}/{key_name}"
        if bucket.get_permission("s3:GetObject", resource) == PermissionResult.DENIED:
            return HttpResponse(403, [("Content-Length", "0")], b"")
        return None
    if key is None or getattr(key, "encryption", None) != "aws:kms" or not key.kms_key_id:
        return None
    return _refused_decrypt(str(key.kms_key_id), scope, bucket.region_name)


def _refused_decrypt(key_ref: str, scope: Scope, bucket_region: str) -> HttpResponse | None:
    account, region = scope.account_id, bucket_region
    if key_ref.startswith("arn:"):
        parts = key_ref.split(":", 5)
        region, account = parts[3], parts[4]
    try:
        key = kms_backends[account][region].describe_key(key_ref)
    except Exception:
        return _error(400, "KMS.NotFoundException", f"Key '{key_ref}' does not exist")
    if key.key_state == "Disabled":
        return _error(400, "KMS.DisabledException", f"{key.arn} is disabled.")
    if key.key_state != "Enabled":
        state = "pending deletion" if key.key_state == "PendingDeletion" else key.key_state
        return _error(400, "KMS.KMSInvalidStateException", f"{key.arn} is {state}.")
    if key.policy and IAMPolicy(key.policy).is_action_permitted("kms:Decrypt", key.arn) == (
        PermissionResult.DENIED
    ):
        return _error(
            403,
            "AccessDenied",
            f"User: arn:aws:iam::{scope.account_id}:root is not authorized to perform: "
            f"kms:Decrypt on resource: {key.arn} with an explicit deny in a resource-based "
            "policy",
        )
    return None


def _error(status: int, code: str, message: str) -> HttpResponse:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{escape(message)}</Message></Error>"
    ).encode()
    return HttpResponse(status, [("Content-Type", "application/xml")], body)
