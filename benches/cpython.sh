#!/usr/bin/env bash
# boundscope's `--gil` runs side by side with their CPython twins (twins/) doing the same work
# on the same generated files, against the same API server and into the same databases:
#
#   json-parse: json.loads vs orjson, sequential vs ThreadPoolExecutor vs ProcessPoolExecutor
#   api-fetch:  sequential vs 8 threads (urllib, a connection per request) against
#               `boundscope serve-api --latency 20ms`
#   csv-import: sqlite3, 1 vs 2 threads (each its own connection)
#   csv-import: asyncpg into PostgreSQL, 1 vs 4 chunks in flight (only with BOUNDSCOPE_TEST_PG)
#
# Every round runs every variant once, CPython and boundscope alternating, and the table shows
# medians of the wall times and the speedups (baseline wall / variant wall) side by side. The
# twins' packages come from .ci/venv.sh.
#
#   benches/cpython.sh [ROUNDS] [FILES] [RECORDS] [CSV_RECORDS]
#
# BOUNDSCOPE_BIN names a release binary to use instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
files=${2:-12}
records=${3:-20000}
csv_records=${4:-20000}
workers=2
latency=20ms
bin=${BOUNDSCOPE_BIN:-}
if [[ -z $bin ]]; then
  cargo build --release --quiet
  bin=${CARGO_TARGET_DIR:-target}/release/boundscope
fi
python=$(.ci/venv.sh)
out=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null
  rm -rf "$out"
}
trap cleanup EXIT

echo "# machine: $(nproc) cores, kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $("$python" -c 'import sys, orjson, asyncpg; print("CPython", sys.version.split()[0], "orjson", orjson.__version__, "asyncpg", asyncpg.__version__)')"
"$bin" gen json-parse --out "$out/json" --files "$files" --records "$records"
"$bin" gen csv-import --out "$out/csv" --records "$csv_records"
csv=$out/csv/customers.csv

"$bin" serve-api --latency "$latency" >"$out/server.txt" 2>&1 &
server_pid=$!
for _ in $(seq 50); do
  grep -q 'listening on' "$out/server.txt" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$out/server.txt")
[[ -n $url ]] || { echo "serve-api did not start: $(cat "$out/server.txt")" >&2; exit 1; }
echo "# API server $url, latency $latency"

# Each variant: TAG and its command. `@N@` becomes the tag and round, so that every run
# imports into a database (or table) of its own.
py="$python twins"
json_bs=(run json-parse --input "$out/json" --output none --gil --quiet)
api_bs=(run api-fetch --base-url "$url" --reuse-connections off --gil --quiet)
csv_bs=(run csv-import --input "$csv" --gil --quiet)
variants=(
  py-json-seq "$py/json_parse.py $out/json --mode sequential"
  bs-json-seq "$bin ${json_bs[*]} --mode sequential"
  py-json-threads "$py/json_parse.py $out/json --mode threads --workers $workers"
  bs-json-threads "$bin ${json_bs[*]} --mode threads --workers $workers"
  py-json-processes "$py/json_parse.py $out/json --mode processes --workers $workers"
  bs-json-processes "$bin ${json_bs[*]} --mode processes --workers $workers"
  py-json-orjson "$py/json_parse.py $out/json --mode sequential --parser orjson"
  bs-json-fast "$bin ${json_bs[*]} --mode sequential --parser fast"
  py-api-seq "$py/api_fetch.py $url --mode sequential"
  bs-api-seq "$bin ${api_bs[*]} --mode sequential"
  py-api-threads "$py/api_fetch.py $url --mode threads --workers 8"
  bs-api-threads "$bin ${api_bs[*]} --mode threads --workers 8"
  py-csv-seq "$py/csv_sqlite.py --workers 1 $csv $out/@N@.db"
  bs-csv-seq "$bin ${csv_bs[*]} --db sqlite:$out/@N@.db --mode sequential"
  py-csv-threads "$py/csv_sqlite.py --workers $workers $csv $out/@N@.db"
  bs-csv-threads "$bin ${csv_bs[*]} --db sqlite:$out/@N@.db --mode threads --workers $workers"
)
if [[ -n ${BOUNDSCOPE_TEST_PG:-} ]]; then
  pg=$BOUNDSCOPE_TEST_PG
  variants+=(
    py-pg-1 "$py/pg_asyncio.py $pg $csv --in-flight 1 --table bench_@N@"
    bs-pg-1 "$bin ${csv_bs[*]} --db $pg --mode async --in-flight 1 --table bench_@N@"
    py-pg-4 "$py/pg_asyncio.py $pg $csv --in-flight 4 --table bench_@N@"
    bs-pg-4 "$bin ${csv_bs[*]} --db $pg --mode async --in-flight 4 --table bench_@N@"
  )
