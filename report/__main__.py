"""Console script ``rekognition-media``: ``report <JobId | s3://...>`` and ``policy-check``."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
