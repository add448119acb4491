"""Poll schedule, backoff and rate limiter: the arithmetic behind the waiting."""

from __future__ import annotations

import time

from rekognition_media.core.budget import RateLimiter
from rekognition_media.core.errors import UNREACHABLE_RETRY_CAP
from rekognition_media.core.schedule import Backoff, PollSchedule, Retry


def test_a_new_job_is_polled_about_every_second() -> None:
    schedule = PollSchedule()
    intervals = [schedule.interval(0.0) for _ in range(200)]
    assert min(intervals) >= 0.9 and max(intervals) <= 1.1


def test_a_long_job_is_polled_at_a_fraction_of_its_age_so_detection_stays_within_5_percent() -> (
    None
):
    schedule = PollSchedule()
    for elapsed in (100.0, 600.0, 1200.0):
        interval = schedule.interval(elapsed)
        assert interval <= 0.05 * elapsed
        assert interval >= 0.03 * elapsed


def test_polling_interval_is_capped() -> None:
    schedule = PollSchedule(maximum=60.0)
    assert schedule.interval(10 * 3600) <= 66.0


def test_backoff_grows_with_failures_and_stays_under_the_cap() -> None:
    backoff = Backoff(base=1.0, cap=30.0)
    first = [backoff.delay(1) for _ in range(200)]
    later = [backoff.delay(10) for _ in range(200)]
    assert max(first) <= 2.0
    assert max(later) <= 30.0
    assert sum(later) / len(later) > sum(first) / len(first)
    assert min(first + later) >= 0.5


def test_rate_limiter_spaces_calls() -> None:
    limiter = RateLimiter(rate=20.0, burst=1.0)
    started = time.monotonic()
    for _ in range(11):
        limiter.acquire()
    # The first call is free; ten more at 20 per second take about half a second.
    assert time.monotonic() - started >= 0.45


def test_retry_backs_off_and_asks_a_silent_endpoint_again_within_the_cap() -> None:
    retry = Retry(Backoff(base=1.0, cap=1000.0))
    for _ in range(8):
        assert retry.failed(unanswered=False, at=0.0) >= 0.5  # throttled: backoff alone
    assert retry.failures == 8 and retry.unanswered_for(100.0) == 0.0
    silent = [retry.failed(unanswered=True, at=100.0) for _ in range(8)]
    assert max(silent) <= UNREACHABLE_RETRY_CAP  # no answer: asked again within seconds
    assert retry.unanswered_for(130.0) == 30.0  # counted from the first unanswered attempt
    retry.reset()
    assert retry.failures == 0 and retry.unanswered_for(200.0) == 0.0
