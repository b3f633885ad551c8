import Foundation
import PhapaiCore
import PhapaiService

/// Renders results for people and programs: text (the CLI's output, and the data lines of a
/// reply on the wire, so remote and embedded output are the same), JSON, CSV and HTML.
public struct Renderer {
    var views: ViewBuilder
    let format: LocalFormat
    /// Every column of the tables (the response asked for `wide`).
    var wide = false

    /// A renderer that looks names up through `application`, showing years in `era`.
    public init(application: Application, era: Era) throws {
        let offset = try application.service.areas().first?.offset ?? .bangkok
        views = ViewBuilder(service: application.service, offset: offset)
        format = LocalFormat(offset: offset, era: era)
    }

    /// The UTC offset times are shown in.
    public var offset: UTCOffset { format.offset }

    /// The response in the format it asked for, as lines (no line endings).
    public mutating func render(_ response: Response) throws -> [String] {
        wide = response.wide
        let chunks: [String]
        switch response.format {
        case .text: chunks = try text(response.result)
        case .json: chunks = [try json(response.result).serialized()]
        case .csv: chunks = try csv(response.result)
        case .html: chunks = try html(response.result)
        }
        return chunks.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    }

    // MARK: Text

    /// The result as text for people, one entry per line.
    mutating func text(_ result: CommandResult) throws -> [String] {
        var lines: [String]
        switch result {
        case .placeAdded(let place):
            lines = ["Added place \(place.id): \(place.displayName) (\(place.kind.rawValue))"]
        case .places(let places):
            var table = TextTable(["ID", "KIND", "NAME", "LAT", "LON"], rightAligned: [3, 4])
            for place in places {
                table.add([place.id.rawValue, place.kind.rawValue, place.displayName, Self.coordinate(place.coordinate.latitude),
                           Self.coordinate(place.coordinate.longitude)])
            }
            lines = [table.render()]
        case .patientAdded(let patient):
            lines = ["Registered patient \(patient.id): \(patient.name)"]
        case .patient(let patient, let upcoming):
            lines = try patientText(patient, upcoming: upcoming)
        case .patients(let patients):
            var table = TextTable(["ID", "NAME", "VILLAGE", "MOBILITY", "COMP", "PHONE", "ENTITLEMENT"], rightAligned: [4])
            for patient in patients {
                table.add([
                    patient.id.rawValue, patient.name, try views.placeName(patient.village), patient.mobility.rawValue,
                    String(patient.companions), patient.phone, patient.entitlement.rawValue,
                ])
            }
            lines = [table.render(), "\(patients.count) patient(s)"]
        case .patientEdited(let result):
            lines = ["Patient \(result.patient.id) updated: " + (result.changed.isEmpty ? "nothing changed" : result.changed.joined(separator: ", "))]
            for trip in result.trips {
                lines.append("  trip \(trip.id!) on \(format.date(trip.serviceDate)) follows: \(trip.status.rawValue), pickup \(format.window(trip.pickupWindow))"
                    + (trip.statusReason.map { " (\($0))" } ?? ""))
            }
        case .vehicleAdded(let vehicle):
            lines = ["Added vehicle \(vehicle.id): \(vehicle.name)"]
        case .vehicles(let vehicles):
            var table = TextTable(["ID", "NAME", "PLATE", "SEATS", "WHEELCHAIRS", "STRETCHERS", "DEPOT", "BAHT/KM"], rightAligned: [3, 4, 5, 7])
            for v in vehicles {
                let wheelchairs = v.capacity.seatsPerFoldedWheelchair > 0
                    ? "\(v.capacity.wheelchairs) (folds to \(v.capacity.seatsPerFoldedWheelchair))" : String(v.capacity.wheelchairs)
                table.add([v.id.rawValue, v.name, v.plate ?? "-", String(v.capacity.seats), wheelchairs, String(v.capacity.stretchers),
                           v.depot.rawValue, String(format: "%.2f", v.costPerKm)])
            }
            lines = [table.render()]
        case .driverLinked(let driver, let link):
            lines = ["Link for driver \(driver.id) (\(driver.name)): send it to the driver's phone only; it opens their run of the day "
                + "until 'phapai driver unlink \(driver.id)' or a new link.", link]
        case .driverUnlinked(let id):
            lines = ["The link of driver \(id) is revoked: it opens nothing any more."]
        case .driverAdded(let driver):
            lines = ["Added driver \(driver.id): \(driver.name)"]
        case .drivers(let drivers):
            var table = TextTable(["ID", "NAME", "PHONE"])
            for driver in drivers { table.add([driver.id.rawValue, driver.name, driver.phone]) }
            lines = [table.render()]
        case .shiftAdded(let shift):
            lines = ["Added shift \(shift.id!): \(shift.driver) on \(shift.vehicle), \(format.date(shift.date)) \(shift.start)-\(shift.end)"]
        case .shifts(let shifts):
            var table = TextTable(["ID", "DATE", "DAY", "DRIVER", "VEHICLE", "HOURS", "BREAK"], rightAligned: [0])
            for s in shifts {
                let pause = s.breakStart.map { "\($0)-\(s.breakEnd!)" } ?? "-"
                table.add([s.id.map { String($0.rawValue) } ?? "-", format.date(s.date), s.date.weekday.shortName, s.driver.rawValue,
                           s.vehicle.rawValue, "\(s.start)-\(s.end)", pause])
            }
            lines = [table.render()]
        case .booked(let booked):
            lines = try journeyText("Booked for", booked.trips, placements: booked.placements)
        case .trip(let trip):
            lines = try tripText(trip)
        case .trips(let trips, let date):
            if trips.isEmpty {
                lines = ["No trips" + (date.map { " on \(format.date($0))" } ?? "") + "."]
            } else {
                lines = [try tripTable(trips, showPatient: true), "\(trips.count) trip(s)"]
            }
        case .cancelled(let result):
            lines = result.trips.map { "Cancelled trip \($0.id!) (\($0.direction.rawValue), code \($0.cancellationCode!.rawValue))" }
            if let plan = result.replan, !plan.unserved.isEmpty || !plan.notices.isEmpty {
                lines.append("The day was re-planned: \(plan.unserved.count) trip(s) still without a vehicle.")
            }
        case .statusReported(let change, let report):
            lines = ["Trip \(change.trip.id!) is \(change.trip.status.rawValue)" + (report == .undo ? " (last report undone)" : "")]
            for other in change.alsoChanged {
                lines.append("Trip \(other.id!) is \(other.status.rawValue)" + (other.cancellationCode.map { " (\($0.rawValue))" } ?? ""))
            }
            if let plan = change.replan {
                lines.append("The rest of the day was re-planned around the locked stops"
                    + (plan.unserved.isEmpty ? "." : "; \(plan.unserved.count) trip(s) without a vehicle."))
            }
        case .released(let result):
            lines = ["Trip \(result.trip.id!) released: pickup between \(format.window(result.trip.pickupWindow))"]
            if let placement = result.placement {
                lines.append("    scheduled on \(placement.vehicle), pickup planned at \(format.time(placement.pickupTime))")
            } else if let reason = result.reason {
                lines.append("    not placed: \(reason); see attention")
            }
        case .assigned(let id, let vehicle, let result):
            lines = ["Trip \(id) assigned to \(vehicle)" + (result.placement.map { ", pickup planned at \(format.time($0.pickupTime))" } ?? "")]
        case .locked(let id):
            lines = ["Trip \(id) locked on its run"]
        case .unlocked(let id):
            lines = ["Trip \(id) unlocked"]
        case .moved(let result):
            lines = try journeyText("Moved the journey of", result.trips, placements: result.placements)
        case .standingAdded(let order, let report):
            lines = ["Added standing order \(order.id!) for \(order.patient): \(order.weekdays.map(\.shortName).joined(separator: ",")) at \(order.appointmentTime)"]
            lines += materialiseText(report)
        case .standingOrders(let orders, let holds):
            var table = TextTable(["ID", "PATIENT", "TO", "DAYS", "APPT", "RETURN", "FROM", "UNTIL", "HOLDS"], rightAligned: [0])
            for o in orders {
                let held = holds.filter { $0.order == o.id }.map { "\(format.date($0.from))..\(format.date($0.to))" }
                table.add([
                    String(o.id!.rawValue), o.patient.rawValue, o.destination.rawValue, o.weekdays.map(\.shortName).joined(separator: ","),
                    o.appointmentTime.description, Self.returnMode(o.returnMode), format.date(o.startDate), o.endDate.map(format.date) ?? "-",
                    held.isEmpty ? "-" : held.joined(separator: " "),
                ])
            }
            lines = [table.render()]
        case .standingHeld(let hold, let cancelled):
            lines = ["Standing order \(hold.order) on hold \(format.date(hold.from)) to \(format.date(hold.to)); cancelled \(cancelled.count) trip(s)"
                + Self.tripList(cancelled)]
        case .standingEnded(let order, let cancelled):
            let ending = order.active ? "ends after \(format.date(order.endDate!))" : "is ended (it makes no more trips)"
            lines = ["Standing order \(order.id!) \(ending); cancelled \(cancelled.count) trip(s)" + Self.tripList(cancelled)]
        case .materialised(let report):
            lines = materialiseText(report)
        case .audit(let events):
            var table = TextTable(["ID", "AT", "ACTOR", "ACTION", "ENTITY", "DETAIL"], rightAligned: [0])
            for e in events { table.add([String(e.id), format.dateTime(e.at), e.actor, e.action, e.entity, e.detail]) }
            lines = [table.render()]
        case .planned(let plan, let warnings):
            let trips = plan.runs.reduce(0) { $0 + $1.stops.count } / 2
            lines = ["Planned \(format.date(plan.date)): \(trips) trip(s) on \(plan.runs.count) run(s), \(plan.unserved.count) not served; "
                + String(format: "%.1f km, %.0f baht of driving.", plan.kilometres, plan.drivingCost)]
            for run in plan.runs {
                let first = run.stops.first.map { format.time($0.plannedTime) } ?? "-"
                let last = run.stops.last.map { format.time($0.plannedTime) } ?? "-"
                lines.append("  \(run.vehicle) (\(run.driver)): \(run.stops.count / 2) trip(s), \(first)-\(last)")
            }
            if !plan.unserved.isEmpty {
                lines.append("Not served (see attention):")
                for (trip, reason) in plan.unserved { lines.append("  trip \(trip): \(reason)") }
            }
            lines += try noticeText(result.notices)
            lines += try appointmentText(result.lateForAppointment)
            lines += warnings.map { "warning: \($0)" }
            return lines
        case .runs(let runs, let date, let warnings):
            guard !runs.isEmpty else { return ["No runs on \(format.date(date)); the day is not planned yet."] }
            var table = TextTable(["VEHICLE", "DRIVER", "TRIPS", "STOPS", "FIRST", "LAST", "LOCKED"], rightAligned: [2, 3, 6])
            for run in runs {
                table.add([
                    run.vehicle.rawValue, run.driver.rawValue, String(Set(run.stops.map(\.trip)).count), String(run.stops.count),
                    run.stops.first.map { format.time($0.plannedTime) } ?? "-", run.stops.last.map { format.time($0.plannedTime) } ?? "-",
                    String(run.stops.filter(\.locked).count),
                ])
            }
            lines = [table.render()] + warnings.map { "warning: \($0)" }
        case .manifests(let manifests):
            lines = manifestText(manifests)
        case .report(let rows, let grouping):
            // By default what a meeting reads: the trips and what became of them, punctuality, km.
            let keep = wide ? Array(Self.reportHeaders(grouping).indices) : [0, 1, 2, 3, 4, 5, 6, 13, 14, 15, 21]
            let headers = Self.reportHeaders(grouping)
            // Short names where the default must fit 100 columns.
            let short = ["PICKUP_ON_TIME_%": "ON_TIME_%", "APPT_ON_TIME_%": "APPT_%", "CANCELLED": "CANCEL"]
            var table = TextTable(keep.map { wide ? headers[$0] : short[headers[$0]] ?? headers[$0] }, rightAligned: Set(1..<keep.count))
            for row in rows {
                let cells = Self.reportCells(row)
                table.add(keep.map { cells[$0] })
            }
            lines = [table.render()]
        case .meetingReport(let report):
            lines = ["Report of \(report.areaName) (\(report.area)), \(format.date(report.from)) to \(format.date(report.to))"]
            let sections: [(String, [ReportRow], ReportGrouping?)] = [
                ("In total", [report.total], nil), ("By month", report.months.map(\.row), nil), ("By village", report.villages, .village),
                ("By funding", report.funding, .funding), ("By vehicle", report.vehicles, .vehicle),
            ]
            for (title, rows, grouping) in sections where !rows.isEmpty {
                lines += ["", title + ":"] + (try text(.report(rows, grouping: grouping)))
            }
        case .funderReport(let rows):
            var table = TextTable(["ENTITLEMENT", "PATIENTS", "TRIPS"], rightAligned: [1, 2])
            for row in rows { table.add([row.entitlement.rawValue, String(row.patients), String(row.trips)]) }
            lines = [table.render()]
        case .userAdded(let user, let token):
            lines = ["Added \(user.role.rawValue) \(user.name). Token (shown once; only its hash is kept):", token]
        case .users(let users):
            var table = TextTable(["NAME", "ROLE", "AREAS", "DRIVER", "CREATED", "REVOKED"])
            for user in users {
                table.add([user.name, user.role.rawValue, user.areas.map(\.rawValue).joined(separator: ","), user.driver?.rawValue ?? "-",
                           format.dateTime(user.createdAt), user.revokedAt.map(format.dateTime) ?? "-"])
            }
            lines = [table.render()]
        case .userRevoked(let name):
            lines = ["Revoked \(name)"]
        case .attention(let items, let date):
            guard !items.isEmpty else { return ["Nothing needs a call on \(format.date(date))."] }
            var table = TextTable(["KIND", "TRIP", "TOLD", "PATIENT", "PHONE", "WHAT"], rightAligned: [1])
            for item in items {
                table.add([
                    item.kind.rawValue, item.trip.map { String($0.rawValue) } ?? "-", item.promised.map { format.window($0) } ?? "-",
                    item.patient.map { "\($0.id) \($0.name)" } ?? "-", item.patient?.phone ?? "-", item.detail,
                ])
            }
            lines = ["\(items.count) item(s) need a call on \(format.date(date)):", table.render()]
        case .dayClosed(let result):
            lines = ["Closed \(format.date(result.date)): \(result.missed.count) trip(s) marked missed, \(result.closedReturns.count) return(s) closed."]
            lines += result.missed.map { "  trip \($0.id!) missed: \($0.statusReason ?? "")" }
            lines += result.closedReturns.map { "  trip \($0.id!) closed: \($0.statusReason ?? "")" }
        case .calls(let list):
            guard !list.rows.isEmpty else { return ["Nobody to call about \(format.date(list.date))."] }
            var table = TextTable(["WINDOW", "PATIENT", "PHONE", "VEHICLE", "DRIVER", "RETURN", "+C", "MARK"], rightAligned: [6])
            for row in list.rows {
                table.add([
                    row.window.map { format.window($0) } ?? "will-call", "\(row.patient.id) \(row.patient.name)", row.patient.phone,
                    row.vehicle?.id.rawValue ?? "no vehicle", row.driver.map { "\($0.name) \($0.phone)" } ?? "-",
                    CallsFormat.returnText(row, offset: format.offset), String(row.trip.companions), CallsFormat.marks(row),
                ])
            }
            let since = list.previous.map { " since the list of \(format.dateTime($0))" } ?? ""
            lines = ["\(list.rows.count) patient(s) to call about \(format.date(list.date)); * marks a time or vehicle changed\(since):", table.render()]
        case .areas(let areas):
            var table = TextTable(["AREA", "NAME", "PREFIX", "POOL"])
            for area in areas { table.add([area.id.rawValue, area.name, area.codePrefix ?? "-", area.pool ?? "-"]) }
            lines = [table.render()]
        case .areaPooled(let area, let pool):
            lines = [pool.map { "Area \(area) plans with pool \($0) from its next plan on." } ?? "Area \(area) plans alone from its next plan on."]
        }
        lines += try noticeText(result.notices)
        lines += try appointmentText(result.lateForAppointment)
        lines += result.replanFailures.map(Self.replanFailureText)
        return lines
    }

