"""How values and names appear in messages.

Error messages quote the value a user gave, whole when short and cut with an ellipsis
when long: a 10,000-character value quoted whole would bury the rule it broke. A name no
one knows (a typo) gets the close match, or the names there are.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Final

MAX_SHOWN: Final = 80


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with ``...``."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """``did you mean 'min_confidence'?`` for the closest of ``known``, else ``known: a, b``."""
    names = list(known)
    close = difflib.get_close_matches(name, names, n=1)
    return f"did you mean {close[0]!r}?" if close else f"known: {', '.join(names)}"
