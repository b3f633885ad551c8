import Foundation
import PhapaiCore
import PhapaiStore

/// What one materialisation run did.
public struct MaterialiseReport: Sendable {
    /// Trips created (both legs).
    public var created: [Trip] = []
    /// Days skipped, with the reason: a public holiday, a double booking (a patient on hold is
    /// not listed).
    public var skipped: [(order: StandingOrderID, date: LocalDate, reason: Phrase)] = []
}

extension PhapaiService {
    /// Adds a standing order and materialises its trips over the booking horizon.
    public func addStandingOrder(_ order: StandingOrder) throws -> (StandingOrder, MaterialiseReport) {
        let patient = try patient(order.patient)
        _ = try place(order.pickupPlace, field: "from", area: patient.area)
        _ = try place(order.destination, field: "to", area: patient.area)
        guard !order.weekdays.isEmpty else {
            throw PhapaiError.invalid("days", "REQUIRED", Phrase("error.required.weekday"))
        }
        if let end = order.endDate, end < order.startDate {
            throw PhapaiError.invalid("until", "DATE_ORDER", "the end date \(end) is before the start date \(order.startDate)")
        }
        guard (0...Patient.maxCompanions).contains(order.companions) else {
            throw PhapaiError.invalid("companions", "OUT_OF_RANGE", Phrase("error.companions_range", ["max": "\(Patient.maxCompanions)"]))
        }
        if case .at(let time) = order.returnMode, time <= order.appointmentTime {
            throw PhapaiError.invalid("return", "RETURN_BEFORE_ARRIVAL", Phrase("error.return_time_before_appointment", ["time": "\(time)", "appointment": "\(order.appointmentTime)"]))
        }
        let fleet = try self.fleet(of: patient.area).map(\.capacity)
        try BookingRules.checkFleetCanCarry(mobility: patient.mobility, companions: order.companions, fleet: fleet)
        var stored = order
        stored.notes = try order.notes.map { try TextRules.line($0, field: "notes", maxLength: TextRules.Limit.notes) }
        return try write { now in
            stored.id = try store.insertStandingOrder(stored)
            store.record(
                "standing.add", entity: "standing:\(stored.id!)",
                detail: ["patient": "\(order.patient)", "days": order.weekdays.map(\.shortName).joined(separator: ",")])
            let report = try materialise(orders: [stored], now: now)
            return (stored, report)
        }
    }

    /// The standing orders of one area's patients (or of every area).
    public func standingOrders(area: AreaID? = nil) throws -> [StandingOrder] {
        let orders = try store.standingOrders()
        guard let area else { return orders }
        let patients = Set(try store.patients().filter { $0.area == area }.map(\.id))
        return orders.filter { patients.contains($0.patient) }
    }

    /// Holds of an order (or of all).
    public func holds(order: StandingOrderID? = nil) throws -> [StandingHold] { try store.holds(order: order) }

    /// Pauses a standing order between two dates and cancels the trips it had already produced
    /// in that span that have not started (a patient already taken to the clinic is brought home).
    public func holdStandingOrder(_ id: StandingOrderID, from: LocalDate, to: LocalDate, reason: String) throws
        -> (StandingHold, [Trip])
    {
        guard try store.standingOrder(id) != nil else {
            throw PhapaiError.notFound("standing", "UNKNOWN_STANDING_ORDER", "no standing order \(id)")
        }
        guard from <= to else {
            throw PhapaiError.invalid("to", "DATE_ORDER", "the hold must end on or after its first day (\(from))")
        }
        let reasonText = try TextRules.line(reason, field: "reason", maxLength: TextRules.Limit.reason)
        return try write { now in
            var hold = StandingHold(id: nil, order: id, from: from, to: to, reason: reasonText)
            hold.id = try store.insertHold(hold)
            store.record("standing.hold", entity: "standing:\(id)", detail: ["from": from.iso, "to": to.iso])
            let affected = try notStarted(try store.trips(from: from, to: to).filter { $0.standingOrder == id })
            let cancelled = try affected.map { try cancel($0, reason: Phrase("standing.on_hold", ["reason": reasonText]), atDoor: false, now: now) }
            try removeFromRuns(cancelled, now: now)
            return (hold, cancelled)
        }
    }

