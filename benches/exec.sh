#!/usr/bin/env bash
# What `boundscope exec` costs the program it observes: each target's wall time alone and
# under `exec --hz 100`, interleaved (the side that goes first alternating), medians and
# their ratio (under exec / alone; 1.00 is free, the goal is at most 1.05).
#
#   benches/exec.sh [REPEAT]      (BOUNDSCOPE_BIN=path/to/boundscope to use a built one)
#
# Targets: one thread hashing a file (sha256sum), two processes hashing at once (both cores
# busy, so the observer's own CPU competes with the program), and two CPython threads
# taking turns at the interpreter lock (the Python stack reader at work) when python3 is
# there.
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-11}
# BOUNDSCOPE_BIN names a binary already built (a shared target directory may be rebuilt
# under the bench's feet).
bin=${BOUNDSCOPE_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=target/release/boundscope
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
truncate -s 600M "$out/sparse.bin"
echo "# machine: $(nproc) cores, kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# medians of $repeat interleaved runs; wall seconds of the program"

seconds() { # COMMAND...: the wall nanoseconds it took
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s%N)
  echo $((end - start))
}

compare() { # NAME COMMAND...
  local name=$1 i
  shift
  : >"$out/$name.alone"
  : >"$out/$name.exec"
  for i in $(seq "$repeat"); do
    if ((i % 2)); then
      seconds "$@" >>"$out/$name.alone"
      seconds "$bin" exec --headless --quiet --hz 100 -- "$@" >>"$out/$name.exec"
    else
      seconds "$bin" exec --headless --quiet --hz 100 -- "$@" >>"$out/$name.exec"
      seconds "$@" >>"$out/$name.alone"
    fi
  done
  python3 - "$out/$name" "$name" <<'PY'
import statistics, sys
base, name = sys.argv[1], sys.argv[2]
alone = statistics.median(int(x) / 1e9 for x in open(base + ".alone"))
under = statistics.median(int(x) / 1e9 for x in open(base + ".exec"))
print(f"{name:28} alone {alone:7.3f} s   under exec {under:7.3f} s   ratio {under / alone:.3f}")
PY
}

compare "sha256sum, 1 thread" sha256sum "$out/sparse.bin"
compare "sha256sum x2, both cores" sh -c "sha256sum $out/sparse.bin & sha256sum $out/sparse.bin; wait"
if command -v python3 >/dev/null; then
  compare "python, 2 threads (GIL)" python3 tests/fixtures/exec/gil.py
fi
