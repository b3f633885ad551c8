#!/bin/sh
# Ours against OR-Tools on the 100-, 300- and 1,000-request days of simulations/darp-days, each
# solver given SECONDS of wall clock (default 60). Run from anywhere; on a quiet machine for figures
# worth quoting. Solutions go to Tests/ortools/out/.
set -e
seconds=${1:-60}
cd "$(dirname "$0")/../.."
python3 -c "import ortools" 2>/dev/null || { echo "compare.sh: needs OR-Tools for Python: pip install ortools" >&2; exit 1; }
swift build -c release --product phapai-bench
exec python3 Tests/ortools/compare.py --time "$seconds" --bench .build/release/phapai-bench --out Tests/ortools/out \
    simulations/darp-days/n100-narrow-s21.txt simulations/darp-days/n300-narrow-s22.txt simulations/darp-days/n1000-narrow-s23.txt
