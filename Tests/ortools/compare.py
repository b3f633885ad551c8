#!/usr/bin/env python3
"""Compare phapai's DARP solver with Google OR-Tools' routing solver on Cordeau-format instances.

For each instance and one wall-clock budget:
  1. ours: `phapai-bench darp FILE --time S --seed 1 --out DIR` (or a given .sol file);
  2. OR-Tools: the same constraints in its routing model (below), PARALLEL_CHEAPEST_INSERTION then
     GUIDED_LOCAL_SEARCH for the same budget, written in our .sol format;
  3. both solutions re-checked twice: by `phapai-bench check` (PlanVerifier) and by this script's
     own checker, which solves each route's service start times as a linear program (GLOP).
Prints one table. Not part of the Swift package: run it beside the project (see README.md here).
"""

import argparse
import math
import os
import subprocess
import sys
import time

try:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2
    from ortools.linear_solver import pywraplp
except ImportError:
    sys.exit("compare.py needs OR-Tools for Python: pip install ortools  (tested with 9.15)")

# OR-Tools works in integers. Times are scaled by TIME_SCALE, with every travel time rounded UP and
# every window and limit rounded inward, so a schedule OR-Tools finds in integers is feasible with
# the real (double) travel times too. Costs are scaled separately, rounded to nearest (the cost only
# guides the search; the cost reported is recomputed in doubles).
TIME_SCALE = 100
COST_SCALE = 1000
# Leaving a request out costs this (scaled), far above any route cost: OR-Tools then always has a
# solution to report, and an unserved request shows up in the table instead of "no solution".
UNSERVED_PENALTY = 10**12
TOLERANCE = 1e-6


