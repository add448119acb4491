"""The system's Chromium, for the HTML report's browser tests.

Playwright drives it through ``executable_path``: Playwright's own browser downloads need
the internet, and Debian's ``chromium`` package is what CI installs (scripts/setup.sh does
it when run as root). Where it is missing the tests fail with :data:`INSTALL_COMMAND`:
a report nobody opened in a browser is not tested.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Final

CHROMIUM_ENV: Final = "REKOGNITION_MEDIA_CHROMIUM"
"""Path of a Chromium binary to use instead of the one on PATH."""
NAMES: Final = ("chromium", "chromium-browser")
INSTALL_COMMAND: Final = "sudo apt-get install -y chromium"


class ChromiumMissing(RuntimeError):
    pass


def chromium() -> Path:
    """The Chromium binary; :class:`ChromiumMissing` says how to install it."""
    chosen = os.environ.get(CHROMIUM_ENV)
    if chosen:
        if not os.access(chosen, os.X_OK):
            raise ChromiumMissing(f"{CHROMIUM_ENV}={chosen} is not an executable file")
        return Path(chosen)
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise ChromiumMissing(
        f"Chromium is not installed; the browser tests need it: run `{INSTALL_COMMAND}` "
        f"(scripts/setup.sh does it when run as root) or set {CHROMIUM_ENV}"
    )
