import PhapaiCore
import PhapaiStore

/// One line of a driver's manifest: a stop with everything the driver needs at the door.
public struct ManifestStop: Sendable {
    public var sequence: Int
    public var trip: TripID
    public var action: RunStop.Action
    public var direction: TripDirection
    public var plannedTime: Instant
    public var locked: Bool
    public var place: Place
    public var patient: Patient
    public var village: Place?
    public var companions: Int
    public var notes: [String]
    public var appointment: Instant?
    /// The other leg: its trip and, when a run carries it, its planned pickup time.
    public var linkedTrip: TripID?
    public var linkedPickup: Instant?
    /// The other leg is a will-call the clinic has not called for yet.
    public var linkedWillCall: Bool
    /// Some run carries the other leg (or keeps a place for it).
    public var linkedCarried: Bool
    /// This stop keeps a place for a will-call return the clinic has not called for: the driver
    /// goes only when the office says so.
    public var awaitingRelease: Bool
    /// When that patient is expected ready.
    public var expected: TimeWindow?
}

/// A run with its stops resolved into manifest lines.
public struct Manifest: Sendable {
    public var run: Run
    public var vehicle: Vehicle
    public var driver: Driver
    public var shift: Shift
    public var stops: [ManifestStop]
}

extension PhapaiService {
    /// The manifests of `vehicle` on `date` (one per shift that has a run).
    public func manifests(on date: LocalDate, vehicle: VehicleID) throws -> [Manifest] {
        guard let vehicleRecord = try store.vehicle(vehicle) else {
            throw PhapaiError.notFound("vehicle", "UNKNOWN_VEHICLE", "no vehicle \(vehicle)")
        }
        let runs = try store.runs(on: date).filter { $0.vehicle == vehicle }
        guard !runs.isEmpty else {
            throw PhapaiError.notFound("vehicle", "NO_RUN", "vehicle \(vehicle) has no planned run on \(date.iso); run 'phapai plan --date \(date.iso)'")
        }
        let shifts = try store.shifts(from: date, to: date)
        var plannedPickup: [TripID: Instant] = [:]
        for run in try store.runs(on: date) { for stop in run.stops where stop.action == .pickup { plannedPickup[stop.trip] = stop.plannedTime } }
        return try runs.map { run in
            guard let driver = try store.driver(run.driver), let shift = shifts.first(where: { $0.id == run.shift }) else {
                throw PhapaiError(.storage, keyword: "BROKEN_RUN", field: nil, message: "run \(run.id ?? 0) refers to a missing driver or shift")
            }
            let stops = try run.stops.map { stop -> ManifestStop in
                let trip = try self.trip(stop.trip)
                let patient = try self.patient(trip.patient)
                let placeID = stop.action == .pickup ? trip.pickupPlace : trip.dropoffPlace
                let linked = try trip.linkedTrip.flatMap { try store.trip($0) }
                var notes: [String] = []
                if let note = patient.notes { notes.append(note) }
                if let note = trip.notes { notes.append(note) }
                if let address = patient.address, placeID == patient.home { notes.insert(address, at: 0) }
                return ManifestStop(
                    sequence: stop.sequence, trip: stop.trip, action: stop.action, direction: trip.direction,
                    plannedTime: stop.plannedTime, locked: stop.locked,
                    place: try place(placeID), patient: patient, village: try store.place(patient.village), companions: trip.companions,
                    notes: notes, appointment: trip.appointment, linkedTrip: linked?.id,
                    linkedPickup: linked?.id.flatMap { plannedPickup[$0] }, linkedWillCall: linked?.awaitingRelease ?? false,
                    linkedCarried: linked?.id.map { plannedPickup[$0] != nil } ?? false, awaitingRelease: trip.awaitingRelease,
                    expected: trip.releaseWindow)
            }
            return Manifest(run: run, vehicle: vehicleRecord, driver: driver, shift: shift, stops: stops)
        }
    }
}

