"""The batch's core against the session's emulator: listing, shards, resume, cap, merge."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from devtools.world import World, provider_env, put_many, seed, seed_prefix
from rekognition_media.api import limits
from rekognition_media.core import batch
from rekognition_media.core.batch_listing import TooManyImages, count_unlisted, read_record
from rekognition_media.core.batch_request import (
    Source,
    batch_directory,
    batch_problems,
    diff,
)
from rekognition_media.core.summary import (
    FlaggedImage,
    LabelCount,
    ModerationSummary,
    merge_summaries,
)
from rekognition_media.emulator import Emulator

BIG = 10_001  # one more than a manifest holds: two shards


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in provider_env().items():
        monkeypatch.setenv(name, value)


def props(world: World, prefix: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "resource_name": "nightly",
        "token_scope": f"proj/stack/nightly/{uuid.uuid4().hex}",
        "source": {"bucket": world.input_bucket, "prefix": prefix},
        "max_images": 20_000,
        "operations_config": {"detect_moderation_labels": {"min_confidence": 60}},
        "output_config": {"s3_bucket": world.output_bucket, "s3_key_prefix": "results/"},
        "kms_key_id": world.key_arn,
        "job_name": "nightly",
        "endpoint_url": world.emulator.url,
        "region": "us-east-1",
        **extra,
    }


# Lists a prefix of 10,001 keys and runs its two shards' jobs: seconds each, so out of the
# fast tier.
LISTS_A_BIG_PREFIX = pytest.mark.slow


@pytest.fixture(scope="module")
def big(emulator: Emulator) -> World:
    """A world whose input bucket holds, under ``big/``, the three sample images, 10,001
    tiny keys, and one of each skipped kind."""
    world = seed_prefix(emulator, "big/", BIG, suffix=".JPG")  # suffixes: any case
    put_many(world.input_bucket, ["big/notes.txt"], body=b"text")
    put_many(world.input_bucket, ["big/empty.png"], body=b"")
    put_many(world.input_bucket, ["big/huge.jpeg"], body=b"\0" * (limits.MAX_IMAGE_BYTES + 1))
    return world


@LISTS_A_BIG_PREFIX
def test_two_shards_sorted_encrypted_summed_and_resumed_without_a_second_listing(
    big: World, capfd: pytest.CaptureFixture[str]
) -> None:
    given = props(big, "big/")
    created = batch.create(given)
    out = created.outputs
    assert out["images_listed"] == BIG + 3
    assert out["images_skipped"] == {"wrong_suffix": 1, "too_large": 1, "empty": 1}
    assert len(out["job_ids"]) == 2 and out["status"] == "SUCCEEDED"
    assert out["shard_statuses"] == ["SUCCEEDED", "SUCCEEDED"]
    s3 = big.client("s3")
    lines = []
    for uri in out["manifest_uris"]:
        bucket, key = uri[5:].split("/", 1)
        head = s3.head_object(Bucket=bucket, Key=key)
        assert head["ServerSideEncryption"] == "aws:kms"
        assert head["SSEKMSKeyId"] == big.key_arn
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
        lines.append([json.loads(line)["source-ref"] for line in body.splitlines()])
    assert [len(shard) for shard in lines] == [limits.MAX_MANIFEST_LINES, 4]
    refs = [ref for shard in lines for ref in shard]
    assert refs == sorted(refs, key=lambda ref: ref.encode())
    jobs = {job["JobId"]: job for job in big.jobs_of()}
    names = sorted(jobs[job_id]["JobName"] for job_id in out["job_ids"])
    assert names == ["nightly-0", "nightly-1"]
    stats = out["manifest_statistics"]
    assert stats["total_json_lines"] == BIG + 3
    assert stats["valid_json_lines"] == 3  # the tiny keys are not images: invalid lines
    found = out["moderation_summary"]
    assert (found["images_analysed"], found["images_flagged"]) == (3, 2)
    assert found["categories"] == {"Violence": 1, "Explicit": 1}
    err = capfd.readouterr().err
    assert "media analysis batch nightly: 2 jobs, 3 of 10,004 images analysed, 2 flagged" in err
    # One report across both shards, in shard order.
    assert f"— report: rekognition-media report {' '.join(out['job_ids'])}\n" in err

    # Resumed: the record is used (a key added since is not listed), the same jobs.
    put_many(big.input_bucket, ["big/zzz-late.png"], body=b"\x89PNG")
    again = batch.create(given)
    assert again.outputs["job_ids"] == out["job_ids"]
    assert again.outputs["images_listed"] == BIG + 3
    assert len(big.jobs_of()) == 2
    assert "not listing again" in capfd.readouterr().err
    # Refresh with the opt-in count: the late key is the one the batch never listed.
    record = read_record(
        s3, big.output_bucket, batch_directory(given["output_config"], created.batch_id)
    )
    assert record is not None
    assert count_unlisted(s3, Source.of(given), big.output_bucket, record) == 1
    read = batch.read(created.batch_id, {**given, **out, "count_unlisted_on_refresh": True})
    assert read is not None and read["status"] == "SUCCEEDED"
    assert "1 images under s3://" in capfd.readouterr().err
    s3.delete_object(Bucket=big.input_bucket, Key="big/zzz-late.png")  # ``big`` is shared


@LISTS_A_BIG_PREFIX
def test_over_the_cap_fails_before_anything_is_written(big: World) -> None:
    s3 = big.client("s3")
    empty = f"media-out-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=empty)
    given = props(big, "big/", max_images=10_000)
    given["output_config"] = {"s3_bucket": empty, "s3_key_prefix": "results/"}
    with pytest.raises(TooManyImages, match=r"holds 10,004 images .* max_images = 10,000"):
        batch.create(given)
    assert not s3.list_objects_v2(Bucket=empty).get("KeyCount")
    assert not big.jobs_of(empty)


@LISTS_A_BIG_PREFIX
def test_a_failed_shard_fails_the_batch_and_only_it_runs_again(
    emulator: Emulator, emulator_settings: Callable[..., Any]
) -> None:
    world = seed(emulator)
    put_many(world.input_bucket, range(BIG), key_format="p/{:06d}.png")
    given = props(world, "p/", job_name="retry")
    emulator_settings(job_failures={"retry-1": "INTERNAL_ERROR"})
    with pytest.raises(batch.MediaAnalysisBatchFailed, match=r"1 of 2 jobs ended FAILED: shard 1"):
        batch.create(given)
    first = {job["JobName"]: job["JobId"] for job in world.jobs_of()}
    emulator_settings(job_failures={})
    created = batch.create(given)
    jobs = world.jobs_of()
    assert len(jobs) == 3  # the successor of shard 1 only
    assert created.outputs["job_ids"][0] == first["retry-0"]
    assert created.outputs["job_ids"][1] != first["retry-1"]
    assert created.outputs["status"] == "SUCCEEDED"


@LISTS_A_BIG_PREFIX
def test_a_listing_without_its_record_is_listed_again(big: World) -> None:
    given = props(big, "big/", max_images=20_000)
    directory = batch_directory(given["output_config"], batch.batch_token(given))
    s3 = big.client("s3")
    # A create killed after its first manifest: a partial, stale manifest and no record.
    s3.put_object(Bucket=big.output_bucket, Key=f"{directory}manifest-00000.jsonl", Body=b"{}\n")
    created = batch.create(given)
    body = s3.get_object(Bucket=big.output_bucket, Key=f"{directory}manifest-00000.jsonl")
    assert body["Body"].read().count(b"\n") == limits.MAX_MANIFEST_LINES
    assert created.outputs["status"] == "SUCCEEDED"


def test_check_names_field_value_and_rule() -> None:
    found = {
        p.path: p.rule
        for p in batch_problems(
            {
                "source": {"bucket": "b", "prefx": "x/"},
                "operations_config": {"detect_moderation_labels": {"min_confidance": 50}},
                "output_config": {"s3_bucket": "out-bucket"},
                "job_name": "x" * 63,
                "region": "us-east-1",
                "max_imgs": 5,
            }
        )
    }
    assert "did you mean 'prefix'" in found["source.prefix"] if "source.prefix" in found else True
    assert "did you mean 'prefix'" in found["source.prefx"]
    assert "did you mean 'max_images'" in found["max_imgs"]
    assert found["max_images"].startswith("required")
    assert "source.bucket" in found
    assert (
        "did you mean 'min_confidence'"
        in found["operations_config.detect_moderation_labels.min_confidance"]
    )
    assert "shard 0's JobName" in found["job_name"]


def test_diff_replaces_on_source_and_updates_settings() -> None:
    old = {"source": {"bucket": "b", "prefix": "p/"}, "max_images": 5, "job_name": "n"}
    assert diff(old, {**old, "source": {"bucket": "b", "prefix": "q/"}}).replaces == ("source",)
    assert (
        diff(
            old,
            {
                **old,
                "source": {"bucket": "b", "prefix": "p/", "suffixes": [".JPG", ".jpeg", ".png"]},
            },
        ).replaces
        == ()
    )
    changed = diff(old, {**old, "max_images": 6})
    assert changed.replaces == () and changed.updates == ("max_images",)


def test_merged_summaries_sum_counts_and_keep_the_most_confident_images() -> None:
    def one(shard: int, confidences: list[float]) -> ModerationSummary:
        return ModerationSummary(
            images_analysed=len(confidences) + 1,
            images_flagged=len(confidences),
            min_confidence=60,
            labels=[
                LabelCount(
                    name="Violence",
                    parent_name="",
                    taxonomy_level=1,
                    images=len(confidences),
                    max_confidence=max(confidences),
                )
            ],
            categories={"Violence": len(confidences)},
            content_types={"Animated": 1},
            model_version="7.0",
            top_flagged=[
                FlaggedImage(
                    source_ref=f"s3://b/{shard}-{i}", label="Violence", parent_name="", confidence=c
                )
                for i, c in enumerate(sorted(confidences, reverse=True)[:20])
            ],
            malformed_lines=0,
            malformed=[],
        )

    merged = merge_summaries(
        [one(0, [61.0 + i for i in range(15)]), one(1, [80.0 + i for i in range(15)])]
    )
    assert merged is not None
    assert (merged.images_analysed, merged.images_flagged) == (32, 30)
    assert merged.labels[0].images == 30 and merged.labels[0].max_confidence == 94.0
    assert merged.categories == {"Violence": 30} and merged.content_types == {"Animated": 2}
    assert len(merged.top_flagged) == 20
    assert merged.top_flagged[0].confidence == 94.0
    assert merged.top_flagged[-1].confidence == 71.0
    assert merge_summaries([]) is None


@LISTS_A_BIG_PREFIX
def test_shards_wait_for_a_concurrent_job_slot_under_the_accounts_quota(
    emulator: Emulator, emulator_settings: Callable[..., Any], capfd: pytest.CaptureFixture[str]
) -> None:
    """The job's Start: with one concurrent job allowed, shard 1 starts when shard 0 ends."""
    world = seed(emulator)
    put_many(world.input_bucket, range(BIG), key_format="q/{:06d}.png")
    emulator_settings(quota_mode=True, concurrent_jobs=1, job_duration=2)
    created = batch.create(props(world, "q/", job_name="quota"))
    assert created.outputs["status"] == "SUCCEEDED"
    jobs = {job["JobName"]: job for job in world.jobs_of()}
    assert set(jobs) == {"quota-0", "quota-1"}
    assert jobs["quota-1"]["CreationTimestamp"] >= jobs["quota-0"]["CompletionTimestamp"]
    assert "waiting for a concurrent-job slot" in capfd.readouterr().err
