#!/usr/bin/env python3
"""Writes an EXAMPLE road matrix for a scenario, and the scenario that uses it.

    python3 simulations/example-matrix.py simulations/tambon-baseline.json

writes simulations/tambon-baseline-roads.csv (`from,to,seconds,meters`, the CSV that
`phapai matrix import` reads) and simulations/tambon-baseline-roads.json (the scenario with
`travel.matrix` naming it). The times are NOT real roads: they come from a made-up two-speed
model, to show how a matrix changes a run. For decisions, use a matrix of real roads, e.g. the
JSON of an OSRM `table` request over the scenario's places (simulations/README.md, "Road
matrix").

The model: road distance = straight line x a circuity that is larger for short hops
(1.25 + 0.45 x exp(-km / 8): village lanes wind, highways less); the first and last 3 km of a
leg are driven at 35 km/h (village roads), the rest at 70 km/h (highway). Places are named as
the simulator names them: hospital ids, TAMBON-DEPOT, TAMBON-VILLAGE.
"""
import json
import math
import sys

EARTH_KM = 6371.0088  # the mean radius PhapaiCore's Geo uses


def straight_km(a, b):
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


def road(a, b):
    line = straight_km(a, b)
    km = line * (1.25 + 0.45 * math.exp(-line / 8))
    local = min(km, 6.0)
    hours = local / 35 + (km - local) / 70
    return round(hours * 3600), round(km * 1000)


def main():
    if len(sys.argv) != 2 or not sys.argv[1].endswith(".json"):
        sys.exit("usage: example-matrix.py SCENARIO.json")
    source = sys.argv[1]
    with open(source, encoding="utf-8") as f:
        scenario = json.load(f)
    if "tambons" not in scenario:
        sys.exit("the scenario must list its tambons (generated tambons are laid out by the simulator)")
    places = [(h["id"], (h["lat"], h["lon"])) for h in scenario["hospitals"]]
    for t in scenario["tambons"]:
        places.append((t["id"] + "-DEPOT", (t["depot"]["lat"], t["depot"]["lon"])))
        places += [(t["id"] + "-" + v["id"], (v["lat"], v["lon"])) for v in t["villages"]]
    stem = source[: -len(".json")] + "-roads"
    lines = ["from,to,seconds,meters"]
    for a, pa in places:
        for b, pb in places:
            if a != b:
                seconds, meters = road(pa, pb)
                lines.append(f"{a},{b},{seconds},{meters}")
    with open(stem + ".csv", "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    scenario["name"] += "-roads"
    scenario["description"] = (
        "EXAMPLE ROAD MATRIX (made up by simulations/example-matrix.py, not real roads): " + scenario.get("description", "")
    )
    scenario["travel"]["matrix"] = stem + ".csv"
    with open(stem + ".json", "w", encoding="utf-8") as f:
        json.dump(scenario, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print(f"wrote {stem}.csv ({len(lines) - 1} pairs) and {stem}.json")


if __name__ == "__main__":
    main()
