"""A random value that identifies one stack in one backend, kept in its state.

Idempotency tokens must tell stacks apart: project, stack and resource names alone are
the same for two stacks in two backends (a laptop's file backend and CI's), and would
make them share -- and destroy the outputs of -- each other's jobs. No such value exists
in the program (the organization is "organization" for every file backend), so the stack
makes one: a ``StackIdentity`` resource whose create draws a random value. It is created
before any job (jobs take their token from it), so a ``pulumi up`` killed while a job
waits re-runs with the same value and adopts the job; destroying the stack discards it,
so a new stack starts new jobs.
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider

from rekognition_media.api.resources import PROVIDER_MODULE, STACK_IDENTITY_RESOURCE
from rekognition_media.core import pulumi_internals

from .serving import serving

RESOURCE_NAME = "rekognition-media-stack-identity"


class StackIdentityProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        serving()
        value = secrets.token_hex(16)
        return CreateResult(value, {"value": value})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        serving()
        return DiffResult(changes=False)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        serving()
        return ReadResult(id_, {**props, "value": props.get("value") or id_})


class StackIdentity(pulumi.dynamic.Resource, module=PROVIDER_MODULE, name=STACK_IDENTITY_RESOURCE):
    value: pulumi.Output[str]

    def __init__(self, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(StackIdentityProvider(), RESOURCE_NAME, {"value": None}, opts)


_lock = threading.Lock()
_current: tuple[object, StackIdentity] | None = None


def stack_identity() -> pulumi.Output[str]:
    """This stack's identity value; the resource is declared once per program run."""
    global _current
    # An inline Automation API program may run many times in one process: one resource
    # per run, tied to the run's RPC manager rather than to the module.
    run = pulumi_internals.program_run()
    with _lock:
        if _current is None or _current[0] is not run:
            _current = (run, StackIdentity())
        return _current[1].value
