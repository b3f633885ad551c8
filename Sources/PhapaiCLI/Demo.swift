import Foundation
import PhapaiCore
import PhapaiService

/// `phapai demo`: a fresh database with the sample area and a realistic booked day.
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

    /// A weekday morning of a tambon: dialysis at the provincial hospital, clinics at the
    /// community hospital, a check-up at the health centre; mostly with returns, one will-call,
    /// wheelchair and stretcher patients among them.
    static let journeys: [Journey] = [
        Journey("P005", to: "H-PROV", appointment: "08:00", back: "13:00"),
        Journey("P033", to: "H-PROV", appointment: "08:00", back: "13:00"),
        Journey("P004", to: "H-COMM", appointment: "09:00", willCall: true),
        Journey("P002", to: "H-COMM", appointment: "08:30", back: "11:30"),
        Journey("P003", to: "H-COMM", appointment: "09:30", back: "12:00"),
        Journey("P010", to: "HC-NATHONG", appointment: "09:00", back: "10:30"),
        Journey("P017", to: "H-COMM", appointment: "10:00"),
        Journey("P001", to: "H-COMM", appointment: "10:00", back: "14:00"),
        Journey("P019", to: "H-PROV", appointment: "09:30", back: "14:30"),
        Journey("P027", to: "H-COMM", appointment: "08:00", back: "10:30"),
        Journey("P029", to: "HC-NATHONG", pickup: "13:00"),
        Journey("P035", to: "H-COMM", appointment: "13:00", back: "15:30"),
    ]

    static func run(_ call: Invocation) throws {
        let folder = try call.value("dir") ?? makeTemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let databasePath = (folder as NSString).appendingPathComponent("phapai.db")
        guard !FileManager.default.fileExists(atPath: databasePath) else {
            throw PhapaiError.conflict("dir", "FILE_EXISTS", "\(databasePath) already exists; give another --dir")
        }
        let context = try CLIContext(
            parsed: {
                var parsed = call.parsed
                parsed.values["db"] = databasePath
                return parsed
            }(), environment: call.context.environment, console: call.console)
        let config = try context.configFolder()
        let summary = try Commands.initialise(
            context: context, areaPath: "\(config)/areas/sample-tambon.json", policiesPath: "\(config)/policies.json")
        let service = try context.service()
        let area = try service.area()
        let day = nextWeekday(after: area.offset.date(of: context.clock()))
        let format = Formatter(offset: area.offset, era: context.era)

        call.console.out("Phapai demo: \(area.name)")
        call.console.out("Database \(databasePath): \(summary.patients) patients, \(summary.vehicles) vehicles, \(summary.drivers) drivers, \(summary.shifts) shifts.")
        call.console.out("")
        call.console.out("Booking \(journeys.count) journeys for \(format.date(day)) (\(day.weekday.shortName)):")
        var views = try ViewBuilder(service: service)
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
            for trip in trips { call.console.out(Commands.describeBooked(trip, views: views, format: format)) }
        }
        let trips = try service.trips(date: day)
        call.console.out("")
        call.console.out("Trips on \(format.date(day)):")
        call.console.out(Commands.tripTable(trips, views: &views, format: format, showPatient: true))
        let returns = trips.filter { $0.direction == .return }
        call.console.out(
            "\(trips.count) trips for \(Set(trips.map(\.patient)).count) patients: \(trips.count - returns.count) outbound, "
                + "\(returns.count) returns (\(returns.filter(\.willCall).count) will-call); "
                + "\(trips.filter { $0.mobility == .wheelchair }.count) wheelchair and \(trips.filter { $0.mobility == .stretcher }.count) stretcher legs.")
        call.console.out("")
        call.console.out("Explore it: phapai --db \(databasePath) trip list --date \(day.iso)")
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
