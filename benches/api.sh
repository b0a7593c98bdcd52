#!/usr/bin/env bash
# api-fetch benchmarks against our own API server with --latency 20ms (started by each run as
# a child process on loopback). Variants that are compared run interleaved (a, b, a, b, ...)
# and medians are reported, because machines are noisy.
#
#   benches/api.sh [threads|async|reuse|batch|all] [REPEAT]
#
# requests/s = units in the report / wall_s (`items_per_s` counts records, not requests).
# Note: the server runs on the same machine, so in CPU-heavy runs it competes with the
# client for the same cores.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
repeat=${2:-5}
latency_ms=20
cargo build --release --quiet
bin=target/release/boundscope
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export BOUNDSCOPE_DATA=${BOUNDSCOPE_DATA:-$out/data}

echo "# machine: $(nproc) cores, kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# server latency ${latency_ms} ms; medians of $repeat runs"

# run TAG I ARGS...: one run of api-fetch (--latency 20ms unless ARGS say otherwise), its
# report saved as $out/TAG-I.json and the CPU seconds of the run and its children (the
# server included, reaped at the end of the run) as $out/TAG-I.cpu.
run() {
  local tag=$1 i=$2
  shift 2
  local -a latency=(--latency "${latency_ms}ms")
  [[ " $* " == *" --latency "* ]] && latency=()
  local TIMEFORMAT='%U %S'
  { time "$bin" run api-fetch "${latency[@]}" --quiet --report "$out/$tag-$i.json" "$@" ; } \
    2>"$out/$tag-$i.cpu"
}

