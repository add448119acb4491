"""What delete_outputs_on_destroy may delete: only objects under the job's own prefix."""

from __future__ import annotations

import pytest

from rekognition_media.core.output_prefix import refusal

JOB = "job-0123"


def config(prefix: str | None) -> dict[str, str | None]:
    return {"s3_bucket": "media-out", "s3_key_prefix": prefix}


@pytest.mark.parametrize(
    ("prefix", "name"),
    [
        ("results", f"results/{JOB}/results.jsonl"),
        ("results/", f"results/{JOB}/results.jsonl"),
        ("a/b/", f"a/b/{JOB}/manifest-summary.json"),
        ("", f"{JOB}/results.jsonl"),
        (None, f"{JOB}/results.jsonl"),
    ],
)
def test_the_jobs_own_outputs_may_be_deleted(prefix: str | None, name: str) -> None:
    assert refusal(JOB, config(prefix), {"bucket": "media-out", "name": name}) is None


@pytest.mark.parametrize(
    ("bucket", "name"),
    [
        pytest.param("someone-elses", f"results/{JOB}/results.jsonl", id="another-bucket"),
        pytest.param("media-out", "results/job-other/results.jsonl", id="another-job"),
        pytest.param("media-out", f"results/{JOB}-sibling/results.jsonl", id="a-longer-job-id"),
        pytest.param("media-out", f"results{JOB}/results.jsonl", id="prefix-without-its-slash"),
        pytest.param("media-out", f"{JOB}/results.jsonl", id="above-the-prefix"),
        pytest.param("media-out", f"results/{JOB}/", id="the-prefix-itself"),
        pytest.param("media-out", "important/data.csv", id="anything-else"),
    ],
)
def test_anything_else_is_refused_naming_the_object_and_the_prefix(bucket: str, name: str) -> None:
    why = refusal(JOB, config("results"), {"bucket": bucket, "name": name})
    assert why is not None
    assert f"s3://{bucket}/{name}" in why
    assert f"s3://media-out/results/{JOB}/" in why
