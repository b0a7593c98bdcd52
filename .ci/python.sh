#!/usr/bin/env bash
# Makes `python3` available for the tests that read a real CPython interpreter's stacks from
# outside (src/observe/python): installs Debian's python3 when it is not on PATH.
#
#   .ci/python.sh
set -euo pipefail

echo "== python3 (installed from Debian packages if missing: the CPython stack reader's tests read it)"

if ! command -v python3 >/dev/null 2>&1; then
    echo "python.sh: python3 not found; installing python3 from Debian packages" >&2
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y python3 >&2
fi
echo "python.sh: $(python3 --version 2>&1) at $(command -v python3)" >&2
