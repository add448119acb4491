"""What the core says about the AWS account and its credentials, through either front
end and the real CLI: one sentence naming the resource and the call, never a traceback,
and no job started."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from devtools.world import no_credentials_env, other_account_env, seed
from rekognition_media.emulator import Emulator
from tests.front_ends.conftest import OneJobFactory
from tests.front_ends.support import FrontFailed

pytestmark = pytest.mark.engine

NEW_ACCOUNT = "210987654321"
NO_TRACEBACK = ("Traceback", 'File "', "Unexpected <class")


def test_an_account_without_bulk_analysis_is_told_so_at_up(
    emulator: Emulator, one_job: OneJobFactory, emulator_settings: Callable[..., Any]
) -> None:
    world = seed(emulator)
    emulator_settings(bulk_analysis_access={NEW_ACCOUNT: False})
    job = one_job(world, env=other_account_env(emulator, NEW_ACCOUNT))
    with pytest.raises(FrontFailed) as failure:
        job.front.up()
    said = failure.value.said
    assert f"{job.resource}: StartMediaAnalysisJob was refused (AccessDeniedException: " in said
    assert "Your account does not have access to StartMediaAnalysisJob" in said  # AWS's words
    assert "no access to Amazon Rekognition bulk analysis" in said
    assert "closed bulk analysis to new customers on 30 April 2026" in said
    assert "the local emulator" in said
    assert not any(frame in said for frame in NO_TRACEBACK), said
    assert world.jobs_reading_input() == []


def test_no_credentials_fail_up_naming_the_resource_the_call_and_the_chain(
    emulator: Emulator, one_job: OneJobFactory, tmp_path: Path
) -> None:
    world = seed(emulator)
    job = one_job(world, env=no_credentials_env(tmp_path))
    with pytest.raises(FrontFailed) as failure:
        job.front.up()
    said = failure.value.said
    assert (
        f"{job.resource}: StartMediaAnalysisJob (starting its media analysis job): "
        "no AWS credentials found. The standard AWS credential chain looked at: the "
        "environment (AWS_ACCESS_KEY_ID"
    ) in said
    assert "aws sso login" in said and "instance role" in said
    assert "any AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY pair works" in said
    assert "NoCredentialsError" not in said
    assert not any(frame in said for frame in NO_TRACEBACK), said
    assert world.jobs_reading_input() == []


def test_expired_credentials_while_waiting_fail_up_saying_so(
    emulator: Emulator, one_job: OneJobFactory, emulator_settings: Callable[..., Any]
) -> None:
    world = seed(emulator, duration_seconds=30)
    # The job's Get answers ExpiredTokenException and List leaves the job out, as when
    # the session token expires during a long wait.
    emulator_settings(job_poll_faults={"expiring": "ExpiredTokenException"})
    job = one_job(world, jobName="expiring")
    with pytest.raises(FrontFailed) as failure:
        job.front.up()
    said = failure.value.said
    emulator_settings(job_poll_faults={})  # so that List shows the job again
    [started] = world.jobs_of()
    assert f"{job.resource}: reading job {started['JobId']} just started" in said
    assert "the AWS credentials have expired (ExpiredTokenException: " in said
    assert "refresh them" in said and "The standard AWS credential chain looked at" in said
    assert not any(frame in said for frame in NO_TRACEBACK), said
