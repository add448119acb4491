#!/usr/bin/env bash
# Regenerates the rekognition-media SDKs from the plugin's schema with Pulumi's own code
# generators: sdk/schema.json and sdk/{python,nodejs,go,dotnet} (checked in, as Pulumi's
# packages ship them). tests/plugin/test_sdk_codegen.py runs this into a temporary
# directory and fails on any difference from the checked-in SDKs.
#
# Usage: scripts/gen-sdks.sh [OUT_DIR]      (default: sdk/ of this checkout)
#
# The generators are Go packages of github.com/pulumi/pulumi/pkg/v3 (scripts/gen-sdks/):
# Python, Node.js and Go from the pinned version (go.mod, the CLI's .pulumi-version); C#
# from v3.228.0 (go.dotnet.mod), the last pkg/v3 that has it — it moved to pulumi-dotnet,
# which the Go module proxy here does not serve. `pulumi package gen-sdk` would need each
# language's host, none of which can be obtained here.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/sdk}
python=${PYTHON:-$root/.venv/bin/python}
[[ -x $python ]] || python=$(command -v python3)
# shellcheck source=go.env
source "$root/scripts/go.env"
go_bin=$(command -v go || echo /usr/local/go/bin/go)
[[ -x $go_bin ]] || { echo "gen-sdks: the go command is needed (Go >= $GO_MIN_VERSION)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The checked-in go.mod/go.sum pin the generators; -mod=readonly refuses to change them.
build() { # $1: output binary, $@: extra go build flags
	local binary=$1
	shift
	(cd "$root/scripts/gen-sdks" &&
		GOTOOLCHAIN=$GOTOOLCHAIN GOWORK=$GOWORK GOFLAGS="-mod=readonly $GOFLAGS" \
			"$go_bin" build "$@" -o "$binary" .)
}
build "$work/gen-sdks"
build "$work/gen-sdks-dotnet" -tags dotnet -modfile=go.dotnet.mod

mkdir -p "$out"
"$python" -c 'import sys
from rekognition_media.plugin.schema import schema_json
sys.stdout.write(schema_json())' >"$out/schema.json"
for language in python nodejs go dotnet; do
	rm -rf "${out:?}/$language"
done
"$work/gen-sdks" "$out/schema.json" "$out" python nodejs go
# The Python generator names the package's folder by its import name, dots included
# (rekognition_media.sdk); a folder per dot is what Python and the build's package mapping
# (pyproject.toml) read.
mkdir -p "$out/python/rekognition_media"
mv "$out/python/rekognition_media.sdk" "$out/python/rekognition_media/sdk"
"$work/gen-sdks-dotnet" "$out/schema.json" "$out" dotnet
echo "gen-sdks: wrote $out/{schema.json,python,nodejs,go,dotnet}" >&2
