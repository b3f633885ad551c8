import Foundation
import PhapaiCore
import PhapaiService

/// Commands that keep the day's promises: the attention list, closing a day, and corrections of
/// patients, trips and standing orders.
enum OperationsCommands {
    static let specs: [CommandSpec] = [
        CommandSpec(
            "attention", "Trips that need a call: lost or late promises, patients without a ride home, overdue stops, unserved bookings",
            options: [.value("date", "DATE", "the day (default today)"), Commands.json], run: attention),
        CommandSpec(
            "day close", "Close a day that is over: trips nobody reported become 'missed', returns of trips not performed are closed",
            options: [.value("date", "DATE", "the day", required: true)], run: closeDay),
        CommandSpec(
            "patient edit", "Correct a patient's details; a new mobility or home follows into their upcoming trips",
            positionals: [PositionalSpec(name: "ID", help: "patient code", required: true)],
            options: [
                .value("name", "TEXT", "full name"), .value("phone", "PHONE", "phone number"),
                .value("address", "TEXT", "directions to the house (empty to clear)"), .value("home", "PLACE", "home place code"),
                .value("village", "PLACE", "village place code"), .value("mobility", "MOBILITY", "ambulatory, wheelchair or stretcher"),
                .value("companions", "N", "usual number of relatives travelling along (0-4)"),
                .value("notes", "TEXT", "notes for drivers (empty to clear)"),
                .value("entitlement", "E", "tambon_health_fund, disability, ltc_dependency, self_pay or community_copay"),
            ], run: editPatient),
        CommandSpec(
            "trip move", "Move a journey (both legs) to another time; the old booking stays if the new time does not fit",
            positionals: [PositionalSpec(name: "ID", help: "trip number (either leg)", required: true)],
            options: [
                .value("appointment", "'DATE HH:MM'", "the new appointment"), .value("pickup", "'DATE HH:MM'", "the new pickup time"),
                .value("return", "HH:MM", "the return's new pickup time (default: moved by as much)"),
                .flag("will-call", "the return becomes will-call"),
            ], run: moveTrip),
        CommandSpec(
            "standing end", "End a standing order from a day on; its trips from then on are cancelled",
            positionals: [PositionalSpec(name: "ID", help: "standing order number", required: true)],
            options: [.value("from", "DATE", "the first day without trips", required: true)], run: endStanding),
    ]

    static func attention(_ call: Invocation) throws {
        let service = try call.context.service()
        let format = try call.context.formatter()
        let date = try call.date("date") ?? format.offset.date(of: call.context.clock())
        let items = try service.attention(on: date, area: try call.context.areaID())
        if call.wantsJSON {
            return call.printJSON(.array(items.map { item in
                .object([
                    ("kind", .string(item.kind.rawValue)), ("date", .string(item.date.iso)), ("trip", .optional(item.trip?.rawValue)),
                    ("direction", .optional(item.direction?.rawValue)),
                    ("patient", item.patient.map { .object([("id", .string($0.id.rawValue)), ("name", .string($0.name)), ("phone", .string($0.phone))]) } ?? .null),
                    ("promised", item.promised.map { .object([("earliest", .string(format.offset.iso8601($0.earliest))), ("latest", .string(format.offset.iso8601($0.latest)))]) } ?? .null),
                    ("plannedPickup", .optional(item.plannedPickup.map(format.offset.iso8601))), ("vehicle", .optional(item.vehicle?.rawValue)),
                    ("detail", .string(item.detail)),
                ])
            }))
        }
        guard !items.isEmpty else { return call.console.out("Nothing needs a call on \(format.date(date)).") }
        call.console.out("\(items.count) item(s) need a call on \(format.date(date)):")
        var table = TextTable(["KIND", "TRIP", "TOLD", "PATIENT", "PHONE", "WHAT"], rightAligned: [1])
        for item in items {
            table.add([
                item.kind.rawValue, item.trip.map { String($0.rawValue) } ?? "-", item.promised.map { format.window($0) } ?? "-",
                item.patient.map { "\($0.id) \($0.name)" } ?? "-", item.patient?.phone ?? "-", item.detail,
            ])
        }
        call.console.out(table.render())
    }

    static func closeDay(_ call: Invocation) throws {
        let service = try call.context.service()
        let format = try call.context.formatter()
        let result = try service.closeDay(try call.date("date")!, area: try call.context.areaID())
        call.console.out("Closed \(format.date(result.date)): \(result.missed.count) trip(s) marked missed, \(result.closedReturns.count) return(s) closed.")
        for trip in result.missed { call.console.out("  trip \(trip.id!) missed: \(trip.statusReason ?? "")") }
        for trip in result.closedReturns { call.console.out("  trip \(trip.id!) closed: \(trip.statusReason ?? "")") }
    }

