#!/usr/bin/env bash
# The pages people read, checked in a real browser: a driver's manifest (run show --html), the
# night-before call list (calls --html), the meeting report (report --html) and the planner's
# simulation report and sweep (phapai-sim) on a phone (390x844) and on A4 (794 px wide), with
# headless Chromium. A small script added to a copy
# of each page measures, in the page, whether anything is wider than the viewport or text runs
# out of its box, and writes the verdict into the DOM, which --dump-dom prints. Screenshots and
# the A4 PDF are kept in simulations/out/pages/ to look at.
#
#   Tests/browser/check-pages.sh      (after `swift build`; .ci/run installs chromium and fonts-thai-tlwg)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=.build/debug/phapai
out=simulations/out/pages
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "pages: chromium is not installed" >&2; exit 1; }

export PHAPAI_NOW='2026-11-20 10:00' PHAPAI_CONFIG="$PWD/config"
db=(--db "$work/phapai.db")
"$bin" "${db[@]}" init >/dev/null
"$bin" "${db[@]}" trip book --patient P004 --to H-COMM --appointment '2026-11-23 09:00' --will-call >/dev/null
"$bin" "${db[@]}" trip book --patient P002 --to H-COMM --appointment '2026-11-23 08:30' --return 11:30 \
    --notes 'ใช้ออกซิเจนพกพา ขอที่นั่งริมหน้าต่าง โทรหาลูกสาวก่อนไปถึง 10 นาที' >/dev/null
"$bin" "${db[@]}" trip book --patient P006 --to H-COMM --appointment '2026-11-23 10:00' --return 13:00 >/dev/null
"$bin" "${db[@]}" trip book --patient P001 --to H-PROV --appointment '2026-11-23 10:00' --return 14:00 >/dev/null
"$bin" "${db[@]}" plan --date 2026-11-23 --iterations 200 >/dev/null
PHAPAI_NOW='2026-11-23 08:20' "$bin" "${db[@]}" trip status 1 arrive --at 08:05 >/dev/null

check='<script>
(function () {
  var problems = [];
  if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push("page " + document.documentElement.scrollWidth + " px wide in " + window.innerWidth);
  document.querySelectorAll("h1, p, td, th, a, small").forEach(function (e) {
    if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).display !== "inline") problems.push(e.tagName + " overflows: " + e.textContent.slice(0, 40));
  });
  document.body.setAttribute("data-check", problems.length ? "FAIL " + problems.join(" | ") : "OK");
})();
</script>'
failed=0
# check NAME PAGE: the page at phone and A4 width, with screenshots and a PDF of it printed.
check() {
    local name=$1 page=$2
    CHECK="$check" python3 -c 'import os, sys; page = open(sys.argv[1], encoding="utf-8").read(); sys.stdout.write(page.replace("</body>", os.environ["CHECK"] + "</body>"))' "$page" >"$page.check.html"
    for size in 390,844 794,1123; do
        verdict=$("$browser" --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=$size --virtual-time-budget=2000 \
            --dump-dom "file://$page.check.html" 2>/dev/null | grep -o 'data-check="[^"]*"' || echo 'data-check="no verdict"')
        "$browser" --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=$size \
            --screenshot="$out/$name-${size/,/x}.png" "file://$page" >/dev/null 2>&1
        echo "pages: $name at ${size/,/x}: $verdict"
        [[ "$verdict" == 'data-check="OK"' ]] || failed=1
    done
    "$browser" --headless=new --no-sandbox --disable-gpu --no-pdf-header-footer --print-to-pdf="$out/$name-A4.pdf" "file://$page" >/dev/null 2>&1
}
for vehicle in $("$bin" "${db[@]}" runs --date 2026-11-23 --json | python3 -c 'import json,sys; print(" ".join(r["vehicle"] for r in json.load(sys.stdin)))'); do
    "$bin" "${db[@]}" run show --date 2026-11-23 --vehicle "$vehicle" --html >"$work/$vehicle.html"
    check "manifest-$vehicle" "$work/$vehicle.html"
