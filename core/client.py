"""boto3 clients for the provider, created at call time and never stored on it.

The provider object is pickled into the Pulumi state; a client, session or credential
held by it would be pickled too. Clients therefore live in this module's cache, keyed by
where they point, and credentials come from the standard AWS chain of the process that
runs the provider (environment, profile, SSO, instance role). The region is the explicit
setting, else boto3's own chain (AWS_DEFAULT_REGION, the profile), else AWS_REGION, which
other AWS SDKs and Lambda use but botocore does not read.

Every client of the process comes from one boto3 session, made once: a session loads
botocore's endpoint rules and each service model the first time a client needs them
(about 9.5 MiB for a Rekognition client from a new session, 0.2 MiB from one that has
loaded them), so one session per client, or per call, costs that again and again. The
cache is filled under its lock: many creates arriving at once (the plugin serves every job
of a stack in one process) would otherwise each build the same client before the first
one is stored (about 10 MiB of RSS per waiting job).
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config

from rekognition_media import __version__

from .request import resolve_region

# Calls the provider does not retry itself (S3, an adopted job's Get, refresh's Get): a
# stuck connection must not hang `pulumi up` (pulumi/pulumi#13841 shows botocore's 60 s
# read timeout and unbounded retries making a provider look frozen): short connect and
# read timeouts, and botocore's standard retry mode for throttling and 5xx.
_RETRYING_CONFIG = Config(
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
_SINGLE_ATTEMPT_CONFIG = _RETRYING_CONFIG.merge(
    Config(
        connect_timeout=5, read_timeout=10, retries={"mode": "standard", "total_max_attempts": 1}
    )
)

_lock = threading.Lock()
_clients: dict[tuple[str, str | None, str | None, bool], Any] = {}
_session: boto3.session.Session | None = None


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


def access_key() -> str:
    """The access key of the process's credentials ("" without any): what a quota and a
    List page belong to (``budget``)."""
    with _lock:
        credentials = _shared_session().get_credentials()
    return credentials.access_key if credentials is not None else ""


def _shared_session() -> boto3.session.Session:
    # Called with _lock held. Credentials resolve once, at the first client, as they did
    # when each cached client had its own session.
    global _session
    if _session is None:
        _session = boto3.session.Session()
    return _session


def _client(service: str, region: str | None, endpoint_url: str | None, polling: bool) -> Any:
    key = (service, region, endpoint_url, polling)
    # boto3 sessions are not thread-safe to create clients from concurrently.
    with _lock:
        cached = _clients.get(key)
        if cached is not None:
            return cached
        config = _SINGLE_ATTEMPT_CONFIG if polling else _RETRYING_CONFIG
        if endpoint_url and service == "s3":
            # Emulators and private endpoints rarely resolve bucket subdomains.
            config = config.merge(Config(s3={"addressing_style": "path"}))
        made = _shared_session().client(
            service,
            region_name=resolve_region(region),
            endpoint_url=endpoint_url,
            config=config,
        )
        _clients[key] = made
        return made
