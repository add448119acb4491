"""The page board: provider processes share ListMediaAnalysisJobs first pages, within a rate."""

from __future__ import annotations

import datetime
import itertools
import json
import math
import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest

from devtools.world import REGION, provider_env, seed
from rekognition_media.core import budget, client
from rekognition_media.core.budget import PageBoard
from rekognition_media.emulator import Emulator

# Measures elapsed time or rates: runs alone, before the parallel workers (scripts/test.sh).
pytestmark = pytest.mark.timing

CREATED = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)


def description(job_id: str, status: str = "QUEUED", **members: Any) -> dict[str, Any]:
    """A job as ListMediaAnalysisJobs describes it (every member the API always sends)."""
    return {
        "JobId": job_id,
        "OperationsConfig": {"DetectModerationLabels": {"MinConfidence": 50.0}},
        "Status": status,
        "CreationTimestamp": CREATED,
        "Input": {"S3Object": {"Bucket": "media-in", "Name": "manifest.jsonl"}},
        "OutputConfig": {"S3Bucket": "media-out", "S3KeyPrefix": "out/"},
        **members,
    }


def page(n: int) -> dict[str, Any]:
    return {"MediaAnalysisJobs": [description(f"job-{n}")], "NextToken": "more"}


@pytest.fixture(autouse=True)
def only_the_board_shares(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with nothing kept in this process: what another board of the test
    sees, it read from the directory's files, as another process would."""
    monkeypatch.setattr(budget, "_LOCAL_PAGES", {})
    monkeypatch.setattr(budget, "_LOCAL_STAMPS", {})


def forget_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "_LOCAL_PAGES", {})


def test_a_fresh_page_is_reused_and_timestamps_survive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    board = PageBoard("scope", rate=100, directory=tmp_path)
    fetches: list[int] = []

    def fetch() -> dict[str, Any]:
        fetches.append(1)
        return page(len(fetches))

    first = board.first_page(fetch, max_age=5)
    forget_in_process(monkeypatch)
    again = PageBoard("scope", rate=100, directory=tmp_path).first_page(fetch, max_age=5)
    assert len(fetches) == 1
    assert again == first
    assert again["MediaAnalysisJobs"][0]["CreationTimestamp"] == CREATED
    assert again["NextToken"] == "more"


