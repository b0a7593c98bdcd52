#!/usr/bin/env bash
# How fast a recording grows: api-fetch threads x8 at 20 ms latency, recorded with
# `--events F.gz` for N and 2N requests; the growth per second between the two (the final
# report, whose size grows with the units and not with time, left out), in MB per hour.
#
#   benches/record_size.sh [REQUESTS]     (default 12000: about 37 s and 74 s)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-12000}
cargo build --release --quiet
bin=target/release/boundscope
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "# machine: $(nproc) cores, kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for requests in "$n" $((2 * n)); do
  "$bin" run api-fetch --mode threads --workers 8 --latency 20ms --requests "$requests" \
    --quiet --events "$out/$requests.ndjson.gz" --report "$out/$requests.json"
done
python3 - "$out" "$n" <<'PY'
import gzip, json, sys, zlib
out, n = sys.argv[1], int(sys.argv[2])
def stream(requests):
    """The compressed size of the stream without its `done` event, written as boundscope
    writes it (gzip, a sync flush after each event), and the run's wall time."""
    lines = [l for l in gzip.open(f"{out}/{requests}.ndjson.gz", "rb") if b'"type":"done"' not in l[:40]]
    z, size = zlib.compressobj(6, zlib.DEFLATED, 31), 0
    for line in lines:
        size += len(z.compress(line)) + len(z.flush(zlib.Z_SYNC_FLUSH))
    size += len(z.flush())
    return size, json.load(open(f"{out}/{requests}.json"))["wall_s"]
(a, ta), (b, tb) = stream(n), stream(2 * n)
rate = (b - a) / (tb - ta)
print(f"{n} requests: {a / 1e6:.2f} MB in {ta:.1f} s; {2 * n}: {b / 1e6:.2f} MB in {tb:.1f} s")
print(f"growth {rate / 1e3:.1f} KB/s = {rate * 3600 / 1e6:.1f} MB per hour")
PY
