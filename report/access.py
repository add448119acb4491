"""What an AWS error means to the person running the report: one line, naming what is missing.

A report reads three kinds of things: the job (``rekognition:GetMediaAnalysisJob``), the
job's output objects (``s3:GetObject``, and ``kms:Decrypt`` on the job's key, since the
service writes them with SSE-KMS) and the images the results name (``s3:GetObject`` on
the input bucket). When one cannot be read the user needs the permission or the object
to fix, not a traceback.
"""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    HTTPClientError,
    NoRegionError,
)

from rekognition_media.core.account import (
    EMULATOR_CREDENTIALS,
    credential_chain,
    credential_problem,
)

_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "Forbidden", "403"})
_MISSING_OBJECT = frozenset({"NoSuchKey", "NoSuchVersion", "404", "NotFound"})
_KMS_HINTS = ("kms", "decrypt", "key")


class ReportError(Exception):
    """A failure the report explains in one line; ``exit_code`` 2 for usage, 1 otherwise."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.prog = "rekognition-media report"
        """The command the message is about (the top-level parser's errors name its own)."""


class UsageError(ReportError):
    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=2)


def error_code(error: BaseException) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", ""))
    return ""


def explain(error: BaseException, action: str, resource: str) -> str:
    """``error`` from ``action`` (e.g. ``s3:GetObject``) on ``resource``, for a person."""
    code = error_code(error)
    problem = credential_problem(error)
    if problem is not None:
        # The same words as `pulumi up`'s for a job (the core's).
        return f"{action} on {resource}: {problem}. {credential_chain()}; {EMULATOR_CREDENTIALS}"
    if isinstance(error, NoRegionError):
        return "no AWS region: pass --region or set AWS_REGION / AWS_DEFAULT_REGION"
    if isinstance(error, ConnectionError | HTTPClientError):
        return f"cannot reach the endpoint for {action} ({error})"
    if code in _DENIED:
        message = _message(error)
        if action == "s3:GetObject" and any(hint in message.lower() for hint in _KMS_HINTS):
            return f"no permission kms:Decrypt on the key encrypting {resource} ({message})"
        return f"no permission {action} on {resource} ({code})"
    if code == "NoSuchBucket":
        return f"bucket of {resource} does not exist"
    if code in _MISSING_OBJECT:
        return f"{resource} does not exist"
    if isinstance(error, ClientError):
        return f"{action} on {resource} failed: {code}: {_message(error)}"
    if isinstance(error, BotoCoreError):
        return f"{action} on {resource} failed: {error}"
    return f"{action} on {resource} failed: {type(error).__name__}: {error}"


def _message(error: BaseException) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Message", "")) or error_code(error)
    return str(error)
