#!/usr/bin/env bash
# csv-import benchmarks. Every comparison interleaves its variants in one run (a, b, a, b, ...)
# on the same generated data and reports medians and ratios, because machines are noisy.
#
#   benches/csv.sh [sqlite|autocommit|threads|single|pg|compare|all] [REPEAT]
#
# PostgreSQL parts (pg, compare) need BOUNDSCOPE_TEST_PG (e.g. `eval "$(.ci/postgres.sh start)"`)
# and are skipped without it. RECORDS (default 50000) sets the rows per generated file.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
repeat=${2:-5}
records=${RECORDS:-50000}
cargo build --release --quiet
bin=$PWD/target/release/boundscope
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
data=$out/data
$bin gen csv-import --out "$data/default" --records "$records" >/dev/null
$bin gen csv-import --out "$data/census" --dataset census --records "$records" >/dev/null
customers="--input $data/default/customers.csv"
export BOUNDSCOPE_DATA=$data/cache

echo "# machine: $(nproc) cores, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

# interleave NAME_A "ARGS_A" NAME_B "ARGS_B": runs `run csv-import` with both variants `repeat`
# times, alternating, then prints for each the median rows/s (wall), rows per CPU-second of the
# whole process (profiler included), the workers' run-queue time (wanting a CPU that other
# processes had) and the rate without it, db waits, and the ratio B / A of the wall medians.
interleave() {
  local name_a=$1 args_a=$2 name_b=$3 args_b=$4
  # shellcheck disable=SC2086
  $bin run csv-import $args_a --quiet >/dev/null # warm-up
  for i in $(seq "$repeat"); do
    # shellcheck disable=SC2086
    $bin run csv-import $args_a --quiet --report "$out/a-$i.json"
    # shellcheck disable=SC2086
    $bin run csv-import $args_b --quiet --report "$out/b-$i.json"
  done
  python3 - "$out" "$repeat" "$name_a" "$name_b" <<'PY'
import json, statistics, sys
out, n, name_a, name_b = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def reports(prefix):
    return [json.load(open(f"{out}/{prefix}-{i}.json")) for i in range(1, n + 1)]
def show(name, rs):
    for r in rs:
        v = r.get("verification") or {}
        assert v.get("ok"), f"{name}: verification failed: {v}"
    rate = [r["items_per_s"] for r in rs]
    per_cpu = statistics.median(r["items"] / max(r["cpu_s"], 1e-9) for r in rs)
    db = statistics.median(r["waits"].get("db", 0.0) for r in rs)
    lock = statistics.median(r["waits"].get("db-lock", 0.0) for r in rs)
    # Worker time spent runnable but not running (other load on the machine): with it
    # subtracted (per worker, on average), roughly the rate an idle machine would show.
    runq = statistics.median(sum(w.get("runqueue_s", 0.0) for w in r["worker_stats"]) for r in rs)
    idle = statistics.median(
        r["items"] / max(r["wall_s"] - sum(w.get("runqueue_s", 0.0) for w in r["worker_stats"])
                         / max(len(r["worker_stats"]), 1), 1e-9) for r in rs)
    m = statistics.median(rate)
    print(f"{name:<30} median {m:8.0f} rows/s (min {min(rate):.0f}, max {max(rate):.0f}, n={n})"
          f"  {per_cpu:7.0f} rows/CPU-s  runq {runq:.2f} s  → {idle:7.0f} rows/s unloaded"
          f"  db {db:.2f} s  db-lock {lock:.2f} s")
    return m
ma = show(name_a, reports("a"))
mb = show(name_b, reports("b"))
print(f"ratio ({name_b}) / ({name_a}) = {mb / ma:.2f}")
PY
}

sqlite() {
  echo "## SQLite, customers ($records rows), sequential: batched (1000 rows/transaction) + prepared"
  interleave "row: prepared INSERT per row" "$customers --insert row --mode sequential" \
    "multi: multi-row VALUES" "$customers --insert multi --mode sequential"
}

autocommit() {
  echo "## SQLite, customers, sequential: autocommit per row (--batch 1) vs batched, for contrast"
  interleave "batched, --batch 1000" "$customers --batch 1000 --mode sequential" \
    "autocommit, --batch 1" "$customers --batch 1 --mode sequential"
}

threads() {
  echo "## SQLite, default data set: threads with 2 and 4 writers vs sequential (one write lock)"
  interleave "sequential" "--records $records --mode sequential" \
    "threads x2, a writer each" "--records $records --mode threads --workers 2 --writer each"
  interleave "sequential" "--records $records --mode sequential" \
    "threads x4, a writer each" "--records $records --mode threads --workers 4 --writer each"
  echo "## the same with the simulated interpreter lock (the Python write-up's setting)"
  interleave "sequential --gil" "--records $records --mode sequential --gil" \
    "threads x2 --gil, a writer each" \
    "--records $records --mode threads --workers 2 --writer each --gil"
}

single() {
  echo "## SQLite, census (101 columns): parallel parsing + one writer vs sequential"
  interleave "sequential" "--dataset census --records $records --mode sequential --insert multi" \
    "threads x2, --writer single" \
    "--dataset census --records $records --mode threads --workers 2 --writer single --insert multi"
}

pg() {
  if [ -z "${BOUNDSCOPE_TEST_PG:-}" ]; then
    echo "## PostgreSQL skipped: BOUNDSCOPE_TEST_PG is not set"
    return
  fi
  echo "## PostgreSQL, customers, sequential: COPY vs row-by-row INSERT (1000 rows/transaction)"
  interleave "INSERT per row" "$customers --db $BOUNDSCOPE_TEST_PG --fresh --insert row" \
    "COPY FROM STDIN" "$customers --db $BOUNDSCOPE_TEST_PG --fresh --insert copy"
}

compare() {
  if [ -z "${BOUNDSCOPE_TEST_PG:-}" ]; then
    echo "## compare on PostgreSQL skipped: BOUNDSCOPE_TEST_PG is not set"
    return
  fi
  echo "## compare csv-import --modes sequential,threads,async --workers 4 on PostgreSQL (row INSERTs)"
  $bin compare csv-import --modes sequential,threads,async --workers 4 --repeat "$repeat" \
    --records "$records" --db "$BOUNDSCOPE_TEST_PG" --quiet --export-json "$out/compare.json"
  echo "per worker (last run of each mode): CPU vs db wait, seconds"
  python3 - "$out/compare.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
for m in c["modes"]:
    r = m["runs"][-1]
    lanes = "  ".join(f"{w['name']}: cpu {w['cpu_s']:.2f} db {w['waits'].get('db', 0):.2f}"
                      for w in r["worker_stats"])
    print(f"{m['mode']:<11} wall {r['wall_s']:.2f} s  {lanes}")
PY
}

case $what in
  sqlite) sqlite ;;
  autocommit) autocommit ;;
  threads) threads ;;
  single) single ;;
  pg) pg ;;
  compare) compare ;;
  all) sqlite; autocommit; threads; single; pg; compare ;;
  *) echo "usage: $0 [sqlite|autocommit|threads|single|pg|compare|all] [REPEAT]" >&2; exit 2 ;;
esac
