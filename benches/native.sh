#!/usr/bin/env bash
# What sampling native stacks costs the program sampled: a CPU-bound C program (frame
# pointers, one thread) run alone and under the native sampler at 100 Hz, with the same
# harness (`examples/native_sample.rs`, `--off` for alone), interleaved, medians of its
# wall and CPU time (user + system, from the kernel) and their ratios (and minima, the
# runs least disturbed by the rest of the machine).
#
#   benches/native.sh [REPEAT] [ROUNDS]
#
# ROUNDS sets the program's work (millions of additions; 600 is about 1.5 s alone).
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-11}
rounds=${2:-600}
hz=100
nice -n 19 cargo build --release --quiet --example native_sample
bin=${CARGO_TARGET_DIR:-target}/release/examples/native_sample
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cat >"$out/burn.c" <<'C'
#include <stdlib.h>
__attribute__((noinline)) double burn_cycles(long n) {
    volatile double x = 0;
    for (long i = 0; i < n; i++) x += i * 0.5;
    return x;
}
int main(int argc, char **argv) {
    long rounds = argc > 1 ? atol(argv[1]) : 600;
    double t = 0;
    for (long r = 0; r < rounds; r++) t += burn_cycles(1000000);
    return t < 0;
}
C
cc -O1 -g -fno-omit-frame-pointer -o "$out/burn" "$out/burn.c"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$repeat"); do
  "$bin" --off "$out/burn" "$rounds" 2>>"$out/off" >/dev/null
  "$bin" --hz "$hz" "$out/burn" "$rounds" 2>>"$out/on" >"$out/stacks"
done
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commonest stacks of the last sampled run:"
head -3 "$out/stacks"
python3 - "$out" "$hz" <<'PY'
import statistics, sys
out, hz = sys.argv[1], sys.argv[2]
def field(kind, name):
    rows = [dict(kv.split("=", 1) for kv in line.split()) for line in open(f"{out}/{kind}")]
    return [float(r[name]) for r in rows]
for name in ("wall_s", "cpu_s"):
    for stat in (statistics.median, min):
        on, off = stat(field("on", name)), stat(field("off", name))
        print(f"{name:7} {stat.__name__:6} alone {off:.3f} s   sampled at {hz} Hz {on:.3f} s   ratio {on / off:.3f}")
samples, lost = field("on", "samples"), field("on", "lost")
print(f"samples per sampled run: median {statistics.median(samples):.0f}, lost in all {sum(lost):.0f}")
PY
