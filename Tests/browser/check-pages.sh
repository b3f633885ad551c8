#!/usr/bin/env bash
# The pages people read, checked in a real browser: a driver's manifest (run show --html) and the
# night-before call list (calls --html) on a phone (390x844) and on A4 (794 px wide), with
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
[ "$failed" -eq 0 ] || { echo "pages: a page does not fit" >&2; exit 1; }
echo "pages: every manifest and the call list fit a phone and A4 (screenshots in $out)"
