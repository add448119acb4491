"""What a refusal about the caller's account or credentials means for the user.

Both front ends and the report command say it the same way: what was missing or refused,
what the standard credential chain looked at, and the way forward. Two kinds:

* ``credential_problem``: no credentials, incomplete ones, an expired or unrecognised
  token, an SSO session that needs ``aws sso login``;
* ``bulk_analysis_refusal``: an account without Rekognition bulk analysis, which AWS
  closed to new customers on 30 April 2026. The code such an account gets is not
  documented, so an AccessDeniedException from StartMediaAnalysisJob counts, as does any
  refusal whose message names bulk analysis.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import (
    ClientError,
    CredentialRetrievalError,
    NoCredentialsError,
    PartialCredentialsError,
    SSOError,
    TokenRetrievalError,
)

from .errors import EXPIRED_CODES, REJECTED_CODES, error_code

BULK_ANALYSIS_CLOSED = "30 April 2026"
EMULATOR_CREDENTIALS = (
    "against the local emulator any AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY pair works "
    "(e.g. both set to 'testing')"
)


class CredentialsProblem(Exception):
    """An AWS call could not be made, or was refused, for the caller's credentials."""

    def __init__(self, who: str, doing: str, problem: str) -> None:
        super().__init__(
            f"{who}: {doing}: {problem}. {credential_chain()}; {EMULATOR_CREDENTIALS}."
        )
        self.problem = problem


class BulkAnalysisUnavailable(Exception):
    """StartMediaAnalysisJob was refused because the account has no bulk analysis."""


def credential_problem(error: BaseException) -> str | None:
    """What is wrong with the credentials, when ``error`` is about them; else None."""
    code = error_code(error) if isinstance(error, Exception) else ""
    if isinstance(error, NoCredentialsError):
        return "no AWS credentials found"
    if isinstance(error, PartialCredentialsError):
        return f"incomplete AWS credentials ({error})"
    if isinstance(error, SSOError | TokenRetrievalError):
        # botocore raises TokenRetrievalError when an SSO token expired and refreshing it failed.
        return (
            f"the AWS SSO session has expired or was never started ({error}): run "
            f"`aws sso login{_profile_flag()}` and try again"
        )
    if isinstance(error, CredentialRetrievalError):
        return f"the AWS credentials could not be obtained ({error})"
    if code in EXPIRED_CODES:
        return (
            f"the AWS credentials have expired ({code}: {_message(error)}): refresh them "
            "(a new session token, or `aws sso login` for an SSO profile) and try again"
        )
    if code in REJECTED_CODES:
        return (
            f"the AWS credentials were not accepted ({code}: {_message(error)}): the access "
            "key does not exist in this account or partition, or the secret key or session "
            "token does not belong to it"
        )
    return None


def credential_chain() -> str:
    """What the standard credential chain looked at, in its order, for this process."""
    profile = os.environ.get("AWS_PROFILE")
    named = f"profile '{profile}' (AWS_PROFILE)" if profile else "profile 'default'"
    return (
        "The standard AWS credential chain looked at: the environment (AWS_ACCESS_KEY_ID, "
        f"AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the {named} in the shared credentials "
        "and config files (~/.aws/credentials, ~/.aws/config; SSO profiles need "
        "`aws sso login`), and the container or EC2 instance role"
    )


@contextmanager
def credentials_checked(who: str, doing: str) -> Iterator[None]:
    """Raise ``CredentialsProblem`` for a credential error inside: ``who`` (the resource
    or the command) could not do ``doing`` (the call, and what it was for)."""
    try:
        yield
    except Exception as error:
        problem = credential_problem(error)
        if problem is None:
            raise
        raise CredentialsProblem(who, doing, problem) from None


def bulk_analysis_refusal(error: Exception, resource: str) -> BulkAnalysisUnavailable | None:
    """The refusal of a StartMediaAnalysisJob call explained, when it means the account
    has no access to bulk analysis; else None."""
    code = error_code(error)
    original = _message(error).rstrip(".")
    names_it = "bulk analysis" in original.lower()
    if code != "AccessDeniedException" and not names_it:
        return None
    alternative = (
        ""
        if names_it
        else " If this account does use bulk analysis, the credentials lack the IAM "
        "permission rekognition:StartMediaAnalysisJob (MediaAnalysisAccess grants it)."
    )
    return BulkAnalysisUnavailable(
        f"{resource}: StartMediaAnalysisJob was refused ({code or 'error'}: {original}): this "
        "AWS account has no access to Amazon Rekognition bulk analysis. AWS closed bulk "
        f"analysis to new customers on {BULK_ANALYSIS_CLOSED}; accounts that used it in the "
        "12 months before keep it. What still works: such an existing account (its "
        "credentials and region), and the local emulator (rekognition-media-emulator), "
        f"where every job of this package runs.{alternative}"
    )


def _message(error: BaseException) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Message", "")) or error_code(error)
    return str(error)


def _profile_flag() -> str:
    profile = os.environ.get("AWS_PROFILE")
    return f" --profile {profile}" if profile else ""
