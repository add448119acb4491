"""``pulumi refresh`` of a job created without waiting, through either front end."""

from __future__ import annotations

import pytest

from devtools.world import seed
from rekognition_media.emulator import Emulator
from tests.front_ends.conftest import OneJobFactory

pytestmark = pytest.mark.engine


def test_refresh_records_what_a_job_found_once_it_has_ended(
    emulator: Emulator, one_job: OneJobFactory
) -> None:
    world = seed(emulator, duration_seconds=10)
    job = one_job(world, waitForCompletion=False)
    job.front.up()
    running = job.recorded()
    assert running["status"] not in ("SUCCEEDED", "FAILED")
    assert running.get("manifest_statistics") is None
    assert running.get("moderation_summary") is None
    assert running.get("results_uri") is None

    assert world.ended(running["job_id"])["Status"] == "SUCCEEDED"
    refreshed = job.front.refresh()
    recorded = job.recorded()
    # Everything a create that waited would have recorded.
    assert recorded["status"] == "SUCCEEDED"
    assert recorded["manifest_statistics"] == {
        "total_json_lines": 3,
        "valid_json_lines": 3,
        "invalid_json_lines": 0,
    }
    assert recorded["moderation_summary"]["images_flagged"] == 2
    assert recorded["results_uri"].endswith("/results.jsonl")
    assert recorded["manifest_summary_uri"].endswith("/manifest-summary.json")
    assert "3 of 3 images analysed, 0 invalid" in refreshed
    # Read once: a second refresh keeps them and reads no summary again.
    again = job.front.refresh()
    assert "images analysed" not in again
    assert job.recorded() == recorded
