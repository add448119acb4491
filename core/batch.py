"""The lifecycle of a media analysis batch, for both front ends: a prefix, sharded.

A batch is a bucket prefix analysed as manifests of at most 10,000 images, one media
analysis job per manifest ("shard"), on the job's own core (``lifecycle``: the Start
with its quotas and idempotency, the resume or successor of a shard's job, the shared
poller, what a job found). What each Pulumi verb does:

* check    -- ``check``: the batch's inputs and its shards' requests (``batch_request``).
* estimate -- ``estimate`` (preview): counts the images under the prefix (keys and sizes
              only) and prints what the batch will analyse and cost; a prefix not known
              yet or a preview without credentials says so in one line.
* create   -- ``create``: lists the prefix into sorted manifests (``batch_listing``),
              starts one job per manifest with a token derived from the batch's and the
              shard's index, waits for all of them, and sums what they found. A create
              that finds its listing's record resumes from the manifests without listing
              again; each shard's Start then resumes its job (or starts the successor of
              one that FAILED: only that shard runs again).
* read     -- ``read``: every shard's status; with ``count_unlisted_on_refresh``, the
              images under the prefix the batch never listed.
* update   -- ``update``: settings only; the outputs carry over.
* delete   -- ``delete``: with ``delete_outputs_on_destroy``, each shard's results and
              summary (under its own prefix) and the batch's manifests.

Progress goes to stderr, as the job's does (``lifecycle``): one line per event, the
shards' lines under their JobIds and the batch's as ``media analysis batch <name>: ...``.
A shard's wait runs in a thread of its own; its lines reach the calling thread (the
plugin routes that thread's stderr to the engine) through a queue.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from rekognition_media.api import limits
from rekognition_media.api.statuses import FAILED, SUCCEEDED, TERMINAL

from . import account, client, lifecycle, output_prefix
from .batch_listing import (
    Record,
    TooManyImages,
    count,
    count_unlisted,
    read_record,
    spool_listing,
    write_manifests,
)
from .batch_request import (
    OUTPUT_FIELDS,
    BatchSettings,
    Source,
    batch_directory,
    batch_problems,
    batch_token,
    resource_name,
    shard_props,
    shard_token,
)
from .cancellation import Cancelled
from .errors import error_code
from .request import Problem, build_request, is_sdk_unknown, unknown_paths_top
from .summary import REPORT_COMMAND, ModerationSummary, merge_summaries
from .user_errors import InvalidInputs

_GONE = frozenset({"404", "NoSuchKey", "NoSuchBucket"})


class MediaAnalysisBatchFailed(Exception):
    def __init__(self, resource: str, failed: list[tuple[int, str, str, str]], shards: int) -> None:
        named = "; ".join(
            f"shard {index} (job {job_id}): {code}: {message.rstrip('.') or 'no message'}"
            for index, job_id, code, message in failed
        )
        super().__init__(
            f"Media analysis batch {resource}: {len(failed)} of {shards} jobs ended FAILED: "
            f"{named}. Fix the cause and run `pulumi up` again: the next run starts a "
            "successor job for the failed shards only and keeps the others. Or set "
            "fail_on_job_failure=false to record failed shards without failing the deployment."
        )
        self.failed = failed


class MediaAnalysisBatchCancelled(Exception):
    """Ctrl-C (the engine's Cancel) while the batch listed, started or waited."""


@dataclass(frozen=True)
class Estimate:
    images: int
    cost_usd: float
    jobs: int


@dataclass(frozen=True)
class Created:
    batch_id: str
    outputs: dict[str, Any]


def check(props: Mapping[str, Any]) -> list[Problem]:
    return batch_problems(props)


def report(resource: str, message: str) -> None:
    # As the job's lines (lifecycle._report): a dynamic provider's stderr reaches `pulumi up`.
    print(f"media analysis batch {resource}: {message}", file=sys.stderr, flush=True)


# --- preview ----------------------------------------------------------------------------


def estimate(props: Mapping[str, Any]) -> Estimate | None:
    """At preview: count the images under the prefix and say what the batch will cost.

    None (said in one line) when the prefix is not known yet or cannot be listed (no
    credentials, a bucket created in the same update); ``TooManyImages`` over the cap.
    """
    resource = resource_name(props)
    if "source" in unknown_paths_top(props) or any(
        is_sdk_unknown((props.get("source") or {}).get(k)) for k in ("bucket", "prefix")
    ):
        report(resource, "the prefix is not known until the update runs: no estimate")
        return None
    settings = BatchSettings.from_props({k: v for k, v in props.items() if not is_sdk_unknown(v)})
    source = Source.of(props)
    s3 = client.s3(settings.region, settings.endpoint_url)
    began = time.monotonic()
    try:
        counts = count(s3, source, lambda line: report(resource, line))
    except (ClientError, BotoCoreError) as error:
        why = account.credential_problem(error) or f"{error_code(error) or type(error).__name__}"
        if error_code(error) in ("NoSuchBucket", "404"):
            why = "the bucket does not exist yet"
        report(resource, f"cannot count the images under {source.uri} ({why}): no estimate")
        return None
    found = Estimate(
        counts.images,
        round(counts.images * settings.price_per_image_usd, 6),
        _jobs(counts.images),
    )
    if settings.max_images is not None and counts.images > settings.max_images:
        raise TooManyImages(resource, source, counts.images, settings.max_images)
    report(
        resource,
        f"will analyse {found.images:,} images in {found.jobs} jobs (about USD "
        f"{found.cost_usd:,.2f} at USD {settings.price_per_image_usd:g} per image; "
        f"Rekognition bills successfully processed images); skipped: {counts.skipped_line()} "
        f"(counted in {time.monotonic() - began:.1f} s)",
    )
    return found


def _jobs(images: int) -> int:
    return -(-images // limits.MAX_MANIFEST_LINES)


# --- create -----------------------------------------------------------------------------


def create(props: Mapping[str, Any]) -> Created:
    resource = resource_name(props)
    try:
        with account.credentials_checked(resource, "creating its media analysis batch"):
            return _create(props)
    except Cancelled:
        raise MediaAnalysisBatchCancelled(
            f"Cancelled (Ctrl-C) while running media analysis batch {resource}. Its jobs keep "
            "running in Rekognition; the next `pulumi up` resumes from the manifests already "
            "written (no second listing) and waits for the same jobs (their tokens derive "
            "from the batch's)."
        ) from None


def _create(props: Mapping[str, Any]) -> Created:
    resource = resource_name(props)
    found = batch_problems(props)
    if found:
        raise InvalidInputs(f"{resource}: invalid inputs: " + "; ".join(p.reason for p in found))
    settings = BatchSettings.from_props(props)
    assert settings.max_images is not None
    source = Source.of(props)
    output_config = props.get("output_config") or {}
    out_bucket = str(output_config.get("s3_bucket"))
    s3 = client.s3(settings.region, settings.endpoint_url)
    base = batch_token(props)
    directory = batch_directory(output_config, base)
    record = read_record(s3, out_bucket, directory)
    if record is None:
        began = time.monotonic()
        counts, spool = spool_listing(
            s3, source, settings.max_images, resource, lambda line: report(resource, line)
        )
        try:
            record = write_manifests(
                s3, spool, out_bucket, directory, props.get("kms_key_id"), counts
            )
        finally:
            spool.close()
        report(
            resource,
            f"listed {counts.images:,} images under {source.uri} into {len(record.manifests)} "
            f"manifests in {time.monotonic() - began:.1f} s (skipped: {counts.skipped_line()})",
        )
    else:
        report(
            resource,
            f"resuming from the manifests an earlier run wrote ({record.images:,} images in "
            f"{len(record.manifests)} manifests): not listing again",
        )
    rekognition = client.rekognition(settings.region, settings.endpoint_url)
    jobs: list[dict[str, Any]] = []
    for index, manifest in enumerate(record.manifests):
        request = build_request(shard_props(props, index, manifest))
        shard = f"{resource} shard {index} of {len(record.manifests)}"
        job, _token, _owned = lifecycle.start_or_resume(
            rekognition, request, shard_token(base, index), shard, settings
        )
        jobs.append(job)
    if jobs:
        report(resource, f"{len(jobs)} jobs: " + ", ".join(job["JobId"] for job in jobs))
    if settings.wait_for_completion:
        jobs = _wait_all(resource, jobs, settings)
    outputs = _outputs(resource, jobs, record, settings, out_bucket)
    outputs["request_token"] = base
    outputs["started_by_stack"] = True
    failed = [
        (
            index,
            job["JobId"],
            (job.get("FailureDetails") or {}).get("Code", "UNKNOWN"),
            (job.get("FailureDetails") or {}).get("Message", ""),
        )
        for index, job in enumerate(jobs)
        if job["Status"] == FAILED
    ]
    if failed and settings.fail_on_job_failure:
        raise MediaAnalysisBatchFailed(resource, failed, len(jobs))
    return Created(base, outputs)


def _wait_all(
    resource: str, jobs: list[dict[str, Any]], settings: BatchSettings
) -> list[dict[str, Any]]:
    """Wait for every unfinished shard through the process's shared poller, one thread a
    shard; their lines reach this thread's stderr, with one line per finished shard."""
    lines: queue.Queue[tuple[str, str] | None] = queue.Queue()
    results: dict[int, dict[str, Any]] = {}
    errors: dict[int, BaseException] = {}
    pending = [index for index, job in enumerate(jobs) if job["Status"] not in TERMINAL]

    def wait_one(index: int) -> None:
        job_id = jobs[index]["JobId"]
        try:
            results[index] = lifecycle.wait(
                f"{resource} shard {index}", job_id, settings, lambda j, m: lines.put((j, m))
            )
        except BaseException as error:
            errors[index] = error
        finally:
            lines.put(None)

    threads = [
        threading.Thread(target=wait_one, args=(index,), name=f"batch-shard-{index}", daemon=True)
        for index in pending
    ]
    for thread in threads:
        thread.start()
    running = len(threads)
    while running:
        item = lines.get()
        if item is None:
            running -= 1
            done = len(jobs) - running
            statuses = [results.get(i, jobs[i])["Status"] for i in range(len(jobs))]
            report(
                resource,
                f"{done} of {len(jobs)} jobs done ({_tally(statuses)})",
            )
            continue
        lifecycle.report_job(*item)
    for thread in threads:
        thread.join()
    if errors:
        raise next(iter(errors.values()))
    return [results.get(index, job) for index, job in enumerate(jobs)]


def _tally(statuses: list[str]) -> str:
    counted: dict[str, int] = {}
    for status in statuses:
        counted[status] = counted.get(status, 0) + 1
    return ", ".join(f"{status} {n}" for status, n in counted.items())


def batch_status(statuses: list[str]) -> str:
    """SUCCEEDED when every shard did (and for no shard); FAILED when one did and the
    rest ended; else the least advanced running status."""
    if not statuses or all(s == SUCCEEDED for s in statuses):
        return SUCCEEDED
    if all(s in TERMINAL for s in statuses):
        return FAILED
    return "IN_PROGRESS"


def _outputs(
    resource: str,
    jobs: list[dict[str, Any]],
    record: Record,
    settings: BatchSettings,
    out_bucket: str,
) -> dict[str, Any]:
    statuses = [job["Status"] for job in jobs]
    outputs: dict[str, Any] = {
        "job_ids": [job["JobId"] for job in jobs],
        "manifest_uris": [f"s3://{out_bucket}/{key}" for key in record.manifests],
        "images_listed": record.images,
        "images_skipped": dict(record.skipped),
        "status": batch_status(statuses),
        "shard_statuses": statuses,
        "estimated_images": record.images,
        "estimated_cost_usd": round(record.images * settings.price_per_image_usd, 6),
    }
    outputs.update(_found(resource, jobs, record, settings))
    return outputs


def _found(
    resource: str, jobs: list[dict[str, Any]], record: Record, settings: BatchSettings
) -> dict[str, Any]:
    """What the shards found, once every one has ended: statistics summed, summaries
    merged, and the batch's one line."""
    if not jobs or any(job["Status"] not in TERMINAL for job in jobs):
        return {"manifest_statistics": None, "moderation_summary": None}
    totals = {"total_json_lines": 0, "valid_json_lines": 0, "invalid_json_lines": 0}
    summaries: list[ModerationSummary] = []
    for job in jobs:
        stats = lifecycle.summary_statistics(job, settings)
        for key in totals:
            totals[key] += int((stats or {}).get(key, 0))
        found = lifecycle.moderation_summary(job, settings)
        if found is not None:
            summaries.append(ModerationSummary.model_validate(found))
    merged = merge_summaries(summaries)
    line = (
        f"{len(jobs)} jobs, {totals['valid_json_lines']:,} of {record.images:,} images "
        f"analysed, {merged.images_flagged if merged else 0:,} flagged"
    )
    if merged and merged.categories:
        shown = list(merged.categories.items())[:4]
        line += f" (MinConfidence {merged.min_confidence:g}): " + ", ".join(
            f"{name} {count:,}" for name, count in shown
        )
    statuses = [job["Status"] for job in jobs]
    if any(status != SUCCEEDED for status in statuses):
        line += f"; jobs: {_tally(statuses)}"
    report(resource, f"{line} — report: {_report_command(jobs)}")
    return {
        "manifest_statistics": totals,
        "moderation_summary": merged.to_output() if merged else None,
    }


def _report_command(jobs: list[dict[str, Any]]) -> str:
    # One report across the shards takes every JobId; past a few, the line would be all
    # JobIds, so it names the output that lists them (report/README.md shows the jq).
    if len(jobs) <= _JOB_IDS_SHOWN:
        return " ".join([REPORT_COMMAND, *(job["JobId"] for job in jobs)])
    return f"{REPORT_COMMAND} <its {len(jobs)} JobIds: the job_ids (plugin: jobIds) output>"


_JOB_IDS_SHOWN = 3


# --- read, update, delete ----------------------------------------------------------------


def read(batch_id: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
    """Every shard as it is now; None when none of its jobs exists any more."""
    resource = resource_name(props)
    settings = BatchSettings.from_props(props)
    rekognition = client.rekognition(settings.region, settings.endpoint_url)
    jobs = []
    with account.credentials_checked(resource, "reading its jobs (refresh)"):
        for job_id in props.get("job_ids") or []:
            try:
                jobs.append(rekognition.get_media_analysis_job(JobId=job_id))
            except rekognition.exceptions.ResourceNotFoundException:
                jobs.append({"JobId": job_id, "Status": "NOT_FOUND"})
    if jobs and all(job["Status"] == "NOT_FOUND" for job in jobs):
        return None
    outs = dict(props)
    statuses = [job["Status"] for job in jobs]
    outs["shard_statuses"] = statuses
    outs["status"] = batch_status(statuses)
    output_config = props.get("output_config") or {}
    out_bucket = str(output_config.get("s3_bucket"))
    record = Record(
        int(props.get("images_listed") or 0),
        dict(props.get("images_skipped") or {}),
        tuple(_key_of(uri) for uri in props.get("manifest_uris") or []),
    )
    if props.get("moderation_summary") is None or props.get("manifest_statistics") is None:
        outs.update(_found(resource, jobs, record, settings))
    if settings.count_unlisted_on_refresh:
        s3 = client.s3(settings.region, settings.endpoint_url)
        source = Source.of(props)
        unlisted = count_unlisted(s3, source, out_bucket, record)
        report(
            resource,
            f"{unlisted:,} images under {source.uri} were never listed by this batch"
            + (" (declare a new batch for them, e.g. a dated prefix)" if unlisted else ""),
        )
    return outs


def update(olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
    return {**news, **{key: olds.get(key) for key in OUTPUT_FIELDS}}


def delete(batch_id: str, props: Mapping[str, Any]) -> None:
    settings = BatchSettings.from_props(props)
    resource = resource_name(props)
    if not settings.delete_outputs_on_destroy or not props.get("started_by_stack"):
        return
    output_config = props.get("output_config") or {}
    with account.credentials_checked(
        resource, "deleting its jobs' outputs and its manifests (delete_outputs_on_destroy)"
    ):
        s3 = client.s3(settings.region, settings.endpoint_url)
        rekognition = client.rekognition(settings.region, settings.endpoint_url)
        for job_id in props.get("job_ids") or []:
            try:
                job = rekognition.get_media_analysis_job(JobId=job_id)
            except rekognition.exceptions.ResourceNotFoundException:
                continue
            for member in ("Results", "ManifestSummary"):
                s3_object = (job.get(member) or {}).get("S3Object") or {}
                if not s3_object.get("Bucket") or not s3_object.get("Name"):
                    continue
                pointer = {"bucket": s3_object["Bucket"], "name": s3_object["Name"]}
                refused = output_prefix.refusal(job_id, output_config, pointer)
                if refused:
                    report(resource, refused)
                    continue
                _delete(s3, resource, s3_object["Bucket"], s3_object["Name"])
        directory = batch_directory(output_config, str(props.get("request_token") or batch_id))
        for uri in props.get("manifest_uris") or []:
            key = _key_of(uri)
            if key.startswith(directory):
                _delete(s3, resource, str(output_config.get("s3_bucket")), key)
        _delete(s3, resource, str(output_config.get("s3_bucket")), directory + "listing.json")


def _delete(s3: Any, resource: str, bucket: str, key: str) -> None:
    try:
        s3.delete_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error_code(error) not in _GONE:
            raise
        return
    report(resource, f"deleted s3://{bucket}/{key}")


def _key_of(uri: str) -> str:
    return uri.split("/", 3)[3] if uri.startswith("s3://") and uri.count("/") >= 3 else uri