    /// Materialises the active standing orders of one area (or of every area) over the booking horizon.
    public func materialiseStandingOrders(area: AreaID? = nil) throws -> MaterialiseReport {
        let orders = try standingOrders(area: area).filter(\.active)
        guard !orders.isEmpty else { return MaterialiseReport() }
        return try write { now in
            let report = try materialise(orders: orders, now: now)
            if report.created.isEmpty {
                store.record("standing.materialise", entity: "standing:all", detail: ["created": "0", "area": area.map { "\($0)" } ?? "all"])
            }
            return report
        }
    }

    /// Creates the missing trips of `orders` from today to the end of the horizon, inside a write.
    /// A day that cannot be booked (already passed, patient double-booked) is skipped and reported.
    /// A public holiday (``holidays``) is skipped and reported too, every time the order is
    /// materialised: the trip is not moved to another day, since only the dispatcher knows whether
    /// the clinic is open that day (dialysis units often are) and can book it by hand.
    private func materialise(orders: [StandingOrder], now: Instant) throws -> MaterialiseReport {
        var report = MaterialiseReport()
        for order in orders {
            let patient = try patient(order.patient)
            let settings = try area(patient.area)
            let today = settings.offset.date(of: now)
            let holds = try store.holds(order: order.id!)
            for day in 0...settings.policies.bookingHorizonDays {
                let date = today.adding(days: day)
                guard order.recurs(on: date), !holds.contains(where: { $0.covers(date) }) else { continue }
                if let holiday = holidays.holiday(on: date) {
                    // Trips made before the day was entered in the calendar are kept, and said.
                    let made = try store.hasMaterialised(order.id!, on: date)
                    let names = ["name_th": holiday.nameTH, "name_en": holiday.nameEN]
                    report.skipped.append((order.id!, date, Phrase(made ? "standing.holiday.made_before" : "standing.holiday", names)))
                    continue
                }
                guard try !store.hasMaterialised(order.id!, on: date) else { continue }
                let returnLeg: BookingRequest.ReturnLeg =
                    switch order.returnMode {
                    case .none: .none
                    case .willCall: .willCall
                    case .at(let time): .at(settings.offset.instant(date, time))
                    }
                let request = BookingRequest(
                    patient: order.patient, from: order.pickupPlace, to: order.destination,
                    timing: .appointment(settings.offset.instant(date, order.appointmentTime)), returnLeg: returnLeg,
                    companions: order.companions, funding: order.funding, notes: order.notes)
                do {
                    report.created += try store.savepoint { try book(request, now: now, standingOrder: order.id) }
                } catch let error as PhapaiError where error.category != .storage {
                    // A day whose pickup has already passed is simply not produced.
                    if error.keyword == "IN_PAST" || error.keyword == "TOO_SOON" { continue }
                    report.skipped.append((order.id!, date, error.phrase ?? .text(error.message)))
                }
            }
        }
        return report
    }
}

extension HolidayCalendar {
    /// The name of the calendar file in a config folder (config/holidays-th.csv).
    public static let fileName = "holidays-th.csv"

    /// Reads and checks the calendar file at `path`; errors name `field` first, then the file,
    /// the line and the rule (`holidays: config/holidays-th.csv line 12: date`). A missing file
    /// is an error too: an office without its calendar would make trips on public holidays.
    public static func load(path: String, field: String) throws -> HolidayCalendar {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PhapaiError.notFound(
                field, "NO_FILE",
                "cannot read the holiday calendar \(path) (copy config/\(fileName) there and check it; a file with only its header line has no holidays)")
        }
        do {
            return try parse(data, source: path)
        } catch var error as PhapaiError {
            error.field = "\(field): \(error.field ?? path)"
            throw error
        }
    }
}
