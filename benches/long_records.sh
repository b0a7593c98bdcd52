#!/usr/bin/env bash
# Peak memory of a run over a file with one 200 MiB record: NDJSON for json-parse, CSV for
# csv-import (one 200 MiB line, and a quote that never closes followed by 200 MiB of short
# lines). Each input is run REPEAT times under /usr/bin/time -v with --no-profile (the
# sampler's own buffers are not what is measured); prints exit code, items/rejected, wall
# time and peak RSS (medians). REF=<another boundscope binary> runs it side by side,
# interleaved.
#
# Usage: benches/long_records.sh     Environment: MB (200), REPEAT (3), REF, KEEP=1.
# Needs python3 and GNU time (/usr/bin/time; Debian package `time`).
set -euo pipefail

MB=${MB:-200}
REPEAT=${REPEAT:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/target/release/boundscope"
work=$(mktemp -d "${TMPDIR:-/tmp}/bs-long-records.XXXXXX")
cleanup() { if [ -z "${KEEP:-}" ]; then rm -rf "$work"; fi; }
trap cleanup EXIT
[ -x /usr/bin/time ] || { echo "long_records.sh: /usr/bin/time is required (apt-get install time)" >&2; exit 2; }
[ -x "$bin" ] || (cd "$root" && cargo build --release >&2)

# Streamed: no input is held in memory while it is written.
mkdir -p "$work/ndjson"
python3 - "$work" "$MB" <<'PY'
import sys
work, mb = sys.argv[1], int(sys.argv[2])
good = b'{"symbol":"A","timestamp":1,"open":1.0,"high":1.0,"low":1.0,"close":1.0,"volume":1}\n'
block = b"a" * (1 << 20)
with open(f"{work}/ndjson/x.ndjson", "wb") as f:
    f.write(good)
    for _ in range(mb):
        f.write(block)
    f.write(b"\n" + good)
with open(f"{work}/line.csv", "wb") as f:
    f.write(b"id,name,score\n1,a,1.5\n2,")
    for _ in range(mb):
        f.write(block)
    f.write(b",2\n3,c,3\n")
lines = (b"y" * 1023 + b"\n") * 1024
with open(f"{work}/quote.csv", "wb") as f:
    f.write(b'id,name,score\n1,a,1.5\n2,"never closed\n')
    for _ in range(mb):
        f.write(lines)
PY

# One measured run: prints "exit items rejected wall_s rss_mib".
measure() {
    local log="$work/time.log" report="$work/report.json" code=0
    rm -f "$report"
    /usr/bin/time -v -o "$log" "$@" --quiet --no-profile --report "$report" \
        </dev/null >/dev/null 2>"$work/err" || code=$?
    local wall rss counts
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$log")
    counts=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["items"], r["rejected"])' "$report" 2>/dev/null || echo "- -")
    echo "$code $counts $wall $rss"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

export BOUNDSCOPE_DATA="$work/cache"
tools=("$bin")
[ -n "${REF:-}" ] && tools+=("$REF")
inputs=(
    "ndjson-line|run json-parse --input $work/ndjson --output none"
    "csv-line|run csv-import --input $work/line.csv"
    "csv-quote|run csv-import --input $work/quote.csv"
)
for entry in "${inputs[@]}"; do
    name=${entry%%|*}
    read -r -a args <<<"${entry#*|}"
    for i in "${!tools[@]}"; do : >"$work/$i.$name"; done
    for _ in $(seq "$REPEAT"); do
        for i in "${!tools[@]}"; do
            measure "${tools[$i]}" "${args[@]}" >>"$work/$i.$name"
        done
    done
    for i in "${!tools[@]}"; do
        f="$work/$i.$name"
        echo "${tools[$i]} $name: exit $(cut -d' ' -f1 "$f" | sort -u | tr '\n' ' ')" \
            "items/rejected $(cut -d' ' -f2,3 "$f" | sort -u | tr ' \n' '/ ')" \
            "wall median $(cut -d' ' -f4 "$f" | median) s," \
            "peak RSS median $(cut -d' ' -f5 "$f" | median) MiB (n=$REPEAT)"
    done
done
