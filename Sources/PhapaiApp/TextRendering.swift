import Foundation
import PhapaiCore
import PhapaiService

/// Renders results for people and programs: text (the CLI's output, and the data lines of a
/// reply on the wire, so remote and embedded output are the same), JSON, CSV and HTML. Text, CSV
/// headers and pages are in the response's language (``Words``); JSON keys and values, CSV
/// values and wire keywords are the same in every language.
public struct Renderer {
    var views: ViewBuilder
    let format: LocalFormat
    /// Every column of the tables (the response asked for `wide`).
    var wide = false

    /// A renderer that looks names up through `application`, showing years in `era` and words in
    /// `language`.
    public init(application: Application, era: Era, language: Language = .th) throws {
        let offset = try application.service.areas().first?.offset ?? .bangkok
        views = ViewBuilder(service: application.service, offset: offset)
        format = LocalFormat(offset: offset, era: era, language: language)
    }

    /// The UTC offset times are shown in.
    public var offset: UTCOffset { format.offset }

    /// The words of the renderer's language.
    public var words: Words { format.words }

    /// The width of a dispatcher's terminal: default tables fit it, free text wrapping under itself.
    static let terminalWidth = 100

    /// A table as the response asked: every column in full with `wide`, else fitted to a terminal.
    func fit(_ table: TextTable) -> String { wide ? table.render() : table.render(fittingWidth: Self.terminalWidth) }

