import PhapaiCore
import PhapaiService

extension Renderer {
    /// The result as one JSON document (docs/cli.md, "JSON output"): the documented forms of
    /// reads, and for writes what was stored, where it was placed and whom it affected.
    mutating func json(_ result: CommandResult) throws -> JSONValue {
        let offset = format.offset
        func time(_ instant: Instant?) -> JSONValue { .optional(instant.map(offset.iso8601)) }
        switch result {
        case .placeAdded(let place): return Self.placeJSON(place)
        case .places(let places): return .array(places.map(Self.placeJSON))
        case .patientAdded(let patient): return try views.patientJSON(patient, upcoming: [])
        case .patient(let patient, let upcoming): return try views.patientJSON(patient, upcoming: upcoming)
        case .patients(let patients): return .array(try patients.map { try views.patientJSON($0, upcoming: []) })
        case .patientEdited(let result):
            return .object([
                ("patient", try views.patientJSON(result.patient, upcoming: [])),
                ("changed", .array(result.changed.map { .string($0) })),
                ("trips", .array(try result.trips.map { try views.tripJSON($0) })),
                ("notices", try noticesJSON(result.notices)),
                ("replanFailures", .array(result.replanFailures.map(errorJSON))),
            ])
        case .vehicleAdded(let vehicle): return Self.vehicleJSON(vehicle)
        case .vehicles(let vehicles): return .array(vehicles.map(Self.vehicleJSON))
        case .driverAdded(let driver): return Self.driverJSON(driver)
        case .driverLinked(let driver, let link): return .object([("driver", Self.driverJSON(driver)), ("link", .string(link))])
        case .driverUnlinked(let id): return .object([("driver", .string(id.rawValue)), ("revoked", .bool(true))])
        case .drivers(let drivers): return .array(drivers.map(Self.driverJSON))
        case .shiftAdded(let shift): return Self.shiftJSON(shift)
        case .shifts(let shifts): return .array(shifts.map(Self.shiftJSON))
        case .booked(let booked):
            return .object([
                ("trips", .array(try booked.trips.map { try views.tripJSON($0) })),
                ("placements", placementsJSON(booked.trips, booked.placements)),
                ("notices", try noticesJSON(booked.notices)),
            ])
        case .trip(let trip): return try views.tripJSON(trip)
        case .trips(let trips, _): return .array(try trips.map { try views.tripJSON($0) })
        case .cancelled(let result):
            return .object([
                ("trips", .array(try result.trips.map { try views.tripJSON($0) })),
                ("replanned", .bool(result.replan != nil)),
                ("unserved", .array((result.replan?.unserved ?? []).map(Self.unservedJSON))),
                ("notices", try noticesJSON(result.replan?.notices ?? [])),
                ("lateForAppointment", try appointmentsJSON(result.replan?.lateForAppointment ?? [])),
                ("replanFailure", result.replanFailure.map(errorJSON) ?? .null),
            ])
        case .statusReported(let change, let report):
            return .object([
                ("report", .string(report.rawValue)),
                ("trip", try views.tripJSON(change.trip)),
                ("alsoChanged", .array(try change.alsoChanged.map { try views.tripJSON($0) })),
                ("replanned", .bool(change.replan != nil)),
                ("unserved", .array((change.replan?.unserved ?? []).map(Self.unservedJSON))),
                ("notices", try noticesJSON(change.notices)),
                ("lateForAppointment", try appointmentsJSON(change.replan?.lateForAppointment ?? [])),
                ("replanFailure", change.replanFailure.map(errorJSON) ?? .null),
            ])
        case .released(let result):
            return .object([
                ("trip", try views.tripJSON(result.trip)),
                ("placement", result.placement.map { placementJSON(result.trip.id!, $0) } ?? .null),
                ("reason", .optional(result.reason?.english)),
                ("notices", try noticesJSON(result.notices)),
                ("replanFailure", result.replanFailure.map(errorJSON) ?? .null),
            ])
        case .assigned(let id, let vehicle, let result):
            return .object([
                ("trip", .int(id.rawValue)), ("vehicle", .string(vehicle.rawValue)),
                ("placement", result.placement.map { placementJSON(id, $0) } ?? .null),
                ("notices", try noticesJSON(result.notices)),
            ])
        case .locked(let id): return .object([("trip", .int(id.rawValue)), ("locked", .bool(true))])
        case .unlocked(let id): return .object([("trip", .int(id.rawValue)), ("locked", .bool(false))])
        case .moved(let result):
            return .object([
                ("trips", .array(try result.trips.map { try views.tripJSON($0) })),
                ("placements", placementsJSON(result.trips, result.placements)),
                ("notices", try noticesJSON(result.notices)),
                ("replanFailures", .array(result.replanFailures.map(errorJSON))),
            ])
        case .standingAdded(let order, let report):
            return .object([("order", standingJSON(order, holds: [])), ("materialised", materialiseJSON(report))])
        case .standingOrders(let orders, let holds):
            return .array(orders.map { order in standingJSON(order, holds: holds.filter { $0.order == order.id }) })
        case .standingHeld(let hold, let cancelled):
            return .object([
                ("order", .int(hold.order.rawValue)), ("from", .string(hold.from.iso)), ("to", .string(hold.to.iso)),
                ("reason", .string(hold.reason)), ("cancelled", .array(cancelled.map { .int($0.id!.rawValue) })),
            ])
        case .standingEnded(let order, let cancelled):
            return .object([("order", standingJSON(order, holds: [])), ("cancelled", .array(cancelled.map { .int($0.id!.rawValue) }))])
        case .materialised(let report): return materialiseJSON(report)
        case .audit(let events):
            return .array(events.map { e in
                .object([
                    ("id", .int(e.id)), ("at", .string(offset.iso8601(e.at))), ("actor", .string(e.actor)),
                    ("action", .string(e.action)), ("entity", .string(e.entity)), ("detail", .string(e.detail)),
                ])
            })
        case .planned(let plan, let warnings):
            return .object([
                ("date", .string(plan.date.iso)),
                ("runs", .array(plan.runs.map(runJSON))),
                ("unserved", .array(plan.unserved.map(Self.unservedJSON))),
                ("kilometres", .double(plan.kilometres)), ("drivingCost", .double(plan.drivingCost)),
                ("notices", try noticesJSON(plan.notices)),
                ("lateForAppointment", try appointmentsJSON(plan.lateForAppointment)),
                ("warnings", .array(warnings.map { .string($0.english) })),
            ])
        case .runs(let runs, _, _): return .array(runs.map(runJSON))
        case .manifests(let manifests): return .array(manifests.map { ManifestFormat.json($0, offset: offset) })
        case .report(let rows, _): return .array(rows.map(Self.reportRowJSON))
        case .meetingReport(let report):
            return .object([
                ("area", .string(report.area.rawValue)), ("areaName", .string(report.areaName)), ("from", .string(report.from.iso)),
                ("to", .string(report.to.iso)), ("madeAt", .string(offset.iso8601(report.madeAt))), ("total", Self.reportRowJSON(report.total)),
                ("villages", .array(report.villages.map(Self.reportRowJSON))), ("funding", .array(report.funding.map(Self.reportRowJSON))),
                ("vehicles", .array(report.vehicles.map { row in
                    guard case .object(let members) = Self.reportRowJSON(row) else { return .null }
                    let name = row.group == "-" ? nil : report.vehicleNames[VehicleID(unchecked: row.group)]
                    return .object([members[0], ("name", .optional(name))] + members.dropFirst())
                })),
                ("months", .array(report.months.map { month in
                    guard case .object(let members) = Self.reportRowJSON(month.row) else { return .null }
                    return .object([members[0], ("from", .string(month.from.iso)), ("to", .string(month.to.iso))] + members.dropFirst())
                })),
            ])
        case .funderReport(let rows):
            return .array(rows.map { .object([("entitlement", .string($0.entitlement.rawValue)), ("patients", .int($0.patients)), ("trips", .int($0.trips))]) })
        case .userAdded(let user, let token): return .object([("user", userJSON(user)), ("token", .string(token))])
        case .users(let users): return .array(users.map(userJSON))
        case .userRevoked(let name): return .object([("user", .string(name)), ("revoked", .bool(true))])
        case .areas(let areas):
            return .array(areas.map { area in
                .object([("id", .string(area.id.rawValue)), ("name", .string(area.name)), ("codePrefix", .optional(area.codePrefix)),
                         ("pool", .optional(area.pool)), ("language", .string(area.language.rawValue))])
            })
        case .calls(let list):
            return .object([
                ("date", .string(list.date.iso)), ("area", .string(list.area.rawValue)),
                ("previous", list.previous.map { .string(format.offset.iso8601($0)) } ?? .null),
                ("patients", .array(list.rows.map { row in
                    .object([
                        ("patient", .object([("id", .string(row.patient.id.rawValue)), ("name", .string(row.patient.name)), ("phone", .string(row.patient.phone))])),
                        ("trip", .int(row.trip.id!.rawValue)), ("window", row.window.map { windowJSON($0) } ?? .null),
                        ("plannedPickup", time(row.plannedPickup)), ("vehicle", .optional(row.vehicle?.id.rawValue)),
                        ("driver", row.driver.map { .object([("name", .string($0.name)), ("phone", .string($0.phone))]) } ?? .null),
                        ("companions", .int(Int64(row.trip.companions))), ("willCall", .bool(row.returnTrip?.willCall ?? false)),
                        ("returnTrip", .optional(row.returnTrip?.id?.rawValue)), ("returnPickup", time(row.returnPickup)),
                        ("changed", .bool(row.changed)), ("attention", .array(row.attention.map { .string($0.rawValue) })),
                    ])
                })),
            ])
        case .areaPooled(let area, let pool): return .object([("area", .string(area.rawValue)), ("pool", .optional(pool))])
        case .attention(let items, _):
            return .array(items.map { item in
                .object([
                    ("kind", .string(item.kind.rawValue)), ("date", .string(item.date.iso)), ("trip", .optional(item.trip?.rawValue)),
                    ("direction", .optional(item.direction?.rawValue)),
                    ("patient", item.patient.map { .object([("id", .string($0.id.rawValue)), ("name", .string($0.name)), ("phone", .string($0.phone))]) } ?? .null),
                    ("promised", item.promised.map { windowJSON($0) } ?? .null),
                    ("plannedPickup", time(item.plannedPickup)), ("vehicle", .optional(item.vehicle?.rawValue)),
                    ("detail", .string(item.detail.english)),
                ])
            })
        case .dayClosed(let result):
            return .object([
                ("date", .string(result.date.iso)),
                ("missed", .array(try result.missed.map { try views.tripJSON($0) })),
                ("closedReturns", .array(try result.closedReturns.map { try views.tripJSON($0) })),
            ])
        }
    }

