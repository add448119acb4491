#!/usr/bin/env bash
# Provide the real Pulumi CLI (built from Pulumi's Go modules) without internet access.
#
# Usage:  PULUMI_BIN=$(scripts/pulumi-cli.sh | tail -n 1)
#         export PATH="$PULUMI_BIN:$PATH"
#
# The last line on stdout is the absolute directory holding `pulumi` and the helper plugins
# (pulumi-resource-pulumi-python, pulumi-analyzer-policy-python, pulumi-language-python-exec) and Pulumi's
# YAML language host (pulumi-language-yaml, built from github.com/pulumi/pulumi-yaml when missing).
# Everything else goes to stderr. Put that directory first on PATH: the engine looks up plugins there.
#
# The version is pinned in .pulumi-version at the repository root (one line, e.g. 3.276.0); it pins
# the CLI and the Go modules it is built from. The Python SDK on PyPI has a pin of its own
# (.pulumi-python-sdk-version, installed by scripts/setup.sh).
# Resolution order, first that works wins:
#   1. $PULUMI_CLI_DIR (a directory containing `pulumi`; a version mismatch is only a warning).
#   2. a `pulumi` on PATH whose `pulumi version` is exactly v<version> (helpers are added if missing).
#   3. the per-user cache ${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-rekognition-media/pulumi-cli/v<version>/bin.
#   4. a build from the Go module proxy into that cache (first run: about 1.6 GB of modules, several minutes).
#
# The Python language host (pulumi-language-python) is not served by the module proxy reachable here, so it
# is usually absent: run Python programs through the Automation API's inline programs (`program=`).
#
# --policy-packs: the CLI that runs Python policy packs here instead, pinned in .pulumi-policy-cli-version
# (PULUMI_POLICY_CLI_DIR in place of PULUMI_CLI_DIR). From v3.274.0 the engine starts a Python policy
# pack only through pulumi-language-python, so the newest CLI that can run one without it, v3.260.0 (the
# proxy serves none between it and v3.274.0), runs the policy pack's CLI tests.
set -euo pipefail

pin_name=.pulumi-version
dir_var=PULUMI_CLI_DIR
if [[ ${1:-} == --policy-packs ]]; then
	pin_name=.pulumi-policy-cli-version
	dir_var=PULUMI_POLICY_CLI_DIR
elif [[ -n ${1:-} ]]; then
	printf 'pulumi-cli: error: unknown argument %s (usage: scripts/pulumi-cli.sh [--policy-packs])\n' "$1" >&2
	exit 2
fi
readonly pin_name dir_var

readonly PKG_MODULE=github.com/pulumi/pulumi/pkg/v3
readonly SDK_MODULE=github.com/pulumi/pulumi/sdk/v3
readonly LANGHOST_MODULE=github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
# sdk/v3 stopped shipping python/dist/pulumi-analyzer-policy-python in v3.221.0, but the engine up to
# v3.260.0 still launches it for Python policy packs when no Python language host is installed
# (from v3.274.0 the engine runs policy packs only through the language host). v3.220.0 is the last
# sdk release that ships it; it is taken from there when the pinned sdk does not have it.
readonly ANALYZER_FALLBACK_SDK_VERSION=3.220.0
readonly HELPERS=(pulumi-resource-pulumi-python pulumi-analyzer-policy-python pulumi-language-python-exec)
readonly MARKER_NAME=.complete
# Pulumi's YAML language host (`runtime: yaml` programs), served by the module proxy. It is added beside
# the CLI in our cache when missing, so caches built before it was needed get it too.
readonly YAML_MODULE=github.com/pulumi/pulumi-yaml
readonly YAML_VERSION=v1.25.0
readonly YAML_HOST=pulumi-language-yaml

