"""One engine command in a process of its own.

    python -m devtools.run SPEC.json up

``SPEC.json`` is ``EngineStack.spec()``.

Tests that kill ``pulumi up`` mid-flight (SIGKILL to the whole process group) need the
program, the CLI and the providers in a process tree of their own. What the engine
writes is printed as it comes, for a test that waits on it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .engine import EngineStack


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    stack = EngineStack(
        program_dir=Path(spec["program_dir"]),
        state_dir=Path(spec["state_dir"]),
        bin_dir=Path(spec["bin_dir"]),
        stack_name=spec["stack_name"],
        env=spec["env"],
        config=spec["config"],
        passphrase=spec["passphrase"],
        echo=True,
    )
    getattr(stack, sys.argv[2])()


if __name__ == "__main__":
    main()