    /// Patients who will now arrive after their appointment: whom to call, and the clinic.
    mutating func appointmentText(_ notices: [AppointmentNotice]) throws -> [String] {
        guard !notices.isEmpty else { return [] }
        var lines = ["Late for the appointment (call these patients and the clinic; also in attention):"]
        for notice in notices {
            lines.append("  trip \(notice.trip) \(notice.patient) \(try views.patientName(notice.patient)), appointment \(format.time(notice.appointment)): "
                + "now arriving \(format.time(notice.plannedDropoff)) on \(notice.vehicle), \(notice.minutes) min late (because \(notice.cause))")
        }
        return lines
    }

    /// A journey as booked or moved: each leg with its window, and where it was placed.
    private mutating func journeyText(_ verb: String, _ trips: [Trip], placements: [TripID: Placement]?) throws -> [String] {
        var lines = ["\(verb) \(trips[0].patient) \(try views.patientName(trips[0].patient)) \(verb.hasPrefix("Moved") ? "to" : "on") \(format.date(trips[0].serviceDate)):"]
        for trip in trips {
            lines.append(try describeBooked(trip))
            if let placement = placements?[trip.id!] { lines.append(describePlacement(placement)) }
        }
        return lines
    }

    /// One booked leg: where from and to, and the window told.
    public mutating func describeBooked(_ trip: Trip) throws -> String {
        var line = "  trip \(trip.id!) \(trip.direction.rawValue): \(try views.placeName(trip.pickupPlace)) -> \(try views.placeName(trip.dropoffPlace)); "
        if trip.awaitingRelease {
            line += "will-call: pickup when the clinic calls" + (trip.releaseWindow.map { ", expected \(format.window($0))" } ?? "")
        } else {
            line += "pickup between \(format.window(trip.pickupWindow))"
            if let appointment = trip.appointment {
                line += ", arrive by \(format.time(trip.dropoffWindow?.latest)) for the \(format.time(appointment)) appointment"
            }
        }
        return line
    }

