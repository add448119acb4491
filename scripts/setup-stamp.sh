#!/usr/bin/env bash
# Prints what a set-up .venv was installed from (the package's metadata and the Pulumi pins:
# the CLI's and the Python SDK's):
# scripts/setup.sh records it in .venv/.setup-stamp, scripts/test.sh --fast compares.
set -euo pipefail
cd "$(dirname "$0")/.."
cat pyproject.toml .pulumi-version .pulumi-python-sdk-version | sha256sum | cut -d' ' -f1