/// The documented machine and print forms of manifests (docs/cli.md, "Run manifest").
public enum ManifestFormat {
    /// JSON: the run and its stops.
    public static func json(_ manifest: Manifest, offset: UTCOffset) -> JSONValue {
        .object([
            ("date", .string(manifest.run.date.iso)),
            ("vehicle", .object([("id", .string(manifest.vehicle.id.rawValue)), ("name", .string(manifest.vehicle.name))])),
            ("driver", .object([("id", .string(manifest.driver.id.rawValue)), ("name", .string(manifest.driver.name)),
                                ("phone", .string(manifest.driver.phone))])),
            ("shift", .object([
                ("start", .string(manifest.shift.start.description)), ("end", .string(manifest.shift.end.description)),
                ("breakStart", .optional(manifest.shift.breakStart?.description)), ("breakEnd", .optional(manifest.shift.breakEnd?.description)),
            ])),
            ("stops", .array(manifest.stops.map { stop in
                .object([
                    ("sequence", .int(stop.sequence)),
                    ("trip", .int(stop.trip.rawValue)),
                    ("action", .string(stop.action.rawValue)),
                    ("plannedTime", .string(offset.iso8601(stop.plannedTime))),
                    ("locked", .bool(stop.locked)),
                    ("place", .object([
                        ("id", .string(stop.place.id.rawValue)), ("name", .string(stop.place.displayName)),
                        ("latitude", .double(stop.place.coordinate.latitude)), ("longitude", .double(stop.place.coordinate.longitude)),
                    ])),
                    ("patient", .object([
                        ("id", .string(stop.patient.id.rawValue)), ("name", .string(stop.patient.name)), ("phone", .string(stop.patient.phone)),
                    ])),
                    ("village", .optional(stop.village?.displayName)),
                    ("mobility", .string(stop.patient.mobility.rawValue)),
                    ("companions", .int(stop.companions)),
                    ("notes", .array(stop.notes.map { .string($0) })),
                    ("appointment", .optional(stop.appointment.map(offset.iso8601))),
                    ("direction", .string(stop.direction.rawValue)),
                    ("linkedTrip", .optional(stop.linkedTrip?.rawValue)),
                    ("returnPickup", stop.direction == .return || stop.linkedTrip == nil || !stop.linkedCarried ? .null
                        : stop.linkedWillCall ? .string("will-call") : .optional(stop.linkedPickup.map(offset.iso8601))),
                    ("awaitingRelease", .bool(stop.awaitingRelease)),
                ])
            })),
        ])
    }

