# Sourced by the bench scripts: `pair OFF_FLAG NAME ARGS...` runs `boundscope run ARGS`
# REPEAT times with and without OFF_FLAG, interleaved, and prints the items/s medians and
# their ratio. Needs $bin, $out and $repeat set by the caller.
pair() {
  local off=$1 name=$2
  shift 2
  local i
  for i in $(seq "$repeat"); do
    "$bin" run "$@" --quiet --report "$out/$name-on-$i.json"
    "$bin" run "$@" --quiet "$off" --report "$out/$name-off-$i.json"
  done
  python3 - "$out" "$name" "$repeat" "$off" <<'PY'
import json, statistics, sys
out, name, n, off = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def rates(kind):
    return [json.load(open(f"{out}/{name}-{kind}-{i}.json"))["items_per_s"] for i in range(1, n + 1)]
on, without = statistics.median(rates("on")), statistics.median(rates("off"))
print(f"{name:30} {on:12,.0f} items/s   {off} {without:12,.0f} items/s   ratio {on / without:.3f}")
PY
}
