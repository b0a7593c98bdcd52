#!/usr/bin/env bash
# What booking the workers' time on the job's phases costs: items/s of the same run with
# phases (the default) and with --no-phases, interleaved (a, b, a, b, ...), medians and
# their ratio, in the modes where phases change most often: api-fetch (three phases per
# request) sequential, threads x 8 and async with 200 in flight at zero latency, json-parse
# threads x 2 (a `read` phase at every buffer refill) and csv-import threads x 2 on SQLite.
#
# With `async`, only the switch-heaviest case, long enough to time (api-fetch async with 200
# in flight, 200,000 requests). BOUNDSCOPE_BIN measures a binary built beforehand.
#
#   benches/phases.sh [REPEAT] [async]   (the pairing itself is benches/pair.sh, shared with wall.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-7}
source "$(dirname "$0")/pair.sh"
pair_setup
# Cargo builds where CARGO_TARGET_DIR says, when it is set.
bin=${BOUNDSCOPE_BIN:-${CARGO_TARGET_DIR:-target}/release/boundscope}

if [[ ${2:-} == async ]]; then
  pair --no-phases "api-fetch async 200, 200k" api-fetch --mode async --workers 2 --in-flight 200 --requests 200000
  exit
fi

pair --no-phases "api-fetch sequential" api-fetch --mode sequential --requests 4000
pair --no-phases "api-fetch threads x8" api-fetch --mode threads --workers 8 --requests 8000
pair --no-phases "api-fetch async 200" api-fetch --mode async --workers 2 --in-flight 200 --requests 20000
pair --no-phases "json-parse threads x2" json-parse --mode threads --workers 2 --files 30 --records 50000
pair --no-phases "csv-import threads x2" csv-import --mode threads --workers 2 --records 50000 --db sqlite:"$out/bench.db" --fresh