fi

# run TAG ROUND COMMAND: a twin's summary line, or boundscope's report, into $out/TAG-ROUND.
run() {
  local tag=$1 round=$2 command=${3//@N@/${1//-/_}_$2}
  if [[ $tag == py-* ]]; then
    # shellcheck disable=SC2086
    $command | tail -n 1 >"$out/$tag-$round.txt"
  else
    # shellcheck disable=SC2086
    $command --report "$out/$tag-$round.json" >/dev/null
  fi
}

# Warm-up: one run of each (page cache, the venv's imports), not timed.
for ((k = 0; k < ${#variants[@]}; k += 2)); do
  run "${variants[k]}" 0 "${variants[k + 1]}"
done
for i in $(seq "$rounds"); do
  for ((k = 0; k < ${#variants[@]}; k += 2)); do
    run "${variants[k]}" "$i" "${variants[k + 1]}"
  done
  echo "# round $i of $rounds done"
done

if [[ -n ${BOUNDSCOPE_TEST_PG:-} ]]; then
  "$python" - "$BOUNDSCOPE_TEST_PG" <<'PY'
import asyncio, sys, asyncpg
async def drop(dsn):
    conn = await asyncpg.connect(dsn)
    names = await conn.fetch("SELECT tablename FROM pg_tables WHERE tablename LIKE 'bench\\_%'")
    for row in names:
        await conn.execute(f'DROP TABLE "{row[0]}"')
    await conn.close()
asyncio.run(drop(sys.argv[1]))
PY
fi

"$python" - "$out" "$rounds" <<'PY'
import json, os, statistics, sys
out, n = sys.argv[1], int(sys.argv[2])

def wall(tag, i):
    if tag.startswith("py-"):
        summary = open(f"{out}/{tag}-{i}.txt").read().split()
        return float(next(f for f in summary if f.startswith("wall_s=")).split("=")[1])
    return json.load(open(f"{out}/{tag}-{i}.json"))["wall_s"]

def median_wall(tag):
    return statistics.median(wall(tag, i) for i in range(1, n + 1))

print(f"\nmedians of {n} interleaved rounds (wall s; speedup = baseline wall / variant wall)")
print(f"{'experiment':<44} {'CPython':>9} {'boundscope':>11} {'bs / CPython':>13}")
rows = [
    ("json: threads x2 / sequential (GIL)", "json-seq", "json-threads", "json-seq", "json-threads"),
    ("json: processes x2 / sequential", "json-seq", "json-processes", "json-seq", "json-processes"),
    ("json: fast parser / value (orjson/json)", "json-seq", "json-orjson", "json-seq", "json-fast"),
    ("api: 8 threads / sequential", "api-seq", "api-threads", "api-seq", "api-threads"),
    ("csv sqlite: 2 threads / 1", "csv-seq", "csv-threads", "csv-seq", "csv-threads"),
    ("csv postgres async: 4 in flight / 1", "pg-1", "pg-4", "pg-1", "pg-4"),
]
for label, py_base, py_var, bs_base, bs_var in rows:
    if not os.path.exists(f"{out}/py-{py_base}-1.txt"):
        continue
    py = median_wall(f"py-{py_base}") / median_wall(f"py-{py_var}")
    bs = median_wall(f"bs-{bs_base}") / median_wall(f"bs-{bs_var}")
    print(f"{label:<44} {py:>8.2f}x {bs:>10.2f}x {bs / py:>12.2f}")
print("\nmedian wall s (CPython twin / boundscope --gil)")
tags = ["json-seq", "json-threads", "json-processes", "json-orjson", "json-fast", "api-seq",
        "api-threads", "csv-seq", "csv-threads", "pg-1", "pg-4"]
for tag in tags:
    for side in ("py", "bs"):
        suffix = "txt" if side == "py" else "json"
        if os.path.exists(f"{out}/{side}-{tag}-1.{suffix}"):
            print(f"  {side}-{tag:<18} {median_wall(f'{side}-{tag}'):8.3f}")
PY
