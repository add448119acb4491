"""What a dynamic provider process sets up when it serves its first call.

The engine runs the dynamic providers in ``python -m pulumi.dynamic`` processes, which
unpickle the provider and call its methods; the SDK offers no call that comes first, so
every method of the package's dynamic providers starts with ``serving()`` (cheap after
the first). It lets the process serve every call at once, so that one process holds every
job of a stack and other resources' checks never wait behind them; makes the engine's
Cancel (the first Ctrl-C) stop every wait of the process, as the plugin's does; makes the
process exit with the engine (``lifeline``); and reports the product's own errors as
their sentence alone. All but the lifeline reach into the SDK's server through
``core.pulumi_internals``. In any other process (the program, tests calling the methods)
it does nothing.
"""

from __future__ import annotations

from rekognition_media.core import cancellation
from rekognition_media.core.pulumi_internals import (
    cancel_on_engine_cancel,
    report_dynamic_provider_errors,
    serve_every_call_at_once,
)
from rekognition_media.core.user_errors import user_message

from . import lifeline


def serving() -> None:
    serve_every_call_at_once()
    cancel_on_engine_cancel(cancellation.cancel)
    lifeline.start_if_provider_server()
    report_dynamic_provider_errors(user_message)
