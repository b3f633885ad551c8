import PhapaiCore


extension Store {
    /// Stores a driver's report.
    public func insertTripEvent(_ event: TripEvent) throws {
        try run(
            "INSERT INTO trip_events (trip_id, kind, at, odometer_km, recorded_at) VALUES (?, ?, ?, ?, ?)",
            [.integer(event.trip.rawValue), .text(event.kind.rawValue), .integer(event.at.rawValue),
             event.odometer.map { .real($0) } ?? .null, .integer(event.recordedAt.rawValue)])
    }

    /// Removes one report (undo).
    public func deleteTripEvent(_ id: Int64) throws {
        try run("DELETE FROM trip_events WHERE id = ?", [.integer(id)])
    }

    /// The reports of a trip, oldest first.
    public func tripEvents(_ trip: TripID) throws -> [TripEvent] {
        try query(
            "SELECT id, trip_id, kind, at, odometer_km, recorded_at FROM trip_events WHERE trip_id = ? ORDER BY id", [.integer(trip.rawValue)]
        ) { row in
            TripEvent(
                id: row.int64(0), trip: TripID(row.int64(1)),
                kind: try Store.decode(TripEvent.Kind.self, row.text(2), table: "trip_events", column: "kind", what: "a kind of report"),
                at: Instant(rawValue: row.int64(3)), odometer: row.isNull(4) ? nil : row.double(4), recordedAt: Instant(rawValue: row.int64(5)))
        }
    }

    /// Sets the locked flag of one stop of a trip in its run.
    public func lockStop(trip: TripID, action: RunStop.Action, locked: Bool) throws {
        try run("UPDATE run_stops SET locked = ? WHERE trip_id = ? AND action = ?", [.integer(locked ? 1 : 0), .integer(trip.rawValue), .text(action.rawValue)])
    }
}

extension Store {
    /// Every report of the trips of `date`, by trip, oldest first.
    public func tripEvents(on date: LocalDate) throws -> [TripID: [TripEvent]] {
        let events = try query(
            """
            SELECT e.id, e.trip_id, e.kind, e.at, e.odometer_km, e.recorded_at FROM trip_events e
            JOIN trips t ON t.id = e.trip_id WHERE t.service_date = ? ORDER BY e.id
            """, [.text(date.iso)]
        ) { row in
            TripEvent(
                id: row.int64(0), trip: TripID(row.int64(1)),
                kind: try Store.decode(TripEvent.Kind.self, row.text(2), table: "trip_events", column: "kind", what: "a kind of report"),
                at: Instant(rawValue: row.int64(3)), odometer: row.isNull(4) ? nil : row.double(4), recordedAt: Instant(rawValue: row.int64(5)))
        }
        return Dictionary(grouping: events, by: \.trip)
    }
}

extension Store {
    /// Pins a trip to a vehicle (nil: any vehicle).
    public func assignTrip(_ trip: TripID, to vehicle: VehicleID?) throws {
        try run("UPDATE trips SET assigned_vehicle_id = ? WHERE id = ?", [.optionalText(vehicle?.rawValue), .integer(trip.rawValue)])
    }

    /// Manual assignments of the trips of `date`.
    public func assignments(on date: LocalDate) throws -> [TripID: VehicleID] {
        let pairs = try query(
            "SELECT id, assigned_vehicle_id FROM trips WHERE service_date = ? AND assigned_vehicle_id IS NOT NULL", [.text(date.iso)]
        ) { (TripID($0.int64(0)), VehicleID(unchecked: $0.text(1))) }
        return Dictionary(uniqueKeysWithValues: pairs)
    }

    /// Sets the windows of a trip (a will-call return released by the clinic).
    public func updateTripTiming(_ trip: TripID, requestedPickup: Instant, pickup: TimeWindow, dropoff: TimeWindow, at: Instant) throws {
        try run(
            "UPDATE trips SET requested_pickup_at = ?, pickup_earliest = ?, pickup_latest = ?, dropoff_earliest = ?, dropoff_latest = ?, updated_at = ? WHERE id = ?",
            [.integer(requestedPickup.rawValue), .integer(pickup.earliest.rawValue), .integer(pickup.latest.rawValue),
             .integer(dropoff.earliest.rawValue), .integer(dropoff.latest.rawValue), .integer(at.rawValue), .integer(trip.rawValue)])
    }

    /// Replaces the stops of one run (same run id), keeping the others.
    public func setLocks(run: Int64, throughSequence last: Int?, fromSequence first: Int?, locked: Bool) throws {
        if let last {
            try self.run("UPDATE run_stops SET locked = ? WHERE run_id = ? AND sequence <= ?", [.integer(locked ? 1 : 0), .integer(run), .integer(Int64(last))])
        }
        if let first {
            try self.run("UPDATE run_stops SET locked = ? WHERE run_id = ? AND sequence >= ?", [.integer(locked ? 1 : 0), .integer(run), .integer(Int64(first))])
        }
    }
}


extension Store {
    /// Adds or replaces imported travel times.
    public func upsertMatrix(_ entries: [MatrixEntry]) throws {
        for entry in entries {
            try run(
                "INSERT INTO travel_matrix (from_place, to_place, seconds, meters) VALUES (?, ?, ?, ?) ON CONFLICT (from_place, to_place) DO UPDATE SET seconds = excluded.seconds, meters = excluded.meters",
                [.text(entry.from.rawValue), .text(entry.to.rawValue), .real(entry.seconds), entry.meters.map { .real($0) } ?? .null])
        }
    }

    /// Every imported travel time, by (from, to).
    public func matrix() throws -> [PlaceID: [PlaceID: MatrixEntry]] {
        var table: [PlaceID: [PlaceID: MatrixEntry]] = [:]
        let entries = try query("SELECT from_place, to_place, seconds, meters FROM travel_matrix", [], Store.readMatrixEntry)
        for entry in entries { table[entry.from, default: [:]][entry.to] = entry }
        return table
    }

    /// The imported travel time from one place to another, if any.
    public func matrixEntry(from: PlaceID, to: PlaceID) throws -> MatrixEntry? {
        try query(
            "SELECT from_place, to_place, seconds, meters FROM travel_matrix WHERE from_place = ? AND to_place = ?",
            [.text(from.rawValue), .text(to.rawValue)], Store.readMatrixEntry
        ).first
    }

    static func readMatrixEntry(_ row: SQLiteStatement) -> MatrixEntry {
        MatrixEntry(from: PlaceID(unchecked: row.text(0)), to: PlaceID(unchecked: row.text(1)), seconds: row.double(2),
                    meters: row.isNull(3) ? nil : row.double(3))
    }
}
