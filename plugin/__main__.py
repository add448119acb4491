"""``pulumi-resource-rekognition-media``: the plugin executable the engine starts.

The engine runs it with its own address as the first argument; the plugin prints the port
it serves on and serves until the engine is done with it.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from rekognition_media import __version__

from . import engine_log
from .provider import MediaAnalysisJobPlugin
from .server import serve


def exit_with_the_engine(poll_seconds: float = 1.0) -> None:
    """Exit when the engine that started this process is gone (killed with SIGKILL, say):
    the process would otherwise live on, re-parented, with its threads still polling. A job
    it was waiting for keeps running in Rekognition; the next `pulumi up` resumes it."""
    engine_pid = os.getppid()

    def watch() -> None:
        while os.getppid() == engine_pid:
            time.sleep(poll_seconds)
        os._exit(1)

    threading.Thread(target=watch, name="engine-watchdog", daemon=True).start()


def main() -> None:
    exit_with_the_engine()
    args = sys.argv[1:]
    engine = next((arg for arg in args if not arg.startswith("-")), None)
    if engine:
        engine_log.install(engine)
    serve(args, __version__, MediaAnalysisJobPlugin())


if __name__ == "__main__":
    main()
