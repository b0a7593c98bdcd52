#!/usr/bin/env bash
# A virtual environment for the CPython twins (twins/): python3 from Debian packages if it is
# missing, then orjson, asyncpg and xxhash from PyPI. Idempotent: a venv that already imports
# all three is reused as it is.
#
#   py=$(.ci/venv.sh)        # prints the venv's python, and only that, on stdout
#   "$py" twins/json_parse.py --mode threads --workers 2 DIR
#
# Environment: BOUNDSCOPE_VENV (the venv's directory, default $TMPDIR/boundscope-venv).
set -euo pipefail

venv="${BOUNDSCOPE_VENV:-${TMPDIR:-/tmp}/boundscope-venv}"
packages=(orjson asyncpg xxhash)
imports="import orjson, asyncpg, xxhash"

log() { echo "venv.sh: $*" >&2; }

apt_install() {
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "$@" >&2
}

if ! command -v python3 >/dev/null 2>&1; then
    log "python3 not found; installing python3 and python3-venv from Debian packages"
    apt_install python3 python3-venv
fi
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    log "python3 cannot make a venv with pip; installing python3-venv from Debian packages"
    apt_install python3-venv
fi

py="$venv/bin/python"
if [ -x "$py" ] && "$py" -c "$imports" >/dev/null 2>&1; then
    echo "$py"
    exit 0
fi
# A directory left half made (an interrupted run) is made again.
python3 -m venv --clear "$venv" >&2
log "installing ${packages[*]} from PyPI into $venv"
"$py" -m pip install --quiet --disable-pip-version-check "${packages[@]}" >&2
"$py" -c "$imports"
log "$("$py" -c 'import sys, orjson, asyncpg, xxhash; print("CPython", sys.version.split()[0], "orjson", orjson.__version__, "asyncpg", asyncpg.__version__, "xxhash", xxhash.VERSION)')"
echo "$py"
