#!/usr/bin/env bash
# The test command.
#
#   scripts/test.sh          sets everything up, then lint, format check, types and every test
#                            (the end-to-end ones drive the real Pulumi CLI against the
#                            emulator); prints the ten slowest tests.
#   scripts/test.sh --fast   lint, types and the tests that need neither the Pulumi CLI, a
#                            package registry, a browser nor deliberate waits (markers engine,
#                            network, browser, slow); skips setup while .venv is current.
#
# Further arguments go to pytest (e.g. scripts/test.sh --fast tests/policies -x).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

fast=false
if [ "${1:-}" = "--fast" ]; then
    fast=true
    shift
fi

if $fast && [ -f .venv/.setup-stamp ] && [ "$(cat .venv/.setup-stamp)" = "$(scripts/setup-stamp.sh)" ]; then
    echo "== setup: .venv is current (scripts/setup.sh to redo it)" >&2
else
    PULUMI_CLI_DIR=$(scripts/setup.sh | tail -n 1)
    export PULUMI_CLI_DIR
fi

echo "== ruff check" >&2
.venv/bin/ruff check .
echo "== ruff format --check" >&2
.venv/bin/ruff format --check .
echo "== mypy" >&2
.venv/bin/python -m devtools.typecheck

# Two runs: the tests that assert elapsed time or rates (marker `timing`) alone, then the
# rest on parallel workers (pytest-xdist; PYTEST_WORKERS, default 4; idle workers steal
# queued tests, so a long engine test does not leave a tail): they mostly wait on
# jobs, polls and the CLI, and each worker has its own emulator and stacks.
workers=${PYTEST_WORKERS:-4}
fast_workers=${PYTEST_WORKERS:-auto} # the fast tier computes rather than waits: one per core
# pytest exits 5 when a selection holds no test (say, arguments that pick no timing test).
run_pytest() {
    local status=0
    .venv/bin/pytest "$@" || status=$?
    if [ "$status" -ne 0 ] && [ "$status" -ne 5 ]; then
        exit "$status"
    fi
}
if $fast; then
    tier="not (engine or network or browser or slow)"
    echo "== pytest (fast tier: $tier)" >&2
    run_pytest -q -m "($tier) and timing" "$@"
    run_pytest -q -m "($tier) and not timing" -n "$fast_workers" "$@"
    exit 0
fi
echo "== pytest, timing tests alone (Pulumi CLI $("$PULUMI_CLI_DIR/pulumi" version) from $PULUMI_CLI_DIR)" >&2
run_pytest -m timing --durations=5 "$@"
echo "== pytest, the rest on $workers workers" >&2
run_pytest -m "not timing" -n "$workers" --dist worksteal --durations=10 "$@"
