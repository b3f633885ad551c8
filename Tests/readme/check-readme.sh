#!/usr/bin/env bash
# Every command of the README, run in order as a new user would, on a fresh database in a new
# folder, with release builds: the two commands, the tour (its clock fixed by PHAPAI_NOW, so it
# works on any day), the server and the CLI over it, the load tester, the simulations and the
# benchmarks. `swift test` is the one command not run here: .ci/run runs it before this.
#
# `swift run X` runs the release build of X; `swift run phapaid` starts the server in the
# background (as in "a terminal of its own") and waits until it listens; a second one stops the
# first. The DARP benchmark needs ../shared/darp beside the checkout, and says so when it is not.
#
#   Tests/readme/check-readme.sh          (.ci/run runs it)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
swift build -c release 2>&1 | tail -1
bin="$repo/.build/release"

work="$repo/.build/readme-check"
rm -rf "$work"
mkdir -p "$work"
ln -s "$repo/config" "$work/config"
ln -s "$repo/simulations" "$work/simulations"
ln -s "$repo/.build" "$work/.build"
# ../shared as the README sees it from the checkout: beside it.
rm -f "$repo/.build/shared"
if [ -d "$repo/../shared" ]; then ln -s "$repo/../shared" "$repo/.build/shared"; fi

# The README's sh blocks, one after another.
python3 - "$repo/README.md" >"$work/readme.sh" <<'PY'
import sys
lines, inside = [], False
for line in open(sys.argv[1], encoding="utf-8"):
    if line.rstrip() == "```sh":
        inside = True
        continue
    if inside and line.startswith("```"):
        inside = False
        continue
    if inside:
        lines.append(line)
sys.stdout.write("".join(lines))
PY
if [ ! -d "$repo/../shared/darp" ]; then
    echo "readme: ../shared/darp is not beside the checkout: the DARP benchmark line is skipped"
    sed -i 's#^\.build/release/phapai-bench darp #: skipped: phapai-bench darp #' "$work/readme.sh"
fi

# `phapai` and `swift` as the README uses them, on the release builds.
cat >"$work/prelude.sh" <<'SH'
server_pid=""
phapai() { "$bin/phapai" "$@"; }
stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}
swift() {
    case "$1" in
        run)
            shift
            local product=$1
            shift
            if [ "$product" = phapaid ]; then
                stop_server
                "$bin/phapaid" "$@" >phapaid.log 2>&1 &
                server_pid=$!
                for _ in $(seq 100); do
                    if grep -q "listening" phapaid.log; then return 0; fi
                    sleep 0.1
                done
                echo "readme: phapaid did not start:" >&2
                cat phapaid.log >&2
                return 1
            fi
            "$bin/$product" "$@"
            ;;
        build) return 0 ;;
        test) echo "readme: swift test is run by .ci/run" ;;
        *)
            echo "readme: swift $1 is not expected here" >&2
            return 1
            ;;
    esac
}
SH

cd "$work"
start=$(date +%s)
status=0
env -i PATH="/usr/bin:/bin" HOME="$work" LANG=C.UTF-8 USER=readme bin="$bin" bash -c '
    set -e
    source ./prelude.sh
    trap stop_server EXIT
    trap '\''echo "readme: FAILED: $BASH_COMMAND" >&2'\'' ERR
    source ./readme.sh' >"$work/output.txt" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
    tail -40 "$work/output.txt" >&2
    echo "readme: a command of the README failed (output in $work/output.txt)" >&2
    exit 1
fi
echo "readme: every command of the README ran in $(($(date +%s) - start)) s (output in .build/readme-check/output.txt)"
