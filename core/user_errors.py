"""Which errors are the product's own: sentences written for the user, shown as they are.

Both front ends report a failed call to the engine, which prints it under the resource.
An error the product raised on purpose (a Start refused, a job that FAILED, inputs the
API rejects) says what went wrong and what to do, and the Python frames it passed through
would only bury that: the plugin (``plugin.server``) and the dynamic provider
(``pulumi_internals.report_dynamic_provider_errors``) show its message alone. Anything
else is a bug or an error nobody wrote for the user, and keeps its traceback (or, in the
plugin, its type's name).

The product's own errors are the exceptions defined in its modules (``rekognition_media.*``),
whatever their base class: the core's errors that once were builtins subclass the builtin
they were (``InvalidInputs`` is a ``ValueError``), so code that catches the builtin still
catches them.
"""

from __future__ import annotations

PRODUCT_PACKAGE = "rekognition_media"


def user_message(error: BaseException) -> str | None:
    """The message of one of the product's own errors; None for any other exception (or
    one of ours without a message: it has no sentence to show)."""
    module = type(error).__module__
    if module != PRODUCT_PACKAGE and not module.startswith(f"{PRODUCT_PACKAGE}."):
        return None
    return str(error) or None


class InvalidInputs(ValueError):
    """Inputs the API or the resource rejects, found when they are known (at create: preview
    lets values that come from other resources through)."""


class NotAdoptable(ValueError):
    """``adopt_job_id`` names a job whose request is not the declared one."""


class InvalidSetting(ValueError):
    """A setting of the provider process (an environment variable) has a value it does not
    take."""