    /// Where a trip was placed, as the dispatcher tells it.
    func describePlacement(_ placement: Placement) -> String {
        placement.awaitingRelease
            ? "    a place is kept on \(placement.vehicle) (planned about \(format.time(placement.pickupTime))) until the clinic calls"
            : "    scheduled on \(placement.vehicle), pickup planned at \(format.time(placement.pickupTime))"
    }

    private mutating func patientText(_ patient: Patient, upcoming: [Trip]) throws -> [String] {
        let village = try views.place(patient.village)
        var lines = ["Patient \(patient.id)  \(patient.name)"]
        var facts = TextTable(["", ""])
        facts.add(["Phone", patient.phone])
        facts.add(["Village", "\(village?.displayName ?? patient.village.rawValue) (\(patient.village))"])
        facts.add(["Home", patient.home == patient.village ? "the village (\(patient.home))" : "\(try views.placeName(patient.home)) (\(patient.home))"])
        if let address = patient.address { facts.add(["Address", address]) }
        facts.add(["Mobility", "\(patient.mobility.rawValue), usually \(patient.companions) companion(s)"])
        facts.add(["Entitlement", patient.entitlement.rawValue])
        facts.add(["Registered", format.date(patient.registeredOn)])
        if let notes = patient.notes { facts.add(["Notes", notes]) }
        lines.append(facts.renderFacts())
        lines.append("")
        if upcoming.isEmpty {
            lines.append("No upcoming trips.")
        } else {
            lines.append("Upcoming trips:")
            lines.append(try tripTable(upcoming, showPatient: false))
        }
        return [lines.joined(separator: "\n")]
    }

