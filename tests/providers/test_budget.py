"""The page board: provider processes share ListMediaAnalysisJobs first pages, within a rate."""

from __future__ import annotations

import datetime
import itertools
import multiprocessing
import time
from pathlib import Path
from typing import Any

from rekognition_media.providers.budget import PageBoard

CREATED = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)


def page(n: int) -> dict[str, Any]:
    return {
        "MediaAnalysisJobs": [
            {"JobId": f"job-{n}", "Status": "QUEUED", "CreationTimestamp": CREATED}
        ],
        "NextToken": "more",
    }


def test_a_fresh_page_is_reused_and_timestamps_survive(tmp_path: Path) -> None:
    board = PageBoard("scope", rate=100, directory=tmp_path)
    fetches: list[int] = []

    def fetch() -> dict[str, Any]:
        fetches.append(1)
        return page(len(fetches))

    first = board.first_page(fetch, max_age=5)
    again = PageBoard("scope", rate=100, directory=tmp_path).first_page(fetch, max_age=5)
    assert len(fetches) == 1
    assert again == first
    assert again["MediaAnalysisJobs"][0]["CreationTimestamp"] == CREATED
    assert again["NextToken"] == "more"


def test_a_stale_page_is_fetched_again(tmp_path: Path) -> None:
    board = PageBoard("scope", rate=100, directory=tmp_path)
    board.first_page(lambda: page(1), max_age=5)
    time.sleep(0.05)
    assert (
        board.first_page(lambda: page(2), max_age=0.01)["MediaAnalysisJobs"][0]["JobId"] == "job-2"
    )


def test_scopes_never_share_pages(tmp_path: Path) -> None:
    PageBoard("account-a", rate=100, directory=tmp_path).first_page(lambda: page(1), max_age=5)
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
