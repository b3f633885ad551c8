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

    /// The CSV's records: a header (in `words`' language), then a record per stop (``CSV`` writes
    /// them). The values are the same in every language: ISO dates, codes.
    static func csvRows(_ manifests: [Manifest], offset: UTCOffset, words: Words = Words(.en)) -> [[String]] {
        var rows = [csvColumns.map { words("csv.manifest." + $0) }]
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

    /// The CSV manifest's columns, for the catalogue test.
    static let csvColumns = [
        "date", "vehicle", "driver", "sequence", "time", "action", "trip", "patient", "name", "phone", "place", "village", "mobility", "companions",
        "appointment", "return", "notes",
    ]

    /// A page per run, in `words`' language: on a phone (360-412 px) each stop is a card (time and
    /// window, patient, a phone link, address, a map link, mobility and companions, notes, status,
    /// the next stop marked); printed on A4 it is a table. No script: it reads on a slow connection.
    /// The driver web face puts `banner` (HTML) above the runs and each stop's `controls` (HTML:
    /// its buttons) under its status.
    static func html(
        _ manifests: [Manifest], offset: UTCOffset, era: Era, words: Words = Words(.th), banner: String = "", showLocks: Bool = true,
        controls: (Manifest, ManifestStop) -> String = { _, _ in "" }
    ) -> String {
        var body = banner
        let labels = ["#", words("page.col.time"), words("page.col.do"), words("page.col.patient"), words("page.col.phone"), words("page.col.place"),
                      words("page.col.mobility"), words("page.col.companions"), words("page.col.notes"), words("page.col.status")]
        // The first run's next stop is where the page's "next" link goes.
        var nextMarked = false
        for manifest in manifests {
            // The first stop not yet done is where the driver goes next.
            let next = manifest.stops.first { !$0.isDone }?.sequence
            let pause = manifest.shift.breakStart.map { words("manifest.page.break", ["start": $0, "end": manifest.shift.breakEnd!]) } ?? ""
            body += """
                <section class="run">
                <h1>\(words("manifest.page.title", ["vehicle": escape(manifest.vehicle.name), "id": escape(manifest.vehicle.id.rawValue)]))</h1>
                <p class="meta">\(words("manifest.page.meta", ["date": escape(manifest.run.date.format(era: era)), "driver": escape(manifest.driver.name), "phone": telephone(manifest.driver.phone), "start": manifest.shift.start, "end": manifest.shift.end]))\(pause)</p>
                <table>
                <thead><tr>\(labels.map { "<th>\($0)</th>" }.joined())</tr></thead>
                <tbody>

                """
            for stop in manifest.stops {
                let action = words.stopAction(stop.action)
                var notes = stop.notes.map(escape)
                if let appointment = stop.appointment, stop.action == .dropoff {
                    notes.insert(words("manifest.appointment", ["time": offset.time(of: appointment)]), at: 0)
                }
                // On the driver's page only a return a run carries: never one without a vehicle.
                if stop.linkedCarried, let back = returnText(stop, offset: offset, words: words) { notes.append(back) }
                if let waiting = awaitingText(stop, offset: offset, words: words, page: true) { notes.insert(waiting, at: 0) }
                let window = stop.action == .pickup
                    ? stop.window.map { "<br><small>\(words("manifest.page.window"))<br>\(offset.time(of: $0.earliest))–\(offset.time(of: $0.latest))</small>" } ?? ""
                    : ""
                let place = escape(stop.place.displayName)
                    + (stop.place.id == stop.patient.home ? stop.village.map { "<br><small>\(escape($0.displayName))</small>" } ?? "" : "")
                    + "<br><a class=\"map\" rel=\"noreferrer\" href=\"https://www.google.com/maps/search/?api=1&amp;query=\(stop.place.coordinate.latitude),\(stop.place.coordinate.longitude)\">\(words("manifest.page.map"))</a>"
                let classes = [stop.action.rawValue] + (stop.sequence == next ? ["next"] : []) + (stop.isDone ? ["done"] : [])
                let state = (stop.sequence == next ? "<strong>\(words("manifest.page.next"))</strong> " : "") + stopState(stop, words: words)
                    + (stop.locked && showLocks ? " · " + words("manifest.page.locked") : "")
                body += """
                    <tr class="\(classes.joined(separator: " "))"\(stop.sequence == next && !nextMarked ? " id=\"next\"" : "")><td data-label="#">\(stop.sequence)</td>\
                    <td data-label="\(labels[1])"><b>\(offset.time(of: stop.plannedTime))</b>\(window)</td><td data-label="\(labels[2])">\(action)</td>\
                    <td data-label="\(labels[3])">\(escape(stop.patient.name))<br><small>\(escape(stop.patient.id.rawValue)) · \(words("page.trip", ["trip": stop.trip]))</small></td>\
                    <td data-label="\(labels[4])">\(telephone(stop.patient.phone))</td><td data-label="\(labels[5])">\(place)</td>\
                    <td data-label="\(labels[6])">\(words.mobility(stop.patient.mobility))</td><td data-label="\(labels[7])">\(stop.companions)</td>\
                    <td data-label="\(labels[8])">\(notes.joined(separator: "<br>"))</td><td data-label="\(labels[9])">\(state)\(controls(manifest, stop))</td></tr>

                    """
            }
            if next != nil { nextMarked = true }
            body += "</tbody>\n</table>\n</section>\n"
        }
        return ThaiPage.render(title: words("manifest.page.head"), language: words.language, style: """
            td:nth-child(-n+3), td:nth-child(8) { white-space: nowrap; }
            td:nth-child(4) { min-width: 5.5em; } td:nth-child(6) { min-width: 6em; } td:nth-child(9) { min-width: 9em; }
            tr.pickup td:nth-child(3) { font-weight: bold; }
            tr.next td { background: #fff6cc; }
            tr.done { color: #777; }
            /* On a phone a stop that is done shrinks to its time, work, patient and status, so the next one is in view. */
            @media screen and (max-width: 640px) { tr.done td:nth-child(n+5):not(:last-child), tr.done td:nth-child(1) { display: none; } }
            section.run { page-break-after: always; }
            .acts { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; }
            form.act { margin: 0; flex: 1 1 9em; }
            form.act button { width: 100%; font: inherit; font-size: 18px; min-height: 52px; padding: 8px 10px; border-radius: 8px; border: 2px solid #555; background: #f4f4f4; }
            form.act button.main { background: #1a6; border-color: #1a6; color: #fff; font-weight: bold; }
            form.act.undo button { font-size: 15px; min-height: 40px; background: #fff; }
            .banner { border: 2px solid #1a6; border-radius: 8px; padding: 8px 12px; margin: 8px 0; background: #eefaf2; }
            .banner.error { border-color: #c33; background: #fdeeee; }
            .banner p { margin: 2px 0; overflow-wrap: anywhere; }
            @media print { .acts, .banner, .reload { display: none; } }
            @media screen and (max-width: 640px) { .acts { margin-left: -6em; } }
            @media screen and (max-width: 640px) {
              tr.next { border: 3px solid #c90; }
              td:nth-child(-n+3), td:nth-child(8) { white-space: normal; min-width: 0; }
            }
            """, body: body)
    }

    /// A phone number as a link that dials it (the digits only in the link).
    static func telephone(_ phone: String) -> String {
        "<a class=\"tel\" href=\"tel:\(phone.filter { $0.isASCII && ($0.isNumber || $0 == "+") })\">\(escape(phone))</a>"
    }

    /// The return of an outbound drop-off, only when a run carries it (or keeps a place for a
    /// will-call): never a time no run keeps.
    static func returnText(_ stop: ManifestStop, offset: UTCOffset, words: Words) -> String? {
        guard stop.action == .dropoff, stop.direction == .outbound, let linked = stop.linkedTrip else { return nil }
        guard stop.linkedCarried else { return words("manifest.return.noVehicle", ["trip": linked]) }
        if stop.linkedWillCall { return words("manifest.return.willCall", ["trip": linked]) }
        return stop.linkedPickup.map { words("manifest.return.at", ["trip": linked, "time": offset.time(of: $0)]) }
            ?? words("manifest.return", ["trip": linked])
    }

    /// The note of a stop that keeps a place for a will-call return (on a page, the time range
    /// with an en dash).
    static func awaitingText(_ stop: ManifestStop, offset: UTCOffset, words: Words, page: Bool = false) -> String? {
        guard stop.awaitingRelease else { return nil }
        let dash = page ? "–" : "-"
        return words("manifest.awaiting")
            + (stop.expected.map { words("manifest.awaiting.expected", ["window": "\(offset.time(of: $0.earliest))\(dash)\(offset.time(of: $0.latest))"]) } ?? "")
    }

    /// What the stop's trip is at, as the driver reads it.
    static func stopState(_ stop: ManifestStop, words: Words) -> String {
        switch stop.status {
        case .requested, .scheduled: words("stop.state.waiting")
        case .enRoute: stop.action == .pickup ? words("stop.state.arrived") : words("stop.state.waiting")
        case .pickedUp: stop.action == .pickup ? words("stop.state.pickedUp") : words("stop.state.onTheWay")
        case .droppedOff: stop.action == .pickup ? words("stop.state.pickedUp") : words("stop.state.droppedOff")
        case .noShow: words("stop.state.noShow")
        case .cancelled: words("stop.state.cancelled")
        case .denied: words("stop.state.denied")
        case .missedByOperator: words("stop.state.missed")
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

/// A page for people, in Thai or English: a Thai font stack, a table that prints on A4, and on a phone (up
/// to 640 px wide) each row a card whose cells carry their column's name (`data-label`). No
/// script: it reads on a slow connection. The manifest and the call list are such pages.
enum ThaiPage {
    /// The whole page: `style` adds the page's own rules after the shared ones.
    static func render(title: String, language: Language, style: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="\(language.rawValue)">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>\(ManifestFormat.escape(title))</title>
        <style>
        @page { size: A4; margin: 12mm; }
        body { font-family: "Sarabun", "TH Sarabun New", "Noto Sans Thai", "Noto Sans Thai UI", "Leelawadee UI", "Tahoma", sans-serif; font-size: 11pt; color: #111; margin: 0 auto; max-width: 1200px; padding: 0 8px; }
        h1 { font-size: 15pt; margin: 8px 0 4px; }
        .meta { margin: 0 0 8px; }
        table { width: 100%; border-collapse: collapse; }
        th, td { border: 1px solid #999; padding: 4px; vertical-align: top; text-align: left; overflow-wrap: break-word; }
        th { background: #eee; }
        small { color: #555; }
        a { color: #0645ad; }
        a.tel { white-space: nowrap; }
        @media print { body { font-size: 9.5pt; padding: 0; } }
        @media screen and (max-width: 640px) {
          body { font-size: 17px; padding: 0 10px; }
          table, thead, tbody, tr, td { display: block; width: auto; }
          thead { display: none; }
          tr { border: 1px solid #999; border-radius: 8px; margin: 0 0 12px; padding: 6px 10px; }
          td { border: none; padding: 3px 0 3px 6em; position: relative; min-height: 1.4em; }
          td::before { content: attr(data-label); position: absolute; left: 0; width: 5.5em; color: #555; font-size: 15px; }
          td:empty { display: none; }
          a.tel, a.map { display: inline-block; padding: 6px 0; font-size: 18px; }
        }
        \(style)
        </style>
        </head>
        <body>
        \(body)</body>
        </html>

        """
    }
}