    private mutating func tripText(_ trip: Trip) throws -> [String] {
        var facts = TextTable(["", ""])
        facts.add(["Status", trip.status.rawValue + (trip.cancellationCode.map { " (\($0.rawValue))" } ?? "")])
        if let reason = trip.statusReason { facts.add(["Reason", reason]) }
        facts.add(["Patient", "\(trip.patient) \(try views.patientName(trip.patient))"])
        facts.add(["Day", format.date(trip.serviceDate)])
        facts.add(["Pickup", "\(try views.placeName(trip.pickupPlace)) (\(trip.pickupPlace)), \(format.window(trip.pickupWindow))"])
        facts.add(["Drop-off", "\(try views.placeName(trip.dropoffPlace)) (\(trip.dropoffPlace)), \(format.window(trip.dropoffWindow))"])
        if let appointment = trip.appointment { facts.add(["Appointment", format.time(appointment)]) }
        facts.add(["Mobility", "\(trip.mobility.rawValue), \(trip.companions) companion(s)"])
        facts.add(["Ride", "direct \((trip.directSeconds + 59) / 60) min, at most \(trip.maxRideSeconds / 60) min"])
        facts.add(["Funding", trip.funding.rawValue])
        if let linked = trip.linkedTrip { facts.add([trip.direction == .outbound ? "Return" : "Outbound", "trip \(linked)"]) }
        if let order = trip.standingOrder { facts.add(["Standing", "order \(order)"]) }
        if let notes = trip.notes { facts.add(["Notes", notes]) }
        facts.add(["Booked", format.dateTime(trip.createdAt)])
        return ["Trip \(trip.id!) (\(trip.direction.rawValue))\n" + facts.renderFacts()]
    }

