"""Rules of StartMediaAnalysisJob that botocore's model cannot express.

The model makes every member of ``OperationsConfig`` optional, yet a job needs an
operation to run: the service refuses an ``OperationsConfig`` that names none
([UNCONFIRMED] which exception; the emulator answers InvalidParameterException). The rule
is stated once, over the shape's members, so a future operation joins it without an edit.
Likewise the model makes the manifest's ``Bucket`` and ``Name`` optional, yet a job reads
its manifest from both ([UNCONFIRMED] which exception the service raises without them;
the emulator answers InvalidParameterException). The emulator enforces these rules
server-side and the provider's ``check`` reports them at preview.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .shapes import START, Violation, service_model

_OPERATIONS_CONFIG = "OperationsConfig"


def operations() -> tuple[str, ...]:
    """The operations a job can run: the members of its ``OperationsConfig``."""
    start = service_model().operation_model(START).input_shape
    assert start is not None
    return tuple(start.members[_OPERATIONS_CONFIG].members)


def validate_start(request: Mapping[str, Any]) -> list[Violation]:
    """Violations of the service's own rules in a StartMediaAnalysisJob request."""
    return [*_an_operation(request), *_a_manifest(request)]


def _an_operation(request: Mapping[str, Any]) -> list[Violation]:
    config = request.get(_OPERATIONS_CONFIG)
    if not isinstance(config, Mapping):
        return []  # absent or mistyped: the model's validation reports it
    if any(config.get(name) is not None for name in operations()):
        return []
    return [
        Violation(
            (_OPERATIONS_CONFIG,),
            dict(config),
            f"Member must specify at least one operation: {', '.join(operations())}",
        )
    ]


def _a_manifest(request: Mapping[str, Any]) -> list[Violation]:
    given = request.get("Input")
    s3_object = given.get("S3Object") if isinstance(given, Mapping) else None
    if not isinstance(s3_object, Mapping):
        return []  # absent or mistyped: the model's validation reports it
    return [
        Violation(
            ("Input", "S3Object", member),
            None,
            f"Member must not be null: it is the {what} of the manifest the job reads",
        )
        for member, what in (("Bucket", "bucket"), ("Name", "object key"))
        if s3_object.get(member) is None
    ]
