#!/usr/bin/env bash
# What the CPU profiler weighs: peak memory and throughput, profiled against --no-profile.
#
#   benches/profile_weight.sh [rss|rate|limit|all] [REPEAT]
#
# rss:   peak resident memory (max RSS from /usr/bin/time) of
#        `run json-parse --files 2 --records 2000 --output none`, profiled at 99 Hz and with
#        --no-profile, interleaved, medians and their ratio.
# rate:  items/s at 99 Hz against --no-profile, json-parse sequential and threads x 2,
#        interleaved, medians and their ratio.
# limit: the same small run under `ulimit -v 300000`: whether it ran, and profiled.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
repeat=${2:-7}
source "$(dirname "$0")/pair.sh"
pair_setup
small=(json-parse --files 2 --records 2000 --output none)
"$bin" run "${small[@]}" --quiet --no-profile  # the input, generated once

if [[ $what == rss || $what == all ]]; then
  for i in $(seq "$repeat"); do
    /usr/bin/time -f %M -o "$out/rss-on-$i" "$bin" run "${small[@]}" --hz 99 --quiet
    /usr/bin/time -f %M -o "$out/rss-off-$i" "$bin" run "${small[@]}" --quiet --no-profile
  done
  python3 - "$out" "$repeat" <<'PY'
import statistics, sys
out, n = sys.argv[1], int(sys.argv[2])
def kb(kind):
    return [int(open(f"{out}/rss-{kind}-{i}").read().split()[-1]) for i in range(1, n + 1)]
on, off = statistics.median(kb("on")), statistics.median(kb("off"))
print(f"peak RSS json-parse 2x2000: profiled {on / 1024:.1f} MB   --no-profile {off / 1024:.1f} MB   ratio {on / off:.2f}")
PY
fi

if [[ $what == rate || $what == all ]]; then
  pair --no-profile "json-parse sequential 99 Hz" json-parse --mode sequential --hz 99 --files 8 --records 20000 --output none
  pair --no-profile "json-parse threads x2 99 Hz" json-parse --mode threads --workers 2 --hz 99 --files 8 --records 20000 --output none
fi

if [[ $what == limit || $what == all ]]; then
  if (ulimit -v 300000 && "$bin" run "${small[@]}" --hz 99 --quiet --report "$out/limited.json"); then
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(f"ulimit -v 300000: ran, profiled={r[\"profiled\"]}, warnings={r[\"warnings\"]}")' "$out/limited.json"
  else
    echo "ulimit -v 300000: the run failed"
  fi
fi
