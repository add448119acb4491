"""``pulumi-resource-rekognition-media``: the plugin executable the engine starts.

The engine runs it with its own address as the first argument; the plugin prints the port
it serves on and serves until the engine is done with it.
"""

from __future__ import annotations

import sys

from pulumi.provider.experimental.server import main as serve

from rekognition_media import __version__
from rekognition_media.providers.plugin import engine_log
from rekognition_media.providers.plugin.provider import MediaAnalysisJobPlugin


def main() -> None:
    args = sys.argv[1:]
    engine = next((arg for arg in args if not arg.startswith("-")), None)
    if engine:
        engine_log.install(engine)
    serve(args, __version__, MediaAnalysisJobPlugin())


if __name__ == "__main__":
    main()
