"""boto3 clients for the provider, created at call time and never stored on it.

The provider object is pickled into the Pulumi state; a client, session or credential
held by it would be pickled too. Clients therefore live in this module's cache, keyed by
where they point, and credentials come from the standard AWS chain of the process that
runs the provider (environment, profile, SSO, instance role). The region is the explicit
setting, else boto3's own chain (AWS_DEFAULT_REGION, the profile), else AWS_REGION, which
other AWS SDKs and Lambda use but botocore does not read.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import boto3
from botocore.config import Config

from rekognition_media import __version__

from .request import resolve_region

# A stuck connection must not hang `pulumi up` (pulumi/pulumi#13841 shows botocore's
# 60 s read timeout and unbounded retries making a provider look frozen): short connect
# and read timeouts, and botocore's standard retry mode for throttling and 5xx.
_START_CONFIG = Config(
    connect_timeout=10,
    read_timeout=30,
    retries={"mode": "standard", "max_attempts": 8},
    user_agent_extra=f"pulumi-rekognition-media/{__version__}",
)
# Polls and Starts are retried by the provider itself (``pollers``, ``start``), which knows
# the quotas, reports each retry in `pulumi up`'s output and bounds the time without an
# answer; botocore retrying inside a call would only add load when AWS asks for less and
# hide the retries. One attempt each, with short timeouts: these calls answer in well under
# a second, and a silent endpoint must show up as a retry within seconds.
_POLL_CONFIG = _START_CONFIG.merge(
    Config(
        connect_timeout=5, read_timeout=10, retries={"mode": "standard", "total_max_attempts": 1}
    )
)

_lock = threading.Lock()


def rekognition(region: str | None, endpoint_url: str | None, *, polling: bool = False) -> Any:
    """A Rekognition client; ``polling`` clients do not retry by themselves."""
    return _client("rekognition", region, endpoint_url, polling)


def single_attempt(rekognition_client: Any) -> Any:
    """A client for the same region and endpoint as ``rekognition_client`` that makes one
    attempt per call (the caller retries), with short timeouts."""
    meta = rekognition_client.meta
    return _client("rekognition", meta.region_name, meta.endpoint_url, True)


def s3(region: str | None, endpoint_url: str | None) -> Any:
    return _client("s3", region, endpoint_url, False)


@functools.cache
def _client(service: str, region: str | None, endpoint_url: str | None, polling: bool) -> Any:
    # boto3's default session is not thread-safe to create clients from concurrently.
    with _lock:
        session = boto3.session.Session()
        config = _POLL_CONFIG if polling else _START_CONFIG
        if endpoint_url and service == "s3":
            # Emulators and private endpoints rarely resolve bucket subdomains.
            config = config.merge(Config(s3={"addressing_style": "path"}))
        return session.client(
            service,
            region_name=resolve_region(region),
            endpoint_url=endpoint_url,
            config=config,
        )