    func windowJSON(_ window: TimeWindow) -> JSONValue {
        .object([("earliest", .string(format.offset.iso8601(window.earliest))), ("latest", .string(format.offset.iso8601(window.latest)))])
    }

    func placementJSON(_ trip: TripID, _ placement: Placement) -> JSONValue {
        .object([
            ("trip", .int(trip.rawValue)), ("vehicle", .string(placement.vehicle.rawValue)),
            ("plannedPickup", .string(format.offset.iso8601(placement.pickupTime))), ("awaitingRelease", .bool(placement.awaitingRelease)),
        ])
    }

    /// Where each leg went, in the order of the legs; null when the day is not planned yet.
    func placementsJSON(_ trips: [Trip], _ placements: [TripID: Placement]?) -> JSONValue {
        guard let placements else { return .null }
        return .array(trips.compactMap { trip in placements[trip.id!].map { placementJSON(trip.id!, $0) } })
    }

    /// Broken promises: who, what was told, what happens now, and why.
    mutating func noticesJSON(_ notices: [PromiseNotice]) throws -> JSONValue {
        .array(try notices.map { notice in
            let kind: String
            var minutes: JSONValue = .null
            switch notice.kind {
            case .lostPlace: kind = "lost_place"
            case .late(let late):
                kind = "late"
                minutes = .int(late)
            case .arrivedLate(let late):
                kind = "arrived_late"
                minutes = .int(late)
            }
            return .object([
                ("trip", .int(notice.trip.rawValue)),
                ("patient", .object([("id", .string(notice.patient.rawValue)), ("name", .string(try views.patientName(notice.patient)))])),
                ("kind", .string(kind)), ("minutesLate", minutes), ("promised", windowJSON(notice.promised)),
                ("plannedPickup", .optional(notice.plannedPickup.map(format.offset.iso8601))), ("vehicle", .optional(notice.vehicle?.rawValue)),
                ("cause", .string(notice.cause.keyword)), ("reason", .string(notice.reason.english)),
            ])
        })
    }

