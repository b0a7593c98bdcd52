#!/usr/bin/env bash
# Makes `go` available for the pprof round-trip tests (`go tool pprof` reads boundscope's
# exports): installs Debian's golang-go when `go` is not on PATH.
#
#   eval "$(.ci/go.sh)"   # prints `export PATH=...` with go's directory first
#
# Only export lines go to stdout; progress goes to stderr.
set -euo pipefail

if ! command -v go >/dev/null 2>&1; then
    echo "go.sh: go not found; installing golang-go from Debian packages" >&2
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y golang-go >&2
fi
go_bin="$(dirname "$(command -v go)")"
echo "export PATH=\"$go_bin:\$PATH\""
echo "go.sh: $(go version)" >&2