    /// Trips as a table.
    public mutating func tripTable(_ trips: [Trip], showPatient: Bool) throws -> String {
        if showPatient && !wide { return try narrowTripTable(trips) }
        var headers = ["ID", "DATE", "PICKUP", "DIR"]
        if showPatient { headers += ["PATIENT", "NAME"] }
        headers += ["FROM", "TO", "APPT", "MOBILITY", "+C", "STATUS", "LINK"]
        var table = TextTable(headers, rightAligned: [0])
        for trip in trips {
            var row = [String(trip.id!.rawValue), format.date(trip.serviceDate), format.window(trip.pickupWindow),
                       trip.direction == .outbound ? "out" : "ret"]
            if showPatient { row += [trip.patient.rawValue, try views.patientName(trip.patient)] }
            row += [try views.placeName(trip.pickupPlace), try views.placeName(trip.dropoffPlace), format.time(trip.appointment),
                    trip.mobility.rawValue, String(trip.companions),
                    trip.status.rawValue + (trip.cancellationCode.map { "/\($0.rawValue)" } ?? ""),
                    trip.linkedTrip.map { String($0.rawValue) } ?? "-"]
            table.add(row)
        }
        return table.render()
    }

    /// A trip list for a 100-column terminal: what a dispatcher acts on (the window, the patient
    /// and their หมู่, where to, mobility, status, vehicle); `wide` shows everything.
    mutating func narrowTripTable(_ trips: [Trip]) throws -> String {
        var vehicleOf: [TripID: VehicleID] = [:]
        for date in Set(trips.map(\.serviceDate)) {
            for run in try views.service.runs(on: date) { for stop in run.stops { vehicleOf[stop.trip] = run.vehicle } }
        }
        let days = Set(trips.map(\.serviceDate)).count
        let headers = ["ID"] + (days > 1 ? ["DATE"] : []) + ["PICKUP", "DIR", "PATIENT", "MOO", "TO", "MOBILITY", "STATUS", "VEHICLE"]
        var table = TextTable(headers, rightAligned: [0])
        for trip in trips {
            let moo = try views.patient(trip.patient).flatMap { try views.place($0.village)?.moo }.map { "ม.\($0)" } ?? "-"
            table.add([String(trip.id!.rawValue)] + (days > 1 ? [format.date(trip.serviceDate)] : []) + [
                format.window(trip.pickupWindow), trip.direction == .outbound ? "out" : "ret",
                "\(trip.patient) \(try views.patientName(trip.patient))", moo, trip.dropoffPlace.rawValue, trip.mobility.rawValue,
                trip.status.rawValue, vehicleOf[trip.id!]?.rawValue ?? "-",
            ])
        }
        return table.render()
    }