class Instance:
    """A Cordeau-format instance, read as PhapaiScheduler's CordeauReader reads it."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        rows = []
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                fields = line.split()
                if not fields:
                    continue
                try:
                    rows.append([float(field) for field in fields])
                except ValueError:
                    raise SystemExit(f"{path}, line {number}: every field must be a number")
        if not rows or len(rows[0]) < 5:
            raise SystemExit(f"{path}: the header needs K, n, T, Q, L")
        header, nodes = rows[0], rows[1:]
        if any(len(node) < 7 for node in nodes):
            raise SystemExit(f"{path}: a node line needs id, x, y, service, load, earliest, latest")
        # 1 + 2n node lines without an end depot, 2 + 2n with one (n from the lines, not the header).
        has_end = len(nodes) % 2 == 0
        self.n = (len(nodes) - (2 if has_end else 1)) // 2
        if self.n < 1:
            raise SystemExit(f"{path}: no requests")
        if not has_end:
            nodes.append(nodes[0])
        self.vehicles = int(header[0])
        self.max_duration = header[2]
        self.capacity = int(header[3])
        self.max_ride = header[4]
        self.ids = [int(node[0]) for node in nodes]
        self.x = [node[1] for node in nodes]
        self.y = [node[2] for node in nodes]
        self.service = [node[3] for node in nodes]
        self.load = [int(node[4]) for node in nodes]
        self.earliest = [node[5] for node in nodes]
        self.latest = [node[6] for node in nodes]
        self.count = len(nodes)
        self.end = self.count - 1
        self.node_of_id = {node_id: index for index, node_id in enumerate(self.ids) if 1 <= index <= 2 * self.n}

    def distance(self, a, b):
        return math.hypot(self.x[a] - self.x[b], self.y[a] - self.y[b])

    def route_cost(self, route):
        stops = [0] + route + [self.end]
        return sum(self.distance(stops[i], stops[i + 1]) for i in range(len(stops) - 1))


def solve_with_ortools(instance, seconds, disjunctions=True, first_solution="PARALLEL_CHEAPEST_INSERTION"):
    """Builds OR-Tools' routing model of the instance and searches for `seconds`; returns
    (routes as lists of node indices, seconds spent building the model, wall seconds of the solve
    call: its time limit counts from the search's start, after the model is closed, which takes
    seconds of its own on large instances)."""
    built = time.monotonic()
    n, count = instance.n, instance.count
    manager = pywrapcp.RoutingIndexManager(count, instance.vehicles, [0] * instance.vehicles, [instance.end] * instance.vehicles)
    routing = pywrapcp.RoutingModel(manager)
    cost_matrix = [[0] * count for _ in range(count)]
    time_matrix = [[0] * count for _ in range(count)]
    for a in range(count):
        service = math.ceil(instance.service[a] * TIME_SCALE)
        for b in range(count):
            if a == b:
                continue
            d = instance.distance(a, b)
            cost_matrix[a][b] = round(d * COST_SCALE)
            # Rounded up: OR-Tools' integer schedules stay feasible with the real distances.
            time_matrix[a][b] = service + math.ceil(d * TIME_SCALE)
    cost_callback = routing.RegisterTransitMatrix(cost_matrix)
    routing.SetArcCostEvaluatorOfAllVehicles(cost_callback)
    time_callback = routing.RegisterTransitMatrix(time_matrix)
    horizon = math.floor(max(instance.latest) * TIME_SCALE)
    routing.AddDimension(time_callback, horizon, horizon, False, "time")
    clock = routing.GetDimensionOrDie("time")
    load_callback = routing.RegisterUnaryTransitVector(instance.load)
    routing.AddDimension(load_callback, 0, instance.capacity, True, "load")
    solver = routing.solver()
    for node in range(count):
        early = math.ceil(instance.earliest[node] * TIME_SCALE)
        late = math.floor(instance.latest[node] * TIME_SCALE)
        if early > late:
            raise SystemExit(f"{instance.path}: node {instance.ids[node]}'s window is narrower than {1 / TIME_SCALE} min")
        if node in (0, instance.end):
            for vehicle in range(instance.vehicles):
                index = routing.Start(vehicle) if node == 0 else routing.End(vehicle)
                clock.CumulVar(index).SetRange(early, late)
        else:
            clock.CumulVar(manager.NodeToIndex(node)).SetRange(early, late)
    # Route duration: end-depot service start minus start-depot departure (the start may be late).
    for vehicle in range(instance.vehicles):
        clock.SetSpanUpperBoundForVehicle(math.floor(instance.max_duration * TIME_SCALE), vehicle)
        routing.AddVariableMinimizedByFinalizer(clock.CumulVar(routing.End(vehicle)))
        routing.AddVariableMaximizedByFinalizer(clock.CumulVar(routing.Start(vehicle)))
    max_ride = math.floor(instance.max_ride * TIME_SCALE)
    for request in range(1, n + 1):
        pickup, dropoff = manager.NodeToIndex(request), manager.NodeToIndex(request + n)
        routing.AddPickupAndDelivery(pickup, dropoff)
        solver.Add(routing.VehicleVar(pickup) == routing.VehicleVar(dropoff))
        solver.Add(clock.CumulVar(pickup) <= clock.CumulVar(dropoff))
        # Ride time: drop-off start minus (pickup start + pickup service) <= L.
        # (Service rounded down here: the integer bound is then never looser than the real one.)
        solver.Add(clock.CumulVar(dropoff) - clock.CumulVar(pickup) - math.floor(instance.service[request] * TIME_SCALE) <= max_ride)
        if disjunctions:
            routing.AddDisjunction([pickup], UNSERVED_PENALTY)
            routing.AddDisjunction([dropoff], UNSERVED_PENALTY)
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first_solution)
    parameters.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    parameters.time_limit.FromMilliseconds(int(seconds * 1000))
    build_seconds = time.monotonic() - built
    solving = time.monotonic()
    assignment = routing.SolveWithParameters(parameters)
    solve_seconds = time.monotonic() - solving
    if assignment is None:
        return None, build_seconds, solve_seconds
    routes = []
    for vehicle in range(instance.vehicles):
        index, route = routing.Start(vehicle), []
        index = assignment.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = assignment.Value(routing.NextVar(index))
        routes.append(route)
    return routes, build_seconds, solve_seconds


def solution_text(instance, routes):
    """Our .sol format: `route k: file node ids` per non-empty route, then `cost X`."""
    lines, number, cost = [], 0, 0.0
    for route in routes:
        if route:
            number += 1
            lines.append(f"route {number}: " + " ".join(str(instance.ids[node]) for node in route))
            cost += instance.route_cost(route)
    lines.append(f"cost {cost:.2f}")
    return "\n".join(lines) + "\n"


def read_solution(instance, path):
    """Routes (node indices) of a .sol file; raises ValueError naming the line on a broken file."""
    routes = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line or line.startswith("cost"):
                continue
            if not line.startswith("route") or ":" not in line:
                raise ValueError(f"{path}, line {number}: expected 'route K: ids' or 'cost X'")
            route = []
            for field in line.split(":", 1)[1].split():
                if not field.lstrip("-").isdigit() or int(field) not in instance.node_of_id:
                    raise ValueError(f"{path}, line {number}: '{field}' is not a pickup or drop-off id of the instance")
                route.append(instance.node_of_id[int(field)])
            routes.append(route)
    return [route for route in routes if route]


def lp_check(instance, routes):
    """The independent check: structure and load by counting, timing by one linear program per
    route (variables: service start times; constraints: windows, travel plus service between
    consecutive stops, ride times, route duration). Returns (feasible, served, problems)."""
    n, problems = instance.n, []
    if len(routes) > instance.vehicles:
        problems.append(f"{len(routes)} routes for {instance.vehicles} vehicles")
    seen = {}
    for k, route in enumerate(routes):
        for position, node in enumerate(route):
            if node in seen:
                problems.append(f"node {instance.ids[node]} visited twice")
            seen[node] = (k, position)
    served = 0
    for request in range(1, n + 1):
        pickup, dropoff = seen.get(request), seen.get(request + n)
        if pickup is None and dropoff is None:
            continue
        if pickup is None or dropoff is None or pickup[0] != dropoff[0] or pickup[1] > dropoff[1]:
            problems.append(f"request {instance.ids[request]}: pickup and drop-off not in order on one route")
        else:
            served += 1
    for k, route in enumerate(routes):
        on_board = 0
        for node in route:
            on_board += instance.load[node]
            if on_board > instance.capacity:
                problems.append(f"route {k + 1}: load {on_board} over capacity {instance.capacity} at node {instance.ids[node]}")
        stops = [0] + route + [instance.end]
        lp = pywraplp.Solver.CreateSolver("GLOP")
        start = [lp.NumVar(instance.earliest[node] - TOLERANCE, instance.latest[node] + TOLERANCE, f"b{i}") for i, node in enumerate(stops)]
        for i in range(1, len(stops)):
            a, b = stops[i - 1], stops[i]
            lp.Add(start[i] >= start[i - 1] + instance.service[a] + instance.distance(a, b) - TOLERANCE)
        where = {node: i for i, node in enumerate(stops)}
        for node in route:
            if 1 <= node <= n and node + n in where:
                lp.Add(start[where[node + n]] - start[where[node]] - instance.service[node] <= instance.max_ride + TOLERANCE)
        lp.Add(start[-1] - start[0] <= instance.max_duration + TOLERANCE)
        lp.Minimize(start[-1] - start[0])
        if lp.Solve() != pywraplp.Solver.OPTIMAL:
            problems.append(f"route {k + 1}: no service times meet every window, ride time and the route duration")
    return not problems, served, problems


def bench_check(bench, instance_path, solution_path):
    """`phapai-bench check`: True when it exits 0 (feasible, every request served)."""
    result = subprocess.run([bench, "check", instance_path, solution_path], capture_output=True, text=True)
    return result.returncode == 0, result.stdout + result.stderr


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("instances", nargs="+", help="Cordeau-format instance files")
    parser.add_argument("--time", type=float, default=60, help="wall-clock budget of each solver, seconds (default 60)")
    parser.add_argument("--bench", default=".build/release/phapai-bench", help="the phapai-bench executable")
    parser.add_argument("--seed", type=int, default=1, help="seed of our solver (default 1)")
    parser.add_argument("--out", default="Tests/ortools/out", help="folder for the .sol files (default Tests/ortools/out)")
    parser.add_argument("--first-solution", default="PARALLEL_CHEAPEST_INSERTION",
                        choices=["PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION", "SEQUENTIAL_CHEAPEST_INSERTION",
                                 "PATH_CHEAPEST_ARC", "AUTOMATIC"],
                        help="OR-Tools' first solution strategy (default PARALLEL_CHEAPEST_INSERTION; LOCAL_CHEAPEST_INSERTION builds faster)")
    parser.add_argument("--no-disjunctions", action="store_true", help="no way to leave a request out (OR-Tools may then find nothing)")
    parser.add_argument("--verbose", action="store_true", help="print both checkers' findings")
    arguments = parser.parse_args()
    if not arguments.time > 0:
        parser.error("--time must be a positive number of seconds")
    if not os.access(arguments.bench, os.X_OK):
        parser.error(f"--bench: {arguments.bench} is not an executable (swift build -c release --product phapai-bench)")
    ours_folder = os.path.join(arguments.out, "ours")
    os.makedirs(ours_folder, exist_ok=True)
    rows = []
    for path in arguments.instances:
        instance = Instance(path)
        print(f"{instance.name}: {instance.n} requests, {instance.vehicles} vehicles, {arguments.time:g} s each", file=sys.stderr, flush=True)
        # Ours, through the bench (which writes DIR/NAME.sol).
        ours_path = os.path.join(ours_folder, instance.name + ".sol")
        run = subprocess.run(
            [arguments.bench, "darp", path, "--time", f"{arguments.time:g}", "--seed", str(arguments.seed), "--out", ours_folder],
            capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"phapai-bench darp failed on {path}:\n{run.stderr}")
        # OR-Tools.
        routes, build_seconds, solve_seconds = solve_with_ortools(
            instance, arguments.time, disjunctions=not arguments.no_disjunctions, first_solution=arguments.first_solution)
        ortools_path = os.path.join(arguments.out, instance.name + ".ortools.sol")
        if routes is not None:
            with open(ortools_path, "w", encoding="utf-8") as handle:
                handle.write(solution_text(instance, routes))
        row = {"instance": instance.name, "requests": instance.n, "budget": arguments.time, "solve": solve_seconds}
        print(f"  OR-Tools' model built in {build_seconds:.1f} s, solved in {solve_seconds:.1f} s of wall clock", file=sys.stderr, flush=True)
        for label, solution in (("ours", ours_path), ("ortools", ortools_path if routes is not None else None)):
            if solution is None:
                row[label] = None
                continue
            read = read_solution(instance, solution)
            bench_ok, bench_output = bench_check(arguments.bench, path, solution)
            lp_ok, served, problems = lp_check(instance, read)
            row[label] = {"cost": sum(instance.route_cost(route) for route in read), "served": served,
                          "routes": len(read), "bench": bench_ok, "lp": lp_ok and served == instance.n}
            if arguments.verbose or not (bench_ok and lp_ok):
                print(f"--- {label} on {instance.name}: phapai-bench check says\n{bench_output}"
                      f"--- LP checker: {'feasible' if lp_ok else 'INFEASIBLE'}, served {served}/{instance.n}", file=sys.stderr)
                for problem in problems[:10]:
                    print("  " + problem, file=sys.stderr)
        rows.append(row)
    print_table(rows)
    # Exit 0 only when both solutions of every instance pass both checkers.
    return 0 if all(row[label] and row[label]["bench"] and row[label]["lp"] for row in rows for label in ("ours", "ortools")) else 1


def print_table(rows):
    header = ["instance", "requests", "budget-s", "ortools-wall-s", "our-cost", "ortools-cost", "diff%", "served ours/ortools", "verified ours/ortools"]
    lines = [header]
    for row in rows:
        ours, theirs = row["ours"], row["ortools"]
        def cost(side):
            return f"{side['cost']:.2f}" if side else "none"
        def verdict(side):
            # Both checkers, in order: phapai-bench check, then the LP checker.
            return ("yes" if side["bench"] else "NO") + "+" + ("yes" if side["lp"] else "NO") if side else "-"
        # A difference of costs means something only when both serve every request.
        whole = ours and theirs and ours["served"] == theirs["served"] == row["requests"] and ours["cost"] > 0
        difference = f"{(theirs['cost'] - ours['cost']) / ours['cost'] * 100:+.2f}" if whole else "-"
        served = f"{ours['served'] if ours else 0}/{theirs['served'] if theirs else 0} of {row['requests']}"
        lines.append([row["instance"], str(row["requests"]), f"{row['budget']:g}", f"{row['solve']:.1f}", cost(ours), cost(theirs), difference, served,
                      f"{verdict(ours)} / {verdict(theirs)}"])
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    for line in lines:
        print("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(line)))
    print("ortools-wall-s = OR-Tools' solve call in wall clock (its limit starts after the model is closed); "
          "diff% = (OR-Tools - ours) / ours, when both serve every request; verified = phapai-bench check + LP checker (GLOP), each 'yes' when feasible with every request served")


if __name__ == "__main__":
    sys.exit(main())
