"""What a dynamic provider process sets up when it serves its first call.

The engine runs the dynamic providers in ``python -m pulumi.dynamic`` processes, which
unpickle the provider and call its methods; the SDK offers no call that comes first, so
every method of the package's dynamic providers starts with ``serving()`` (cheap after
the first). It makes the process exit with the engine (``lifeline``) and report the
product's own errors as their sentence alone (``core.pulumi_internals``). In any other
process (the program, tests calling the methods) it does nothing.
"""

from __future__ import annotations

from rekognition_media.core.pulumi_internals import report_dynamic_provider_errors
from rekognition_media.core.user_errors import user_message

from . import lifeline


def serving() -> None:
    lifeline.start_if_provider_server()
    report_dynamic_provider_errors(user_message)