    /// Drop-offs now planned after the appointment: who, the appointment, the new arrival, why.
    mutating func appointmentsJSON(_ notices: [AppointmentNotice]) throws -> JSONValue {
        .array(try notices.map { notice in
            .object([
                ("trip", .int(notice.trip.rawValue)),
                ("patient", .object([("id", .string(notice.patient.rawValue)), ("name", .string(try views.patientName(notice.patient)))])),
                ("appointment", .string(format.offset.iso8601(notice.appointment))),
                ("plannedDropoff", .string(format.offset.iso8601(notice.plannedDropoff))),
                ("minutesLate", .int(notice.minutes)), ("vehicle", .string(notice.vehicle.rawValue)), ("cause", .string(notice.cause.keyword)),
            ])
        })
    }

    func runJSON(_ run: Run) -> JSONValue {
        .object([
            ("vehicle", .string(run.vehicle.rawValue)), ("driver", .string(run.driver.rawValue)), ("shift", .int(run.shift.rawValue)),
            ("stops", .int(run.stops.count)), ("trips", .int(Set(run.stops.map(\.trip)).count)),
            ("first", .optional(run.stops.first.map { format.offset.iso8601($0.plannedTime) })),
            ("last", .optional(run.stops.last.map { format.offset.iso8601($0.plannedTime) })),
            ("plannedAt", .string(format.offset.iso8601(run.plannedAt))),
        ])
    }

