# Sourced by the bench scripts that pair runs with a feature on and off.
#
# `pair_setup` builds the release binary, sets $bin and a scratch $out (removed on exit, and
# the data cache under it unless BOUNDSCOPE_DATA is set) and prints the machine line.
# `pair OFF_FLAG NAME ARGS...` runs `boundscope run ARGS` $repeat times with and without
# OFF_FLAG, interleaved, the side that goes first alternating (on-off, off-on, ...) so that
# a cost of going first or second falls on both, and prints the items/s medians and their
# ratio.
pair_setup() {
  cargo build --release --quiet
  bin=target/release/boundscope
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  export BOUNDSCOPE_DATA=${BOUNDSCOPE_DATA:-$out/data}
  echo "# machine: $(nproc) cores, kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "# medians of $repeat interleaved runs"
}

pair() {
  local off=$1 name=$2
  shift 2
  local i
  for i in $(seq "$repeat"); do
    if ((i % 2)); then
      "$bin" run "$@" --quiet --report "$out/$name-on-$i.json"
      "$bin" run "$@" --quiet "$off" --report "$out/$name-off-$i.json"
    else
      "$bin" run "$@" --quiet "$off" --report "$out/$name-off-$i.json"
      "$bin" run "$@" --quiet --report "$out/$name-on-$i.json"
    fi
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
