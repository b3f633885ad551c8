import Foundation
import PhapaiApp
import PhapaiCore
import PhapaiService

/// `phapai demo`: a fresh database with the sample area, a realistic day booked, planned, driven
/// (with a late pickup and a no-show), re-planned and reported.
enum Demo {
    /// One journey of the demo day: who, where, when, and how they come back.
    struct Journey {
        let patient: String
        let to: String
        let appointment: String?
        let pickup: String?
        let back: String?
        let willCall: Bool

        init(_ patient: String, to: String, appointment: String? = nil, pickup: String? = nil, back: String? = nil, willCall: Bool = false) {
            self.patient = patient
            self.to = to
            self.appointment = appointment
            self.pickup = pickup
            self.back = back
            self.willCall = willCall
        }
    }

    /// A busy weekday of a tambon with three vehicles and a driver's lunch to keep: dialysis and
    /// clinics at the community hospital, check-ups at the health centre; mostly with returns, one
    /// will-call, wheelchair and stretcher patients among them. The wheelchair van is the
    /// bottleneck, and the plan says which trip it cannot take and why. (A round trip to the
    /// provincial hospital, 80 km away, ties up a vehicle for most of the day.)
    static let journeys: [Journey] = [
        Journey("P005", to: "H-COMM", appointment: "08:00", back: "13:15"),
        Journey("P033", to: "H-COMM", appointment: "08:00", back: "13:15"),
        Journey("P004", to: "H-COMM", appointment: "14:30", back: "15:45"),
        Journey("P002", to: "H-COMM", appointment: "08:30", back: "10:45"),
        Journey("P003", to: "H-COMM", appointment: "09:30", back: "12:00"),
        Journey("P010", to: "HC-NATHONG", appointment: "09:00", back: "10:30"),
        Journey("P017", to: "H-COMM", appointment: "10:00"),
        Journey("P001", to: "H-COMM", appointment: "10:00", back: "14:00"),
        Journey("P019", to: "H-COMM", appointment: "11:00", back: "13:30"),
        Journey("P027", to: "H-COMM", appointment: "08:00", willCall: true),
        Journey("P029", to: "HC-NATHONG", pickup: "13:00"),
        Journey("P035", to: "H-COMM", appointment: "13:00", back: "15:30"),
    ]

    static func run(folder: String?, context parent: CLIContext) throws {
        let folder = try folder ?? makeTemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let databasePath = (folder as NSString).appendingPathComponent("phapai.db")
        guard !FileManager.default.fileExists(atPath: databasePath) else {
            throw PhapaiError.conflict("dir", "FILE_EXISTS", "\(databasePath) already exists; give another --dir")
        }
        var parsed = ParsedArguments()
        parsed.values["db"] = databasePath
        if let config = parent.configDirectory { parsed.values["config"] = config }
        if let era = parent.askedEra { parsed.values["era"] = era.rawValue }
        if let language = parent.askedLanguage { parsed.values["lang"] = language.rawValue }
        let context = try CLIContext(parsed: parsed, environment: parent.environment, console: parent.console)
        let config = try context.configFolder()
        let summary = try LocalCommands.initialise(
            context: context, areaPath: "\(config)/areas/sample-tambon.json", policiesPath: "\(config)/policies.json")
        let application = try context.application()
        let service = application.service
        let area = try service.area()
        let day = nextWeekday(after: area.offset.date(of: context.clock()))
        let format = LocalFormat(offset: area.offset, era: try context.era(), language: try context.language())
        let words = format.words
        let console = context.console

        console.out(words("demo.title", ["area": area.name]))
        console.out(words("demo.database", ["path": databasePath, "patients": summary.patients, "vehicles": summary.vehicles,
                                            "drivers": summary.drivers, "shifts": summary.shifts]))
        console.out("")
        console.out(words("demo.booking", ["count": journeys.count, "date": format.date(day), "weekday": words.weekday(day.weekday)]))
        var renderer = try Renderer(application: application, era: format.era, language: words.language)
        for journey in journeys {
            let timing: BookingRequest.Timing =
                if let appointment = journey.appointment {
                    .appointment(area.offset.instant(day, try LocalTime.parse(appointment, field: "appointment")))
                } else {
                    .pickup(area.offset.instant(day, try LocalTime.parse(journey.pickup!, field: "pickup")))
                }
            let returnLeg: BookingRequest.ReturnLeg =
                if journey.willCall { .willCall } else if let back = journey.back {
                    .at(area.offset.instant(day, try LocalTime.parse(back, field: "return")))
                } else { .none }
            let trips = try service.bookTrip(
                BookingRequest(patient: PatientID.parse(journey.patient), to: PlaceID.parse(journey.to), timing: timing, returnLeg: returnLeg))
            for trip in trips { console.out(try renderer.describeBooked(trip)) }
        }
        let trips = try service.trips(date: day)
        console.out("")
        console.out(words("demo.trips", ["date": format.date(day)]))
        console.out(try renderer.tripTable(trips, showPatient: true))
        let returns = trips.filter { $0.direction == .return }
        console.out(words("demo.summary", [
            "trips": trips.count, "patients": Set(trips.map(\.patient)).count, "outbound": trips.count - returns.count, "returns": returns.count,
            "willCall": returns.filter(\.willCall).count, "wheelchair": trips.filter { $0.mobility == .wheelchair }.count,
            "stretcher": trips.filter { $0.mobility == .stretcher }.count,
        ]))
        try replayDay(day, databasePath: databasePath, context: context, format: format, console: console)
        console.out("")
        console.out(words("demo.explore"))
        console.out("  phapai --db \(databasePath) runs --date \(format.date(day))")
        console.out("  phapai --db \(databasePath) run show --date \(format.date(day)) --vehicle VAN1 --html > van1.html")
    }

