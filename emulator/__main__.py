"""``python -m rekognition_media.emulator``: serve the emulator until Ctrl-C or SIGTERM.

Flags are generated from :class:`EmulatorSettings` (``--job-duration``, ``--quota-mode``
/ ``--no-quota-mode``, ...), each also settable as ``REKOGNITION_EMULATOR_<FIELD>``.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from types import FrameType
from typing import Any

from pydantic import ValidationError

from . import missing_extra
from .settings import (
    ENV_PREFIX,
    EmulatorSettings,
    env_name,
    field_kind,
    flag_name,
    from_env,
    parse_text,
    settings_error_message,
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4566


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rekognition-media-emulator",
        description="Local Rekognition media-analysis service (Start/Get/ListMediaAnalysisJob) "
        "on top of moto's S3, KMS, IAM and STS, on one port.",
        epilog=f"Every option can also be set as an env var {ENV_PREFIX}<OPTION> "
        f"(e.g. {env_name('job_duration')}=0.5); options win over env vars.",
    )
    parser.add_argument(
        "--host", help=f"Address to bind (default {DEFAULT_HOST}; env {env_name('host')})."
    )
    parser.add_argument(
        "--port",
        type=int,
        help=f"Port, 0 for a free one (default {DEFAULT_PORT}; env {env_name('port')}).",
    )
    for name, info in EmulatorSettings.model_fields.items():
        default = info.get_default(call_default_factory=True)
        help_text = f"{info.description} (default: {default}; env {env_name(name)})"
        if field_kind(name) == "bool":
            parser.add_argument(
                flag_name(name), dest=name, action=argparse.BooleanOptionalAction, help=help_text
            )
        else:
            parser.add_argument(flag_name(name), dest=name, metavar="VALUE", help=help_text)
    return parser


def settings_from(args: argparse.Namespace, environ: Mapping[str, str]) -> EmulatorSettings:
    """Defaults, then env vars, then flags; raises ``ValidationError`` when invalid."""
    values: dict[str, Any] = from_env(environ)
    for name in EmulatorSettings.model_fields:
        given = getattr(args, name)
        if given is None:
            continue
        values[name] = given if isinstance(given, bool) else parse_text(name, given)
    return EmulatorSettings.model_validate(values)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    problem = missing_extra()
    if problem is not None:
        print(f"rekognition-media-emulator: {problem}", file=sys.stderr)
        return 2
    from .server import Emulator  # moto: only once it is known to be there

    try:
        settings = settings_from(args, os.environ)
    except ValidationError as exc:
        parser.error(settings_error_message(exc))
    host = args.host or os.environ.get(env_name("host"), DEFAULT_HOST)
    port = (
        args.port if args.port is not None else int(os.environ.get(env_name("port"), DEFAULT_PORT))
    )
    logging.basicConfig(
        level=logging.INFO if settings.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )

    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        emulator = Emulator(settings, host=host, port=port).start()
    except OSError as exc:
        print(f"cannot listen on {host}:{port}: {exc}", file=sys.stderr)
        return 1
    print(f"Rekognition media emulator listening on {emulator.url}", flush=True)
    try:
        # A timed wait, so the signal handler gets to run promptly on every platform.
        while not stopping.wait(0.2):
            pass
    finally:
        emulator.stop()
    print("Rekognition media emulator stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
