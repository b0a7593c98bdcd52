#!/usr/bin/env bash
# Peak memory of `open` on a long recording: a real run's recording (`run --events`) is
# stretched to TICKS ticks (1,000,000 by default: about 350 MB) by repeating its tick with
# growing times, then opened REPEAT times (with --max-input-mb 4096, past the file) under
# /usr/bin/time -v with no terminal, so `open`
# reads the whole file and builds its runs, then stops where the UI would start. Prints the
# file's size and each tool's peak RSS (median) and its ratio to the file size. REF=<another
# boundscope binary> runs it side by side, interleaved.
#
# Usage: benches/open_memory.sh     Environment: TICKS (1000000), REPEAT (3), REF, KEEP=1,
# BIN (default target/release/boundscope). Needs python3 and GNU time (/usr/bin/time).
set -euo pipefail

TICKS=${TICKS:-1000000}
REPEAT=${REPEAT:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BIN:-"$root/target/release/boundscope"}
work=$(mktemp -d "${TMPDIR:-/tmp}/bs-open-memory.XXXXXX")
cleanup() { if [ -z "${KEEP:-}" ]; then rm -rf "$work"; fi; }
trap cleanup EXIT
[ -x /usr/bin/time ] || { echo "open_memory.sh: /usr/bin/time is required (apt-get install time)" >&2; exit 2; }
[ -x "$bin" ] || (cd "$root" && cargo build --release >&2)

BOUNDSCOPE_DATA="$work/cache" "$bin" run json-parse --files 2 --records 300 --mode threads \
    --workers 2 --quiet --events "$work/short.ndjson"
python3 - "$work/short.ndjson" "$work/long.ndjson" "$TICKS" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
kinds = [json.loads(l)["type"] for l in lines]
tick = json.loads(lines[kinds.index("tick")])
with open(sys.argv[2], "w") as out:
    out.write(lines[0] + "\n")
    for i in range(int(sys.argv[3])):
        tick["elapsed_s"] = i * 0.01
        tick["items"] = i
        out.write(json.dumps(tick, separators=(",", ":")) + "\n")
    for line, kind in zip(lines, kinds):
        if kind in ("stacks", "done"):
            out.write(line + "\n")
PY
size=$(stat -c %s "$work/long.ndjson")
echo "recording: $TICKS ticks, $((size >> 20)) MiB"

# One measured open: prints its peak RSS in MiB.
measure() {
    /usr/bin/time -v -o "$work/time.log" "$@" </dev/null >/dev/null 2>&1 || true
    awk -F': ' '/Maximum resident set size/ {printf "%.0f\n", $2/1024}' "$work/time.log"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

tools=("$bin")
[ -n "${REF:-}" ] && tools+=("$REF")
for i in "${!tools[@]}"; do : >"$work/$i.rss"; done
for _ in $(seq "$REPEAT"); do
    for i in "${!tools[@]}"; do
        measure "${tools[$i]}" open --max-input-mb 4096 "$work/long.ndjson" >>"$work/$i.rss"
    done
done
for i in "${!tools[@]}"; do
    rss=$(median <"$work/$i.rss")
    echo "${tools[$i]} open: peak RSS median $rss MiB = $(awk -v r="$rss" -v s="$size" \
        'BEGIN {printf "%.2f", r * 1048576 / s}')× the file (n=$REPEAT)"
done
