import PhapaiApp
import PhapaiCore
import PhapaiProtocol
import PhapaiService

/// A result's final line on the wire: a keyword saying what happened and the key fields a
/// program acts on (ids, times in ISO 8601 with their offset, vehicles, counts), so that no
/// client has to read the text meant for people.
struct WireResult {
    var keyword: String
    var fields: [Request.Argument] = []

    init(_ result: CommandResult, offset: UTCOffset) {
        func time(_ instant: Instant) -> String { offset.iso8601(instant) }
        func ids(_ trips: [Trip]) -> String { trips.map { String($0.id!.rawValue) }.joined(separator: ",") }
        switch result {
        case .placeAdded(let place): self.init("ADDED", ("place", place.id.rawValue))
        case .places(let places): self.init("PLACES", ("count", String(places.count)))
        case .patientAdded(let patient): self.init("REGISTERED", ("patient", patient.id.rawValue))
        case .patient(let patient, let upcoming): self.init("PATIENT", ("patient", patient.id.rawValue), ("upcoming", ids(upcoming)))
        case .patients(let patients): self.init("PATIENTS", ("count", String(patients.count)))
        case .patientEdited(let result):
            self.init("UPDATED", ("patient", result.patient.id.rawValue), ("changed", result.changed.joined(separator: ",")),
                      ("trips", ids(result.trips)))
        case .vehicleAdded(let vehicle): self.init("ADDED", ("vehicle", vehicle.id.rawValue))
        case .vehicles(let vehicles): self.init("VEHICLES", ("count", String(vehicles.count)))
        case .driverAdded(let driver): self.init("ADDED", ("driver", driver.id.rawValue))
        case .driverLinked(let driver, let link): self.init("LINKED", ("driver", driver.id.rawValue), ("link", link))
        case .driverUnlinked(let id): self.init("REVOKED", ("driver", id.rawValue))
        case .drivers(let drivers): self.init("DRIVERS", ("count", String(drivers.count)))
        case .shiftAdded(let shift): self.init("ADDED", ("shift", String(shift.id!.rawValue)))
        case .shifts(let shifts): self.init("SHIFTS", ("count", String(shifts.count)))
        case .booked(let booked):
            self.init("BOOKED")
            addJourney(booked.trips, placements: booked.placements, offset: offset)
        case .trip(let trip):
            self.init("TRIP", ("trip", String(trip.id!.rawValue)), ("status", trip.status.rawValue))
            addWindow("pickup", trip.pickupWindow, offset: offset)
        case .trips(let trips, _): self.init("TRIPS", ("count", String(trips.count)))
        case .cancelled(let result):
            self.init("CANCELLED", ("trips", ids(result.trips)), ("replanned", result.replan == nil ? "no" : "yes"))
        case .statusReported(let change, _):
            self.init("REPORTED", ("trip", String(change.trip.id!.rawValue)), ("status", change.trip.status.rawValue))
            if !change.alsoChanged.isEmpty { add("also", ids(change.alsoChanged)) }
            add("replanned", change.replan == nil ? "no" : "yes")
        case .released(let result):
            self.init("RELEASED", ("trip", String(result.trip.id!.rawValue)))
            addWindow("pickup", result.trip.pickupWindow, offset: offset)
            if let placement = result.placement {
                add("vehicle", placement.vehicle.rawValue)
                add("planned-pickup", time(placement.pickupTime))
            } else {
                add("placed", "no")
            }
        case .assigned(let id, let vehicle, let result):
            self.init("ASSIGNED", ("trip", String(id.rawValue)), ("vehicle", vehicle.rawValue))
            if let placement = result.placement { add("planned-pickup", time(placement.pickupTime)) }
        case .locked(let id): self.init("LOCKED", ("trip", String(id.rawValue)))
        case .unlocked(let id): self.init("UNLOCKED", ("trip", String(id.rawValue)))
        case .moved(let result):
            self.init("MOVED")
            addJourney(result.trips, placements: result.placements, offset: offset)
        case .standingAdded(let order, let report):
            self.init("ADDED", ("standing", String(order.id!.rawValue)), ("created", String(report.created.count)),
                      ("skipped", String(report.skipped.count)))
        case .standingOrders(let orders, _): self.init("STANDING", ("count", String(orders.count)))
        case .standingHeld(let hold, let cancelled): self.init("HELD", ("standing", String(hold.order.rawValue)), ("cancelled", ids(cancelled)))
        case .standingEnded(let order, let cancelled): self.init("ENDED", ("standing", String(order.id!.rawValue)), ("cancelled", ids(cancelled)))
        case .materialised(let report): self.init("MATERIALISED", ("created", String(report.created.count)), ("skipped", String(report.skipped.count)))
        case .audit(let events): self.init("AUDIT", ("count", String(events.count)))
        case .planned(let plan, _):
            self.init("PLANNED", ("date", plan.date.iso), ("runs", String(plan.runs.count)),
                      ("trips", String(plan.runs.reduce(0) { $0 + $1.stops.count } / 2)), ("unserved", String(plan.unserved.count)),
                      ("km", String(Int(plan.kilometres.rounded()))))
        case .runs(let runs, let date, _): self.init("RUNS", ("date", date.iso), ("count", String(runs.count)))
        case .manifests(let manifests):
            self.init("MANIFEST", ("runs", String(manifests.count)), ("stops", String(manifests.reduce(0) { $0 + $1.stops.count })))
        case .report(let rows, _): self.init("REPORT", ("rows", String(rows.count)))
        case .meetingReport(let report):
            self.init("REPORT", ("from", report.from.iso), ("to", report.to.iso), ("trips", String(report.total.trips)),
                      ("served", String(report.total.served)), ("months", String(report.months.count)))
        case .funderReport(let rows): self.init("REPORT", ("rows", String(rows.count)))
        case .userAdded(let user, let token): self.init("ADDED", ("user", user.name), ("role", user.role.rawValue), ("token", token))
        case .users(let users): self.init("USERS", ("count", String(users.count)))
        case .userRevoked(let name): self.init("REVOKED", ("user", name))
        case .areas(let areas): self.init("AREAS", ("count", String(areas.count)))
        case .calls(let list):
            self.init(
                "CALLS", ("date", list.date.iso), ("count", String(list.rows.count)), ("changed", String(list.rows.filter(\.changed).count)),
                ("attention", String(list.rows.filter { !$0.attention.isEmpty }.count)))
        case .areaPooled(let area, let pool): self.init("POOLED", ("area", area.rawValue), ("pool", pool ?? "none"))
        case .attention(let items, let date): self.init("ATTENTION", ("date", date.iso), ("count", String(items.count)))
        case .dayClosed(let result):
            self.init("CLOSED", ("date", result.date.iso), ("missed", ids(result.missed)), ("closed", ids(result.closedReturns)))
        }
        let notices = result.notices
        if !notices.isEmpty { add("broken", notices.map { String($0.trip.rawValue) }.joined(separator: ",")) }
        add("late-for-appointment", result.lateForAppointment.map { String($0.trip.rawValue) }.joined(separator: ","))
        if let failure = result.replanFailures.first { add("replan-failed", failure.keyword) }
    }

