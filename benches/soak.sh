#!/usr/bin/env bash
# Soak: SOAK_MINUTES (default 10) of api-fetch in async mode with 500 requests in flight
# against our own API server (`serve-api`, one process for the whole soak), and, beside it,
# repeated csv-import runs. Every SOAK_EVERY seconds (default 5) the resident memory and the
# open file descriptors of every boundscope process are read from /proc and appended to a CSV.
# A leak shows as a server whose RSS or fds climb, or client runs whose peaks climb run after run.
#
#   SOAK_MINUTES=10 benches/soak.sh [OUT.csv]      (default OUT: target/soak.csv)
#   SOAK_SECONDS=30 benches/soak.sh                (a short check of the script itself)
#
# CSV columns: t_s, pid, role (server | api | csv), rss_kb, fds.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${SOAK_MINUTES:-10}
every=${SOAK_EVERY:-5}
out=$(mktemp -d)
# A copy, so that a rebuild during the soak does not swap the binary under the loops
# (SOAK_BIN names a binary to use instead of building one).
bin=$out/boundscope
if [[ -n ${SOAK_BIN:-} ]]; then
  cp "$SOAK_BIN" "$bin"
else
  cargo build --release --quiet
  cp target/release/boundscope "$bin"
fi
csv=${1:-target/soak.csv}
export BOUNDSCOPE_DATA=${BOUNDSCOPE_DATA:-$out/data}
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$out"
}
trap cleanup EXIT

echo "# machine: $(nproc) cores, kernel $(uname -r); soak ${SOAK_SECONDS:-$((minutes * 60))} s, a sample every ${every} s"
"$bin" serve-api --latency 20ms >"$out/server.log" 2>&1 &
server=$!
pids+=("$server")
for _ in $(seq 50); do
  grep -q 'listening on' "$out/server.log" && break
  sleep 0.2
done
url=$(grep -o 'http://[0-9.:]*' "$out/server.log" | head -1)
[[ -n $url ]] || { echo "the server did not start" >&2; exit 1; }
end=$((SECONDS + ${SOAK_SECONDS:-$((minutes * 60))}))

# loop TAG CMD...: runs CMD until the soak ends, counting runs and failed runs in $out/TAG.
loop() {
  local tag=$1 runs=0 failed=0
  shift
  while ((SECONDS < end)); do
    "$@" >/dev/null 2>>"$out/$tag.err" || failed=$((failed + 1))
    runs=$((runs + 1))
    echo "$runs $failed" >"$out/$tag"
  done
}
loop api "$bin" run api-fetch --base-url "$url" --mode async --workers 2 --in-flight 500 \
  --requests 100000 --quiet &
pids+=($!)
loop csv "$bin" run csv-import --mode threads --workers 2 --records 20000 --quiet &
pids+=($!)

# sample: one CSV line per boundscope process (the role from its command line).
echo "t_s,pid,role,rss_kb,fds" >"$csv"
start=$SECONDS
sample() {
  local p cmd role rss fds
  for p in $(pgrep -x boundscope || true); do
    # A process may end between two reads: every read is allowed to fail.
    cmd=$( { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null) || continue
    case $cmd in
      *serve-api*) role=server ;;
      *api-fetch*) role=api ;;
      *csv-import*) role=csv ;;
      *) continue ;;
    esac
    rss=$( { awk '/^VmRSS:/ {print $2}' "/proc/$p/status"; } 2>/dev/null) || continue
    fds=$(find "/proc/$p/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    if [[ -n $rss ]]; then
      echo "$((SECONDS - start)),$p,$role,$rss,$fds" >>"$csv"
    fi
  done
  return 0
}
while ((SECONDS < end)); do
  sample
  sleep "$every"
done
wait "${pids[1]}" "${pids[2]}" 2>/dev/null || true

echo "# api-fetch runs (runs failed): $(cat "$out/api" 2>/dev/null || echo '0 0')" \
  "; csv-import runs (runs failed): $(cat "$out/csv" 2>/dev/null || echo '0 0')"
python3 - "$csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
def figures(label, rs):
    if not rs:
        print(f"  {label}: no samples"); return
    rss = [int(r["rss_kb"]) / 1024 for r in rs]
    fds = [int(r["fds"]) for r in rs]
    print(f"  {label:<28} RSS start {rss[0]:7.1f} MB  end {rss[-1]:7.1f} MB  max {max(rss):7.1f} MB"
          f"   fds start {fds[0]:4d}  end {fds[-1]:4d}  max {max(fds):4d}   ({len(rs)} samples)")
print("# the server (one process for the whole soak):")
figures("serve-api", [r for r in rows if r["role"] == "server"])
# Client runs are short processes: compare each run's peak, first runs against last runs.
for role, name in (("api", "api-fetch run peaks"), ("csv", "csv-import run peaks")):
    peaks = {}
    for r in rows:
        if r["role"] == role:
            p = peaks.setdefault(r["pid"], dict(r))
            p["rss_kb"] = str(max(int(p["rss_kb"]), int(r["rss_kb"])))
            p["fds"] = str(max(int(p["fds"]), int(r["fds"])))
    print(f"# {name} (per sampled run, in start order):")
    figures(name, sorted(peaks.values(), key=lambda r: int(r["t_s"])))
PY
echo "# samples: $csv"
