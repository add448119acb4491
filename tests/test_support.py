"""The shared test toolkit (tests/support.py) and the rule that keeps it the only one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import ROOT, until

TESTS = ROOT / "tests"
# A test module that climbs from its own file to a folder above it is recomputing the
# repository root (or a folder in it); tests/support.py does that once, as ROOT.
RECOMPUTED_ROOT = re.compile(
    r"Path\(__file__\)(?:\.resolve\(\))?\.(?:parents\[|parent\.parent)"
    r"|dirname\(\s*(?:os\.path\.)?dirname\(\s*(?:os\.path\.abspath\()?__file__"
)


def root_recomputations(folder: Path) -> list[str]:
    """``path:line: text`` of every place under ``folder`` but support.py that climbs
    above its own file."""
    found = []
    for module in sorted(folder.rglob("*.py")):
        if module.name == "support.py" and module.parent == folder:
            continue
        for number, line in enumerate(module.read_text().splitlines(), 1):
            if RECOMPUTED_ROOT.search(line):
                found.append(f"{module.relative_to(folder)}:{number}: {line.strip()}")
    return found


def test_root_is_the_checkout() -> None:
    assert (ROOT / "pyproject.toml").is_file()
    assert (ROOT / "tests" / "support.py").is_file()


def test_no_test_module_recomputes_the_repository_root() -> None:
    found = root_recomputations(TESTS)
    assert not found, "use `from tests.support import ROOT` instead:\n" + "\n".join(found)


def test_the_rule_catches_each_way_of_climbing(tmp_path: Path) -> None:
    (tmp_path / "part").mkdir()
    # Written with FILE for __file__, so that this module does not break its own rule.
    (tmp_path / "part" / "test_a.py").write_text(
        (
            "HERE = Path(FILE).parent / 'programs'\n"  # its own folder: allowed
            "A = Path(FILE).parents[2]\n"
            "B = Path(FILE).resolve().parents[1]\n"
            "C = Path(FILE).parent.parent\n"
            "D = os.path.dirname(os.path.dirname(os.path.abspath(FILE)))\n"
        ).replace("FILE", "__file__")
    )
    (tmp_path / "support.py").write_text(
        "ROOT = Path(FILE).resolve().parents[1]\n".replace("FILE", "__file__")
    )
    found = root_recomputations(tmp_path)
    assert [entry.split(":")[1] for entry in found] == ["2", "3", "4", "5"]


def test_until_returns_the_true_value_and_polls_until_then() -> None:
    answers = iter([None, [], ["job"]])
    assert until(lambda: next(answers), 5, "a job", interval=0.001) == ["job"]


def test_until_fails_with_what_it_waited_for() -> None:
    with pytest.raises(AssertionError, match=r"not within 0.05 s: the job ended"):
        until(lambda: False, 0.05, "the job ended", interval=0.01)
    calls = []
    with pytest.raises(AssertionError, match=r"still IN_PROGRESS"):
        until(lambda: calls.append(1), 0.05, lambda: f"still IN_PROGRESS after {len(calls)}")


# Sleeps in tests: the interval of a wait, a window in which nothing may happen, or the clock
# a rule measures; each says which on its line or the line above. None orders events: a
# test waits for what it needs (a call, a line of output, a job's status).
SLEEP = re.compile(r"\bsleep\(")
ORDERING_SLEEPS = 0


def unexplained_sleeps(folder: Path) -> tuple[list[str], int]:
    """``path:line`` of every sleep under ``folder`` without a comment saying why, and how
    many say they order events."""
    unexplained, ordering = [], 0
    for module in sorted(folder.rglob("*.py")):
        lines = module.read_text().splitlines()
        for number, line in enumerate(lines, 1):
            if not SLEEP.search(line) or line.lstrip().startswith(("#", "def ")):
                continue
            above = lines[number - 2].strip() if number > 1 else ""
            reason = line.partition("#")[2] if "#" in line else above.removeprefix("#")
            if "#" not in line and not above.startswith("#"):
                unexplained.append(f"{module.relative_to(folder)}:{number}")
            elif "ordering" in reason:
                ordering += 1
    return unexplained, ordering


def test_every_sleep_says_why_and_none_orders_events_silently() -> None:
    unexplained, ordering = unexplained_sleeps(TESTS)
    assert not unexplained, f"sleeps without a reason: {unexplained}"
    assert ordering == ORDERING_SLEEPS, "wait for what the test needs instead of sleeping"
