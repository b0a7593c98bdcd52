#!/usr/bin/env bash
# What booking the workers' time on the job's phases costs: items/s of the same run with
# phases (the default) and with --no-phases, interleaved (a, b, a, b, ...), medians and
# their ratio, in the modes where phases change most often: api-fetch (three phases per
# request) sequential, threads x 8 and async with 200 in flight at zero latency, json-parse
# threads x 2 (a `read` phase at every buffer refill) and csv-import threads x 2 on SQLite.
#
#   benches/phases.sh [REPEAT]
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-7}
cargo build --release --quiet
bin=target/release/boundscope
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export BOUNDSCOPE_DATA=${BOUNDSCOPE_DATA:-$out/data}

echo "# machine: $(nproc) cores, kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# medians of $repeat interleaved runs"

# pair NAME ARGS...: REPEAT rounds of the run with and without phases; prints medians.
pair() {
  local name=$1
  shift
  local i
  for i in $(seq "$repeat"); do
    "$bin" run "$@" --quiet --report "$out/$name-on-$i.json"
    "$bin" run "$@" --quiet --no-phases --report "$out/$name-off-$i.json"
  done
  python3 - "$out" "$name" "$repeat" <<'PY'
import json, statistics, sys
out, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def rates(kind):
    return [json.load(open(f"{out}/{name}-{kind}-{i}.json"))["items_per_s"] for i in range(1, n + 1)]
on, off = statistics.median(rates("on")), statistics.median(rates("off"))
print(f"{name:30} phases {on:12,.0f} items/s   --no-phases {off:12,.0f} items/s   ratio {on / off:.3f}")
PY
}

pair "api-fetch sequential" api-fetch --mode sequential --requests 4000
pair "api-fetch threads x8" api-fetch --mode threads --workers 8 --requests 8000
pair "api-fetch async 200" api-fetch --mode async --workers 2 --in-flight 200 --requests 20000
pair "json-parse threads x2" json-parse --mode threads --workers 2 --files 30 --records 20000
pair "csv-import threads x2" csv-import --mode threads --workers 2 --records 50000 --db sqlite:"$out/bench.db" --fresh
