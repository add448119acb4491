"""Rules of StartMediaAnalysisJob that botocore's model cannot express.

The model makes every member of ``OperationsConfig`` optional, yet a job needs an
operation to run: the service refuses an ``OperationsConfig`` that names none
([UNCONFIRMED] which exception; the emulator answers InvalidParameterException). The rule
is stated once, over the shape's members, so a future operation joins it without an edit;
the emulator enforces it server-side and the provider's ``check`` reports it at preview.
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
