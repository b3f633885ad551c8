import PhapaiCore

/// One stop of a planned run.
public struct RunStop: Hashable, Sendable {
    /// Pick the patient up, or drop them off.
    public enum Action: String, Sendable, Hashable { case pickup, dropoff }
    /// Position in the run, from 1.
    public var sequence: Int
    /// The trip served.
    public var trip: TripID
    /// What happens at the stop.
    public var action: Action
    /// Planned start of service.
    public var plannedTime: Instant
    /// A locked stop never moves when the day is re-planned.
    public var locked: Bool

    /// Creates a stop.
    public init(sequence: Int, trip: TripID, action: Action, plannedTime: Instant, locked: Bool) {
        self.sequence = sequence
        self.trip = trip
        self.action = action
        self.plannedTime = plannedTime
        self.locked = locked
    }
}

/// A vehicle's plan for one shift: its stops in order.
public struct Run: Hashable, Sendable {
    /// The run's number (nil before it is stored).
    public var id: Int64?
    /// The day.
    public var date: LocalDate
    /// The shift it fills.
    public var shift: ShiftID
    /// The vehicle.
    public var vehicle: VehicleID
    /// The driver.
    public var driver: DriverID
    /// When it was planned.
    public var plannedAt: Instant
    /// Its stops in visiting order.
    public var stops: [RunStop]

    /// Creates a run.
    public init(id: Int64?, date: LocalDate, shift: ShiftID, vehicle: VehicleID, driver: DriverID, plannedAt: Instant, stops: [RunStop]) {
        self.id = id
        self.date = date
        self.shift = shift
        self.vehicle = vehicle
        self.driver = driver
        self.plannedAt = plannedAt
        self.stops = stops
    }
}

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
            if before[shift] ?? [] != after {
                try recordRunChange(shift, kind: "planned", detail: "stops=\(after.count)", at: time)
            }
        }
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
                    sequence: Int(row.int64(0)), trip: TripID(row.int64(1)), action: RunStop.Action(rawValue: row.text(2)) ?? .pickup,
                    plannedTime: Instant(rawValue: row.int64(3)), locked: row.int64(4) != 0)
            }
            return full
        }
    }
}