    func standingJSON(_ o: StandingOrder, holds: [StandingHold]) -> JSONValue {
        .object([
            ("id", .optional(o.id?.rawValue)), ("patient", .string(o.patient.rawValue)), ("from", .string(o.pickupPlace.rawValue)),
            ("to", .string(o.destination.rawValue)), ("days", .array(o.weekdays.map { .string($0.shortName) })),
            ("appointment", .string(o.appointmentTime.description)), ("start", .string(o.startDate.iso)),
            ("until", .optional(o.endDate?.iso)), ("return", .string(Self.returnMode(o.returnMode))),
            ("companions", .int(o.companions)), ("funding", .string(o.funding.rawValue)), ("active", .bool(o.active)),
            ("holds", .array(holds.map { h in .object([("from", .string(h.from.iso)), ("to", .string(h.to.iso)), ("reason", .string(h.reason))]) })),
        ])
    }

    func materialiseJSON(_ report: MaterialiseReport) -> JSONValue {
        .object([
            ("created", .array(report.created.map { .int($0.id!.rawValue) })),
            ("skipped", .array(report.skipped.map { .object([("order", .int($0.order.rawValue)), ("date", .string($0.date.iso)), ("reason", .string($0.reason.english))]) })),
        ])
    }

    func userJSON(_ user: User) -> JSONValue {
        .object([
            ("name", .string(user.name)), ("role", .string(user.role.rawValue)), ("areas", .array(user.areas.map { .string($0.rawValue) })),
            ("driver", .optional(user.driver?.rawValue)), ("createdAt", .string(format.offset.iso8601(user.createdAt))),
            ("revoked", .bool(user.revokedAt != nil)),
        ])
    }

