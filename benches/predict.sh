#!/usr/bin/env bash
# How close the predictions come: for each case, `compare` runs the sequential line first,
# then the other modes, interleaved, REPEAT times; each mode's `predicted` speedup comes from
# the first sequential run's ledger alone, and is set against the measured mean speedup.
#
#   benches/predict.sh [REPEAT]
#
# Prints one row per predicted line (case, mode, predicted, measured, error = measured ÷
# predicted − 1), then the median and worst absolute error. The machine's load average is
# printed before and after: the model reads the load from the sequential run, so a load that
# changes between the runs is an error of the measurement, not only of the model.
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-3}
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/boundscope
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export BOUNDSCOPE_DATA=${BOUNDSCOPE_DATA:-$out/data}

echo "# machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# predicted from the first sequential run; measured: mean of $repeat runs"

# case NAME ARGS...: one `compare` (sequential first), exported as $out/NAME.json.
case_() {
  local name=$1
  shift
  "$bin" compare "$@" --repeat "$repeat" --export-json "$out/$name.json" --quiet >/dev/null
}

case_ api-threads api-fetch --latency 20ms --requests 200 \
  --modes sequential,threads,async --workers 8
case_ json-gil json-parse --files 8 --records 20000 --output none --gil \
  --modes sequential,threads,processes --workers 2
case_ json json-parse --files 8 --records 20000 --output none \
  --modes sequential,threads,processes --workers 2
case_ csv-sqlite csv-import --records 50000 --fresh \
  --modes sequential,threads --workers 4
case_ csv-sqlite-gil csv-import --records 50000 --fresh --gil \
  --modes sequential,threads --workers 4
case_ etl-phases etl-pipeline --symbols 30 --latency 20ms --handshake 30ms \
  --modes sequential,threads --workers 3

echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$out" <<'PY'
import json, pathlib, statistics, sys
errors = []
print(f"{'case':16} {'mode':11} {'predicted':>9} {'measured':>9} {'error':>7}")
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.json")):
    export = json.load(open(path))
    for mode in export["modes"][1:]:
        predicted, measured = mode.get("predicted"), mode["speedup"]
        if not predicted:
            continue
        error = measured / predicted - 1
        errors.append(abs(error))
        print(f"{path.stem:16} {mode['mode']:11} {predicted:8.2f}× {measured:8.2f}× {error:+7.0%}")
if errors:
    print(f"median |error| {statistics.median(errors):.0%}, worst {max(errors):.0%}")
PY
