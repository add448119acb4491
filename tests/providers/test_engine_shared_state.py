"""The shared directory through the real Pulumi CLI: whatever is wrong with it, `pulumi up`
succeeds, writes nothing through it, and says what is wrong.

The provider processes get the directory from their environment: ``XDG_RUNTIME_DIR`` set
for the stack to a directory of the test's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.engine import StackFactory
from devtools.world import REGION, provider_env, seed
from rekognition_media.core import budget, client
from rekognition_media.core.private_directory import NAME
from rekognition_media.emulator import Emulator
from tests.support import ROOT

pytestmark = pytest.mark.engine

PROGRAM = ROOT / "examples" / "jobs"
PRECIOUS = b"the deploying user's file: must never change"


def file_names(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names the provider processes of the stack use: their scope is the account
    (access key), region and endpoint, as the provider's own clients report them."""
    for name, value in provider_env().items():
        monkeypatch.setenv(name, value)
    scope = budget._scope(client.rekognition(REGION, emulator.url, polling=True))
    page = f"{budget._name(scope)}.json"
    list_rate = f"{budget._name(f'rate|list|{scope}')}.rate"
    start_rate = f"{budget._name(f'rate|start|{scope}')}.rate"
    return [page, f"{page}.lock", list_rate, f"{list_rate}.lock", start_rate, f"{start_rate}.lock"]


def test_up_with_a_directory_open_to_others_succeeds_and_says_so(
    emulator: Emulator, engine_stack: StackFactory, tmp_path: Path
) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    shared = runtime / NAME
    shared.mkdir()
    shared.chmod(0o777)
    world = seed(emulator)
    stack = engine_stack(
        PROGRAM,
        "open-directory",
        env={**provider_env(), "XDG_RUNTIME_DIR": str(runtime)},
        config=world.config(),
    )
    up = stack.up()
    assert stack.outputs()["job_0_status"] == "SUCCEEDED"
    assert list(shared.iterdir()) == []  # nothing shared through it
    assert f"{shared} has mode 0777: group or others may use it" in up.stdout
    assert "the deployment goes on" in up.stdout
    # Said once (the engine's summary repeats each line once more, under Diagnostics).
    diagnostics = up.stdout.split("Diagnostics:", 1)[1]
    assert diagnostics.count(f"{shared} has mode 0777") == 1


def test_up_with_links_planted_at_every_file_name_writes_nothing_through_them(
    emulator: Emulator,
    engine_stack: StackFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    shared = runtime / NAME
    shared.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_bytes(PRECIOUS)
    names = file_names(emulator, monkeypatch)
    for name in names:
        (shared / name).symlink_to(victim)
    world = seed(emulator)
    stack = engine_stack(
        PROGRAM,
        "planted-links",
        env={**provider_env(), "XDG_RUNTIME_DIR": str(runtime)},
        config=world.config(jobs="3"),
    )
    up = stack.up()
    outputs = stack.outputs()
    assert [outputs[f"job_{i}_status"] for i in range(3)] == ["SUCCEEDED"] * 3
    assert victim.read_bytes() == PRECIOUS
    assert all((shared / name).is_symlink() for name in names)
    diagnostics = up.stdout.split("Diagnostics:", 1)[1]
    # The board's lock, said once by the provider process serving the three jobs.
    assert diagnostics.count(f"{shared / names[1]} is a symbolic link") == 1
