"""ListMediaAnalysisJobs: newest first, MaxResults, opaque and tamper-proof NextToken.

Each test lists its own region, so jobs of other tests do not interfere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .support import Aws


def region_with_jobs(
    aws_client: Callable[..., Any], region: str, count: int
) -> tuple[Aws, list[str]]:
    aws = Aws(aws_client, region)
    source, output = aws.bucket("in"), aws.bucket("out")
    manifest = aws.manifest(source, [{"source-ref": aws.image(source)}])
    return aws, [aws.start(source, manifest, output) for _ in range(count)]


def test_newest_first_and_paginated_without_token_on_the_last_page(
    aws_client: Callable[..., Any],
) -> None:
    aws, started = region_with_jobs(aws_client, "ap-southeast-2", 5)
    pages = []
    token = None
    while True:
        kwargs: dict[str, Any] = {"MaxResults": 2}
        if token:
            kwargs["NextToken"] = token
        page = aws.rekognition.list_media_analysis_jobs(**kwargs)
        pages.append([job["JobId"] for job in page["MediaAnalysisJobs"]])
        token = page.get("NextToken")
        if token is None:
            break
    assert pages == [started[4:2:-1], started[2:0:-1], started[:1]]
    everything = aws.rekognition.list_media_analysis_jobs()["MediaAnalysisJobs"]
    assert [job["JobId"] for job in everything] == started[::-1]
    created = [job["CreationTimestamp"] for job in everything]
    assert created == sorted(created, reverse=True)
    assert "NextToken" not in aws.rekognition.list_media_analysis_jobs()


def test_default_page_size_is_100(aws_client: Callable[..., Any]) -> None:
    aws, started = region_with_jobs(aws_client, "ca-central-1", 101)
    first = aws.rekognition.list_media_analysis_jobs()
    assert len(first["MediaAnalysisJobs"]) == 100
    second = aws.rekognition.list_media_analysis_jobs(NextToken=first["NextToken"])
    assert [job["JobId"] for job in second["MediaAnalysisJobs"]] == [started[0]]
    assert "NextToken" not in second


def test_jobs_started_between_pages_do_not_shift_the_next_page(
    aws_client: Callable[..., Any],
) -> None:
    aws, started = region_with_jobs(aws_client, "sa-east-1", 4)
    first = aws.rekognition.list_media_analysis_jobs(MaxResults=2)
    source, output = aws.bucket("in"), aws.bucket("out")
    aws.start(source, aws.manifest(source, [{"source-ref": aws.image(source)}]), output)
    second = aws.rekognition.list_media_analysis_jobs(MaxResults=2, NextToken=first["NextToken"])
    assert [job["JobId"] for job in second["MediaAnalysisJobs"]] == started[1::-1]


def test_list_items_have_the_get_shape(aws_client: Callable[..., Any]) -> None:
    aws, started = region_with_jobs(aws_client, "ap-northeast-3", 1)
    job = aws.wait(started[0])
    listed = aws.rekognition.list_media_analysis_jobs()["MediaAnalysisJobs"][0]
    job.pop("ResponseMetadata")
    assert listed == job


def tamper(token: str) -> list[str]:
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    payload = token.partition(".")[0]
    return [flipped, "X" + token[1:], payload, token + "x", "junk", "", f"{payload}.{payload}"]


def test_tampered_or_foreign_tokens_are_invalid_pagination_tokens(
    aws_client: Callable[..., Any],
) -> None:
    aws, _ = region_with_jobs(aws_client, "eu-north-1", 3)
    token = aws.rekognition.list_media_analysis_jobs(MaxResults=1)["NextToken"]
    for bad in tamper(token):
        with pytest.raises(aws.rekognition.exceptions.InvalidPaginationTokenException):
            aws.rekognition.list_media_analysis_jobs(NextToken=bad)
    # A token is bound to its region (and account).
    other = Aws(aws_client, "eu-south-1")
    with pytest.raises(other.rekognition.exceptions.InvalidPaginationTokenException):
        other.rekognition.list_media_analysis_jobs(NextToken=token)
    # The genuine token still works.
    assert aws.rekognition.list_media_analysis_jobs(NextToken=token)["MediaAnalysisJobs"]


def test_jobs_are_per_region(aws_client: Callable[..., Any]) -> None:
    _, started = region_with_jobs(aws_client, "me-south-1", 1)
    other = Aws(aws_client, "af-south-1")
    assert other.rekognition.list_media_analysis_jobs()["MediaAnalysisJobs"] == []
    with pytest.raises(other.rekognition.exceptions.ResourceNotFoundException):
        other.rekognition.get_media_analysis_job(JobId=started[0])
