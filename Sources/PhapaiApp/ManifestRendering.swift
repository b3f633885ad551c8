import PhapaiCore
import PhapaiService

/// The documented machine and print forms of manifests (docs/cli.md, "Run manifest").
enum ManifestFormat {
    /// JSON: the run and its stops.
    static func json(_ manifest: Manifest, offset: UTCOffset) -> JSONValue {
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

    /// The CSV's records: a header, then a record per stop (``CSV`` writes them).
    static func csvRows(_ manifests: [Manifest], offset: UTCOffset) -> [[String]] {
        var rows = [["date", "vehicle", "driver", "sequence", "time", "action", "trip", "patient", "name", "phone", "place", "village",
                     "mobility", "companions", "appointment", "return", "notes"]]
        for manifest in manifests {
            for stop in manifest.stops {
                let fields = [
                    manifest.run.date.iso, manifest.vehicle.id.rawValue, manifest.driver.name, String(stop.sequence),
                    offset.time(of: stop.plannedTime).description, stop.action.rawValue, String(stop.trip.rawValue), stop.patient.id.rawValue,
                    stop.patient.name, stop.patient.phone, stop.place.displayName, stop.village?.displayName ?? "",
                    stop.patient.mobility.rawValue, String(stop.companions), stop.appointment.map { offset.time(of: $0).description } ?? "",
                    stop.returnText(offset: offset), stop.notes.joined(separator: "; "),
                ]
                rows.append(fields)
            }
        }
        return rows
    }

    /// A printable A4 page per run, in Thai-capable fonts.
    static func html(_ manifests: [Manifest], offset: UTCOffset, era: Era) -> String {
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
                let back = stop.returnText(offset: offset)
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
