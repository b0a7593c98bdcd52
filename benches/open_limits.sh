#!/usr/bin/env bash
# `open` on hostile input: a gzip bomb (GB_ZEROS GB of zeros, gzipped, ~1 MB on disk) and
# /dev/zero. Each is opened REPEAT times under /usr/bin/time -v; prints exit code, wall time
# and peak RSS (medians). REF=<another boundscope binary> runs it side by side, interleaved.
#
# Usage: benches/open_limits.sh     Environment: GB_ZEROS (1), REPEAT (3), REF, KEEP=1,
# TIMEOUT (10 s, then SIGKILL: a reader without a cap keeps reading /dev/zero until then,
# and a first SIGTERM did not stop it).
# Needs python3 and GNU time (/usr/bin/time; Debian package `time`).
set -euo pipefail

GB_ZEROS=${GB_ZEROS:-1}
REPEAT=${REPEAT:-3}
TIMEOUT=${TIMEOUT:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/target/release/boundscope"
work=$(mktemp -d "${TMPDIR:-/tmp}/bs-open-limits.XXXXXX")
cleanup() { if [ -z "${KEEP:-}" ]; then rm -rf "$work"; fi; }
trap cleanup EXIT
[ -x /usr/bin/time ] || { echo "open_limits.sh: /usr/bin/time is required (apt-get install time)" >&2; exit 2; }
[ -x "$bin" ] || (cd "$root" && cargo build --release >&2)

# Streamed: the zeros are never held in memory.
python3 - "$work/bomb.pb.gz" "$GB_ZEROS" <<'PY'
import gzip, sys
zeros = bytes(1 << 20)
with gzip.open(sys.argv[1], "wb", compresslevel=6) as f:
    for _ in range(int(sys.argv[2]) * 1024):
        f.write(zeros)
PY
echo "bomb: $(stat -c %s "$work/bomb.pb.gz") bytes on disk, $GB_ZEROS GB of zeros inside"

# One measured run: prints "exit wall_s rss_mib".
measure() {
    local log="$work/time.log" code=0
    /usr/bin/time -v -o "$log" "$@" </dev/null >/dev/null 2>"$work/err" || code=$?
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$log")
    echo "$code $wall $rss"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

tools=("$bin")
[ -n "${REF:-}" ] && tools+=("$REF")
for input in "$work/bomb.pb.gz" /dev/zero; do
    name=$(basename "$input")
    for i in "${!tools[@]}"; do : >"$work/$i.$name"; done
    for _ in $(seq "$REPEAT"); do
        for i in "${!tools[@]}"; do
            measure timeout -s KILL "$TIMEOUT" "${tools[$i]}" open "$input" >>"$work/$i.$name"
        done
    done
    for i in "${!tools[@]}"; do
        f="$work/$i.$name"
        echo "${tools[$i]} open $name: exit $(cut -d' ' -f1 "$f" | sort -u | tr '\n' ' ')" \
            "wall median $(cut -d' ' -f2 "$f" | median) s," \
            "peak RSS median $(cut -d' ' -f3 "$f" | median) MiB (n=$REPEAT)"
    done
done
tail -1 "$work/err" >&2
