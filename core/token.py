"""Deterministic idempotency tokens.

StartMediaAnalysisJob deduplicates on ClientRequestToken: the same token with the same
request returns the job already started. boto3 sends a fresh UUID per call, so a create
that is interrupted while waiting (process killed, Ctrl-C, lost connection) and re-run
would start a second job. Deriving the token from the resource's identity and its request
makes the re-run adopt the first job instead.

The identity is the stack's own (``identity.StackIdentity``: a random value kept in the
stack's state) plus the resource's name, so two stacks that share project, stack and
resource names -- in two backends -- never share a job.

A token is not given a second chance: once its job has FAILED (or its results were
deleted by a replacement), the next job gets a *successor* token, derived from the first
by a counter. Successors are deterministic too, so an interrupted run that had started a
successor adopts it on the re-run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from .request import normalise

PREFIX = "pulumi-"
MAX_LENGTH = 64  # the API's limit for ClientRequestToken


def token_scope(project: str, stack: str, resource_name: str, identity: str) -> str:
    """The scope of a job's derived token: ``<project>/<stack>/<resource name>/<identity>``.

    ``identity`` is the stack's random value: the ``StackIdentity`` resource's for the
    dynamic resource, the provider's ``stackIdentity`` for the plugin."""
    return f"{project}/{stack}/{resource_name}/{identity}"


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


def successor_token(token: str, attempt: int) -> str:
    """The token of the ``attempt``-th successor of ``token``'s job; ``token`` itself for
    ``attempt`` 0."""
    if attempt == 0:
        return token
    canonical = json.dumps([token, attempt], separators=(",", ":"))
    return (PREFIX + hashlib.sha256(canonical.encode()).hexdigest())[:MAX_LENGTH]
