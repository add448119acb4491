#!/usr/bin/env bash
# Sets up a checkout from nothing: the virtualenv (.venv) with the package installed
# editable plus its development tools, and the pinned Pulumi CLI (scripts/pulumi-cli.sh).
# Safe to re-run: an existing venv is reused and the CLI comes from its cache.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "setup: Python >= 3.11 is required ($python is $("$python" --version 2>&1))" >&2
    exit 1
fi

if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv with $("$python" --version)" >&2
    "$python" -m venv .venv
fi
# The Python SDK has its own pin: PyPI's newest release is not the CLI's (.pulumi-version).
pulumi_sdk_version=$(tr -d '[:space:]' < .pulumi-python-sdk-version)
echo "setup: installing pulumi-rekognition-media (editable) with pulumi==$pulumi_sdk_version" >&2
.venv/bin/python -m pip install --quiet --upgrade pip "setuptools>=77"
.venv/bin/python -m pip install --quiet -e ".[dev,emulator]" "pulumi==$pulumi_sdk_version"
# The development toolkit (devtools/) is not in the wheel: the tests, scripts and benchmarks
# import it from this checkout, which a .pth file puts on the virtualenv's path.
site_packages=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$root" > "$site_packages/rekognition-media-checkout.pth"
# What was installed from: `scripts/test.sh --fast` skips setup while this still matches.
scripts/setup-stamp.sh > .venv/.setup-stamp

# The TypeScript SDK (sdk/nodejs) and examples/typescript-job: one npm workspace at the
# root, one lockfile (package-lock.json); tests/plugin/test_sdk_nodejs.py runs their tsc.
if command -v npm >/dev/null 2>&1; then
    echo "setup: npm ci (sdk/nodejs, examples/typescript-job)" >&2
    npm ci --no-audit --no-fund --loglevel=error >&2
else
    echo "setup: npm is missing; the TypeScript SDK's tests need Node.js with npm" >&2
fi

# The HTML report's browser tests (pytest -m browser) drive Debian's Chromium; they fail
# with this same command where it is missing.
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing chromium (apt-get) for the browser tests" >&2
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1; then
            echo "setup: apt-get install chromium failed; the browser tests need it" >&2
        fi
    else
        echo "setup: chromium is missing; the browser tests need it: sudo apt-get install -y chromium" >&2
    fi
fi

# The policy pack's CLI tests need the CLI that can start a Python policy pack here
# (scripts/pulumi-cli.sh --policy-packs says why it is not the main pin).
policy_bin_dir=$(scripts/pulumi-cli.sh --policy-packs | tail -n 1)
echo "setup: Pulumi CLI $("$policy_bin_dir/pulumi" version) for policy packs at $policy_bin_dir" >&2
bin_dir=$(scripts/pulumi-cli.sh | tail -n 1)
echo "setup: Pulumi CLI $("$bin_dir/pulumi" version) at $bin_dir" >&2
echo "$bin_dir"
