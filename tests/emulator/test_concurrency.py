"""Many clients at once: no lost or duplicated jobs, idempotency holds under races."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .support import Aws, error_code

THREADS = 20


def race(action: Callable[[int], Any], threads: int = THREADS) -> list[Any]:
    """Run ``action(i)`` on ``threads`` threads released at the same moment."""
    barrier = threading.Barrier(threads)

    def run(index: int) -> Any:
        barrier.wait()
        return action(index)

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(run, range(threads)))


def setup_region(aws_client: Callable[..., Any], region: str) -> tuple[Aws, dict[str, Any]]:
    aws = Aws(aws_client, region)
    source, output = aws.bucket("in"), aws.bucket("out")
    manifest = aws.manifest(source, [{"source-ref": aws.image(source)}], duration_seconds=0.2)
    return aws, aws.request(source, manifest, output)


def test_same_token_from_many_threads_creates_one_job(aws_client: Callable[..., Any]) -> None:
    aws, request = setup_region(aws_client, "us-west-2")
    token = uuid.uuid4().hex
    clients = [aws.client("rekognition") for _ in range(THREADS)]
    job_ids = race(
        lambda i: clients[i].start_media_analysis_job(ClientRequestToken=token, **request)["JobId"]
    )
    assert len(set(job_ids)) == 1
    listed = aws.rekognition.list_media_analysis_jobs()["MediaAnalysisJobs"]
    assert [job["JobId"] for job in listed] == job_ids[:1]


def test_distinct_tokens_from_many_threads_create_one_job_each(
    aws_client: Callable[..., Any],
) -> None:
    aws, request = setup_region(aws_client, "eu-central-1")
    clients = [aws.client("rekognition") for _ in range(THREADS)]
    job_ids = race(lambda i: clients[i].start_media_analysis_job(**request)["JobId"])
    assert len(set(job_ids)) == THREADS
    listed = aws.rekognition.list_media_analysis_jobs()["MediaAnalysisJobs"]
    assert sorted(job["JobId"] for job in listed) == sorted(job_ids)
    for job_id in job_ids:
        assert aws.wait(job_id)["Status"] == "SUCCEEDED"


def test_same_token_with_racing_different_bodies_keeps_one_job(
    aws_client: Callable[..., Any],
) -> None:
    aws, request = setup_region(aws_client, "ap-northeast-1")
    token = uuid.uuid4().hex
    clients = [aws.client("rekognition", max_attempts=1) for _ in range(THREADS)]

    def start(i: int) -> str:
        body = {**request, "JobName": f"variant-{i % 2}"}
        try:
            job_id: str = clients[i].start_media_analysis_job(ClientRequestToken=token, **body)[
                "JobId"
            ]
            return job_id
        except clients[i].exceptions.ClientError as exc:
            return error_code(exc)

    outcomes = race(start)
    job_ids = {o for o in outcomes if o != "IdempotentParameterMismatchException"}
    assert len(job_ids) == 1
    mismatches = outcomes.count("IdempotentParameterMismatchException")
    assert mismatches == THREADS // 2
    assert len(aws.rekognition.list_media_analysis_jobs()["MediaAnalysisJobs"]) == 1


def test_gets_and_lists_during_processing_always_answer(aws_client: Callable[..., Any]) -> None:
    aws, request = setup_region(aws_client, "ap-southeast-1")
    job_ids = [aws.rekognition.start_media_analysis_job(**request)["JobId"] for _ in range(5)]
    clients = [aws.client("rekognition") for _ in range(THREADS)]

    def hammer(i: int) -> set[str]:
        statuses = set()
        for _ in range(15):
            if i % 2:
                statuses.add(clients[i].get_media_analysis_job(JobId=job_ids[i % 5])["Status"])
            else:
                for job in clients[i].list_media_analysis_jobs()["MediaAnalysisJobs"]:
                    statuses.add(job["Status"])
        return statuses

    seen = set().union(*race(hammer))
    assert seen <= {"CREATED", "QUEUED", "IN_PROGRESS", "SUCCEEDED"}
    for job_id in job_ids:
        assert aws.wait(job_id)["Status"] == "SUCCEEDED"
