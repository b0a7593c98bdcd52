#!/usr/bin/env bash
# Terminal UI benchmarks, on the real binary in a real terminal (tmux):
#   1. idle CPU: the UI with a finished json-parse run on screen, CPU over IDLE_S seconds;
#   2. opening a large folded file (~SIZE_MB MB): time until the flamegraph is on screen and
#      peak RSS, boundscope against flamelens (a ratatui flamegraph viewer), REPEAT times each,
#      interleaved; medians and ratios.
#
# Usage: benches/tui.sh [idle|open|all]   (default all)
# Environment: SIZE_MB (100), REPEAT (5), IDLE_S (10), FOLDED (reuse this file instead of
# generating one), FLAMELENS (path to the flamelens binary), KEEP=1 keeps the work directory.
# Needs tmux, python3 and GNU time (/usr/bin/time; Debian package `time`).
set -euo pipefail

what=${1:-all}
SIZE_MB=${SIZE_MB:-100}
REPEAT=${REPEAT:-5}
IDLE_S=${IDLE_S:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/bs-tui-bench.XXXXXX")
sock="bs-tui-bench-$$"
cleanup() {
    tmux -L "$sock" kill-server 2>/dev/null || true
    if [ -z "${KEEP:-}" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

need() { command -v "$1" >/dev/null || { echo "benches/tui.sh: $1 is required ($2)" >&2; exit 2; }; }
need tmux "apt-get install tmux"
need python3 "apt-get install python3"
[ -x /usr/bin/time ] || { echo "benches/tui.sh: /usr/bin/time is required (apt-get install time)" >&2; exit 2; }

echo "== building boundscope (release)"
(cd "$root" && cargo build --release --quiet --bin boundscope)
bs="$root/target/release/boundscope"

now() { date +%s.%N; }
screen() { tmux -L "$sock" capture-pane -p -t bench 2>/dev/null || true; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# Polls the screen until it contains every given string; prints the seconds since $2.
# $1: timeout in seconds, $2: start time, rest: strings.
wait_screen() {
    local limit=$1 start=$2
    shift 2
    while :; do
        local s ok=1
        s=$(screen)
        for want in "$@"; do
            case "$s" in *"$want"*) ;; *) ok=0 ;; esac
        done
        if [ $ok = 1 ]; then
            echo "$(now) - $start" | bc -l
            return 0
        fi
        if [ "$(echo "$(now) - $start > $limit" | bc -l)" = 1 ]; then
            echo "timed out after ${limit}s waiting for: $*" >&2
            screen >&2
            return 1
        fi
        sleep 0.01
    done
}

idle() {
    echo "== idle CPU: boundscope with a finished json-parse run on screen, ${IDLE_S}s"
    mkdir -p "$work/idle"
    tmux -L "$sock" new-session -d -s bench -x 200 -y 60 -c "$work/idle" \
        "BOUNDSCOPE_DATA='$work/idle/data' '$bs'"
    local start
    start=$(now)
    wait_screen 20 "$start" "next run (Enter starts)" >/dev/null
    # records: 20000, files: 4, then start (the same form fields as tests/tui_e2e.rs).
    tmux -L "$sock" send-keys -t bench Down Down Down Down 2 0 0 0 0 Down 4 Enter
    wait_screen 60 "$start" " · done · " >/dev/null
    sleep 1
    local pid ticks a b
    pid=$(tmux -L "$sock" list-panes -t bench -F '#{pane_pid}')
    # The pane's process must be the UI itself (not a shell waiting for it).
    if [ "$(cat "/proc/$pid/comm")" != boundscope ]; then
        echo "pane process $pid is $(cat "/proc/$pid/comm"), not boundscope" >&2
        exit 1
    fi
    ticks=$(getconf CLK_TCK)
    a=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    sleep "$IDLE_S"
    b=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    local pct
    pct=$(echo "scale=3; 100 * ($b - $a) / $ticks / $IDLE_S" | bc -l)
    echo "idle CPU of pid $pid (boundscope) over ${IDLE_S}s: $((b - a)) ticks of 1/${ticks}s = ${pct}% of one core (target <= 2%)"
    tmux -L "$sock" send-keys -t bench q
    sleep 0.5
    tmux -L "$sock" kill-server 2>/dev/null || true
}

# One timed open in tmux: prints "seconds kbytes". $1: label, rest: the command.
open_once() {
    local label=$1
    shift
    local out="$work/time-$label.txt"
    rm -f "$out"
    local start
    start=$(now)
    tmux -L "$sock" new-session -d -s bench -x 200 -y 60 \
        "/usr/bin/time -v -o '$out' $*"
    # The first full frame: thread frames of the graph and the header (boundscope) or the
    # selected-frame line (flamelens) are on screen; both come from the same draw.
    local t
    t=$(wait_screen 300 "$start" "bs-th" "$footer_for_label")
    tmux -L "$sock" send-keys -t bench q
    local i=0
    while [ ! -s "$out" ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i + 1)); done
    tmux -L "$sock" kill-server 2>/dev/null || true
    local kb
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out")
    echo "$t $kb"
}

open_bench() {
    local file=${FOLDED:-}
    if [ -z "$file" ]; then
        file="$work/big.folded"
        echo "== generating a ${SIZE_MB} MB folded file (benches/gen_folded.py)"
        python3 "$root/benches/gen_folded.py" "$SIZE_MB" >"$file"
    fi
    echo "file: $file, $(du -m "$file" | cut -f1) MB, $(wc -l <"$file") lines"
    local fl=${FLAMELENS:-$(command -v flamelens || true)}
    if [ -z "$fl" ]; then
        echo "flamelens is not installed: skipping the comparison, measuring boundscope alone."
        echo "  install it outside the repository with:"
        echo "  cargo install flamelens --locked --root DIR   (then FLAMELENS=DIR/bin/flamelens)"
    fi
    : >"$work/bs.txt"
    : >"$work/fl.txt"
    for i in $(seq 1 "$REPEAT"); do
        footer_for_label="samples @"
        r=$(open_once bs "'$bs' open '$file'")
        echo "run $i boundscope: ${r% *} s, ${r#* } KiB"
        echo "$r" >>"$work/bs.txt"
        if [ -n "$fl" ]; then
            footer_for_label="100.00% of all"
            r=$(open_once fl "'$fl' '$file'")
            echo "run $i flamelens:  ${r% *} s, ${r#* } KiB"
            echo "$r" >>"$work/fl.txt"
        fi
    done
    local bt bm
    bt=$(cut -d' ' -f1 "$work/bs.txt" | median)
    bm=$(cut -d' ' -f2 "$work/bs.txt" | median)
    printf 'boundscope open: median %.3f s to the first frame, median peak RSS %.1f MiB\n' \
        "$bt" "$(echo "$bm / 1024" | bc -l)"
    if [ -n "$fl" ]; then
        local ft fm
        ft=$(cut -d' ' -f1 "$work/fl.txt" | median)
        fm=$(cut -d' ' -f2 "$work/fl.txt" | median)
        printf 'flamelens:       median %.3f s to the first frame, median peak RSS %.1f MiB\n' \
            "$ft" "$(echo "$fm / 1024" | bc -l)"
        printf 'ratio boundscope/flamelens: time %.2f, peak RSS %.2f\n' \
            "$(echo "$bt / $ft" | bc -l)" "$(echo "$bm / $fm" | bc -l)"
    fi
}

need bc "apt-get install bc"
case "$what" in
idle) idle ;;
open) open_bench ;;
all)
    idle
    open_bench
    ;;
*)
    echo "usage: benches/tui.sh [idle|open|all]" >&2
    exit 2
    ;;
esac
