#!/usr/bin/env bash
# Side-by-side benchmarks for BENCHMARKS.md. Every comparison interleaves its variants in one
# run (a, b, a, b, ...) and reports medians and ratios, because machines are noisy.
#
#   benches/bench.sh [modes|gil|gil-load|parser|parse-only|overhead|all] [REPEAT]
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
repeat=${2:-7}
cargo build --release --quiet
bin=target/release/boundscope
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "# machine: $(nproc) cores, kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

modes() {
  echo "## json-parse, every mode, 2 workers (compare --repeat $repeat)"
  $bin compare json-parse --modes sequential,threads,rayon,async,processes \
    --workers 2 --repeat "$repeat" --quiet
}

gil() {
  echo "## json-parse with the simulated GIL, 2 workers (compare --repeat $repeat)"
  $bin compare json-parse --modes sequential,threads,rayon,async,processes \
    --workers 2 --repeat "$repeat" --gil --quiet
}

# interleave FIELD NAME_A "ARGS_A" NAME_B "ARGS_B": runs both variants `repeat` times,
# alternating, then prints the median of FIELD for each and the ratio B / A.
interleave() {
  local field=$1 name_a=$2 args_a=$3 name_b=$4 args_b=$5
  # shellcheck disable=SC2086
  $bin run json-parse $args_a --quiet >/dev/null # warm-up (and data generation)
  for i in $(seq "$repeat"); do
    # shellcheck disable=SC2086
    $bin run json-parse $args_a --quiet --report "$out/a-$i.json"
    # shellcheck disable=SC2086
    $bin run json-parse $args_b --quiet --report "$out/b-$i.json"
  done
  python3 - "$out" "$repeat" "$field" "$name_a" "$name_b" <<'PY'
import json, statistics, sys
out, n, field, name_a, name_b = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
def values(prefix):
    return [json.load(open(f"{out}/{prefix}-{i}.json"))[field] for i in range(1, n + 1)]
a, b = values("a"), values("b")
ma, mb = statistics.median(a), statistics.median(b)
print(f"{name_a:<26} median {field} {ma:12.1f}  (min {min(a):.1f}, max {max(a):.1f}, n={n})")
print(f"{name_b:<26} median {field} {mb:12.1f}  (min {min(b):.1f}, max {max(b):.1f}, n={n})")
print(f"ratio ({name_b}) / ({name_a}) = {mb / ma:.3f}")
PY
}

# rounds FIELD "NAME|ARGS" ...: runs every variant once per round, `repeat` rounds, starting
# each round at the next variant (so no variant always runs first), then prints the median of
# FIELD for each and the ratio of every variant to each one listed before it.
rounds() {
  local field=$1; shift
  local variants=("$@") n=$#
  # shellcheck disable=SC2086
  $bin run json-parse ${variants[0]#*|} --quiet >/dev/null # warm-up (and data generation)
  for i in $(seq "$repeat"); do
    for k in $(seq 0 $((n - 1))); do
      local j=$(((i + k) % n))
      # shellcheck disable=SC2086
      $bin run json-parse ${variants[$j]#*|} --quiet --report "$out/v$j-$i.json"
    done
  done
  local names=()
  for v in "${variants[@]}"; do names+=("${v%%|*}"); done
  python3 - "$out" "$repeat" "$field" "${names[@]}" <<'PY'
import json, statistics, sys
out, n, field, names = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
med = []
for j, name in enumerate(names):
    v = [json.load(open(f"{out}/v{j}-{i}.json"))[field] for i in range(1, n + 1)]
    med.append(statistics.median(v))
    print(f"{name:<26} median {field} {med[-1]:12.1f}  (min {min(v):.1f}, max {max(v):.1f}, n={n})")
for b in range(len(names)):
    for a in range(b):
        print(f"ratio ({names[b]}) / ({names[a]}) = {med[b] / med[a]:.3f}")
PY
}

parser() {
  echo "## json-parse parsers, sequential, MB/s (interleaved, n=$repeat)"
  interleave mb_per_s "value, parquet" "--mode sequential --parser value" \
    "fast, parquet" "--mode sequential --parser fast"
  parse_only
}

parse_only() {
  echo "## json-parse parsers, parse only, sequential, MB/s (round-robin, n=$repeat)"
  rounds mb_per_s "value, no output|--mode sequential --parser value --output none" \
    "typed, no output|--mode sequential --parser typed --output none" \
    "fast, no output|--mode sequential --parser fast --output none"
}

overhead() {
  echo "## profiler cost: 99 Hz sampling vs --no-profile, items/s (interleaved, n=$repeat)"
  interleave items_per_s "sequential, no profile" "--mode sequential --no-profile" \
    "sequential, 99 Hz" "--mode sequential --hz 99"
  interleave items_per_s "threads x2, no profile" "--mode threads --workers 2 --no-profile" \
    "threads x2, 99 Hz" "--mode threads --workers 2 --hz 99"
}

# gil_load: `threads --workers 2 --gil` alone and next to two CPU-burning processes,
# alternating; the workers' gil wait as a share of their wall time, and the verdicts.
gil_load() {
  echo "## threads x2 with --gil, idle vs next to 2 CPU burners: gil share of worker wall (n=$repeat)"
  local args=(run json-parse --mode threads --workers 2 --gil --files 8 --records 8000 --quiet)
  $bin "${args[@]}" >/dev/null # warm-up (and data generation)
  for i in $(seq "$repeat"); do
    $bin "${args[@]}" --report "$out/idle-$i.json"
    sh -c 'while :; do :; done' & local b1=$!
    sh -c 'while :; do :; done' & local b2=$!
    $bin "${args[@]}" --report "$out/loaded-$i.json"
    kill "$b1" "$b2"
  done
  python3 - "$out" "$repeat" <<'PY'
import collections, json, statistics, sys
out, n = sys.argv[1], int(sys.argv[2])
for tag in ("idle", "loaded"):
    shares, rq, verdicts = [], [], collections.Counter()
    for i in range(1, n + 1):
        r = json.load(open(f"{out}/{tag}-{i}.json"))
        wall = sum(w["wall_s"] for w in r["worker_stats"])
        shares.append(sum(w["waits"].get("gil", 0) for w in r["worker_stats"]) / wall)
        rq.append(sum(w["runqueue_s"] for w in r["worker_stats"]) / wall)
        verdicts[r["verdict"]] += 1
    print(f"{tag:<7} gil share median {statistics.median(shares):.2f} (min {min(shares):.2f}, "
          f"max {max(shares):.2f}); run queue median {statistics.median(rq):.2f}; "
          f"verdicts {dict(verdicts)}")
PY
}

case $what in
  modes) modes ;;
  gil) gil ;;
  parser) parser ;;
  parse-only) parse_only ;;
  overhead) overhead ;;
  gil-load) gil_load ;;
  all) modes; gil; parser; overhead ;;
  *) echo "usage: $0 [modes|gil|gil-load|parser|parse-only|overhead|all] [REPEAT]" >&2; exit 2 ;;
esac