    /// A report row with stable English keys: counts as integers, shares (0-1), minutes, hours and
    /// kilometres as numbers, null where there is nothing to measure (docs/cli.md, `report`).
    static func reportRowJSON(_ row: ReportRow) -> JSONValue {
        func number(_ value: Double?) -> JSONValue { value.map { .double($0) } ?? .null }
        return .object([
            ("group", .string(row.group)), ("trips", .int(row.trips)), ("served", .int(row.served)), ("missed", .int(row.missed)),
            ("denied", .int(row.denied)), ("open", .int(row.open)), ("cancelled", .int(row.cancelled.values.reduce(0, +))),
            ("cancelledByCode", .object(CancellationCode.allCases.map { ($0.rawValue, .int(row.cancelled[$0] ?? 0)) })),
            ("noShows", .int(row.noShows)), ("pickupOnTime", number(row.pickupOnTime)), ("appointmentOnTime", number(row.appointmentOnTime)),
            ("rideMeanMinutes", number(row.meanRideMinutes)), ("rideP95Minutes", number(row.p95RideMinutes)),
            ("rideRatioMean", number(row.meanRideRatio)), ("rideRatioP95", number(row.p95RideRatio)),
            ("vehicleHours", number(row.vehicleHours)), ("kilometres", number(row.kilometres)),
            ("passengersPerVehicleHour", number(row.passengersPerVehicleHour)),
        ])
    }

    static func unservedJSON(_ entry: (trip: TripID, reason: Phrase)) -> JSONValue {
        .object([("trip", .int(entry.trip.rawValue)), ("reason", .string(entry.reason.english))])
    }

    /// An error as JSON: keyword, field, the rule, and any alternatives offered.
    public func errorJSON(_ error: PhapaiError) -> JSONValue {
        .object([
            ("keyword", .string(error.keyword)), ("field", .optional(error.field)), ("message", .string(error.message)),
            ("alternatives", .array(error.alternatives.map(alternativeJSON))),
        ])
    }

    func alternativeJSON(_ alternative: BookingAlternative) -> JSONValue {
        let offset = format.offset
        let timing: (String, Instant)
        switch alternative.timing {
        case .appointment(let at): timing = ("appointment", at)
        case .pickup(let at): timing = ("pickup", at)
        }
        return .object([
            (timing.0, .string(offset.iso8601(timing.1))), ("return", .optional(alternative.returnPickup.map(offset.iso8601))),
            ("pickup", .string(offset.iso8601(alternative.pickup))), ("vehicle", .optional(alternative.vehicle)),
            ("label", .string(alternative.label)),
        ])
    }

    static func placeJSON(_ place: Place) -> JSONValue {
        .object([
            ("id", .string(place.id.rawValue)), ("kind", .string(place.kind.rawValue)), ("name", .string(place.name)),
            ("moo", .optional(place.moo.map(Int64.init))), ("latitude", .double(place.coordinate.latitude)),
            ("longitude", .double(place.coordinate.longitude)), ("address", .optional(place.address)),
        ])
    }

    static func vehicleJSON(_ v: Vehicle) -> JSONValue {
        .object([
            ("id", .string(v.id.rawValue)), ("name", .string(v.name)), ("plate", .optional(v.plate)),
            ("seats", .int(v.capacity.seats)), ("wheelchairs", .int(v.capacity.wheelchairs)),
            ("stretchers", .int(v.capacity.stretchers)), ("foldSeats", .int(v.capacity.seatsPerFoldedWheelchair)),
            ("depot", .string(v.depot.rawValue)), ("costPerKm", .double(v.costPerKm)),
        ])
    }

    static func driverJSON(_ driver: Driver) -> JSONValue {
        .object([("id", .string(driver.id.rawValue)), ("name", .string(driver.name)), ("phone", .string(driver.phone))])
    }

    static func shiftJSON(_ s: Shift) -> JSONValue {
        .object([
            ("id", .optional(s.id?.rawValue)), ("date", .string(s.date.iso)), ("driver", .string(s.driver.rawValue)),
            ("vehicle", .string(s.vehicle.rawValue)), ("start", .string(s.start.description)), ("end", .string(s.end.description)),
            ("breakStart", .optional(s.breakStart?.description)), ("breakEnd", .optional(s.breakEnd?.description)),
        ])
    }
}
