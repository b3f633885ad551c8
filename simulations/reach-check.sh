#!/usr/bin/env bash
# Checks, end to end on this machine, the way docs/deployment.md tells tambon offices and drivers to
# reach a provincial phapaid: the server bound to loopback, reached only through an SSH tunnel.
#
#   simulations/reach-check.sh
#
# It installs what is missing (openssh-server and openssh-client, with apt-get; sudo only when not
# root), builds phapaid and phapai if needed, and then, everything in one temporary folder and no
# system configuration touched:
#   1. makes a demo database (phapai demo) and a dispatcher login whose token goes to a 0600 file;
#   2. starts phapaid on 127.0.0.1 (port chosen by the system);
#   3. starts a throwaway sshd on a high loopback port with a new host key, accepting one new key
#      for the current user, and opens `ssh -N -L FWD:127.0.0.1:PORT` with the host key pinned;
#   4. runs CLI commands through the tunnel (phapai --server 127.0.0.1:FWD --token-file ...) and
#      checks that they answer as on the local file, that a booking made through the tunnel is in
#      the database, and that a wrong token is refused;
#   5. checks that phapaid's log names the user but holds neither the token nor patient data;
#   6. checks that phapaid refuses to listen on 0.0.0.0 without "allowNonLoopback": true.
# Every process it started and every file it made are removed on exit, whatever happens.
# Not part of `swift test` or CI: it needs sshd and changes installed packages.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '== %s\n' "$*"; }
fail() { printf 'reach-check: FAILED: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
missing=""
[ -x /usr/sbin/sshd ] || missing="$missing openssh-server"
command -v ssh >/dev/null 2>&1 || missing="$missing openssh-client"
command -v ssh-keygen >/dev/null 2>&1 || missing="$missing openssh-client"
if [ -n "$missing" ]; then
    step "installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q >/dev/null
    # policy-rc.d is not touched: in a container the package's own service simply does not start,
    # and on a real machine it is the system's sshd, which this check does not use.
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
# sshd run by root wants its privilege-separation folder (the package normally makes it at boot).
if [ "$(id -u)" -eq 0 ] && [ ! -d /run/sshd ]; then
    mkdir -p /run/sshd
    chmod 0755 /run/sshd
fi

bin=.build/debug
if [ ! -x "$bin/phapaid" ] || [ ! -x "$bin/phapai" ]; then
    step "building phapaid and phapai"
    swift build --product phapaid >/dev/null
    swift build --product phapai >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/phapai-reach.XXXXXX")
pids=()
cleanup() {
    local status=$?
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
    if [ $status -eq 0 ]; then echo "reach-check: all checks passed; processes stopped, $work removed"; fi
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits until something accepts connections on 127.0.0.1:$1 (at most 10 s).
wait_for_port() {
    for _ in $(seq 1 200); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    return 1
}
# A random port in 20000-59999 that nothing listens on now.
free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
    done
    return 1
}

step "demo database and a dispatcher login"
export PHAPAI_CONFIG="$PWD/config"
"$bin/phapai" demo --dir "$work/demo" >"$work/demo.out"
db="$work/demo/phapai.db"
umask 077
"$bin/phapai" --db "$db" user add reach --role dispatcher --area sample-tambon 2>/dev/null >"$work/token"
umask 022
token=$(cat "$work/token")
[ ${#token} -eq 64 ] || fail "no token from 'phapai user add'"
[ "$(stat -c %a "$work/token")" = "600" ] || fail "the token file is not 0600"

step "phapaid on 127.0.0.1"
printf '{"listen": "127.0.0.1:0", "database": "%s", "holidays": "%s"}\n' "$db" "$PWD/config/holidays-th.csv" >"$work/phapaid.json"
"$bin/phapaid" --config "$work/phapaid.json" >"$work/phapaid.log" 2>&1 &
pids+=($!)
port=""
for _ in $(seq 1 200); do
    port=$(sed -n 's/^phapaid: listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/phapaid.log")
    [ -n "$port" ] && break
    sleep 0.05
done
[ -n "$port" ] || fail "phapaid did not start: $(cat "$work/phapaid.log")"
echo "phapaid listens on 127.0.0.1:$port"

step "a throwaway sshd on loopback"
mkdir -p "$work/ssh"
ssh-keygen -q -t ed25519 -N "" -C "reach-check host" -f "$work/ssh/host_key"
ssh-keygen -q -t ed25519 -N "" -C "reach-check client" -f "$work/ssh/client_key"
cp "$work/ssh/client_key.pub" "$work/ssh/authorized_keys"
user=$(id -un)
ssh_port=""
for _ in 1 2 3 4 5; do
    candidate=$(free_port) || fail "no free port for sshd"
    cat >"$work/ssh/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $candidate
HostKey $work/ssh/host_key
PidFile $work/ssh/sshd.pid
AuthorizedKeysFile $work/ssh/authorized_keys
AllowUsers $user
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowTcpForwarding local
PermitOpen 127.0.0.1:$port
X11Forwarding no
PermitTTY no
UsePAM no
# The temporary folder lives under /tmp (world-writable): sshd's ownership checks would refuse it.
StrictModes no
EOF
    /usr/sbin/sshd -t -f "$work/ssh/sshd_config" || fail "sshd rejects the test configuration"
    /usr/sbin/sshd -D -e -f "$work/ssh/sshd_config" 2>"$work/ssh/sshd.log" &
    sshd_pid=$!
    if wait_for_port "$candidate" && kill -0 "$sshd_pid" 2>/dev/null; then
        pids+=("$sshd_pid")
        ssh_port=$candidate
        break
    fi
    kill "$sshd_pid" 2>/dev/null || true
    wait "$sshd_pid" 2>/dev/null || true
done
[ -n "$ssh_port" ] || fail "sshd did not start: $(cat "$work/ssh/sshd.log")"
echo "sshd listens on 127.0.0.1:$ssh_port"

step "the SSH tunnel: ssh -N -L FWD:127.0.0.1:$port"
# The host key is pinned (no trust on first use): what an office's ssh config should do too.
printf '[127.0.0.1]:%s %s\n' "$ssh_port" "$(cut -d' ' -f1,2 "$work/ssh/host_key.pub")" >"$work/ssh/known_hosts"
fwd=""
for _ in 1 2 3 4 5; do
    candidate=$(free_port) || fail "no free port for the tunnel"
    ssh -N -F /dev/null -p "$ssh_port" -i "$work/ssh/client_key" \
        -o IdentitiesOnly=yes -o UserKnownHostsFile="$work/ssh/known_hosts" -o StrictHostKeyChecking=yes \
        -o BatchMode=yes -o ExitOnForwardFailure=yes -o ServerAliveInterval=30 \
        -L "127.0.0.1:$candidate:127.0.0.1:$port" "$user@127.0.0.1" 2>"$work/ssh/ssh.log" &
    ssh_pid=$!
    if wait_for_port "$candidate" && kill -0 "$ssh_pid" 2>/dev/null; then
        pids+=("$ssh_pid")
        fwd=$candidate
        break
    fi
    kill "$ssh_pid" 2>/dev/null || true
    wait "$ssh_pid" 2>/dev/null || true
done
[ -n "$fwd" ] || fail "the tunnel did not open: $(cat "$work/ssh/ssh.log")"
echo "the tunnel listens on 127.0.0.1:$fwd"

step "the CLI through the tunnel"
remote=("$bin/phapai" --server "127.0.0.1:$fwd" --token-file "$work/token")
"${remote[@]}" patient list >"$work/remote.txt"
"$bin/phapai" --db "$db" patient list >"$work/local.txt"
cmp -s "$work/remote.txt" "$work/local.txt" || fail "patient list through the tunnel differs from the local file"
echo "patient list: $(wc -l <"$work/remote.txt") lines, the same through the tunnel as on the file"
"${remote[@]}" patient show P004 --json >"$work/p004.json"
grep -q '"id" *: *"P004"' "$work/p004.json" || fail "patient show P004 through the tunnel: $(head -c 300 "$work/p004.json")"
# A weekday more than a week ahead: vehicles are on shift, and the demo's own day is not touched.
for ahead in 8 9 10 11 12 13 14; do
    day=$(date -d "+$ahead days" +%F)
    [ "$(date -d "$day" +%u)" -le 5 ] && break
done
"${remote[@]}" trip book --patient P004 --to H-COMM --appointment "$day 09:00" --notes "reach-check" >"$work/booked.txt" \
    || fail "a booking through the tunnel was refused: $(cat "$work/booked.txt")"
"$bin/phapai" --db "$db" trip list --date "$day" >"$work/day.txt"
grep -q "P004" "$work/day.txt" || fail "the booking made through the tunnel is not in the database"
echo "trip book through the tunnel: stored (phapai --db ... trip list --date $day shows P004)"
printf '%064d\n' 0 >"$work/bad-token"
chmod 600 "$work/bad-token"
set +e
"$bin/phapai" --server "127.0.0.1:$fwd" --token-file "$work/bad-token" patient list >"$work/bad.txt" 2>&1
bad_status=$?
set -e
[ $bad_status -ne 0 ] && grep -q "\[BAD_TOKEN\]" "$work/bad.txt" \
    || fail "a wrong token was not refused (exit $bad_status): $(cat "$work/bad.txt")"
echo "a wrong token through the tunnel: refused (exit $bad_status): $(cat "$work/bad.txt")"

step "phapaid's log"
grep -q "user=reach verb=TRIP.BOOK" "$work/phapaid.log" || fail "the booking is not in phapaid's log"
! grep -q "$token" "$work/phapaid.log" || fail "phapaid's log holds the token"
for secret in "reach-check" "บุญส่ง" "P004"; do
    ! grep -q "$secret" "$work/phapaid.log" || fail "phapaid's log holds '$secret'"
done
echo "the log names the user and the verbs; no token, no patient name, id or note"

step "phapaid refuses 0.0.0.0 without allowNonLoopback"
printf '{"listen": "0.0.0.0:0", "database": "%s"}\n' "$db" >"$work/open.json"
set +e
# Bounded: should it not refuse, it is stopped after 10 s (and the check fails).
timeout 10 "$bin/phapaid" --config "$work/open.json" >"$work/open.out" 2>&1
open_status=$?
set -e
grep -q "NOT_LOOPBACK: listen:" "$work/open.out" && grep -q '"allowNonLoopback": true' "$work/open.out" \
    || fail "phapaid did not refuse 0.0.0.0 (exit $open_status): $(cat "$work/open.out")"
[ $open_status -ne 0 ] || fail "phapaid exited 0 on 0.0.0.0"
echo "refused (exit $open_status): $(cut -c1-110 "$work/open.out")..."
