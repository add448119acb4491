#!/usr/bin/env bash
# The test command: sets everything up, then lint, format check, types and the test suite
# (including the end-to-end tests that drive the real Pulumi CLI against the emulator).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

PULUMI_CLI_DIR=$(scripts/setup.sh | tail -n 1)
export PULUMI_CLI_DIR

echo "== ruff check" >&2
.venv/bin/ruff check .
echo "== ruff format --check" >&2
.venv/bin/ruff format --check .
echo "== mypy" >&2
.venv/bin/mypy
echo "== pytest (Pulumi CLI $("$PULUMI_CLI_DIR/pulumi" version) from $PULUMI_CLI_DIR)" >&2
.venv/bin/pytest "$@"
