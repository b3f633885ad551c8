#!/usr/bin/env bash
# Crash safety of phapaid: under concurrent booking load, kill -9 the server at a random moment,
# restart it, and repeat; then check that every booking the server acknowledged is in the
# database and that SQLite's integrity check passes. Loopback only; bounded in count and time.
# Every booking carries a request id (--rid); one whose answer did not come (the server died) is
# retried with the same id once the server is back, and must get its original trip: never a
# DOUBLE_BOOKING, never a second trip. Every fourth cycle the server kills itself right after a
# commit (PHAPAI_FAULT=store.after-commit), so some answers are surely lost after their write.
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
export PHAPAI_TOKEN=$("$bin/phapai" --db "$work/phapai.db" user add crash --role admin 2>/dev/null)
printf '{"listen": "127.0.0.1:0", "database": "%s", "holidays": "%s"}\n' "$work/phapai.db" "$PWD/config/holidays-th.csv" > "$work/phapaid.json"

# Starts phapaid with its log in server.LABEL.log (each run keeps its own, to be read at the end);
# a second argument is put in PHAPAI_FAULT.
start_server() {
    local log="$work/server.$1.log"
    # Made here: the server's shell opens it only after this one has started to read it.
    : > "$log"
    # Started by a subshell that exits at once, so it is no job of this shell: a death by the fault
    # is not reported on the terminal, and /proc tells whether it still runs.
    server_pid=$(PHAPAI_FAULT="${2:-}" "$bin/phapaid" --config "$work/phapaid.json" > "$log" 2>&1 & echo $!)
    for _ in $(seq 1 100); do
        port=$(sed -n 's/^phapaid: listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$log")
        [ -n "$port" ] && return 0
        sleep 0.05
    done
    echo "crash: phapaid did not start" >&2
    cat "$log" >&2
    exit 1
}

# Whether the server runs: its process exists and is not a zombie.
alive() {
    local pid comm state
    read -r pid comm state _ 2>/dev/null < "/proc/$server_pid/stat" || return 1
    [ "$state" != Z ]
}

# Stops the server with a signal (KILL, or TERM to let it finish its round and its log).
stop_server() {
    kill "-$1" "$server_pid" 2>/dev/null || true
    while alive; do sleep 0.01; done
    server_pid=""
}

# The days ahead, fixed once: a retry must send what the first attempt sent, even past midnight.
days=($(for d in $(seq 1 20); do date -d "+$d days" +%F; done))
slots=(08:00 11:00 14:00 17:00)
# Each client's bookings are distinct up to this many (patient, day, slot); it books no more, so
# a DOUBLE_BOOKING can only mean that a retry was done twice.
distinct=800

# One attempt at booking N of client ID with its request id. Acknowledged (0): the trip is noted.
# Refused (another code, e.g. NO_SHIFT on a Sunday): done with it. No answer (5: the server died
# or answered 451): in doubt, retried with the same rid. A retry that is refused as a double
# booking, or as a reuse of its rid, is a failure.
attempt() {
    local id=$1 n=$2 status=0 out
    local patient=$(printf 'P%03d' $((id * 10 + n % 10 + 1)))
    local day=${days[$(((n / 10) % 20))]}
    local slot=${slots[$(((n / 200) % 4))]}
    out=$("$bin/phapai" --server "127.0.0.1:$port" trip book --patient "$patient" --to HC-NATHONG \
        --appointment "$day $slot" --rid "crash-$id-$n" --json 2>"$work/err.$id") || status=$?
    if [ -e "$work/doubt.$id" ] && [ "$status" -ne 5 ]; then
        # A retry that got an answer.
        echo "$n $status" >> "$work/retries.$id"
        if grep -qE '\[(DOUBLE_BOOKING|RID_REUSED)\]' "$work/err.$id"; then
            echo "client $id booking $n: $(cat "$work/err.$id")" >> "$work/failures"
        fi
    fi
    if [ "$status" -eq 5 ]; then
        touch "$work/doubt.$id"
        return 1
    fi
    rm -f "$work/doubt.$id"
    # Acknowledged: the reply names the trip after its COMMIT (the first "id" of the JSON is the outbound's).
    [ "$status" -eq 0 ] && echo "$out" | grep -m1 -o '"id": [0-9]*' | grep -o '[0-9]*' >> "$work/acked.$id"
    echo $((n + 1)) > "$work/next.$id"
}

# Each client books its own patients, a free slot at a time: patient, day ahead, slot.
client() {
    local id=$1
    while [ -e "$work/run" ]; do
        local n=$(cat "$work/next.$id")
        if [ "$n" -ge "$distinct" ]; then sleep 0.1; continue; fi
        # No server (yet, or any more): wait a little before the retry.
        attempt "$id" "$n" || sleep 0.05
    done
}

for id in $(seq 0 $((clients - 1))); do echo 0 > "$work/next.$id"; touch "$work/acked.$id" "$work/retries.$id"; done
touch "$work/failures"
faulted=0
for cycle in $(seq 1 "$cycles"); do
    if [ $((cycle % 4)) -eq 0 ]; then
        start_server "$cycle" store.after-commit
        faulted=$((faulted + 1))
    else
        start_server "$cycle"
    fi
    touch "$work/run"
    pids=()
    for id in $(seq 0 $((clients - 1))); do client "$id" & pids+=($!); done
    # A random moment, 0.2-0.9 s; the cycle ends sooner when the fault has killed the server.
    for _ in $(seq 1 $((RANDOM % 8 + 2))); do
        alive || break
        sleep 0.1
    done
    stop_server KILL
    rm -f "$work/run"
    for pid in "${pids[@]}"; do wait "$pid" || true; done
done

# The bookings still in doubt after the last kill: retried once each on a server left running.
start_server final
for id in $(seq 0 $((clients - 1))); do
    if [ -e "$work/doubt.$id" ]; then attempt "$id" "$(cat "$work/next.$id")" || true; fi
done
# SIGTERM: it finishes the round and writes its log, which counts the replays.
stop_server TERM
undecided=$(ls "$work" | grep -c '^doubt\.' || true)
retries=$(cat "$work"/retries.* | grep -c . || true)
# Retries answered from the kept answer: their original was committed, its answer lost.
replayed=$(cat "$work"/server.*.log | grep -c ' replayed=yes ' || true)
failures=$(grep -c . "$work/failures" || true)
[ "$failures" -eq 0 ] || { echo "crash: retries refused as double bookings or reused rids:" >&2; cat "$work/failures" >&2; }

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
# Stored but never acknowledged: a booking whose lost answer no retry got back (or a second trip).
orphans=$(comm -13 <(echo "$acked") <(echo "$stored"))
unacked=$(grep -c . <<< "$orphans" || true)
[ "$unacked" -eq 0 ] || echo "crash: trips stored but never acknowledged: $(tr '\n' ' ' <<< "$orphans")" >&2
[ "$undecided" -eq 0 ] || echo "crash: $undecided booking(s) still without an answer after the last retry" >&2
# The fault kills the server after a commit whose answers are lost: their retries must be replays.
[ "$faulted" -eq 0 ] || [ "$replayed" -gt 0 ] || echo "crash: no retry was answered from a kept answer" >&2
# The online backup runs PRAGMA integrity_check on the copy it writes.
"$bin/phapai" --db "$work/phapai.db" backup "$work/check.db" >/dev/null
echo "crash: $cycles kill -9 cycles ($faulted right after a commit), $clients clients, $count acknowledged bookings checked," \
    "$missing missing, $unacked stored unacknowledged; $retries retried with their rid, $replayed answered from the kept answer," \
    "$failures refused as a double booking or a reused rid; integrity ok"
[ "$missing" -eq 0 ] && [ "$unacked" -eq 0 ] && [ "$failures" -eq 0 ] && [ "$undecided" -eq 0 ] \
    && { [ "$faulted" -eq 0 ] || [ "$replayed" -gt 0 ]; }
