"""What an AWS error means for the provider's own retries, shared by ``start`` and ``pollers``.

The provider retries its StartMediaAnalysisJob and polling calls itself (one attempt per
call, see ``client``), so it decides for each error:

* ``is_retryable``: "ask again later" (throttling, the concurrent-job quota, server
  errors, no answer) rather than "this will never work";
* ``is_connection_error``: no answer at all from the endpoint (refused, reset, a connect
  or read timeout), which is retried for at most ``UNREACHABLE_LIMIT`` seconds, at least
  every ``UNREACHABLE_RETRY_CAP`` seconds;
* ``is_account_error``: about the caller's account or credentials (an expired token)
  rather than about one job, so every wait of the process ends with it;
* ``error_code``: the service's error code, ``""`` for errors that are not answers.
"""

from __future__ import annotations

from botocore.exceptions import (
    ClientError,
    ConnectionError,
    CredentialRetrievalError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
    SSOError,
    TokenRetrievalError,
)

# Errors that mean "ask again later", not "this will never work".
RETRYABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "LimitExceededException",
        "InternalServerError",
        "ServiceUnavailable",
    }
)

# Credentials that expired, and credentials the service does not accept: what a refusal
# of them means for the user is ``account``'s.
EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})
REJECTED_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "MissingAuthenticationToken",
        "AuthFailure",
    }
)
# Errors that are about the caller's account or credentials, not about one job: every
# wait of the process ends with them.
ACCOUNT_ERROR_CODES = (
    EXPIRED_CODES | REJECTED_CODES | {"OptInRequired", "SubscriptionRequiredException"}
)
# Seconds without any answer from the endpoint (refused, reset, timed out) after which a
# wait or a Start gives up; the job keeps running and the next `pulumi up` resumes it.
UNREACHABLE_LIMIT = 60.0
# While the endpoint cannot be reached, retry at least this often.
UNREACHABLE_RETRY_CAP = 10.0


def is_connection_error(error: Exception) -> bool:
    """No answer from the endpoint: refused, reset, or a connect or read timeout."""
    return isinstance(error, ConnectionError | HTTPClientError)


def error_code(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", ""))
    return ""


def is_account_error(error: Exception) -> bool:
    """An error about the account or its credentials rather than about one job."""
    return error_code(error) in ACCOUNT_ERROR_CODES or isinstance(error, CREDENTIAL_ERRORS)


# botocore's errors for credentials it could not find or obtain (SSOError covers an SSO
# token that could not be loaded or was refused).
CREDENTIAL_ERRORS = (
    NoCredentialsError,
    PartialCredentialsError,
    CredentialRetrievalError,
    TokenRetrievalError,
    SSOError,
)


def is_retryable(error: Exception) -> bool:
    if is_connection_error(error):
        return True
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return code in RETRYABLE_CODES or status >= 500
    return False
