#!/usr/bin/env bash
# etl-pipeline: sequential vs threads wall time, against our own API server (started by each
# run as a child process on loopback) with injected latency. Runs alternate (seq, threads,
# seq, threads, ...) and medians are reported, because machines are noisy.
#
#   benches/etl.sh [REPEAT] [LATENCY_MS] [SYMBOLS]
#
# The measured speedup (median sequential wall / median threads wall) is compared with the
# theoretical one of the stage DAG (sum of stage durations / critical path, from the
# sequential runs' timelines): the requirement is at least 80 % of it.
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-5}
latency_ms=${2:-10}
symbols=${3:-20}
cargo build --release --quiet
bin=target/release/boundscope
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "# machine: $(nproc) cores, kernel $(uname -r)"
echo "# etl-pipeline, built-in workloads/etl.toml, --symbols $symbols, server latency ${latency_ms} ms, medians of $repeat"
for i in $(seq "$repeat"); do
  for mode in sequential threads; do
    "$bin" run etl-pipeline --mode "$mode" --workers 3 --latency "${latency_ms}ms" \
      --symbols "$symbols" --quiet --report "$out/$mode-$i.json"
  done
done

python3 - "$out" "$repeat" <<'PY'
import json, statistics, sys
out, n = sys.argv[1], int(sys.argv[2])
def reports(mode):
    return [json.load(open(f"{out}/{mode}-{i}.json")) for i in range(1, n + 1)]
seq, thr = reports("sequential"), reports("threads")
med = statistics.median
seq_wall = med(r["wall_s"] for r in seq)
thr_wall = med(r["wall_s"] for r in thr)
theo_seq = med(r["timeline"]["theoretical_speedup"] for r in seq)
theo_thr = med(r["timeline"]["theoretical_speedup"] for r in thr)
assert len({r["checksum"] for r in seq + thr}) == 1, "checksums differ between runs"
print(f"{'mode':<11} {'wall (median)':>14} {'min':>8} {'max':>8} {'achieved (timeline)':>20}")
for name, rs in (("sequential", seq), ("threads", thr)):
    walls = [r["wall_s"] for r in rs]
    ach = med(r["timeline"]["achieved_speedup"] for r in rs)
    print(f"{name:<11} {med(walls):>12.3f} s {min(walls):>6.3f} s {max(walls):>6.3f} s {ach:>19.2f}x")
ratio = seq_wall / thr_wall
print(f"critical path (threads, median): {' -> '.join(thr[0]['timeline']['critical_path'])}")
print(f"theoretical speedup: {theo_seq:.2f}x (sequential timelines), {theo_thr:.2f}x (threads timelines)")
print(f"measured speedup sequential/threads wall: {ratio:.2f}x = {ratio / theo_seq * 100:.0f}% of theoretical "
      f"(requirement: >= 80%) -> {'PASS' if ratio >= 0.8 * theo_seq else 'FAIL'}")
PY
