import PhapaiCore

extension Store {
    /// What the last call list of `area`'s `date` said of each trip: its window's start and its vehicle.
    public func printedCalls(area: AreaID, date: LocalDate) throws -> [TripID: (earliest: Instant?, vehicle: VehicleID?)] {
        var printed: [TripID: (earliest: Instant?, vehicle: VehicleID?)] = [:]
        for row in try query(
            "SELECT trip_id, pickup_earliest, vehicle_id FROM call_prints WHERE area_id = ? AND date = ?", [.text(area.rawValue), .text(date.iso)],
            { row in (TripID(row.int64(0)), row.isNull(1) ? nil : Instant(rawValue: row.int64(1)), row.textOrNil(2).map { VehicleID(unchecked: $0) }) })
        {
            printed[row.0] = (row.1, row.2)
        }
        return printed
    }

    /// When the call list of `area`'s `date` was last made.
    public func lastCallPrint(area: AreaID, date: LocalDate) throws -> Instant? {
        try connection.scalarInt(
            "SELECT MAX(printed_at) FROM call_prints WHERE area_id = ? AND date = ?", [.text(area.rawValue), .text(date.iso)]
        ).map(Instant.init(rawValue:))
    }

    /// Replaces what the call list of `area`'s `date` says (inside a write).
    public func recordCalls(area: AreaID, date: LocalDate, at time: Instant, _ rows: [(trip: TripID, earliest: Instant?, vehicle: VehicleID?)]) throws {
        try run("DELETE FROM call_prints WHERE area_id = ? AND date = ?", [.text(area.rawValue), .text(date.iso)])
        for row in rows {
            try run(
                "INSERT INTO call_prints (area_id, date, trip_id, pickup_earliest, vehicle_id, printed_at) VALUES (?, ?, ?, ?, ?, ?)",
                [.text(area.rawValue), .text(date.iso), .integer(row.trip.rawValue), .instant(row.earliest),
                 .optionalText(row.vehicle?.rawValue), .integer(time.rawValue)])
        }
    }
}
