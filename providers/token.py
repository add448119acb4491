"""Deterministic idempotency tokens.

StartMediaAnalysisJob deduplicates on ClientRequestToken: the same token with the same
request returns the job already started. boto3 sends a fresh UUID per call, so a create
that is interrupted while waiting (process killed, Ctrl-C, lost connection) and re-run
would start a second job. Deriving the token from the resource's identity and its request
makes the re-run adopt the first job instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from rekognition_media.providers.request import normalise

PREFIX = "pulumi-"
MAX_LENGTH = 64  # the API's limit for ClientRequestToken


def derive_token(identity: str, request: Mapping[str, Any]) -> str:
    """A token unique to ``identity`` (stack + resource) and the request's content.

    ``request`` is the API request without a token; key order and int/float spelling
    of numbers do not change the result.
    """
    without_token = {k: v for k, v in request.items() if k != "ClientRequestToken"}
    canonical = json.dumps(
        {"identity": identity, "request": normalise(without_token)},
        sort_keys=True,
        separators=(",", ":"),
    )
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return (PREFIX + digest)[:MAX_LENGTH]