    private func materialiseText(_ report: MaterialiseReport) -> [String] {
        let days = Set(report.created.map(\.serviceDate)).count
        return ["Materialised \(report.created.count) trip(s) on \(days) day(s)."]
            + report.skipped.map { "  skipped order \($0.order) on \(format.date($0.date)): \($0.reason)" }
    }

    private func manifestText(_ manifests: [Manifest]) -> [String] {
        var lines: [String] = []
        for manifest in manifests {
            lines.append(
                "Run of \(manifest.vehicle.name) (\(manifest.vehicle.id)) on \(format.date(manifest.run.date)), "
                    + "driver \(manifest.driver.name) \(manifest.driver.phone), shift \(manifest.shift.start)-\(manifest.shift.end)"
                    + (manifest.shift.breakStart.map { ", break \($0)-\(manifest.shift.breakEnd!) at the depot" } ?? ""))
            var table = TextTable(["#", "TIME", "DO", "TRIP", "PATIENT", "PHONE", "PLACE", "MOBILITY", "+C", "NOTES"], rightAligned: [0, 3, 8])
            for stop in manifest.stops {
                var notes = stop.notes
                if stop.action == .dropoff, let appointment = stop.appointment { notes.insert("appt \(format.time(appointment))", at: 0) }
                let back = stop.returnText(offset: format.offset)
                if !back.isEmpty { notes.append("return \(back)") }
                if let waiting = stop.awaitingText(offset: format.offset) { notes.insert(waiting, at: 0) }
                table.add([
                    String(stop.sequence) + (stop.locked ? "*" : ""), format.time(stop.plannedTime), stop.action.rawValue,
                    String(stop.trip.rawValue), stop.patient.name, stop.patient.phone, stop.place.displayName,
                    stop.patient.mobility.rawValue, String(stop.companions), notes.joined(separator: "; "),
                ])
            }
            lines.append(table.render())
        }
        return lines
    }

