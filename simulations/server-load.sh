#!/usr/bin/env bash
# The protocol server's figures (docs/protocol.md, "Performance"): release build, phapaid and
# phapai-sim load on this machine, a fresh database with the sample area. Prints each run's
# table and keeps the CSVs in simulations/out/server-load/.
#
#   simulations/server-load.sh [SECONDS]      (default 10 s a run)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
swift build -c release --product phapaid >/dev/null
swift build -c release --product phapai >/dev/null
swift build -c release --product phapai-sim >/dev/null
bin=.build/release
out=simulations/out/server-load
mkdir -p "$out"

work=$(mktemp -d)
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

export PHAPAI_CONFIG="$PWD/config"
"$bin/phapai" --db "$work/phapai.db" init >/dev/null
export PHAPAI_TOKEN=$("$bin/phapai" --db "$work/phapai.db" user add load --role admin 2>/dev/null)
# Room for the 1,000 idle connections; the request log goes to a file.
printf '{"listen": "127.0.0.1:0", "database": "%s", "maxConnections": 1100, "holidays": "%s"}\n' "$work/phapai.db" "$PWD/config/holidays-th.csv" > "$work/phapaid.json"
"$bin/phapaid" --config "$work/phapaid.json" > "$work/server.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 1 100); do
    port=$(sed -n 's/^phapaid: listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/server.log")
    [ -n "$port" ] && break
    sleep 0.05
done
[ -n "$port" ] || { echo "phapaid did not start" >&2; exit 1; }
server=127.0.0.1:$port

run() {
    local name=$1
    shift
    echo "== $name"
    "$bin/phapai-sim" load --server "$server" --duration "$seconds" --out "$out/$name" "$@"
    echo
}
run ping-50 --clients 50 --depth 1 --mix ping=1
run ping-50-pipelined --clients 50 --depth 32 --mix ping=1
run book-50-at-2000 --clients 50 --rate 2000 --mix book=1
run mixed-50-at-2000 --clients 50 --rate 2000 --mix book=4,show=3,list=1,cancel=1,ping=1
run idle-1000 --idle 1000
echo "phapaid resident memory now: $(grep VmRSS /proc/$server_pid/status)"
