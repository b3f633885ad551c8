#!/usr/bin/env bash
# Does phapaid keep answering while a day is planned? (docs/protocol.md, "Performance"; issue 12.)
# Release build, a fresh database with the sample area for each run: 20 clients send PINGs (then a
# mixed load) at a fixed rate for SECONDS + 10 s, first alone, then while one more connection asks
# `PLAN time=SECONDS` of a day filled with 80 journeys; prints each run's table (the `plan` row is
# the plan's own reply) and keeps the CSVs in simulations/out/plan-stall/. A connection cut by the
# server ends the run with its last line.
#
#   simulations/plan-stall.sh [SECONDS] [PHAPAID]   (default 30 s of planning; PHAPAID: another
#                                                    phapaid binary to measure, e.g. an older build)
set -euo pipefail
cd "$(dirname "$0")/.."
plan=${1:-30}
swift build -c release --product phapaid >/dev/null
swift build -c release --product phapai >/dev/null
swift build -c release --product phapai-sim >/dev/null
bin=.build/release
daemon=${2:-$bin/phapaid}
out=simulations/out/plan-stall
mkdir -p "$out"

work=$(mktemp -d)
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
export PHAPAI_CONFIG="$PWD/config"
duration=$((plan + 10))

# Each run on a fresh database and server, so each plans a day of its own 80 journeys.
run() {
    local name=$1
    shift
    [ -n "$server_pid" ] && kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
    rm -rf "$work/$name" && mkdir -p "$work/$name"
    "$bin/phapai" --db "$work/$name/phapai.db" init >/dev/null
    export PHAPAI_TOKEN=$("$bin/phapai" --db "$work/$name/phapai.db" user add load --role admin 2>/dev/null)
    printf '{"listen": "127.0.0.1:0", "database": "%s", "holidays": "%s"}\n' "$work/$name/phapai.db" "$PWD/config/holidays-th.csv" > "$work/$name/phapaid.json"
    "$daemon" --config "$work/$name/phapaid.json" > "$work/$name/server.log" 2>&1 &
    server_pid=$!
    local port=""
    for _ in $(seq 1 100); do
        port=$(sed -n 's/^phapaid: listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/$name/server.log")
        [ -n "$port" ] && break
        sleep 0.05
    done
    [ -n "$port" ] || { echo "phapaid did not start" >&2; exit 1; }
    echo "== $name"
    "$bin/phapai-sim" load --server "127.0.0.1:$port" --duration "$duration" --out "$out/$name" "$@"
    echo "phapaid resident memory: $(grep VmRSS /proc/$server_pid/status)"
    echo
}
# The same loads without the plan first: what the machine gives anyway.
run ping-20-at-1000 --clients 20 --rate 1000 --mix ping=1
run plan-ping-20-at-1000 --clients 20 --rate 1000 --mix ping=1 --plan "$plan"
run mixed-20-at-500 --clients 20 --rate 500 --mix book=4,show=3,list=1,cancel=1,ping=1
run plan-mixed-20-at-500 --clients 20 --rate 500 --mix book=4,show=3,list=1,cancel=1,ping=1 --plan "$plan"
