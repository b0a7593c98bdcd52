#!/usr/bin/env bash
# boundscope's `--gil` runs side by side with real CPython doing the write-ups' experiments on
# the same generated files and against the same API server:
#
#   json-parse: json.loads vs orjson, sequential vs ThreadPoolExecutor vs ProcessPoolExecutor
#   api-fetch:  sequential vs 8 threads against `boundscope serve-api --latency 20ms`
#
# Every round runs every variant once, CPython and boundscope alternating, and the table shows
# medians of the wall times and the speedups (sequential wall / variant wall) side by side.
# CPython's packages (orjson) go into a virtual environment under target/.
#
#   benches/cpython.sh [ROUNDS] [FILES] [RECORDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
files=${2:-12}
records=${3:-20000}
workers=2
latency=20ms
cargo build --release --quiet
bin=target/release/boundscope
venv=target/cpython-venv
if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c 'import orjson' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check orjson
fi
py=("$venv/bin/python" benches/cpython_work.py)
out=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null
  rm -rf "$out"
}
trap cleanup EXIT

echo "# machine: $(nproc) cores, kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $("$venv/bin/python" -c 'import sys, orjson; print("CPython", sys.version.split()[0], "orjson", orjson.__version__)')"
"$bin" gen json-parse --out "$out/json" --files "$files" --records "$records"

"$bin" serve-api --latency "$latency" >"$out/server.txt" 2>&1 &
server_pid=$!
for _ in $(seq 50); do
  grep -q 'listening on' "$out/server.txt" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$out/server.txt")
[[ -n $url ]] || { echo "serve-api did not start: $(cat "$out/server.txt")" >&2; exit 1; }
echo "# API server $url, latency $latency"

# Each variant: TAG and the command that prints or reports its wall time.
json_bs=(run json-parse --input "$out/json" --output none --gil --quiet)
api_bs=(run api-fetch --base-url "$url" --gil --quiet)
variants=(
  py-json-seq "${py[*]} json $out/json --mode sequential"
  bs-json-seq "$bin ${json_bs[*]} --mode sequential"
  py-json-threads "${py[*]} json $out/json --mode threads --workers $workers"
  bs-json-threads "$bin ${json_bs[*]} --mode threads --workers $workers"
  py-json-processes "${py[*]} json $out/json --mode processes --workers $workers"
  bs-json-processes "$bin ${json_bs[*]} --mode processes --workers $workers"
  py-json-orjson "${py[*]} json $out/json --mode sequential --parser orjson"
  bs-json-fast "$bin ${json_bs[*]} --mode sequential --parser fast"
  py-api-seq "${py[*]} api $url --mode sequential"
  bs-api-seq "$bin ${api_bs[*]} --mode sequential"
  py-api-threads "${py[*]} api $url --mode threads --workers 8"
  bs-api-threads "$bin ${api_bs[*]} --mode threads --workers 8"
)

# Warm-up: one run of each (page cache, the venv's imports), not timed.
for ((k = 0; k < ${#variants[@]}; k += 2)); do
  # shellcheck disable=SC2086
  ${variants[k + 1]} >/dev/null
done
for i in $(seq "$rounds"); do
  for ((k = 0; k < ${#variants[@]}; k += 2)); do
    tag=${variants[k]}
    if [[ $tag == py-* ]]; then
      # shellcheck disable=SC2086
      ${variants[k + 1]} >"$out/$tag-$i.json"
    else
      # shellcheck disable=SC2086
      ${variants[k + 1]} --report "$out/$tag-$i.json" >/dev/null
    fi
  done
  echo "# round $i of $rounds done"
done

python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, n = sys.argv[1], int(sys.argv[2])

def median_wall(tag):
    return statistics.median(json.load(open(f"{out}/{tag}-{i}.json"))["wall_s"] for i in range(1, n + 1))

print(f"\nmedians of {n} interleaved rounds (wall s; speedup = baseline wall / variant wall)")
print(f"{'experiment':<40} {'CPython':>16} {'boundscope':>16} {'bs / CPython':>13}")
rows = [
    ("json: threads x2 / sequential (GIL)", "json-seq", "json-threads", "json-seq", "json-threads"),
    ("json: processes x2 / sequential", "json-seq", "json-processes", "json-seq", "json-processes"),
    ("json: fast parser / value (orjson/json)", "json-seq", "json-orjson", "json-seq", "json-fast"),
    ("api: 8 threads / sequential", "api-seq", "api-threads", "api-seq", "api-threads"),
]
for label, py_base, py_var, bs_base, bs_var in rows:
    py = median_wall(f"py-{py_base}") / median_wall(f"py-{py_var}")
    bs = median_wall(f"bs-{bs_base}") / median_wall(f"bs-{bs_var}")
    print(f"{label:<40} {py:>15.2f}x {bs:>15.2f}x {bs / py:>12.2f}")
print("\nmedian wall s")
tags = ["json-seq", "json-threads", "json-processes", "json-orjson", "json-fast", "api-seq", "api-threads"]
for tag in tags:
    for side in ("py", "bs"):
        try:
            print(f"  {side}-{tag:<18} {median_wall(f'{side}-{tag}'):8.3f}")
        except FileNotFoundError:
            pass
PY