    static func editPatient(_ call: Invocation) throws {
        let service = try call.context.service()
        var changes = PatientChanges()
        changes.name = call.value("name")
        changes.phone = call.value("phone")
        changes.address = call.value("address")
        changes.home = try call.value("home").map { try PlaceID.parse($0, field: "home") }
        changes.village = try call.value("village").map { try PlaceID.parse($0, field: "village") }
        changes.mobility = try call.value("mobility").map { try Mobility.parse($0, field: "mobility") }
        changes.companions = try call.int("companions")
        changes.notes = call.value("notes")
        changes.entitlement = try call.value("entitlement").map { try Entitlement.parse($0, field: "entitlement") }
        let result = try service.editPatient(PatientID.parse(call.positional(0)!, field: "ID"), changes)
        let format = try call.context.formatter()
        call.console.out("Patient \(result.patient.id) updated: " + (result.changed.isEmpty ? "nothing changed" : result.changed.joined(separator: ", ")))
        for trip in result.trips {
            call.console.out("  trip \(trip.id!) on \(format.date(trip.serviceDate)) follows: \(trip.status.rawValue), pickup \(format.window(trip.pickupWindow))"
                + (trip.statusReason.map { " (\($0))" } ?? ""))
        }
        try printNotices(result.notices, call: call, service: service)
        for failure in result.replanFailures { printReplanFailure(failure, call: call) }
    }

    static func moveTrip(_ call: Invocation) throws {
        let service = try call.context.service()
        let id = try TripID.parse(call.positional(0)!, field: "ID")
        let current = try service.trip(id)
        let offset = try call.context.area().offset
        let timing: BookingRequest.Timing
        switch (call.value("appointment"), call.value("pickup")) {
        case let (appointment?, nil): timing = .appointment(try offset.parseDateTime(appointment, field: "appointment"))
        case let (nil, pickup?): timing = .pickup(try offset.parseDateTime(pickup, field: "pickup"))
        case (nil, nil): throw PhapaiError.usage("'trip move' needs --appointment or --pickup", field: "appointment")
        default: throw PhapaiError.usage("give either --appointment or --pickup, not both", field: "pickup")
        }
        let day: LocalDate =
            switch timing {
            case .appointment(let at), .pickup(let at): offset.date(of: at)
            }
        let returnLeg: BookingRequest.ReturnLeg?
        switch (call.value("return"), call.flag("will-call")) {
        case (nil, false): returnLeg = nil
        case (nil, true): returnLeg = .willCall
        case let (text?, false): returnLeg = .at(try offset.parseDateTime(text, field: "return", defaultDate: day))
        case (_?, true): throw PhapaiError.usage("give either --return or --will-call, not both", field: "return")
        }
        let result = try service.moveTrip(current.id!, to: timing, returnLeg: returnLeg)
        var views = try ViewBuilder(service: service)
        let format = try call.context.formatter()
        call.console.out("Moved the journey of \(result.trips[0].patient) \(views.patientName(result.trips[0].patient)) to \(format.date(result.trips[0].serviceDate)):")
        for trip in result.trips {
            call.console.out(Commands.describeBooked(trip, views: views, format: format))
            if let placement = result.placements?[trip.id!] { call.console.out(Commands.describePlacement(placement, format: format)) }
        }
        try printNotices(result.notices, call: call, service: service)
    }

    static func endStanding(_ call: Invocation) throws {
        let (order, cancelled) = try call.context.service().endStandingOrder(
            StandingOrderID.parse(call.positional(0)!, field: "ID"), from: try call.date("from")!)
        let format = try call.context.formatter()
        let ending = order.active ? "ends after \(format.date(order.endDate!))" : "is ended (it makes no more trips)"
        call.console.out("Standing order \(order.id!) \(ending); cancelled \(cancelled.count) trip(s)"
            + (cancelled.isEmpty ? "." : ": " + cancelled.map { String($0.id!.rawValue) }.joined(separator: ", ")))
    }

    /// Prints the promises a command broke, with who to call: part of the command's answer.
    static func printNotices(_ notices: [PromiseNotice], call: Invocation, service: PhapaiService) throws {
        guard !notices.isEmpty else { return }
        let format = try call.context.formatter()
        var views = try ViewBuilder(service: service)
        call.console.out("Promises broken (call these patients; also in 'phapai attention'):")
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
            call.console.out("  trip \(notice.trip) \(notice.patient) \(views.patientName(notice.patient)), told \(format.window(notice.promised)): \(what)\(because)")
        }
    }

    /// Says on standard error that a change was stored but the re-plan after it failed.
    static func printReplanFailure(_ error: PhapaiError, call: Invocation) {
        call.console.err("phapai: warning [\(error.keyword)]: the change is stored, but re-planning the day failed: \(error.message); "
            + "plan the day again ('phapai plan')")
    }
}
