#!/usr/bin/env bash
# What the wall-clock profile costs, and how deep the CPU samples' stacks are.
#
#   benches/wall.sh [cost|depth|all] [REPEAT]
#
# cost:  items/s with wait-stack walks (the default) against the same run with
#        --no-wait-stacks, interleaved (a, b, a, b, ...), medians and their ratio, for
#        api-fetch async with 500 in flight and csv-import threads x 2 on SQLite.
# depth: share of the workers' CPU samples in a json-parse run whose stacks carry at least
#        three symbolized frames below the thread name, and whether any sample belongs to a
#        thread that is not a worker (the profiler's own).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
repeat=${2:-7}
source "$(dirname "$0")/pair.sh"
pair_setup

if [[ $what == cost || $what == all ]]; then
  pair --no-wait-stacks "api-fetch async 500" api-fetch --mode async --workers 2 --in-flight 500 --latency 20ms --requests 20000
  pair --no-wait-stacks "csv-import threads x2" csv-import --mode threads --workers 2 --records 50000 --db sqlite:"$out/bench.db" --fresh
fi

if [[ $what == depth || $what == all ]]; then
  "$bin" run json-parse --mode threads --workers 2 --hz 250 --files 30 --records 20000 \
    --quiet --folded "$out/cpu.folded"
  python3 - "$out/cpu.folded" <<'PY'
import sys
total = deep = other = 0
for line in open(sys.argv[1]):
    stack, weight = line.rsplit(" ", 1)
    weight = int(weight)
    frames = stack.split(";")
    total += weight
    if not frames[0].startswith("bs-threads-"):
        other += weight
    if sum(1 for f in frames[1:] if not f.startswith("[")) >= 3:
        deep += weight
print(f"json-parse threads x2: {deep}/{total} samples ({deep / total:.1%}) with >= 3 symbolized frames; {other} samples outside the workers")
PY
fi