    /// CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheet programs read Thai correctly).
    public static func csv(_ manifests: [Manifest], offset: UTCOffset) -> String {
        var lines = ["\u{FEFF}date,vehicle,driver,sequence,time,action,trip,patient,name,phone,place,village,mobility,companions,appointment,return,notes"]
        for manifest in manifests {
            for stop in manifest.stops {
                let fields = [
                    manifest.run.date.iso, manifest.vehicle.id.rawValue, manifest.driver.name, String(stop.sequence),
                    offset.time(of: stop.plannedTime).description, stop.action.rawValue, String(stop.trip.rawValue), stop.patient.id.rawValue,
                    stop.patient.name, stop.patient.phone, stop.place.displayName, stop.village?.displayName ?? "",
                    stop.patient.mobility.rawValue, String(stop.companions), stop.appointment.map { offset.time(of: $0).description } ?? "",
                    returnText(stop, offset: offset), stop.notes.joined(separator: "; "),
                ]
                lines.append(fields.map(csvField).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
    public static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// For a drop-off whose return is booked: "trip N at HH:MM" (planned), "trip N: will-call"
    /// (a place kept), or "trip N: no vehicle yet" when no run carries it: never a time no run keeps.
    public static func returnText(_ stop: ManifestStop, offset: UTCOffset) -> String {
        guard stop.action == .dropoff, stop.direction == .outbound, let linked = stop.linkedTrip else { return "" }
        guard stop.linkedCarried else { return "trip \(linked): no vehicle yet" }
        if stop.linkedWillCall { return "trip \(linked): will-call" }
        return "trip \(linked)" + (stop.linkedPickup.map { " at \(offset.time(of: $0))" } ?? "")
    }

    /// The note of a stop that keeps a place for a will-call return.
    public static func awaitingText(_ stop: ManifestStop, offset: UTCOffset) -> String? {
        guard stop.awaitingRelease else { return nil }
        return "will-call: go only when the office calls" + (stop.expected.map { " (expected \(offset.time(of: $0.earliest))-\(offset.time(of: $0.latest)))" } ?? "")
    }

    /// A printable A4 page per run, in Thai-capable fonts.
    public static func html(_ manifests: [Manifest], offset: UTCOffset, era: Era) -> String {
        var body = ""
        for manifest in manifests {
            body += """
                <section class="run">
                <h1>ใบงานรถ \(escape(manifest.vehicle.name)) (\(escape(manifest.vehicle.id.rawValue)))</h1>
                <p class="meta">วันที่ \(escape(manifest.run.date.format(era: era))) · คนขับ \(escape(manifest.driver.name)) \(escape(manifest.driver.phone)) · กะ \(manifest.shift.start)–\(manifest.shift.end)\(manifest.shift.breakStart.map { " · พัก \($0)–\(manifest.shift.breakEnd!) ที่ อบต." } ?? "")</p>
                <table>
                <thead><tr><th>#</th><th>เวลา</th><th>งาน</th><th>ผู้ป่วย</th><th>โทร</th><th>สถานที่</th><th>การเดินทาง</th><th>ญาติ</th><th>หมายเหตุ</th></tr></thead>
                <tbody>

                """
            for stop in manifest.stops {
                let action = stop.action == .pickup ? "รับ" : "ส่ง"
                var notes = stop.notes.map(escape).joined(separator: "<br>")
                if let appointment = stop.appointment, stop.action == .dropoff {
                    notes = "นัด \(offset.time(of: appointment))" + (notes.isEmpty ? "" : "<br>" + notes)
                }
                let back = returnText(stop, offset: offset)
                if !back.isEmpty { notes += (notes.isEmpty ? "" : "<br>") + "ขากลับ: " + escape(back) }
                if stop.awaitingRelease {
                    notes = "รอโทรเรียกจากคลินิก" + (stop.expected.map { " (คาดว่า \(offset.time(of: $0.earliest))–\(offset.time(of: $0.latest)))" } ?? "")
                        + (notes.isEmpty ? "" : "<br>" + notes)
                }
                body += """
                    <tr class="\(stop.action.rawValue)"><td>\(stop.sequence)</td><td>\(offset.time(of: stop.plannedTime))</td><td>\(action)</td>\
                    <td>\(escape(stop.patient.name))<br><small>\(escape(stop.patient.id.rawValue)) · trip \(stop.trip)</small></td>\
                    <td>\(escape(stop.patient.phone))</td><td>\(escape(stop.place.displayName))\(stop.place.id == stop.patient.home ? stop.village.map { "<br><small>\(escape($0.displayName))</small>" } ?? "" : "")</td>\
                    <td>\(mobilityThai(stop.patient.mobility))</td><td>\(stop.companions)</td><td>\(notes)</td></tr>

                    """
            }
            body += "</tbody>\n</table>\n</section>\n"
        }
        return """
            <!DOCTYPE html>
            <html lang="th">
            <head>
            <meta charset="utf-8">
            <title>ใบงานรถ Phapai</title>
            <style>
            @page { size: A4; margin: 12mm; }
            body { font-family: "Sarabun", "TH Sarabun New", "Noto Sans Thai", "Noto Sans Thai UI", "Leelawadee UI", "Tahoma", sans-serif; font-size: 11pt; color: #111; }
            h1 { font-size: 15pt; margin: 0 0 2mm; }
            .meta { margin: 0 0 3mm; }
            table { width: 100%; border-collapse: collapse; }
            th, td { border: 1px solid #999; padding: 1.5mm; vertical-align: top; text-align: left; }
            th { background: #eee; }
            tr.pickup td:nth-child(3) { font-weight: bold; }
            small { color: #555; }
            section.run { page-break-after: always; }
            </style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
    }

    static func mobilityThai(_ mobility: Mobility) -> String {
        switch mobility {
        case .ambulatory: "เดินได้"
        case .wheelchair: "รถเข็น"
        case .stretcher: "เปลนอน"
        }
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
