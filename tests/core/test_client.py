"""The provider's boto3 clients: one per endpoint and kind, however many creates ask at once."""

from __future__ import annotations

import threading
from typing import Any

from rekognition_media.core import client


def test_creates_asking_at_once_get_one_client() -> None:
    # Creates arriving together each built the same client (a new boto3 session
    # each, ~9.5 MiB) before the first was cached; one plugin process serves every job.
    made: list[Any] = []
    gate = threading.Barrier(8)

    def ask() -> None:
        gate.wait()
        made.append(client.rekognition("eu-west-3", "http://127.0.0.1:9/at-once"))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 8
    assert all(one is made[0] for one in made)


def test_clients_of_other_kinds_share_the_session_but_not_the_client() -> None:
    rekognition = client.rekognition("eu-west-3", "http://127.0.0.1:9/kinds")
    polling = client.rekognition("eu-west-3", "http://127.0.0.1:9/kinds", polling=True)
    s3 = client.s3("eu-west-3", "http://127.0.0.1:9/kinds")
    assert len({id(rekognition), id(polling), id(s3)}) == 3
    assert client.single_attempt(rekognition) is client.single_attempt(polling)
    # The polling client makes one attempt per call (the provider retries, see client.py).
    assert polling.meta.config.retries["total_max_attempts"] == 1