    /// A heading over a table fitted the same way, its further lines indented by two.
    func fit(heading: String) -> String {
        wide ? heading : TextTable.wrap(heading, width: Self.terminalWidth - 2).joined(separator: "\n  ")
    }

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
            lines = [words("place.added", ["id": place.id, "name": place.displayName, "kind": words.placeKind(place.kind)])]
        case .places(let places):
            var table = TextTable([words("col.id"), words("col.kind"), words("col.name"), words("col.lat"), words("col.lon")], rightAligned: [3, 4])
            for place in places {
                table.add([place.id.rawValue, words.placeKind(place.kind), place.displayName, Self.coordinate(place.coordinate.latitude),
                           Self.coordinate(place.coordinate.longitude)])
            }
            lines = [table.render()]
        case .patientAdded(let patient):
            lines = [words("patient.added", ["id": patient.id, "name": patient.name])]
        case .patient(let patient, let upcoming):
            lines = try patientText(patient, upcoming: upcoming)
        case .patients(let patients):
            var table = TextTable(
                [words("col.id"), words("col.name"), words("col.village"), words("col.mobility"), words("col.companions"), words("col.phone"),
                 words("col.entitlement")], rightAligned: [4])
            for patient in patients {
                table.add([
                    patient.id.rawValue, patient.name, try views.placeName(patient.village), words.mobility(patient.mobility),
                    String(patient.companions), patient.phone, words.entitlement(patient.entitlement),
                ])
            }
            lines = [table.render(), words("patients.count", ["count": patients.count])]
        case .patientEdited(let result):
            let changed = result.changed.map { words.optional("field." + $0) ?? $0 }
            lines = [words("patient.edited", ["id": result.patient.id,
                                              "changes": changed.isEmpty ? words("patient.edited.nothing") : changed.joined(separator: ", ")])]
            for trip in result.trips {
                lines.append(words("patient.edited.trip", ["trip": trip.id!, "date": format.date(trip.serviceDate), "status": words.status(trip.status),
                                                           "window": format.window(trip.pickupWindow)])
                    + (trip.statusPhrase.map { " (\(format.text(words.phrase($0))))" } ?? ""))
            }
        case .vehicleAdded(let vehicle):
            lines = [words("vehicle.added", ["id": vehicle.id, "name": vehicle.name])]
        case .vehicles(let vehicles):
            var table = TextTable(
                [words("col.id"), words("col.name"), words("col.plate"), words("col.seats"), words("col.wheelchairs"), words("col.stretchers"),
                 words("col.depot"), words("col.bahtPerKm")], rightAligned: [3, 4, 5, 7])
            for v in vehicles {
                let wheelchairs = v.capacity.seatsPerFoldedWheelchair > 0
                    ? words("vehicles.folds", ["wheelchairs": v.capacity.wheelchairs, "seats": v.capacity.seatsPerFoldedWheelchair])
                    : String(v.capacity.wheelchairs)
                table.add([v.id.rawValue, v.name, v.plate ?? "-", String(v.capacity.seats), wheelchairs, String(v.capacity.stretchers),
                           v.depot.rawValue, String(format: "%.2f", v.costPerKm)])
            }
            lines = [table.render()]
        case .driverLinked(let driver, let link):
            lines = [words("driver.linked", ["driver": driver.id, "name": driver.name]), link]
        case .driverUnlinked(let id):
            lines = [words("driver.unlinked", ["driver": id])]
        case .driverAdded(let driver):
            lines = [words("driver.added", ["id": driver.id, "name": driver.name])]
        case .drivers(let drivers):
            var table = TextTable([words("col.id"), words("col.name"), words("col.phone")])
            for driver in drivers { table.add([driver.id.rawValue, driver.name, driver.phone]) }
            lines = [table.render()]
        case .shiftAdded(let shift):
            lines = [words("shift.added", ["id": shift.id!, "driver": shift.driver, "vehicle": shift.vehicle, "date": format.date(shift.date),
                                           "start": shift.start, "end": shift.end])]
        case .shifts(let shifts):
            var table = TextTable(
                [words("col.id"), words("col.date"), words("col.day"), words("col.driver"), words("col.vehicle"), words("col.hours"),
                 words("col.break")], rightAligned: [0])
            for s in shifts {
                let pause = s.breakStart.map { "\($0)-\(s.breakEnd!)" } ?? "-"
                table.add([s.id.map { String($0.rawValue) } ?? "-", format.date(s.date), words.weekday(s.date.weekday), s.driver.rawValue,
                           s.vehicle.rawValue, "\(s.start)-\(s.end)", pause])
            }
            lines = [table.render()]
        case .booked(let booked):
            lines = try journeyText(moved: false, booked.trips, placements: booked.placements)
        case .trip(let trip):
            lines = try tripText(trip)
        case .trips(let trips, let date):
            if trips.isEmpty {
                lines = [date.map { words("trips.none.on", ["date": format.date($0)]) } ?? words("trips.none")]
            } else {
                lines = [try tripTable(trips, showPatient: true), words("trips.count", ["count": trips.count])]
            }
        case .cancelled(let result):
            lines = result.trips.map {
                words("cancelled.trip", ["trip": $0.id!, "direction": words.direction($0.direction), "code": words.cancellation($0.cancellationCode!)])
            }
            if let plan = result.replan, !plan.unserved.isEmpty || !plan.notices.isEmpty {
                lines.append(words("cancelled.replanned", ["count": plan.unserved.count]))
            }
        case .statusReported(let change, let report):
            lines = [words("status.reported", ["trip": change.trip.id!, "status": words.status(change.trip.status)])
                + (report == .undo ? words("status.undone") : "")]
            for other in change.alsoChanged {
                lines.append(words("status.reported", ["trip": other.id!, "status": words.status(of: other)]))
            }
            if let plan = change.replan {
                lines.append(plan.unserved.isEmpty ? words("status.replanned") : words("status.replanned.unserved", ["count": plan.unserved.count]))
            }
        case .released(let result):
            lines = [words("released.head", ["trip": result.trip.id!, "window": format.window(result.trip.pickupWindow)])]
            if let placement = result.placement {
                lines.append(words("placement.scheduled", ["vehicle": placement.vehicle, "time": format.time(placement.pickupTime)]))
            } else if let reason = result.reason {
                lines.append(words("released.notPlaced", ["reason": format.text(words.phrase(reason))]))
            }
        case .assigned(let id, let vehicle, let result):
            lines = [words("assigned", ["trip": id, "vehicle": vehicle])
                + (result.placement.map { words("assigned.time", ["time": format.time($0.pickupTime)]) } ?? "")]
        case .locked(let id):
            lines = [words("locked", ["trip": id])]
        case .unlocked(let id):
            lines = [words("unlocked", ["trip": id])]
        case .moved(let result):
            lines = try journeyText(moved: true, result.trips, placements: result.placements)
        case .standingAdded(let order, let report):
            lines = [words("standing.added", ["id": order.id!, "patient": order.patient, "days": words.weekdays(order.weekdays),
                                              "time": order.appointmentTime])]
            lines += materialiseText(report)
        case .standingOrders(let orders, let holds):
            var table = TextTable(
                [words("col.id"), words("col.patient"), words("col.to"), words("col.days"), words("col.appointment"), words("col.return"),
                 words("col.from"), words("col.until"), words("col.holds")], rightAligned: [0])
            for o in orders {
                let held = holds.filter { $0.order == o.id }.map { "\(format.date($0.from))..\(format.date($0.to))" }
                table.add([
                    String(o.id!.rawValue), o.patient.rawValue, o.destination.rawValue, words.weekdays(o.weekdays),
                    o.appointmentTime.description, returnModeText(o.returnMode), format.date(o.startDate), o.endDate.map(format.date) ?? "-",
                    held.isEmpty ? "-" : held.joined(separator: " "),
                ])
            }
            lines = [table.render()]
        case .standingHeld(let hold, let cancelled):
            lines = [words("standing.held", ["id": hold.order, "from": format.date(hold.from), "to": format.date(hold.to),
                                             "count": cancelled.count, "list": Self.tripList(cancelled)])]
        case .standingEnded(let order, let cancelled):
            let ending = order.active ? words("standing.ends", ["date": format.date(order.endDate!)]) : words("standing.ended")
            lines = [words("standing.endedLine", ["id": order.id!, "ending": ending, "count": cancelled.count, "list": Self.tripList(cancelled)])]
        case .materialised(let report):
            lines = materialiseText(report)
        case .audit(let events):
            var table = TextTable(
                [words("col.id"), words("col.at"), words("col.actor"), words("col.action"), words("col.entity"), words("col.detail")], rightAligned: [0])
            // The log keeps ISO dates; shown here in the output's era, like the time of each entry.
            for e in events { table.add([String(e.id), format.dateTime(e.at), e.actor, e.action, format.text(e.entity), format.text(e.detail)]) }
            lines = [fit(table)]
        case .planned(let plan, let warnings):
            let trips = plan.runs.reduce(0) { $0 + $1.stops.count } / 2
            lines = [words("planned.head", ["date": format.date(plan.date), "trips": trips, "runs": plan.runs.count, "unserved": plan.unserved.count,
                                            "km": String(format: "%.1f", plan.kilometres), "baht": String(format: "%.0f", plan.drivingCost)])]
            for run in plan.runs {
                let first = run.stops.first.map { format.time($0.plannedTime) } ?? "-"
                let last = run.stops.last.map { format.time($0.plannedTime) } ?? "-"
                lines.append(words("planned.run", ["vehicle": run.vehicle, "driver": run.driver, "trips": run.stops.count / 2, "first": first,
                                                   "last": last]))
            }
            if !plan.unserved.isEmpty {
                lines.append(words("planned.unserved.head"))
                for (trip, reason) in plan.unserved { lines.append(words("planned.unserved", ["trip": trip, "reason": format.text(words.phrase(reason))])) }
            }
            lines += try noticeText(result.notices)
            lines += try appointmentText(result.lateForAppointment)
            lines += warnings.map { words("warning", ["text": format.text(words.phrase($0))]) }
            return lines
        case .runs(let runs, let date, let warnings):
            guard !runs.isEmpty else { return [words("runs.none", ["date": format.date(date)])] }
            var table = TextTable(
                [words("col.vehicle"), words("col.driver"), words("col.trips"), words("col.stops"), words("col.first"), words("col.last"),
                 words("col.locked")], rightAligned: [2, 3, 6])
            for run in runs {
                table.add([
                    run.vehicle.rawValue, run.driver.rawValue, String(Set(run.stops.map(\.trip)).count), String(run.stops.count),
                    run.stops.first.map { format.time($0.plannedTime) } ?? "-", run.stops.last.map { format.time($0.plannedTime) } ?? "-",
                    String(run.stops.filter(\.locked).count),
                ])
            }
            lines = [table.render()] + warnings.map { words("warning", ["text": format.text(words.phrase($0))]) }
        case .manifests(let manifests):
            lines = manifestText(manifests)
        case .report(let rows, let grouping):
            // By default what a meeting reads: the trips and what became of them, punctuality, km.
            let headers = reportHeaders(grouping)
            let keep = wide ? Array(headers.indices) : [0, 1, 2, 3, 4, 5, 6, 13, 14, 15, 21]
            // Short names where the default must fit 100 columns.
            let short = [6: words("report.short.cancelled"), 14: words("report.short.pickup_on_time"), 15: words("report.short.appt_on_time")]
            var table = TextTable(keep.map { wide ? headers[$0] : short[$0] ?? headers[$0] }, rightAligned: Set(1..<keep.count))
            for row in rows {
                var cells = Self.reportCells(row)
                cells[0] = reportGroup(row.group, grouping)
                table.add(keep.map { cells[$0] })
            }
            lines = [table.render()]
        case .meetingReport(let report):
            lines = [words("meeting.title", ["area": report.areaName, "code": report.area, "from": format.date(report.from), "to": format.date(report.to)])]
            let sections: [(String, [ReportRow], ReportGrouping?)] = [
                (words("meeting.total"), [report.total], nil), (words("meeting.months"), report.months.map(\.row), nil),
                (words("meeting.villages"), report.villages, .village), (words("meeting.funding"), report.funding, .funding),
                (words("meeting.vehicles"), report.vehicles, .vehicle),
            ]
            for (title, rows, grouping) in sections where !rows.isEmpty {
                lines += ["", title + ":"] + (try text(.report(rows, grouping: grouping)))
            }
        case .funderReport(let rows):
            var table = TextTable([words("col.entitlement"), words("col.patients"), words("col.trips")], rightAligned: [1, 2])
            for row in rows { table.add([words.entitlement(row.entitlement), String(row.patients), String(row.trips)]) }
            lines = [table.render()]
        case .userAdded(let user, let token):
            lines = [words("user.added", ["role": words.role(user.role), "name": user.name]), token]
        case .users(let users):
            var table = TextTable(
                [words("col.name"), words("col.role"), words("col.areas"), words("col.driver"), words("col.created"), words("col.revoked")])
            for user in users {
                table.add([user.name, words.role(user.role), user.areas.map(\.rawValue).joined(separator: ","), user.driver?.rawValue ?? "-",
                           format.dateTime(user.createdAt), user.revokedAt.map(format.dateTime) ?? "-"])
            }
            lines = [table.render()]
        case .userRevoked(let name):
            lines = [words("user.revoked", ["name": name])]
        case .attention(let items, let date):
            guard !items.isEmpty else { return [words("attention.none", ["date": format.date(date)])] }
            var table = TextTable(
                [words("col.kind"), words("col.trip"), words("col.told"), words("col.patient"), words("col.phone"), words("col.what")],
                rightAligned: [1])
            for item in items {
                table.add([
                    words.attention(item.kind), item.trip.map { String($0.rawValue) } ?? "-", item.promised.map { format.window($0) } ?? "-",
                    item.patient.map { "\($0.id) \($0.name)" } ?? "-", item.patient?.phone ?? "-", format.text(words.phrase(item.detail)),
                ])
            }
            lines = [words("attention.head", ["count": items.count, "date": format.date(date)]), fit(table)]
        case .dayClosed(let result):
            lines = [words("day.closed", ["date": format.date(result.date), "missed": result.missed.count, "closed": result.closedReturns.count])]
            lines += result.missed.map { words("day.closed.missed", ["trip": $0.id!, "reason": format.text(words.phrase($0.statusPhrase))]) }
            lines += result.closedReturns.map { words("day.closed.return", ["trip": $0.id!, "reason": format.text(words.phrase($0.statusPhrase))]) }
        case .calls(let list):
            guard !list.rows.isEmpty else { return [words("calls.none", ["date": format.date(list.date)])] }
            // In a terminal each vehicle's driver (name and phone) is told once, under the table.
            var table = TextTable(
                [words("col.window"), words("col.patient"), words("col.phone"), words("col.vehicle"), words("col.return"),
                 words("col.companions.plus"), words("col.mark")] + (wide ? [words("col.driver")] : []), rightAligned: [5])
            var drivers: [(VehicleID, String)] = []
            for row in list.rows {
                let driver = row.driver.map { "\($0.name) \($0.phone)" }
                if let vehicle = row.vehicle?.id, let driver, !drivers.contains(where: { $0 == (vehicle, driver) }) { drivers.append((vehicle, driver)) }
                table.add([
                    format.window(row.window), "\(row.patient.id) \(row.patient.name)", row.patient.phone,
                    row.vehicle?.id.rawValue ?? words("calls.noVehicle"), CallsFormat.returnText(row, offset: format.offset, words: words),
                    String(row.trip.companions), CallsFormat.marks(row, words: words),
                ] + (wide ? [driver ?? "-"] : []))
            }
            let since = list.previous.map { words("calls.since", ["time": format.dateTime($0)]) } ?? ""
            lines = [fit(heading: words("calls.head", ["count": list.rows.count, "date": format.date(list.date), "since": since])), fit(table)]
            if !wide && !drivers.isEmpty {
                lines.append(words("calls.drivers"))
                lines += drivers.map { "  \($0.0): \($0.1)" }
            }
        case .areas(let areas):
            var table = TextTable([words("col.area"), words("col.name"), words("col.prefix"), words("col.pool"), words("col.language")])
            for area in areas {
                table.add([area.id.rawValue, area.name, area.codePrefix ?? "-", area.pool ?? "-", area.language.rawValue])
            }
            lines = [table.render()]
        case .areaPooled(let area, let pool):
            lines = [pool.map { words("area.pooled", ["area": area, "pool": $0]) } ?? words("area.alone", ["area": area])]
        }
        lines += try noticeText(result.notices)
        lines += try appointmentText(result.lateForAppointment)
        lines += result.replanFailures.map(replanFailureText)
        return lines
    }

    /// Patients who will now arrive after their appointment: whom to call, and the clinic.
    mutating func appointmentText(_ notices: [AppointmentNotice]) throws -> [String] {
        guard !notices.isEmpty else { return [] }
        var lines = [words("late.head")]
        for notice in notices {
            lines.append(words("late.line", [
                "trip": notice.trip, "patient": notice.patient, "name": try views.patientName(notice.patient),
                "appointment": format.time(notice.appointment), "arrival": format.time(notice.plannedDropoff), "vehicle": notice.vehicle,
                "minutes": notice.minutes, "cause": words.cause(notice.cause),
            ]))
        }
        return lines
    }

    /// A journey as booked or moved: each leg with its window, and where it was placed.
    private mutating func journeyText(moved: Bool, _ trips: [Trip], placements: [TripID: Placement]?) throws -> [String] {
        let values: [String: any CustomStringConvertible] = [
            "patient": trips[0].patient, "name": try views.patientName(trips[0].patient), "date": format.date(trips[0].serviceDate),
        ]
        var lines = [moved ? words("moved.head", values) : words("booked.head", values)]
        for trip in trips {
            lines.append(try describeBooked(trip))
            if let placement = placements?[trip.id!] { lines.append(describePlacement(placement)) }
        }
        return lines
    }

    /// One booked leg: where from and to, and the window told.
    public mutating func describeBooked(_ trip: Trip) throws -> String {
        var line = words("booked.leg", ["trip": trip.id!, "direction": words.direction(trip.direction),
                                        "from": try views.placeName(trip.pickupPlace), "to": try views.placeName(trip.dropoffPlace)])
        if trip.awaitingRelease {
            line += words("booked.willCall") + (trip.releaseWindow.map { words("booked.expected", ["window": format.window($0)]) } ?? "")
        } else {
            line += words("booked.window", ["window": format.window(trip.pickupWindow)])
            if let appointment = trip.appointment {
                line += words("booked.arrive", ["time": format.time(trip.dropoffWindow?.latest), "appointment": format.time(appointment)])
            }
        }
        return line
    }

    /// Where a trip was placed, as the dispatcher tells it.
    public func describePlacement(_ placement: Placement) -> String {
        placement.awaitingRelease
            ? words("placement.kept", ["vehicle": placement.vehicle, "time": format.time(placement.pickupTime)])
            : words("placement.scheduled", ["vehicle": placement.vehicle, "time": format.time(placement.pickupTime)])
    }

    private mutating func patientText(_ patient: Patient, upcoming: [Trip]) throws -> [String] {
        let village = try views.place(patient.village)
        var lines = [words("patient.head", ["id": patient.id, "name": patient.name])]
        var facts = TextTable(["", ""])
        facts.add([words("fact.phone"), patient.phone])
        facts.add([words("fact.village"), "\(village?.displayName ?? patient.village.rawValue) (\(patient.village))"])
        facts.add([words("fact.home"), patient.home == patient.village ? words("fact.home.village", ["id": patient.home])
                                                                       : "\(try views.placeName(patient.home)) (\(patient.home))"])
        if let address = patient.address { facts.add([words("fact.address"), address]) }
        facts.add([words("fact.mobility"), words("fact.mobility.usual", ["mobility": words.mobility(patient.mobility), "count": patient.companions])])
        facts.add([words("fact.entitlement"), words.entitlement(patient.entitlement)])
        facts.add([words("fact.registered"), format.date(patient.registeredOn)])
        if let notes = patient.notes { facts.add([words("fact.notes"), notes]) }
        lines.append(facts.renderFacts(fittingWidth: wide ? nil : Self.terminalWidth))
        lines.append("")
        if upcoming.isEmpty {
            lines.append(words("patient.upcoming.none"))
        } else {
            lines.append(words("patient.upcoming"))
            lines.append(wide ? try tripTable(upcoming, showPatient: false) : try narrowTripTable(upcoming))
        }
        return [lines.joined(separator: "\n")]
    }

    private mutating func tripText(_ trip: Trip) throws -> [String] {
        var facts = TextTable(["", ""])
        facts.add([words("fact.status"), words.status(of: trip)])
        if let reason = trip.statusPhrase { facts.add([words("fact.reason"), format.text(words.phrase(reason))]) }
        facts.add([words("fact.patient"), "\(trip.patient) \(try views.patientName(trip.patient))"])
        facts.add([words("fact.day"), format.date(trip.serviceDate)])
        facts.add([words("fact.pickup"), "\(try views.placeName(trip.pickupPlace)) (\(trip.pickupPlace)), \(format.window(trip.pickupWindow))"])
        facts.add([words("fact.dropoff"), "\(try views.placeName(trip.dropoffPlace)) (\(trip.dropoffPlace)), \(format.window(trip.dropoffWindow))"])
        if let appointment = trip.appointment { facts.add([words("fact.appointment"), format.time(appointment)]) }
        facts.add([words("fact.mobility"), words("fact.mobility.trip", ["mobility": words.mobility(trip.mobility), "count": trip.companions])])
        facts.add([words("fact.ride"), words("fact.ride.value", ["direct": (trip.directSeconds + 59) / 60, "max": trip.maxRideSeconds / 60])])
        facts.add([words("fact.funding"), words.entitlement(trip.funding)])
        if let linked = trip.linkedTrip {
            facts.add([trip.direction == .outbound ? words("fact.return") : words("fact.outbound"), words("fact.trip", ["trip": linked])])
        }
        if let order = trip.standingOrder { facts.add([words("fact.standing"), words("fact.standing.order", ["order": order])]) }
        if let notes = trip.notes { facts.add([words("fact.notes"), notes]) }
        facts.add([words("fact.booked"), format.dateTime(trip.createdAt)])
        return [words("trip.head", ["trip": trip.id!, "direction": words.direction(trip.direction)]) + "\n"
            + facts.renderFacts(fittingWidth: wide ? nil : Self.terminalWidth)]
    }

    /// Trips as a table.
    public mutating func tripTable(_ trips: [Trip], showPatient: Bool) throws -> String {
        if showPatient && !wide { return try narrowTripTable(trips) }
        var headers = [words("col.trip.id"), words("col.date"), words("col.pickup"), words("col.direction")]
        if showPatient { headers += [words("col.patient"), words("col.name")] }
        headers += [words("col.from"), words("col.to"), words("col.appointment"), words("col.mobility"), words("col.companions.plus"),
                    words("col.status"), words("col.link")]
        var table = TextTable(headers, rightAligned: [0])
        for trip in trips {
            var row = [String(trip.id!.rawValue), format.date(trip.serviceDate), format.window(trip.pickupWindow), words.directionShort(trip.direction)]
            if showPatient { row += [trip.patient.rawValue, try views.patientName(trip.patient)] }
            row += [try views.placeName(trip.pickupPlace), try views.placeName(trip.dropoffPlace), format.time(trip.appointment),
                    words.mobility(trip.mobility), String(trip.companions),
                    words.status(trip.status) + (trip.cancellationCode.map { "/" + words.cancellation($0) } ?? ""),
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
        let headers = [words("col.trip.id")] + (days > 1 ? [words("col.date")] : [])
            + [words("col.pickup"), words("col.direction"), words("col.patient"), words("col.moo"), words("col.to"), words("col.mobility"),
               words("col.status"), words("col.vehicle")]
        var table = TextTable(headers, rightAligned: [0])
        for trip in trips {
            let moo = try views.patient(trip.patient).flatMap { try views.place($0.village)?.moo }.map { "ม.\($0)" } ?? "-"
            table.add([String(trip.id!.rawValue)] + (days > 1 ? [format.date(trip.serviceDate)] : []) + [
                format.window(trip.pickupWindow), words.directionShort(trip.direction),
                "\(trip.patient) \(try views.patientName(trip.patient))", moo, trip.dropoffPlace.rawValue, words.mobility(trip.mobility),
                words.status(trip.status), vehicleOf[trip.id!]?.rawValue ?? "-",
            ])
        }
        return table.render()
    }

    private func materialiseText(_ report: MaterialiseReport) -> [String] {
        let days = Set(report.created.map(\.serviceDate)).count
        return [words("materialised", ["count": report.created.count, "days": days])]
            + report.skipped.map { words("materialised.skipped", ["order": $0.order, "date": format.date($0.date), "reason": format.text(words.phrase($0.reason))]) }
    }

    private func manifestText(_ manifests: [Manifest]) -> [String] {
        var lines: [String] = []
        for manifest in manifests {
            lines.append(fit(heading:
                words("manifest.head", [
                    "vehicle": manifest.vehicle.name, "id": manifest.vehicle.id, "date": format.date(manifest.run.date),
                    "driver": manifest.driver.name, "phone": manifest.driver.phone, "start": manifest.shift.start, "end": manifest.shift.end,
                ])
                    + (manifest.shift.breakStart.map { words("manifest.break", ["start": $0, "end": manifest.shift.breakEnd!]) } ?? "")))
            // In a terminal the place and the notes share the last column, which wraps; --wide parts them.
            var table = TextTable(
                ["#", words("col.time"), words("col.do"), words("col.trip"), words("col.patient"), words("col.phone")]
                    + (wide ? [words("col.place"), words("col.mobility"), words("col.companions.plus"), words("col.notes")]
                        : [words("col.mobility"), words("col.companions.plus"), words("col.place.notes")]),
                rightAligned: wide ? [0, 3, 8] : [0, 3, 7])
            for stop in manifest.stops {
                var notes = stop.notes
                if stop.action == .dropoff, let appointment = stop.appointment {
                    notes.insert(words("manifest.appointment", ["time": format.time(appointment)]), at: 0)
                }
                if let back = ManifestFormat.returnText(stop, offset: format.offset, words: words) { notes.append(back) }
                if let waiting = ManifestFormat.awaitingText(stop, offset: format.offset, words: words) { notes.insert(waiting, at: 0) }
                let first = [String(stop.sequence) + (stop.locked ? "*" : ""), format.time(stop.plannedTime), words.stopAction(stop.action),
                             String(stop.trip.rawValue), stop.patient.name, stop.patient.phone]
                let mobility = [words.mobility(stop.patient.mobility), String(stop.companions)]
                table.add(wide ? first + [stop.place.displayName] + mobility + [notes.joined(separator: "; ")]
                    : first + mobility + [([stop.place.displayName] + notes).joined(separator: "; ")])
            }
            lines.append(fit(table))
        }
        return lines
    }

    /// The promises a command broke, with who to call: part of the command's answer.
    mutating func noticeText(_ notices: [PromiseNotice]) throws -> [String] {
        guard !notices.isEmpty else { return [] }
        var lines = [words("notice.head")]
        for notice in notices {
            let what: String
            switch notice.kind {
            case .lostPlace: what = words("notice.lost", ["reason": format.text(words.phrase(notice.reason))])
            case .late(let minutes):
                what = words("notice.late", ["time": format.time(notice.plannedPickup), "vehicle": notice.vehicle?.rawValue ?? "-", "minutes": minutes])
            case .arrivedLate(let minutes): what = words("notice.arrivedLate", ["time": format.time(notice.plannedPickup), "minutes": minutes])
            }
            let because: String
            if case .lateArrival(let trip, _) = notice.cause, trip == notice.trip {
                because = ""
            } else {
                because = words("notice.because", ["cause": words.cause(notice.cause)])
            }
            lines.append(words("notice.line", ["trip": notice.trip, "patient": notice.patient, "name": try views.patientName(notice.patient),
                                               "window": format.window(notice.promised), "what": what, "because": because]))
        }
        return lines
    }

    /// Says that a change was stored but the re-plan after it failed.
    func replanFailureText(_ error: PhapaiError) -> String {
        words("replan.failed", ["keyword": error.keyword, "message": format.text(error.message)])
    }

    /// Says that a change was stored but the re-plan after it failed, in English.
    static func replanFailureText(_ error: PhapaiError) -> String {
        Words(.en)("replan.failed", ["keyword": error.keyword, "message": error.message])
    }

    static func tripList(_ trips: [Trip]) -> String {
        trips.isEmpty ? "." : ": " + trips.map { String($0.id!.rawValue) }.joined(separator: ", ")
    }

    /// A standing order's return as JSON has it: `none`, `will-call` or the time.
    static func returnMode(_ mode: StandingOrder.ReturnMode) -> String {
        switch mode {
        case .none: "none"
        case .willCall: "will-call"
        case .at(let time): time.description
        }
    }

    /// A standing order's return in words.
    func returnModeText(_ mode: StandingOrder.ReturnMode) -> String {
        switch mode {
        case .none: words("standing.return.none")
        case .willCall: words("window.willCall")
        case .at(let time): time.description
        }
    }

    static func coordinate(_ value: Double) -> String { String(format: "%.5f", value) }

    /// The report's column headers in English, as the CSV of an English report has them (lower case).
    static func reportHeaders(_ grouping: ReportGrouping?) -> [String] {
        [grouping?.rawValue.uppercased() ?? "GROUP", "TRIPS", "SERVED", "MISSED", "DENIED", "OPEN", "CANCELLED", "ADVANCE", "SAME_DAY",
         "LATE", "AT_DOOR", "NOT_NEEDED", "OFFICE", "NO_SHOW", "PICKUP_ON_TIME_%", "APPT_ON_TIME_%", "RIDE_MEAN_MIN", "RIDE_P95_MIN",
         "RATIO_MEAN", "RATIO_P95", "VEHICLE_H", "KM", "PAX_PER_VEH_H"]
    }

    /// The report's column headers in the renderer's language.
    func reportHeaders(_ grouping: ReportGrouping?) -> [String] {
        [words("report.col.by." + (grouping?.rawValue ?? "none"))] + Self.reportColumns.map { words("report.col." + $0) }
    }

    /// The keys of the report's columns after the group's, in order.
    static let reportColumns = [
        "trips", "served", "missed", "denied", "open", "cancelled", "advance", "same_day", "late", "at_door", "not_needed", "office", "no_show",
        "pickup_on_time", "appt_on_time", "ride_mean_min", "ride_p95_min", "ratio_mean", "ratio_p95", "vehicle_h", "km", "pax_per_veh_h",
    ]

    /// A report row's group for people: the total and a funding category in words.
    func reportGroup(_ group: String, _ grouping: ReportGrouping?) -> String {
        if group == "all" { return words("report.all") }
        if grouping == .funding, let entitlement = Entitlement(rawValue: group) { return words.entitlement(entitlement) }
        return group
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
    /// the first with a byte-order mark so that spreadsheet programs read Thai as UTF-8. The header
    /// is in the renderer's language; the values (ISO dates, codes) are the same in every language.
    private func csv(_ result: CommandResult) throws -> [String] {
        let rows: [[String]]
        switch result {
        case .manifests(let manifests):
            rows = ManifestFormat.csvRows(manifests, offset: format.offset, words: words)
        case .calls(let list):
            rows = CallsFormat.rows(list, offset: format.offset, words: words)
        case .report(let reportRows, let grouping):
            let header = words.language == .en ? Self.reportHeaders(grouping).map { $0.lowercased() } : reportHeaders(grouping)
            rows = [header] + reportRows.map(Self.reportCells)
        case .funderReport(let funderRows):
            rows = [[words("csv.funder.entitlement"), words("csv.funder.patients"), words("csv.funder.trips")]]
                + funderRows.map { [$0.entitlement.rawValue, String($0.patients), String($0.trips)] }
        default:
            throw PhapaiError.usage("this result has no CSV form", field: "csv")
        }
        return rows.enumerated().map { ($0.offset == 0 ? "\u{FEFF}" : "") + CSV.record($0.element) }
    }

    private func html(_ result: CommandResult) throws -> [String] {
        switch result {
        case .manifests(let manifests):
            return [String(ManifestFormat.html(manifests, offset: format.offset, era: format.era, words: words).dropLast())]
        case .calls(let list):
            return [String(CallsFormat.html(list, offset: format.offset, era: format.era, words: words).dropLast())]
        case .meetingReport(let report):
            return [String(ReportPage.html(report, offset: format.offset, era: format.era, words: words).dropLast())]
        default:
            throw PhapaiError.usage("this result has no HTML form", field: "html")
        }
    }
}
