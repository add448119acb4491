"""How values appear in messages: whole when short, cut with an ellipsis when long.

Error messages quote the value a user gave; a 10,000-character value quoted whole would
bury the rule it broke.
"""

from __future__ import annotations

from typing import Final

MAX_SHOWN: Final = 80


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with ``...``."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
