#!/usr/bin/env bash
# Throw-away PostgreSQL server for boundscope's tests (loopback only). The test user logs in
# without a password; every other role needs its password over TCP (scram-sha-256), so that
# a test can check that a password given in a URL is really used, and never shown.
#
#   eval "$(.ci/postgres.sh start)"   # installs if needed, starts, prints the exports
#   cargo test ...                     # tests read BOUNDSCOPE_TEST_PG
#   .ci/postgres.sh stop               # stops the server and deletes its files
#
# Or source it and use the functions: bs_pg_start, bs_pg_stop (e.g. `trap bs_pg_stop EXIT`).
# `start` is idempotent: a server already running from the same state dir is reused.
# Only export lines go to stdout; progress goes to stderr.
#
# Environment: BOUNDSCOPE_PG_STATE (state dir, default $TMPDIR/boundscope-pg),
#              BOUNDSCOPE_PG_PORT (first port to try, default 55432).

BS_PG_STATE="${BOUNDSCOPE_PG_STATE:-${TMPDIR:-/tmp}/boundscope-pg}"
BS_PG_DB=boundscope_test
BS_PG_USER=boundscope

bs_pg_log() { echo "postgres.sh: $*" >&2; }

# Puts initdb/pg_ctl on PATH, installing the Debian packages when they are missing.
bs_pg_find_bin() {
    local dir
    if ! command -v initdb >/dev/null 2>&1 || ! command -v pg_ctl >/dev/null 2>&1; then
        for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
            PATH="$dir:$PATH"
            break
        done
    fi
    if ! command -v initdb >/dev/null 2>&1; then
        bs_pg_log "initdb not found; installing PostgreSQL from Debian packages"
        local sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo"
        $sudo apt-get update >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y postgresql >&2 || return 1
        dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r | head -n1)
        [ -n "$dir" ] && PATH="$dir:$PATH"
    fi
    command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1
}

# Runs a command as the server's owner (PostgreSQL refuses to run as root).
bs_pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$BS_PG_OWNER" -- env PATH="$PATH" "$@"
    else
        "$@"
    fi
}

bs_pg_pick_owner() {
    BS_PG_OWNER="$(id -un)"
    if [ "$(id -u)" -eq 0 ]; then
        BS_PG_OWNER=postgres
        if ! id postgres >/dev/null 2>&1; then
            BS_PG_OWNER=bspg
            id bspg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin bspg || return 1
        fi
    fi
}

bs_pg_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

bs_pg_exports() {
    local port
    port=$(cat "$BS_PG_STATE/port")
    echo "export BOUNDSCOPE_TEST_PG=postgres://$BS_PG_USER@127.0.0.1:$port/$BS_PG_DB"
    echo "export BOUNDSCOPE_PG_STATE=$BS_PG_STATE"
}

bs_pg_running() {
    [ -f "$BS_PG_STATE/port" ] && [ -d "$BS_PG_STATE/data" ] &&
        bs_pg_as_owner pg_ctl -D "$BS_PG_STATE/data" status >/dev/null 2>&1
}

bs_pg_start() {
    bs_pg_find_bin || { bs_pg_log "cannot find or install PostgreSQL"; return 1; }
    bs_pg_pick_owner || { bs_pg_log "cannot create a user to run PostgreSQL"; return 1; }
    if bs_pg_running; then
        bs_pg_log "reusing the server in $BS_PG_STATE"
        bs_pg_exports
        return 0
    fi
    bs_pg_stop 2>/dev/null  # leftovers of an earlier, failed start
    if ! bs_pg_start_fresh; then
        bs_pg_log "start failed; log follows"
        cat "$BS_PG_STATE/server.log" >&2 2>/dev/null
        bs_pg_stop
        return 1
    fi
    bs_pg_exports
}

bs_pg_start_fresh() {
    local port="${BOUNDSCOPE_PG_PORT:-55432}"
    while ! bs_pg_port_free "$port"; do port=$((port + 1)); done
    mkdir -p "$BS_PG_STATE/sock" || return 1
    echo "$port" >"$BS_PG_STATE/port"
    [ "$(id -u)" -eq 0 ] && chown -R "$BS_PG_OWNER" "$BS_PG_STATE"
    bs_pg_log "initdb in $BS_PG_STATE/data (owner $BS_PG_OWNER), port $port"
    bs_pg_as_owner initdb -D "$BS_PG_STATE/data" -U "$BS_PG_USER" --auth=trust \
        --encoding=UTF8 --no-sync >"$BS_PG_STATE/initdb.log" 2>&1 || {
        cat "$BS_PG_STATE/initdb.log" >&2; return 1; }
    bs_pg_write_hba "$BS_PG_STATE/data/pg_hba.conf" || return 1
    bs_pg_as_owner pg_ctl -D "$BS_PG_STATE/data" -l "$BS_PG_STATE/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $BS_PG_STATE/sock -c fsync=off" \
        start >&2 || return 1
    bs_pg_as_owner createdb -h 127.0.0.1 -p "$port" -U "$BS_PG_USER" "$BS_PG_DB" >&2 || return 1
    bs_pg_log "ready: postgres://$BS_PG_USER@127.0.0.1:$port/$BS_PG_DB"
}

# Trust for the test user and local sockets; a password for every other role over TCP.
bs_pg_write_hba() {
    cat >"$1" <<EOF || return 1
local all all trust
host all $BS_PG_USER 127.0.0.1/32 trust
host all $BS_PG_USER ::1/128 trust
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
EOF
    if [ "$(id -u)" -eq 0 ]; then chown "$BS_PG_OWNER" "$1"; fi
}

bs_pg_stop() {
    [ -d "$BS_PG_STATE" ] || return 0
    if [ -d "$BS_PG_STATE/data" ]; then
        bs_pg_find_bin >/dev/null 2>&1
        [ -n "${BS_PG_OWNER:-}" ] || bs_pg_pick_owner
        bs_pg_as_owner pg_ctl -D "$BS_PG_STATE/data" -m immediate -w stop >/dev/null 2>&1
    fi
    rm -rf "$BS_PG_STATE"
    bs_pg_log "stopped and removed $BS_PG_STATE"
}

# Executed (not sourced): dispatch on the first argument.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -u
    case "${1:-start}" in
        start) bs_pg_start ;;
        stop) bs_pg_stop ;;
        env) bs_pg_find_bin && bs_pg_pick_owner && bs_pg_running && bs_pg_exports ;;
        *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
    esac
fi