    /// Plans the day, prints the runs, replays what drivers report (one late pickup, one no-show,
    /// a will-call return released by the clinic) on the day's own clock, lists what needs a call,
    /// closes the day and prints the report, whose counts add up to the trips booked.
    static func replayDay(_ day: LocalDate, databasePath: String, context: CLIContext, format: LocalFormat, console: Console) throws {
        let clock = SettableClock(format.offset.instant(day, LocalTime(minutes: 5 * 60)!))
        let service = try PhapaiService.open(path: databasePath, create: false, actor: "demo:dispatcher", clock: clock.read)
        console.out("")
        // An iteration budget and a fixed number of searches: the same day gives the same plan on
        // any machine, however many cores it has.
        let plan = try service.planDay(day, seconds: 60, iterations: 3000, threads: 2)
        let words = format.words
        console.out(words("demo.planned", ["trips": plan.runs.reduce(0) { $0 + Set($1.stops.map(\.trip)).count }, "runs": plan.runs.count,
                                           "unserved": plan.unserved.count, "km": String(format: "%.1f", plan.kilometres)]))
        for (trip, reason) in plan.unserved { console.out(words("demo.unserved", ["trip": trip, "reason": format.text(words.phrase(reason))])) }
        printRuns(try service.runs(on: day), format: format, console: console)

        // The day happens: drivers report each stop as planned, except one late pickup and one no-show.
        let runs = try service.runs(on: day)
        let stops = runs.flatMap { run in run.stops.map { (run.vehicle, $0) } }.sorted { $0.1.plannedTime < $1.1.plannedTime }
        let pickups = try stops.filter { try $0.1.action == .pickup && !service.trip($0.1.trip).awaitingRelease }
        guard let late = pickups.first?.1.trip,
            let absent = try pickups.last(where: { try $0.1.trip != late && service.trip($0.1.trip).direction == .outbound && service.trip($0.1.trip).linkedTrip != nil })?.1.trip
        else { return }
        console.out("")
        console.out(words("demo.replay", ["late": late, "absent": absent]))
        var handled = Set<String>()
        var calls: [(at: Instant, trip: TripID)] = []
        var index = 0
        func say(_ time: Instant, _ text: String) { console.out("  \(format.time(time)) \(text)") }
        func tell(_ notices: [PromiseNotice]) {
            for notice in notices {
                let what: String
                switch notice.kind {
                case .lostPlace: what = words("demo.notice.lost")
                case .late(let minutes): what = words("demo.notice.late", ["minutes": minutes])
                case .arrivedLate(let minutes): what = words("demo.notice.arrivedLate", ["minutes": minutes])
                }
                console.out(words("demo.notice", ["trip": notice.trip, "patient": notice.patient, "what": what, "reason": format.text(words.phrase(notice.reason))]))
            }
        }
        while index < 400 {
            index += 1
            let pending = try service.runs(on: day).flatMap { run in run.stops.map { (run.vehicle, $0) } }
                .filter { !handled.contains("\($0.1.trip)/\($0.1.action.rawValue)") }
                .filter { try !service.trip($0.1.trip).awaitingRelease }
                .sorted { $0.1.plannedTime < $1.1.plannedTime }
            // The clinic's calls come when they come, between the drivers' reports.
            if let call = calls.min(by: { $0.at < $1.at }), pending.first.map({ call.at <= $0.1.plannedTime }) ?? true {
                calls.removeAll { $0.trip == call.trip }
                clock.advance(to: call.at)
                let result = try service.releaseWillCall(call.trip)
                say(clock.now, words("demo.call", ["trip": call.trip])
                    + (result.placement.map { words("demo.call.placed", ["vehicle": $0.vehicle, "time": format.time($0.pickupTime)]) }
                        ?? words("demo.call.notPlaced", ["reason": format.text(words.phrase(result.reason))])))
                tell(result.notices)
                continue
            }
            guard let (_, stop) = pending.first else { break }
            handled.insert("\(stop.trip)/\(stop.action.rawValue)")
            let trip = try service.trip(stop.trip)
            guard trip.status.isActive else { continue }
            var when = stop.plannedTime
            if stop.trip == late && stop.action == .pickup { when = when.adding(minutes: 20) }
            clock.advance(to: when)
            when = clock.now
            if stop.trip == absent && stop.action == .pickup {
                _ = try service.reportStatus(stop.trip, .arrive, at: when)
                clock.set(when.adding(minutes: 6))
                let change = try service.reportStatus(stop.trip, .noshow, at: clock.now)
                say(clock.now, words("demo.noShow", ["trip": stop.trip])
                    + (change.alsoChanged.isEmpty ? "" : words("demo.noShow.return", ["trip": change.alsoChanged[0].id!])))
                tell(change.notices)
                continue
            }
            var changes: [StatusChange] = []
            if stop.action == .pickup && trip.status == .scheduled { changes.append(try service.reportStatus(stop.trip, .arrive, at: when)) }
            changes.append(try service.reportStatus(stop.trip, stop.action == .pickup ? .pickup : .dropoff, at: when))
            if changes.contains(where: \.replanned) {
                say(when, words("demo.lateReplan", ["trip": stop.trip, "action": words.stopAction(stop.action)]))
            }
            tell(changes.flatMap(\.notices))
            // The clinic calls three hours after a will-call patient arrives.
            if stop.action == .dropoff, let linked = trip.linkedTrip, try service.trip(linked).awaitingRelease {
                calls.append((when.adding(minutes: 180), linked))
            }
        }
        console.out("")
        clock.advance(to: format.offset.instant(day, LocalTime(minutes: 17 * 60 + 30)!))
        let items = try service.attention(on: day)
        console.out(words("demo.attention", ["time": format.time(clock.now)]) + (items.isEmpty ? words("demo.attention.nothing") : ""))
        for item in items {
            console.out(words("demo.attention.item", [
                "kind": words.attention(item.kind), "trip": item.trip.map { String($0.rawValue) } ?? "-",
                "patient": item.patient.map { "\($0.id) \($0.name) \($0.phone)" } ?? "", "detail": format.text(words.phrase(item.detail)),
            ]))
        }
        let closed = try service.closeDay(day)
        console.out("")
        console.out(words("demo.closed", ["missed": closed.missed.count, "closed": closed.closedReturns.count]))
        for trip in closed.missed { console.out(words("day.closed.missed", ["trip": trip.id!, "reason": format.text(words.phrase(trip.statusPhrase))])) }
        for trip in closed.closedReturns { console.out(words("day.closed.return", ["trip": trip.id!, "reason": format.text(words.phrase(trip.statusPhrase))])) }
        console.out("")
        console.out(words("demo.report", ["date": format.date(day)]))
        let row = try service.report(from: day, to: day)[0]
        func percent(_ value: Double?) -> String { value.map { String(format: "%.0f%%", $0 * 100) } ?? "-" }
        let cancelled = row.cancelled.values.reduce(0, +)
        console.out(words("demo.report.trips", [
            "trips": row.trips, "served": row.served, "noShows": row.noShows, "cancelled": cancelled,
            "notNeeded": row.cancelled[.outboundNotPerformed] ?? 0, "missed": row.missed, "denied": row.denied, "open": row.open,
        ]))
        console.out(words("demo.report.onTime", ["pickups": percent(row.pickupOnTime), "appointments": percent(row.appointmentOnTime)]))
        console.out(words("demo.report.ride", [
            "mean": String(format: "%.0f", row.meanRideMinutes ?? 0), "p95": String(format: "%.0f", row.p95RideMinutes ?? 0),
            "ratio": String(format: "%.2f", row.meanRideRatio ?? 0), "hours": String(format: "%.1f", row.vehicleHours ?? 0),
            "km": String(format: "%.0f", row.kilometres ?? 0), "pax": String(format: "%.2f", row.passengersPerVehicleHour ?? 0),
        ]))
    }

    static func printRuns(_ runs: [Run], format: LocalFormat, console: Console) {
        let words = format.words
        var table = TextTable([words("col.vehicle"), words("col.driver"), words("col.trips"), words("col.first"), words("col.last")], rightAligned: [2])
        for run in runs {
            table.add([run.vehicle.rawValue, run.driver.rawValue, String(Set(run.stops.map(\.trip)).count),
                       run.stops.first.map { format.time($0.plannedTime) } ?? "-", run.stops.last.map { format.time($0.plannedTime) } ?? "-"])
        }
        console.out(table.render())
    }

    /// The next Monday-to-Friday after `date`: clinics are closed at weekends.
    static func nextWeekday(after date: LocalDate) -> LocalDate {
        var day = date.adding(days: 1)
        while day.weekday == .saturday || day.weekday == .sunday { day = day.adding(days: 1) }
        return day
    }

    static func makeTemporaryFolder() throws -> String {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("phapai-demo-XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else {
            throw PhapaiError(.storage, keyword: "NO_TEMP_DIR", field: "dir", message: "could not create a temporary folder")
        }
        return String(cString: created)
    }
}