    /// The promises a command broke, with who to call: part of the command's answer.
    mutating func noticeText(_ notices: [PromiseNotice]) throws -> [String] {
        guard !notices.isEmpty else { return [] }
        var lines = ["Promises broken (call these patients; also in attention):"]
        for notice in notices {
            let what: String
            switch notice.kind {
            case .lostPlace: what = "lost its vehicle: \(notice.reason)"
            case .late(let minutes):
                what = "now planned \(format.time(notice.plannedPickup)) on \(notice.vehicle?.rawValue ?? "-"), \(minutes) min after the window"
            case .arrivedLate(let minutes): what = "the vehicle came at \(format.time(notice.plannedPickup)), \(minutes) min after the window"
            }
            let because: String
            if case .lateArrival(let trip, _) = notice.cause, trip == notice.trip { because = "" } else { because = " (because \(notice.cause))" }
            lines.append("  trip \(notice.trip) \(notice.patient) \(try views.patientName(notice.patient)), told \(format.window(notice.promised)): \(what)\(because)")
        }
        return lines
    }

    /// Says that a change was stored but the re-plan after it failed.
    static func replanFailureText(_ error: PhapaiError) -> String {
        "warning [\(error.keyword)]: the change is stored, but re-planning the day failed: \(error.message); plan the day again"
    }

