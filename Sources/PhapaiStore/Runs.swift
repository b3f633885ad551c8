import PhapaiCore

extension Store {
    /// Replaces the runs of `date` with `runs` (inside a write), and records a numbered change for
    /// each run whose stops changed, for those who watch it. With `shifts`, only the runs of those
    /// shifts are replaced (one area's day); without, every run of the day.
    public func replaceRuns(on date: LocalDate, with runs: [Run], shifts: Set<ShiftID>? = nil, at time: Instant) throws {
        let scope = try shifts ?? Set(self.runs(on: date).map(\.shift)).union(runs.map(\.shift))
        precondition(runs.allSatisfy { scope.contains($0.shift) }, "a run outside the replaced shifts")
        let before = Dictionary(uniqueKeysWithValues: try self.runs(on: date).filter { scope.contains($0.shift) }.map { ($0.shift, $0.stops) })
        for shift in scope.sorted() {
            try run("DELETE FROM run_stops WHERE run_id IN (SELECT id FROM runs WHERE date = ? AND shift_id = ?)", [.text(date.iso), .integer(shift.rawValue)])
            try run("DELETE FROM runs WHERE date = ? AND shift_id = ?", [.text(date.iso), .integer(shift.rawValue)])
        }
        for plan in runs {
            try run(
                "INSERT INTO runs (date, shift_id, vehicle_id, driver_id, planned_at) VALUES (?, ?, ?, ?, ?)",
                [.text(plan.date.iso), .integer(plan.shift.rawValue), .text(plan.vehicle.rawValue), .text(plan.driver.rawValue),
                 .integer(plan.plannedAt.rawValue)])
            let id = connection.lastInsertRowID
            for stop in plan.stops {
                try run(
                    "INSERT INTO run_stops (run_id, sequence, trip_id, action, planned_time, locked) VALUES (?, ?, ?, ?, ?, ?)",
                    [.integer(id), .integer(Int64(stop.sequence)), .integer(stop.trip.rawValue), .text(stop.action.rawValue),
                     .integer(stop.plannedTime.rawValue), .integer(stop.locked ? 1 : 0)])
            }
        }
        for shift in scope.sorted() {
            let after = runs.first { $0.shift == shift }?.stops ?? []
            let old = before[shift] ?? []
            if old != after {
                try recordRunChange(shift, kind: "planned", detail: Self.changeDetail(old, after), at: time)
            }
        }
    }

    /// What a re-plan changed on a run, for its watchers: how many stops it has, the stops that
    /// are new or moved (`trip:action:planned-time`, the time in seconds since 1970), and the
    /// trips no longer on it. Identifiers and times only.
    static func changeDetail(_ old: [RunStop], _ new: [RunStop]) -> String {
        let previous = Dictionary(old.map { ("\($0.trip):\($0.action.rawValue)", $0) }, uniquingKeysWith: { first, _ in first })
        let changed = new.filter { stop in
            guard let was = previous["\(stop.trip):\(stop.action.rawValue)"] else { return true }
            return was.plannedTime != stop.plannedTime || was.locked != stop.locked
        }
        let kept = Set(new.map(\.trip))
        let removed = Set(old.map(\.trip)).subtracting(kept).map(\.rawValue).sorted()
        var detail = "stops=\(new.count)"
        if !changed.isEmpty {
            detail += " changed=" + changed.map { "\($0.trip):\($0.action.rawValue):\($0.plannedTime.rawValue)" }.joined(separator: ",")
        }
        if !removed.isEmpty { detail += " removed=" + removed.map(String.init).joined(separator: ",") }
        return detail
    }

    /// The runs of `date`, ordered by vehicle, with their stops in order.
    public func runs(on date: LocalDate) throws -> [Run] {
        let headers = try query(
            "SELECT id, date, shift_id, vehicle_id, driver_id, planned_at FROM runs WHERE date = ? ORDER BY vehicle_id, shift_id",
            [.text(date.iso)]
        ) { row in
            Run(
                id: row.int64(0), date: try LocalDate.parse(row.text(1), field: "date"), shift: ShiftID(row.int64(2)),
                vehicle: VehicleID(unchecked: row.text(3)), driver: DriverID(unchecked: row.text(4)),
                plannedAt: Instant(rawValue: row.int64(5)), stops: [])
        }
        return try headers.map { header in
            var full = header
            full.stops = try query(
                "SELECT sequence, trip_id, action, planned_time, locked FROM run_stops WHERE run_id = ? ORDER BY sequence",
                [.integer(header.id!)]
            ) { row in
                RunStop(
                    sequence: Int(row.int64(0)), trip: TripID(row.int64(1)),
                    action: try Store.decode(RunStop.Action.self, row.text(2), table: "run_stops", column: "action", what: "a stop action"),
                    plannedTime: Instant(rawValue: row.int64(3)), locked: row.int64(4) != 0)
            }
            return full
        }
    }
}
