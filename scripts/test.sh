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
.venv/bin/mypy

# Parallel workers (pytest-xdist): the tests mostly wait on jobs, polls and the CLI, and
# each worker has its own emulator and stacks. --dist loadgroup keeps the tests that time
# rates or durations on one worker (xdist_group "timing") so they never race each other.
workers=${PYTEST_WORKERS:-4}
if $fast; then
    echo "== pytest (fast tier: not engine, network, browser or slow)" >&2
    exec .venv/bin/pytest -m "not (engine or network or browser or slow)" -n "$workers" \
        --dist loadgroup "$@"
fi
echo "== pytest (Pulumi CLI $("$PULUMI_CLI_DIR/pulumi" version) from $PULUMI_CLI_DIR)" >&2
exec .venv/bin/pytest -n "$workers" --dist loadgroup --durations=10 "$@"
