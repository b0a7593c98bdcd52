#!/usr/bin/env bash
# What the CPU profiler weighs: peak memory and throughput, profiled against --no-profile.
#
#   benches/profile_weight.sh [rss|rate|limit|all] [REPEAT]
#
# rss:   peak resident memory (max RSS from /usr/bin/time), profiled at 99 Hz and with
#        --no-profile, interleaved, medians and their ratio: of
#        `run json-parse --files 2 --records 2000 --output none` (too short for a sample at
#        99 Hz: what starting the profiler weighs), and of the run `rate` measures on
#        threads x 2 (samples symbolized every tick).
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
large=(json-parse --files 8 --records 50000 --output none)
"$bin" run "${small[@]}" --quiet --no-profile  # the inputs, generated once
"$bin" run "${large[@]}" --quiet --no-profile

# peak_rss NAME ARGS...: max RSS of `run ARGS` at 99 Hz and with --no-profile, interleaved.
peak_rss() {
  local name=$1 i
  shift
  for i in $(seq "$repeat"); do
    /usr/bin/time -f %M -o "$out/$name-on-$i" "$bin" run "$@" --hz 99 --quiet
    /usr/bin/time -f %M -o "$out/$name-off-$i" "$bin" run "$@" --quiet --no-profile
  done
  python3 - "$out" "$name" "$repeat" <<'PY'
import statistics, sys
out, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def kb(kind):
    return [int(open(f"{out}/{name}-{kind}-{i}").read().split()[-1]) for i in range(1, n + 1)]
on, off = statistics.median(kb("on")), statistics.median(kb("off"))
print(f"peak RSS {name:26} profiled {on / 1024:6.1f} MB   --no-profile {off / 1024:6.1f} MB   ratio {on / off:.2f}")
PY
}

if [[ $what == rss || $what == all ]]; then
  peak_rss "json-parse 2x2000" "${small[@]}"
  peak_rss "json-parse 8x50000 thr x2" "${large[@]}" --mode threads --workers 2
fi

if [[ $what == rate || $what == all ]]; then
  pair --no-profile "json-parse sequential 99 Hz" "${large[@]}" --mode sequential --hz 99
  pair --no-profile "json-parse threads x2 99 Hz" "${large[@]}" --mode threads --workers 2 --hz 99
fi

if [[ $what == limit || $what == all ]]; then
  if (ulimit -v 300000 && "$bin" run "${small[@]}" --hz 99 --quiet --report "$out/limited.json"); then
    python3 - "$out/limited.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print(f"ulimit -v 300000: ran, profiled={report['profiled']}, samples={report['samples']}, warnings={report.get('warnings', [])}")
PY
  else
    echo "ulimit -v 300000: the run failed"
  fi
fi