log() { printf 'pulumi-cli: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/.." && pwd)
# shellcheck source=go.env
source "$script_dir/go.env"
version_file="$repo_root/$pin_name"
[[ -r $version_file ]] || die "version pin $version_file not found"
version=$(tr -d '[:space:]' <"$version_file")
version=${version#v}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "$version_file must hold a version like 3.276.0, got '$version'"
readonly version want="v$version"

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-rekognition-media/pulumi-cli"
readonly cache_root cache_dir="$cache_root/$want"
readonly cache_bin="$cache_dir/bin"

# Prints the version reported by the pulumi binary in directory $1 (empty if it cannot run).
cli_version() {
	PULUMI_SKIP_UPDATE_CHECK=true "$1/pulumi" version 2>/dev/null | tr -d '[:space:]' || true
}

missing_helpers() {
	local dir=$1 h
	for h in "${HELPERS[@]}"; do
		[[ -x "$dir/$h" ]] || printf '%s\n' "$h"
	done
}

work_dirs=()
cleanup() {
	local d
	for d in "${work_dirs[@]}"; do
		[[ -n $d && -d $d ]] && chmod -R u+w "$d" 2>/dev/null && rm -rf "$d"
	done
	return 0
}
trap cleanup EXIT

new_work_dir() { # $1: name of the variable to set, $2: parent directory (removed again on exit)
	local d
	d=$(mktemp -d "$2/.pulumi-cli-tmp.XXXXXX")
	work_dirs+=("$d")
	printf -v "$1" '%s' "$d"
}

go_env() { # runs go with a fixed, offline-friendly environment
	GOTOOLCHAIN=$GOTOOLCHAIN GOFLAGS=$GOFLAGS GOWORK=$GOWORK GO111MODULE=on "$go_bin" "$@"
}

find_go() {
	go_bin=$(command -v go || true)
	if [[ -z $go_bin && -x /usr/local/go/bin/go ]]; then
		go_bin=/usr/local/go/bin/go
	fi
	[[ -n $go_bin ]] || die "could not build the Pulumi CLI from Go modules: the go command is not installed (Go >= $GO_MIN_VERSION needed)"
}

build_fail() { # $1: step, $2: log file
	local tail_text=""
	[[ -f $2 ]] && tail_text=$(grep -v '^go: downloading' "$2" | tail -n 25)
	die "could not build the Pulumi CLI from Go modules: $1 failed:
$tail_text"
}

# Runs a go command in directory $1, streaming its output to stderr and appending it to log file $2.
run_go() {
	local dir=$1 logf=$2
	shift 2
	(cd "$dir" && go_env "$@") 2>&1 | tee -a "$logf" >&2
}

# Prints the module-cache directory of module $1 at version $2, downloading it if needed.
module_dir() {
	local mod=$1 ver=$2 dir
	# Run outside any module so no go.mod is consulted or changed.
	dir=$(cd / && go_env mod download -json "$mod@$ver" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
	[[ -n $dir && -d $dir ]] || return 1
	printf '%s\n' "$dir"
}

# Copies the helper executables shipped in the sdk/v3 module into directory $1.
install_helpers() {
	local dest=$1 sdk_dir fallback_dir analyzer
	sdk_dir=$(module_dir "$SDK_MODULE" "$want") ||
		die "could not build the Pulumi CLI from Go modules: cannot download $SDK_MODULE@$want"
	install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$dest/pulumi-resource-pulumi-python"
	install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$dest/pulumi-language-python-exec"
	analyzer="$sdk_dir/python/dist/pulumi-analyzer-policy-python"
	if [[ ! -f $analyzer ]]; then
		fallback_dir=$(module_dir "$SDK_MODULE" "v$ANALYZER_FALLBACK_SDK_VERSION") ||
			die "could not build the Pulumi CLI from Go modules: cannot download $SDK_MODULE@v$ANALYZER_FALLBACK_SDK_VERSION"
		analyzer="$fallback_dir/python/dist/pulumi-analyzer-policy-python"
		log "pulumi-analyzer-policy-python taken from $SDK_MODULE@v$ANALYZER_FALLBACK_SDK_VERSION (not shipped in $want)"
	fi
	install -m 0755 "$analyzer" "$dest/pulumi-analyzer-policy-python"
}

# Tries to build the Python language host into $1; only warns when it cannot be obtained.
try_build_language_host() {
	local dest=$1 logf=$2 wrap commit
	new_work_dir wrap "${TMPDIR:-/tmp}"
	commit=$(cd "$wrap" && go_env mod download -json "$PKG_MODULE@$want" |
		sed -n 's/^[[:space:]]*"Hash": "\([0-9a-f]\{40\}\)",\{0,1\}$/\1/p' | head -n 1) || true
	printf 'module pulumilanghostwrapper\n\ngo 1.25\n' >"$wrap/go.mod"
	if [[ -n $commit ]] &&
		(cd "$wrap" && go_env get "$LANGHOST_MODULE@$commit" "$PKG_MODULE@$want" "$SDK_MODULE@$want") >>"$logf" 2>&1 &&
		run_go "$wrap" "$logf" build -trimpath -tags osusergo,grpcnotrace \
			-ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$want" \
			-o "$dest/pulumi-language-python" "$LANGHOST_MODULE"; then
		log "built the Python language host (pulumi-language-python)"
	else
		rm -f "$dest/pulumi-language-python"
		log "note: the Python language host ($LANGHOST_MODULE) is not available from the Go module proxy;"
		log "      Pulumi.yaml projects with runtime: python cannot run; use Automation API inline programs"
	fi
}

build_into_cache() {
	find_go
	mkdir -p "$cache_root"
	# Serialise concurrent builds of the same version.
	if command -v flock >/dev/null 2>&1; then
		exec 9>"$cache_root/.lock-$want"
		flock 9
		if [[ -f $cache_dir/$MARKER_NAME && -z $(missing_helpers "$cache_bin") ]]; then
			log "another run finished building Pulumi CLI $want"
			return 0
		fi
	fi
	log "building Pulumi CLI $want from Go modules into $cache_dir (several minutes when the Go module and build caches are cold: ~1.6 GB of modules, ~1.6 GB of build cache)"
	local stage wrap logf start
	start=$SECONDS
	new_work_dir stage "$cache_root"
	new_work_dir wrap "${TMPDIR:-/tmp}"
	logf="$stage/build.log"
	mkdir -p "$stage/bin"

	# pkg/v3's go.mod has replace directives, so `go install pkg@version` is refused; require it from a
	# throwaway wrapper module instead (its dependencies' replaces are ignored there).
	printf 'module pulumicliwrapper\n\ngo 1.25\n' >"$wrap/go.mod"
	printf '//go:build tools\n\npackage tools\n\nimport _ "%s/cmd/pulumi"\n' "$PKG_MODULE" >"$wrap/tools.go"
	run_go "$wrap" "$logf" get "$PKG_MODULE@$want" "$SDK_MODULE@$want" || build_fail "go get $PKG_MODULE@$want $SDK_MODULE@$want" "$logf"
	run_go "$wrap" "$logf" mod tidy || build_fail "go mod tidy" "$logf"
	local m got
	for m in "$PKG_MODULE" "$SDK_MODULE"; do
		got=$(cd "$wrap" && go_env list -m -f '{{.Version}}' "$m") || build_fail "go list -m $m" "$logf"
		[[ $got == "$want" ]] || die "could not build the Pulumi CLI from Go modules: $m resolved to $got, not $want"
	done
	log "compiling $PKG_MODULE/cmd/pulumi ..."
	run_go "$wrap" "$logf" build -trimpath -tags osusergo,grpcnotrace \
		-ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$want" \
		-o "$stage/bin/pulumi" "$PKG_MODULE/cmd/pulumi" || build_fail "go build $PKG_MODULE/cmd/pulumi" "$logf"
	got=$(cli_version "$stage/bin")
	[[ $got == "$want" ]] || die "could not build the Pulumi CLI from Go modules: built binary reports '$got', not $want"

	install_helpers "$stage/bin"
	try_build_language_host "$stage/bin" "$logf"

	{
		printf 'version=%s\n' "$want"
		printf 'built=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
		printf 'go=%s\n' "$(go_env env GOVERSION)"
		printf 'language_host=%s\n' "$([[ -x $stage/bin/pulumi-language-python ]] && echo yes || echo no)"
	} >"$stage/$MARKER_NAME.tmp"
	chmod 0755 "$stage" # mktemp made it 0700
	mv "$stage/$MARKER_NAME.tmp" "$stage/$MARKER_NAME" # marker written last
	if [[ -e $cache_dir ]]; then
		log "replacing incomplete cache $cache_dir"
		chmod -R u+w "$cache_dir" && rm -rf "$cache_dir"
	fi
	mv -T "$stage" "$cache_dir" # atomic: the cache is either absent or complete
	log "built Pulumi CLI $want in $((SECONDS - start)) s"
}

# Builds the YAML language host into directory $1 (one of our cache directories) unless it is there.
# A failure only warns: the CLI still runs Python programs; YAML programs then fail, saying why.
ensure_yaml_host() {
	local dest=$1 wrap logf tmp start
	[[ -x $dest/$YAML_HOST ]] && return 0
	find_go
	mkdir -p "$cache_root"
	if command -v flock >/dev/null 2>&1; then
		exec 8>"$cache_root/.lock-yaml-$YAML_VERSION"
		flock 8
		if [[ -x $dest/$YAML_HOST ]]; then
			exec 8>&-
			return 0
		fi
	fi
	log "building the YAML language host $YAML_MODULE $YAML_VERSION into $dest (~1.5 min)"
	start=$SECONDS
	new_work_dir wrap "${TMPDIR:-/tmp}"
	logf="$wrap/build.log"
	tmp="$dest/.$YAML_HOST.tmp.$$"
	printf 'module pulumiyamlwrapper\n\ngo 1.25\n' >"$wrap/go.mod"
	if run_go "$wrap" "$logf" get "$YAML_MODULE/cmd/$YAML_HOST@$YAML_VERSION" &&
		run_go "$wrap" "$logf" build -trimpath \
			-ldflags "-X $YAML_MODULE/pkg/version.Version=$YAML_VERSION" \
			-o "$tmp" "$YAML_MODULE/cmd/$YAML_HOST"; then
		mv -f "$tmp" "$dest/$YAML_HOST" # atomic: the host is either absent or complete
		log "built the YAML language host in $((SECONDS - start)) s"
	else
		rm -f "$tmp"
		log "warning: could not build the YAML language host ($YAML_MODULE $YAML_VERSION):"
		log "         Pulumi.yaml projects with runtime: yaml cannot run. Last lines of the build:"
		grep -v '^go: downloading' "$logf" | tail -n 15 >&2 || true
	fi
	exec 8>&- 2>/dev/null || true
}

# Case 2 helper: sets out_dir to a directory holding the ambient pulumi plus the helpers.
ambient_with_helpers() {
	local amb_dir=$1 dest stage
	out_dir=$amb_dir
	[[ -n $(missing_helpers "$amb_dir") ]] || return 0
	dest="$cache_root/ambient-$want/bin"
	out_dir=$dest
	if [[ -z $(missing_helpers "$dest") && $(readlink "$dest/pulumi") == "$amb_dir/pulumi" ]]; then
		return 0
	fi
	find_go
	mkdir -p "$cache_root"
	log "adding the helper plugins beside a link to $amb_dir/pulumi in $dest"
	new_work_dir stage "$cache_root"
	mkdir -p "$stage/bin"
	ln -s "$amb_dir/pulumi" "$stage/bin/pulumi"
	install_helpers "$stage/bin"
	chmod 0755 "$stage"
	rm -rf "$cache_root/ambient-$want"
	mv -T "$stage" "$cache_root/ambient-$want"
}

# 1. Explicit directory chosen by the user.
if [[ -n ${!dir_var:-} ]]; then
	given=${!dir_var}
	dir=$(cd "$given" 2>/dev/null && pwd) || die "$dir_var=$given is not a directory"
	[[ -x $dir/pulumi ]] || die "$dir_var=$given has no executable 'pulumi'"
	got=$(cli_version "$dir")
	if [[ $got != "$want" ]]; then
		log "warning: $dir/pulumi reports version '${got:-?}', but $pin_name pins $want; using it anyway ($dir_var)"
	fi
	missing=$(missing_helpers "$dir")
	[[ -z $missing ]] || log "warning: $dir lacks helper plugins: $(echo "$missing" | tr '\n' ' ')"
	[[ -x $dir/$YAML_HOST ]] || log "warning: $dir has no $YAML_HOST: runtime: yaml programs cannot run"
	log "using Pulumi CLI ${got:-?} from $dir_var at $dir"
	printf '%s\n' "$dir"
	exit 0
fi

# 2. A matching pulumi already on PATH.
if ambient=$(command -v pulumi 2>/dev/null) && [[ -n $ambient ]]; then
	ambient_dir=$(cd "$(dirname "$ambient")" && pwd)
	if [[ $ambient_dir != "$cache_bin" && $(cli_version "$ambient_dir") == "$want" ]]; then
		ambient_with_helpers "$ambient_dir"
		if [[ $out_dir != "$ambient_dir" ]]; then
			ensure_yaml_host "$out_dir"
		elif [[ ! -x $out_dir/$YAML_HOST ]] && ! command -v "$YAML_HOST" >/dev/null 2>&1; then
			log "warning: no $YAML_HOST beside $ambient_dir/pulumi: runtime: yaml programs cannot run"
		fi
		log "using Pulumi CLI $want found on PATH at $ambient_dir"
		printf '%s\n' "$out_dir"
		exit 0
	fi
fi

# 3. Cache hit.
if [[ -f $cache_dir/$MARKER_NAME && -z $(missing_helpers "$cache_bin") ]] &&
	[[ $(cli_version "$cache_bin") == "$want" ]]; then
	ensure_yaml_host "$cache_bin"
	log "using cached Pulumi CLI $want at $cache_bin"
	printf '%s\n' "$cache_bin"
	exit 0
fi

# 4. Build.
build_into_cache
[[ $(cli_version "$cache_bin") == "$want" ]] || die "the cache at $cache_dir does not hold a working Pulumi CLI $want"
ensure_yaml_host "$cache_bin"
log "using Pulumi CLI $want at $cache_bin"
printf '%s\n' "$cache_bin"
