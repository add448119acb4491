#!/usr/bin/env bash
# The quickstart: sets everything up (scripts/setup.sh), then runs the example stack end
# to end against the embedded emulator (scripts/quickstart.py; --help for options).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PULUMI_CLI_DIR=$(scripts/setup.sh | tail -n 1)
export PULUMI_CLI_DIR
exec .venv/bin/python scripts/quickstart.py "$@"