def test_a_page_the_service_sent_passes_the_boards_strict_reading(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The board parses pages strictly: a real page that failed would silently end sharing.
    for name, value in provider_env().items():
        monkeypatch.setenv(name, value)
    world = seed(emulator, duration_seconds=0)
    rekognition = world.client("rekognition")
    rekognition.start_media_analysis_job(
        JobName="on-the-board",
        OperationsConfig={"DetectModerationLabels": {"MinConfidence": 50.0}},
        Input={"S3Object": {"Bucket": world.input_bucket, "Name": world.manifest}},
        OutputConfig={"S3Bucket": world.output_bucket, "S3KeyPrefix": "board"},
        KmsKeyId=world.key_arn,
    )
    time.sleep(1.0)  # ended: Results and ManifestSummary are on the page too
    polling = client.rekognition(REGION, emulator.url, polling=True)
    fetched = PageBoard("real", rate=100, directory=tmp_path).first_page(
        lambda: polling.list_media_analysis_jobs(MaxResults=100), max_age=5
    )
    forget_in_process(monkeypatch)
    read = PageBoard("real", rate=100, directory=tmp_path).first_page(
        lambda: pytest.fail("the page on the board was not accepted"), max_age=5
    )
    assert read["MediaAnalysisJobs"] == fetched["MediaAnalysisJobs"]
    assert any(job.get("Results") for job in read["MediaAnalysisJobs"])


def test_a_stale_page_is_fetched_again(tmp_path: Path) -> None:
    board = PageBoard("scope", rate=100, directory=tmp_path)
    board.first_page(lambda: page(1), max_age=5)
    time.sleep(0.05)  # the clock: the page is now older than max_age
    assert (
        board.first_page(lambda: page(2), max_age=0.01)["MediaAnalysisJobs"][0]["JobId"] == "job-2"
    )


def test_scopes_never_share_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    PageBoard("account-a", rate=100, directory=tmp_path).first_page(lambda: page(1), max_age=5)
    forget_in_process(monkeypatch)
    other = PageBoard("account-b", rate=100, directory=tmp_path).first_page(
        lambda: page(2), max_age=5
    )
    assert other["MediaAnalysisJobs"][0]["JobId"] == "job-2"


def _poll_for(directory: str, seconds: float, results: Any) -> None:
    board = PageBoard("shared", rate=4, directory=Path(directory))
    deadline = time.monotonic() + seconds
    fetched_at: list[float] = []

    def fetch() -> dict[str, Any]:
        fetched_at.append(time.time())
        return page(len(fetched_at))

    while time.monotonic() < deadline:
        board.first_page(fetch, max_age=0.0)  # always wants a new page: the worst case
    results.put(fetched_at)


@pytest.mark.slow
def test_processes_together_stay_within_the_rate(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [
        context.Process(target=_poll_for, args=(str(tmp_path), 2.0, results)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    fetches = sorted(t for _ in workers for t in results.get(timeout=60))
    for worker in workers:
        worker.join()
    assert len(fetches) >= 4
    gaps = [later - earlier for earlier, later in itertools.pairwise(fetches)]
    # rate=4: no two fetches, from any process, closer than 0.25 s.
    assert min(gaps) >= 0.24


def _on_board(directory: Path, scope: str, content: bytes) -> None:
    """Put ``content`` where the board of ``scope`` keeps its page, as anyone able to write
    the directory could."""
    (directory / f"{budget._name(scope)}.json").write_bytes(content)


def _stored(jobs: list[dict[str, Any]], fetched_at: float | None = None) -> bytes:
    return json.dumps(
        {
            "fetched_at": time.time() if fetched_at is None else fetched_at,
            "page": {"MediaAnalysisJobs": jobs},
        }
    ).encode()


def _epochs(job: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.timestamp() if isinstance(v, datetime.datetime) else v) for k, v in job.items()}


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\x00not json{", id="garbage"),
        pytest.param(b"[]", id="json-but-no-page"),
        pytest.param(_stored([{"JobId": "job-1", "Status": "SUCCEEDED"}]), id="members-missing"),
        pytest.param(_stored([_epochs(description("job-1", "DONE"))]), id="unknown-status"),
        pytest.param(
            _stored([_epochs(description("job-1", Forged="yes"))]), id="member-the-api-lacks"
        ),
        pytest.param(_stored([_epochs(description("job 1"))]), id="job-id-breaking-its-pattern"),
        pytest.param(
            _stored([_epochs(description("job-1", CreationTimestamp="yesterday"))]),
            id="timestamp-not-a-number",
        ),
        pytest.param(
            _stored([_epochs(description("job-1"))], fetched_at=time.time() + 3600),
            id="fetched-in-the-future",
        ),
        pytest.param(_stored([_epochs(description("job-1"))], fetched_at=math.nan), id="nan-date"),
    ],
)
def test_anything_but_a_page_on_the_board_counts_as_no_page(tmp_path: Path, content: bytes) -> None:
    _on_board(tmp_path, "forged", content)
    fetched = PageBoard("forged", rate=100, directory=tmp_path).first_page(
        lambda: page(2), max_age=3600
    )
    assert fetched == page(2)


def test_a_valid_page_on_the_board_is_used(tmp_path: Path) -> None:
    # The counterpart of the test above: the forgeries fail for what they are.
    _on_board(tmp_path, "valid", _stored([_epochs(description("job-1", "IN_PROGRESS"))]))
    read = PageBoard("valid", rate=100, directory=tmp_path).first_page(
        lambda: pytest.fail("a valid page was not used"), max_age=3600
    )
    assert read["MediaAnalysisJobs"][0]["Status"] == "IN_PROGRESS"


def test_a_page_is_this_processs_own_only_when_it_fetched_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    board = PageBoard("own", rate=100, directory=tmp_path)
    fetched = board.first_page_at(lambda: page(1), max_age=60)
    assert fetched.own
    # Read back from this process's keeping (the file holds the same page, same date).
    again = board.first_page_at(lambda: pytest.fail("a fresh page was fetched again"), 60)
    assert again.own and again.asked == fetched.asked
    forget_in_process(monkeypatch)  # as another process: the page comes from the file
    other = board.first_page_at(lambda: pytest.fail("a fresh page was fetched again"), 60)
    assert not other.own and other.asked == fetched.asked
    assert other.page == again.page


def test_a_page_on_the_file_dated_like_this_processs_is_not_taken_for_it(
    tmp_path: Path,
) -> None:
    # Whoever writes the file may copy our page's date: the page we keep is served (and is
    # ours); a page dated later is another process's, whatever it says.
    board = PageBoard("tie", rate=100, directory=tmp_path)
    ours = board.first_page_at(lambda: page(1), max_age=60)
    _on_board(tmp_path, "tie", _stored([_epochs(description("job-9"))], fetched_at=ours.asked))
    tied = board.first_page_at(lambda: pytest.fail("a fresh page was fetched again"), 60)
    assert tied.own
    assert tied.page["MediaAnalysisJobs"][0]["JobId"] == "job-1"
    later = ours.asked + 0.001
    _on_board(tmp_path, "tie", _stored([_epochs(description("job-9"))], fetched_at=later))
    newer = board.first_page_at(lambda: pytest.fail("a fresh page was fetched again"), 60)
    assert not newer.own
    assert newer.page["MediaAnalysisJobs"][0]["JobId"] == "job-9"