done
# The night-before call list.
PHAPAI_NOW='2026-11-22 18:00' "$bin" "${db[@]}" calls --date 2026-11-23 --html >"$work/calls.html"
check calls "$work/calls.html"
# The meeting report over two months, so that it compares them: more journeys on Monday 30
# November and Tuesday 1 December (booked on the 20th, within the booking horizon), each day
# planned, the drivers' reports replayed (one no-show and one trip nobody reported a day) and the
# day closed; 23 November is closed as it stands.
for booking in 'P003 2026-11-30 08:30 11:00' 'P005 2026-11-30 09:00 12:00' 'P011 2026-11-30 09:30 -' 'P017 2026-11-30 10:00 13:30' \
    'P018 2026-11-30 10:30 -' 'P023 2026-11-30 08:00 11:30' 'P026 2026-11-30 09:15 12:15' 'P009 2026-12-01 08:30 11:30' \
    'P010 2026-12-01 09:00 -' 'P027 2026-12-01 09:30 12:30' 'P029 2026-12-01 10:00 -' 'P033 2026-12-01 10:30 13:30' \
    'P030 2026-12-01 08:00 11:00' 'P015 2026-12-01 09:45 12:45'; do
    read -r patient day time back <<<"$booking"
    "$bin" "${db[@]}" trip book --patient "$patient" --to H-COMM --appointment "$day $time" \
        $([ "$back" = - ] || echo "--return $back") >/dev/null
done
# report DAY NOSHOW UNREPORTED LATE: every trip of DAY picked up within its window and dropped off,
# but NOSHOW's patient is not at home, UNREPORTED's trips are never reported and LATE's outbound is
# picked up after its window; then the day closes.
report() {
    local day=$1 noshow=$2 unreported=$3 late=${4:--}
    "$bin" "${db[@]}" runs --date "$day" --json >/dev/null
    PHAPAI_NOW="$day 20:00" "$bin" "${db[@]}" trip list --date "$day" --json | python3 -c '
import json, sys
from datetime import datetime, timedelta
noshow, unreported, late = sys.argv[1], sys.argv[2], sys.argv[3]
steps = []
for trip in json.load(sys.stdin):
    if trip["status"] != "scheduled" or trip["patient"]["id"] == unreported or trip["pickup"]["earliest"] is None:
        continue
    start = datetime.fromisoformat(trip["pickup"]["earliest"]) + timedelta(minutes=10)
    if trip["patient"]["id"] == late and trip["direction"] == "outbound":
        start = datetime.fromisoformat(trip["pickup"]["latest"]) + timedelta(minutes=12)
    if trip["patient"]["id"] == noshow and trip["direction"] == "return":
        continue  # closed by the service when its outbound finds nobody at home
    if trip["patient"]["id"] == noshow:
        steps += [(start, trip["id"], "arrive"), (start + timedelta(minutes=6), trip["id"], "noshow")]
    else:
        steps += [(start, trip["id"], "pickup"), (start + timedelta(minutes=trip["directMinutes"] + 5), trip["id"], "dropoff")]
for at, trip, action in sorted(steps):
    print(trip, action, at.strftime("%H:%M"))
' "$noshow" "$unreported" "$late" | while read -r trip action at; do
        PHAPAI_NOW="$day 20:00" "$bin" "${db[@]}" trip status "$trip" "$action" --at "$at" >/dev/null
    done
    PHAPAI_NOW="$day 20:00" "$bin" "${db[@]}" day close --date "$day" >/dev/null
}
report 2026-11-23 P006 -
"$bin" "${db[@]}" plan --date 2026-11-30 --iterations 200 >/dev/null
"$bin" "${db[@]}" plan --date 2026-12-01 --iterations 200 >/dev/null
report 2026-11-30 P011 P018 P026
report 2026-12-01 P027 - P015
PHAPAI_NOW='2026-12-02 09:00' "$bin" "${db[@]}" report --from 2026-11-01 --to 2026-12-31 --html >"$work/report.html"
check report "$work/report.html"
# The planner's simulation report and sweep, with three and two replications so that intervals are drawn.
.build/debug/phapai-sim run simulations/tambon-baseline.json --days 3 --replications 3 --out "$work/sim" >/dev/null 2>&1
check simulation-report "$work/sim/report.html"
.build/debug/phapai-sim sweep simulations/tambon-baseline.json --fleet 1..2 --days 2 --replications 2 --out "$work/sim-sweep" >/dev/null 2>&1
check simulation-sweep "$work/sim-sweep/sweep.html"
[ "$failed" -eq 0 ] || { echo "pages: a page does not fit" >&2; exit 1; }
echo "pages: every manifest, the call list, the meeting report and the simulation report and sweep fit a phone and A4 (screenshots in $out)"
