#!/usr/bin/env bash
# Crash safety of phapaid: under concurrent booking load, kill -9 the server at a random moment,
# restart it, and repeat; then check that every booking the server acknowledged is in the
# database and that SQLite's integrity check passes. Loopback only; bounded in count and time.
#
#   Tests/crash/run.sh [CYCLES] [CLIENTS]      (defaults 20 and 4; uses the debug build)
set -euo pipefail
cd "$(dirname "$0")/../.."
cycles=${1:-20}
clients=${2:-4}
bin=.build/debug
if [ ! -x "$bin/phapaid" ] || [ ! -x "$bin/phapai" ]; then
    swift build --product phapaid
    swift build --product phapai
fi

work=$(mktemp -d)
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null || true
    [ -n "${KEEP:-}" ] && echo "crash: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

export PHAPAI_CONFIG="$PWD/config"
"$bin/phapai" --db "$work/phapai.db" init >/dev/null
export PHAPAI_TOKEN=$("$bin/phapai" --db "$work/phapai.db" user add crash --role admin | tail -1)
printf '{"listen": "127.0.0.1:0", "database": "%s"}\n' "$work/phapai.db" > "$work/phapaid.json"

start_server() {
    "$bin/phapaid" --config "$work/phapaid.json" > "$work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do
        port=$(sed -n 's/^phapaid: listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/server.log")
        [ -n "$port" ] && return 0
        sleep 0.05
    done
    echo "crash: phapaid did not start" >&2
    cat "$work/server.log" >&2
    exit 1
}

# Each client books its own patients, a free slot at a time: patient, day ahead, slot.
client() {
    local id=$1 next=$2 acked="$work/acked.$1"
    local slots=(08:00 11:00 14:00 17:00)
    while [ -e "$work/run" ]; do
        local n=$((next))
        local patient=$(printf 'P%03d' $((id * 10 + n % 10 + 1)))
        local day=$(date -d "+$((1 + (n / 10) % 20)) days" +%F)
        local slot=${slots[$(((n / 200) % 4))]}
        if out=$("$bin/phapai" --server "127.0.0.1:$port" trip book --patient "$patient" --to HC-NATHONG \
            --appointment "$day $slot" 2>/dev/null); then
            # Acknowledged: the reply names the trip after its COMMIT.
            echo "$out" | sed -n 's/^  trip \([0-9]*\) outbound.*/\1/p' >> "$acked"
        fi
        next=$((next + 1))
        echo "$next" > "$work/next.$id"
    done
}

for id in $(seq 0 $((clients - 1))); do echo 0 > "$work/next.$id"; touch "$work/acked.$id"; done
for cycle in $(seq 1 "$cycles"); do
    start_server
    touch "$work/run"
    pids=()
    for id in $(seq 0 $((clients - 1))); do client "$id" "$(cat "$work/next.$id")" & pids+=($!); done
    sleep "0.$((RANDOM % 8 + 2))"
    kill -9 "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    rm -f "$work/run"
    for pid in "${pids[@]}"; do wait "$pid" || true; done
done

acked=$(cat "$work"/acked.* | sort -u)
count=$(grep -c . <<< "$acked" || true)
# Trips stored (one listing per patient) and their booking events (written in the same transaction).
stored=$(for p in $(seq 1 40); do
    "$bin/phapai" --db "$work/phapai.db" trip list --patient "$(printf 'P%03d' "$p")" --json
done | sed -n 's/^    "id": \([0-9]*\),$/\1/p' | sort -u)
events=$("$bin/phapai" --db "$work/phapai.db" audit --limit 10000 --json | sed -n 's/.*"entity": "trip:\([0-9]*\)".*/\1/p' | sort -u)
# Acknowledged but not both stored and audited (set difference; no pipeline that can race).
lost=$(comm -23 <(echo "$acked") <(comm -12 <(echo "$stored") <(echo "$events")))
missing=$(grep -c . <<< "$lost" || true)
[ "$missing" -eq 0 ] || echo "crash: acknowledged trips missing: $(tr '\n' ' ' <<< "$lost")" >&2
# The online backup runs PRAGMA integrity_check on the copy it writes.
"$bin/phapai" --db "$work/phapai.db" backup "$work/check.db" >/dev/null
echo "crash: $cycles kill -9 cycles, $clients clients, $count acknowledged bookings checked, $missing missing, integrity ok"
[ "$missing" -eq 0 ]
