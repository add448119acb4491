"""What a refusal about the account or its credentials tells the user (``account``).

The emulator produces the common cases end to end (tests/providers/test_engine_job.py,
tests/plugin/test_yaml_job.py, tests/report/test_cli.py); the errors it cannot produce --
an SSO session, and refusals in words the emulator does not use -- are built here as
botocore raises them.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import (
    ClientError,
    NoCredentialsError,
    SSOTokenLoadError,
    TokenRetrievalError,
)

from rekognition_media.core.account import (
    CredentialsProblem,
    bulk_analysis_refusal,
    credential_problem,
    credentials_checked,
)


def refusal(code: str, message: str, operation: str = "StartMediaAnalysisJob") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


def test_an_access_denied_start_means_no_bulk_analysis_and_keeps_aws_words() -> None:
    said = str(bulk_analysis_refusal(refusal("AccessDeniedException", "Denied."), "nightly"))
    assert said.startswith(
        "nightly: StartMediaAnalysisJob was refused (AccessDeniedException: Denied)"
    )
    assert "no access to Amazon Rekognition bulk analysis" in said
    assert "30 April 2026" in said and "emulator" in said
    # Without words that say which, the IAM permission is the other possible cause.
    assert "rekognition:StartMediaAnalysisJob" in said


def test_a_refusal_naming_bulk_analysis_counts_whatever_its_code() -> None:
    error = refusal("ValidationException", "Bulk analysis is not available for this account")
    said = str(bulk_analysis_refusal(error, "nightly"))
    assert "(ValidationException: Bulk analysis is not available for this account)" in said
    assert "no access to Amazon Rekognition bulk analysis" in said
    assert "IAM permission" not in said


@pytest.mark.parametrize(
    "error",
    [
        refusal("InvalidS3ObjectException", "Unable to get object metadata from S3."),
        refusal("LimitExceededException", "Too many jobs"),
    ],
)
def test_other_start_refusals_are_not_about_bulk_analysis(error: ClientError) -> None:
    assert bulk_analysis_refusal(error, "nightly") is None


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (NoCredentialsError(), "no AWS credentials found"),
        (
            SSOTokenLoadError(error_msg="Token for my-sso does not exist"),
            "the AWS SSO session has expired or was never started",
        ),
        (
            TokenRetrievalError(provider="sso", error_msg="Token has expired and refresh failed"),
            "run `aws sso login --profile work`",
        ),
        (
            refusal(
                "ExpiredTokenException", "The security token included in the request is expired"
            ),
            "have expired",
        ),
        (
            refusal("UnrecognizedClientException", "The security token is invalid"),
            "were not accepted",
        ),
        (refusal("InvalidClientTokenId", "The security token is invalid"), "were not accepted"),
    ],
)
def test_credential_errors_say_what_is_wrong_and_the_way_forward(
    error: Exception, said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "work")
    problem = credential_problem(error)
    assert problem is not None and said in problem
    with (
        pytest.raises(CredentialsProblem) as raised,
        credentials_checked("nightly", "StartMediaAnalysisJob (starting it)"),
    ):
        raise error
    message = str(raised.value)
    assert message.startswith(f"nightly: StartMediaAnalysisJob (starting it): {problem}. ")
    assert "the profile 'work' (AWS_PROFILE)" in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_other_errors_pass_through_unchanged() -> None:
    error: Any = refusal("AccessDeniedException", "User is not authorized", "GetMediaAnalysisJob")
    assert credential_problem(error) is None
    with (
        pytest.raises(ClientError) as raised,
        credentials_checked("nightly", "GetMediaAnalysisJob"),
    ):
        raise error
    assert raised.value is error