    static func tripList(_ trips: [Trip]) -> String {
        trips.isEmpty ? "." : ": " + trips.map { String($0.id!.rawValue) }.joined(separator: ", ")
    }

    static func returnMode(_ mode: StandingOrder.ReturnMode) -> String {
        switch mode {
        case .none: "none"
        case .willCall: "will-call"
        case .at(let time): time.description
        }
    }

    static func coordinate(_ value: Double) -> String { String(format: "%.5f", value) }

    static func reportHeaders(_ grouping: ReportGrouping?) -> [String] {
        [grouping?.rawValue.uppercased() ?? "GROUP", "TRIPS", "SERVED", "MISSED", "DENIED", "OPEN", "CANCELLED", "ADVANCE", "SAME_DAY",
         "LATE", "AT_DOOR", "NOT_NEEDED", "OFFICE", "NO_SHOW", "PICKUP_ON_TIME_%", "APPT_ON_TIME_%", "RIDE_MEAN_MIN", "RIDE_P95_MIN",
         "RATIO_MEAN", "RATIO_P95", "VEHICLE_H", "KM", "PAX_PER_VEH_H"]
    }

    static func reportCells(_ row: ReportRow) -> [String] {
        func percent(_ value: Double?) -> String { value.map { String(format: "%.1f", $0 * 100) } ?? "-" }
        func number(_ value: Double?, _ digits: Int = 1) -> String { value.map { String(format: "%.\(digits)f", $0) } ?? "-" }
        return [row.group, String(row.trips), String(row.served), String(row.missed), String(row.denied), String(row.open),
                String(row.cancelled.values.reduce(0, +)), String(row.cancelled[.advance] ?? 0), String(row.cancelled[.sameDay] ?? 0),
                String(row.cancelled[.late] ?? 0), String(row.cancelled[.atDoor] ?? 0), String(row.cancelled[.outboundNotPerformed] ?? 0),
                String(row.cancelled[.byOffice] ?? 0), String(row.noShows), percent(row.pickupOnTime), percent(row.appointmentOnTime),
                number(row.meanRideMinutes), number(row.p95RideMinutes), number(row.meanRideRatio, 2), number(row.p95RideRatio, 2),
                number(row.vehicleHours, 2), number(row.kilometres), number(row.passengersPerVehicleHour, 2)]
    }

    // MARK: CSV and HTML

    /// One line per record (no field holds a line break: text is refused with control characters),
    /// the first with a byte-order mark so that spreadsheet programs read Thai as UTF-8.
    private func csv(_ result: CommandResult) throws -> [String] {
        let rows: [[String]]
        switch result {
        case .manifests(let manifests):
            rows = ManifestFormat.csvRows(manifests, offset: format.offset)
        case .calls(let list):
            rows = CallsFormat.rows(list, offset: format.offset)
        case .report(let reportRows, let grouping):
            rows = [Self.reportHeaders(grouping).map { $0.lowercased() }] + reportRows.map(Self.reportCells)
        case .funderReport(let funderRows):
            rows = [["entitlement", "patients", "trips"]] + funderRows.map { [$0.entitlement.rawValue, String($0.patients), String($0.trips)] }
        default:
            throw PhapaiError.usage("this result has no CSV form", field: "csv")
        }
        return rows.enumerated().map { ($0.offset == 0 ? "\u{FEFF}" : "") + CSV.record($0.element) }
    }

    private func html(_ result: CommandResult) throws -> [String] {
        switch result {
        case .manifests(let manifests):
            return [String(ManifestFormat.html(manifests, offset: format.offset, era: format.era).dropLast())]
        case .calls(let list):
            return [String(CallsFormat.html(list, offset: format.offset, era: format.era).dropLast())]
        case .meetingReport(let report):
            return [String(ReportPage.html(report, offset: format.offset).dropLast())]
        default:
            throw PhapaiError.usage("this result has no HTML form", field: "html")
        }
    }
}
