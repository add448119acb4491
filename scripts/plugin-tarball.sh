#!/usr/bin/env bash
# Build the rekognition-media plugin as a tarball for `pulumi plugin install`:
#
#   scripts/plugin-tarball.sh [OUT_DIR]     # -> OUT_DIR/pulumi-resource-rekognition-media-v<version>.tar.gz
#   pulumi plugin install resource rekognition-media <version> --file <tarball>
#
# The tarball holds the plugin's code (the rekognition_media package, taken from the wheel
# the build backend makes, so its parts are where pyproject.toml maps them) and the executable `pulumi-resource-rekognition-media`, a shell
# script that runs it with the Python in PULUMI_REKOGNITION_MEDIA_PYTHON (default: python3
# on PATH). That Python needs the package's dependencies (pulumi, boto3, pydantic, ...:
# `pip install pulumi-rekognition-media` gives them); the plugin's own code comes from the
# tarball, so the installed version is the tarball's.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "${1:-$root/dist}" && cd "${1:-$root/dist}" && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
version="$("$python" -c 'import sys; sys.path.insert(0, sys.argv[1]); import rekognition_media; print(rekognition_media.__version__)' "$root")"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
# --no-build-isolation: the virtualenv's setuptools builds it, offline.
"$python" -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir "$stage/wheel" "$root"
"$python" - "$stage" <<'PY'
import sys, zipfile
from pathlib import Path
stage = Path(sys.argv[1])
(wheel,) = (stage / "wheel").glob("*.whl")
with zipfile.ZipFile(wheel) as archive:
    archive.extractall(stage, [n for n in archive.namelist() if n.startswith("rekognition_media/")])
PY
cat > "$stage/pulumi-resource-rekognition-media" <<'EOF'
#!/bin/sh
# The rekognition-media resource provider plugin (installed from a tarball).
here="$(cd "$(dirname "$0")" && pwd)"
# exec: the engine is this process's parent; the plugin exits when the engine is gone.
PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" exec "${PULUMI_REKOGNITION_MEDIA_PYTHON:-python3}" \
    -m rekognition_media.plugin "$@"
EOF
chmod +x "$stage/pulumi-resource-rekognition-media"

tarball="$out/pulumi-resource-rekognition-media-v$version.tar.gz"
tar -czf "$tarball" -C "$stage" pulumi-resource-rekognition-media rekognition_media
echo "$tarball"
