"""Errors of the Rekognition API, raised by the models and serialized by the responses.

Names and HTTP statuses follow the AWS documentation (Rekognition API Reference,
"Common Errors" and each operation's "Errors"): every modeled exception is a 400 except
InternalServerError and (by default, [UNCONFIRMED]) ThrottlingException, which are 500s.
"""

from __future__ import annotations

from typing import Final

INVALID_S3_OBJECT_MESSAGE: Final = (
    "Unable to get object metadata from S3. Check object key, region and/or access permissions."
)

# What an account without bulk analysis gets from StartMediaAnalysisJob: AWS documents
# neither the code nor the text ([UNCONFIRMED]); clients must not rely on the words.
BULK_ANALYSIS_DENIED: Final = "Your account does not have access to StartMediaAnalysisJob."


class ApiError(Exception):
    """An AWS error response: ``__type``/``Code`` name, HTTP status and message."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def invalid_parameter(message: str) -> ApiError:
    return ApiError("InvalidParameterException", message)


def resource_not_found(message: str) -> ApiError:
    return ApiError("ResourceNotFoundException", message)


def invalid_pagination_token(message: str = "Invalid pagination token.") -> ApiError:
    return ApiError("InvalidPaginationTokenException", message)


def idempotent_parameter_mismatch(token: str) -> ApiError:
    return ApiError(
        "IdempotentParameterMismatchException",
        f"ClientRequestToken {token} was already used with different parameters.",
    )


def invalid_s3_object(message: str = INVALID_S3_OBJECT_MESSAGE) -> ApiError:
    return ApiError("InvalidS3ObjectException", message)


def invalid_manifest(message: str) -> ApiError:
    return ApiError("InvalidManifestException", message)


def limit_exceeded(message: str) -> ApiError:
    return ApiError("LimitExceededException", message)


def serialization(message: str) -> ApiError:
    """Malformed request bodies: AWS's JSON protocol front end answers SerializationException."""
    return ApiError("SerializationException", message)


def access_denied(message: str) -> ApiError:
    return ApiError("AccessDeniedException", message)


def internal_error(message: str = "Internal server error.") -> ApiError:
    return ApiError("InternalServerError", message, 500)