# interleave TAG_A "ARGS_A" TAG_B "ARGS_B" ...: REPEAT rounds, each running every variant once.
interleave() {
  local -a pairs=("$@")
  local i k
  for i in $(seq "$repeat"); do
    for ((k = 0; k < ${#pairs[@]}; k += 2)); do
      # shellcheck disable=SC2086
      run "${pairs[k]}" "$i" ${pairs[k + 1]}
    done
  done
}

# stats CMD ...: medians and ratios from the saved reports (see the Python below).
stats() {
  python3 - "$out" "$repeat" "$latency_ms" "$@" <<'PY'
import json, statistics, sys
out, n, latency_ms, cmd, *args = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], *sys.argv[5:]

def reports(tag):
    return [json.load(open(f"{out}/{tag}-{i}.json")) for i in range(1, n + 1)]

def med(tag, f):
    return statistics.median(f(r) for r in reports(tag))

def req_s(r):
    return len(r["units"]) / r["wall_s"]

def total_cpu(tag, i):
    user, system = open(f"{out}/{tag}-{i}.cpu").read().split()[-2:]
    return float(user) + float(system)

def line(tag, label):
    rs = [req_s(r) for r in reports(tag)]
    r0 = reports(tag)[0]
    errors = sum(r["errors"] for r in reports(tag))
    print(f"  {label:<34} {statistics.median(rs):9.1f} req/s  (min {min(rs):.1f}, max {max(rs):.1f})"
          f"  wall {med(tag, lambda r: r['wall_s']):6.3f} s  busy cores {med(tag, lambda r: r['busy_cores']):.2f}"
          f"  units {len(r0['units'])}  errors {errors}  verdict {r0['verdict']}")
    return statistics.median(rs)

if cmd == "threads":
    seq = line("seq", "sequential")
    thr = line("thr", "threads x8")
    ideal = 1000 / latency_ms
    print(f"  sequential / (1 / latency = {ideal:.0f} req/s) = {seq / ideal:.3f}")
    print(f"  threads x8 / sequential = {thr / seq:.3f}   (ideal 8; threads x8 / (8 / latency) = {thr / (8 * ideal):.3f})")
elif cmd == "async":
    in_flight = int(args[0])
    rate = line("async", f"async, {in_flight} in flight, 2 threads")
    ideal = in_flight * 1000 / latency_ms
    cores = med("async", lambda r: r["busy_cores"])
    workers = reports("async")[0]["workers"]
    # The server's CPU: the whole command's (children included) minus the client's own.
    server = statistics.median(
        (total_cpu("async", i) - r["cpu_s"]) / r["wall_s"]
        for i, r in enumerate(reports("async"), start=1))
    import os
    machine = os.cpu_count()
    print(f"  async / ({in_flight} / latency = {ideal:.0f} req/s) = {rate / ideal:.3f}")
    print(f"  client: {cores:.2f} busy cores of {workers} runtime threads, {cores / rate * 1e6:.0f} us CPU per request;"
          f" server (child process, start-up included): ~{server:.2f} busy cores; machine: {machine} cores")
    if rate / ideal < 0.9 and cores + server > 0.7 * machine:
        print(f"  -> CPU-limited: client and server together keep ~{cores + server:.1f} of {machine} cores busy,"
              " so CPU, not the 20 ms latency, sets the pace")
    elif rate / ideal < 0.9:
        print("  -> below the ideal with CPU to spare: connection set-up, the server's queue or"
              " other load on the machine is the limit")
elif cmd == "reuse":
    for a, b, what in [("on0", "off0", "latency 0"), ("on", "off", f"latency {latency_ms:.0f} ms")]:
        on = line(a, f"threads x8, reuse on, {what}")
        off = line(b, f"threads x8, reuse off, {what}")
        workers = reports(a)[0]["workers"]
        # Time one worker spends per request: workers / (requests / s).
        ms_on, ms_off = workers / on * 1e3, workers / off * 1e3
        print(f"  per request: on {ms_on:.3f} ms, off {ms_off:.3f} ms; a new connection costs "
              f"{ms_off - ms_on:+.3f} ms  (req/s off / on = {off / on:.3f})")
elif cmd == "batch":
    one = line("b1", "sequential, --batch 1")
    ten = line("b10", "sequential, --batch 10")
    w1, w10 = med("b1", lambda r: r["wall_s"]), med("b10", lambda r: r["wall_s"])
    i1, i10 = med("b1", lambda r: r["items_per_s"]), med("b10", lambda r: r["items_per_s"])
    items = reports("b1")[0]["items"], reports("b10")[0]["items"]
    print(f"  same records fetched: {items[0]} vs {items[1]}")
    print(f"  wall batch 1 / batch 10 = {w1 / w10:.2f}x faster with batching;"
          f" records/s {i1:.0f} -> {i10:.0f}")
PY
}

threads() {
  echo "## sequential vs 1/latency, threads x8 vs sequential (120 requests each, interleaved)"
  interleave seq "--mode sequential --requests 120" thr "--mode threads --workers 8 --requests 120"
  stats threads
}

async_() {
  echo "## async, --in-flight 500 --workers 2, 20000 requests (long enough that start-up weighs little), vs the ideal 500/latency"
  interleave async "--mode async --workers 2 --in-flight 500 --requests 20000"
  stats async 500
}

reuse() {
  echo "## connection reuse off vs on, threads x8, 400 requests (interleaved); at latency 0 too,"
  echo "## where the connection cost is not hidden by the 20 ms wait"
  interleave on "--mode threads --workers 8 --requests 400 --reuse-connections on" \
    off "--mode threads --workers 8 --requests 400 --reuse-connections off" \
    on0 "--mode threads --workers 8 --requests 2000 --reuse-connections on --latency 0" \
    off0 "--mode threads --workers 8 --requests 2000 --reuse-connections off --latency 0"
  stats reuse
}

batch() {
  echo "## --batch 10 vs --batch 1 on the price phase: --tenants 1, 100 symbols, so the plan is"
  echo "## one /tenants request then 100 (batch 1) or 10 (batch 10) /prices requests; sequential"
  interleave b1 "--mode sequential --tenants 1 --batch 1" b10 "--mode sequential --tenants 1 --batch 10"
  stats batch
}

case $what in
  threads) threads ;;
  async) async_ ;;
  reuse) reuse ;;
  batch) batch ;;
  all) threads; async_; reuse; batch ;;
  *) echo "usage: $0 [threads|async|reuse|batch|all] [REPEAT]" >&2; exit 2 ;;
esac