    /// A keyword and fields; a field whose value is empty (no trips, say) is left out.
    private init(_ keyword: String, _ fields: (String, String)...) {
        self.keyword = keyword
        self.fields = fields.filter { !$0.1.isEmpty }.map { Request.Argument($0.0, $0.1) }
    }

    private mutating func add(_ key: String, _ value: String) {
        if !value.isEmpty { fields.append(.init(key, value)) }
    }

    private mutating func addWindow(_ prefix: String, _ window: TimeWindow?, offset: UTCOffset) {
        guard let window else { return }
        add("\(prefix)-earliest", offset.iso8601(window.earliest))
        add("\(prefix)-latest", offset.iso8601(window.latest))
    }

    /// A journey's legs: `trip` (the outbound) and `return`, each leg's window told and, on a
    /// planned day, its vehicle and planned pickup; a will-call return's expected window.
    private mutating func addJourney(_ trips: [Trip], placements: [TripID: Placement]?, offset: UTCOffset) {
        for trip in trips {
            let leg = trip.direction == .outbound ? "" : "return-"
            add(trip.direction == .outbound ? "trip" : "return", String(trip.id!.rawValue))
            if trip.awaitingRelease {
                add("\(leg)will-call", "yes")
                addWindow("\(leg)expected", trip.releaseWindow, offset: offset)
            } else {
                addWindow("\(leg)pickup", trip.pickupWindow, offset: offset)
            }
            if let placement = placements?[trip.id!] {
                add("\(leg)vehicle", placement.vehicle.rawValue)
                add("\(leg)planned-pickup", offset.iso8601(placement.pickupTime))
            }
        }
    }

    /// The moment an alternative names, in ISO 8601 with the area's offset.
    static func timingText(_ timing: BookingRequest.Timing, offset: UTCOffset) -> String {
        switch timing {
        case .appointment(let at), .pickup(let at): offset.iso8601(at)
        }
    }

    /// A run's numbered change as a push: the run, the change's number, kind and time, then what
    /// changed as fields (`stops`, `changed=trip:action:time,...`, `removed=trip,...` for a re-plan;
    /// `trip`, `report`, `status`, `time` for a driver's report; `trip`, `broken` for a promise).
    static func event(_ change: RunChange) -> Reply {
        var fields: [Request.Argument] = [
            .init("run", String(change.run.rawValue)), .init("seq", String(change.seq)), .init("kind", change.kind),
            .init("at", String(change.at.rawValue)),
        ]
        for pair in change.detail.split(separator: " ") {
            guard let equals = pair.firstIndex(of: "="), !fields.contains(where: { $0.key == pair[..<equals] }) else { continue }
            fields.append(.init(String(pair[..<equals]), String(pair[pair.index(after: equals)...])))
        }
        return Reply(code: 600, keyword: "EVENT", fields: fields)
    }
}
