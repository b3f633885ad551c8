import PhapaiCore
import PhapaiService

/// The night-before call list as text, CSV and a page.
enum CallsFormat {
    /// The return arrangement: its planned time, will-call, none, or no vehicle yet.
    static func returnText(_ row: CallRow, offset: UTCOffset, words: Words = Words(.en)) -> String {
        guard let back = row.returnTrip else { return "-" }
        if back.awaitingRelease { return words("window.willCall") }
        return row.returnPickup.map { offset.time(of: $0).description } ?? words("calls.noVehicleYet")
    }

    /// The marks: `*` the time or vehicle changed since the last list, then what attention says.
    static func marks(_ row: CallRow, words: Words? = nil) -> String {
        // For people, a trip without a vehicle already says so in its vehicle column.
        let attention = words == nil || row.vehicle != nil ? row.attention : row.attention.filter { $0 != .unserved }
        return ([row.changed ? "*" : ""] + attention.map { words?.attention($0) ?? $0.rawValue }).filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The CSV's columns, for the catalogue test.
    static let csvColumns = [
        "date", "window", "planned", "patient", "name", "phone", "vehicle", "driver", "driver_phone", "return", "companions", "changed", "attention",
    ]

    /// Header (in `words`' language) and a record per patient, for CSV; the values are the same in
    /// every language.
    static func rows(_ list: CallList, offset: UTCOffset, words: Words = Words(.en)) -> [[String]] {
        [csvColumns.map { words("csv.calls." + $0) }]
            + list.rows.map { row in
                [list.date.iso, row.window.map { "\(offset.time(of: $0.earliest))-\(offset.time(of: $0.latest))" } ?? "",
                 row.plannedPickup.map { offset.time(of: $0).description } ?? "", row.patient.id.rawValue, row.patient.name, row.patient.phone,
                 row.vehicle?.id.rawValue ?? "", row.driver?.name ?? "", row.driver?.phone ?? "", returnText(row, offset: offset),
                 String(row.trip.companions), row.changed ? "yes" : "no", row.attention.map(\.rawValue).joined(separator: " ")]
            }
    }

    /// A page in `words`' language: a table on A4, a card per patient on a phone.
    static func html(_ list: CallList, offset: UTCOffset, era: Era, words: Words = Words(.th)) -> String {
        let escape = ManifestFormat.escape
        let labels = [words("calls.page.col.window"), words("page.col.patient"), words("page.col.phone"), words("calls.page.col.vehicle"),
                      words("calls.page.col.return"), words("page.col.companions"), words("page.col.notes")]
        var body = """
            <h1>\(words("calls.page.title", ["date": escape(list.date.format(era: era))]))</h1>
            <p class="meta">\(words("calls.page.meta", ["count": list.rows.count]))\(list.previous.map { " (\(escape(offset.format($0, era: era))))" } ?? "")</p>
            <table>
            <thead><tr>\(labels.map { "<th>\($0)</th>" }.joined())</tr></thead>
            <tbody>

            """
        for row in list.rows {
            let window = row.window.map { "\(offset.time(of: $0.earliest))–\(offset.time(of: $0.latest))" } ?? words("window.willCall")
            let vehicle = row.vehicle.map { escape($0.name) + (row.driver.map { "<br>\(escape($0.name)) " + ManifestFormat.telephone($0.phone) } ?? "") }
                ?? words("calls.noVehicleYet")
            let back: String
            if let trip = row.returnTrip {
                back = trip.awaitingRelease ? words("calls.page.return.willCall")
                    : row.returnPickup.map { words("calls.page.return.at", ["time": offset.time(of: $0)]) } ?? words("calls.noVehicleYet")
            } else {
                back = words("calls.page.return.none")
            }
            let marks = (row.changed ? ["<strong>\(words("calls.page.changed"))</strong>"] : []) + row.attention.map { words("attention.say." + $0.rawValue) }
            body += """
                <tr class="\(row.changed ? "changed" : "")"><td data-label="\(labels[0])"><b>\(window)</b></td>\
                <td data-label="\(labels[1])">\(escape(row.patient.name))<br><small>\(escape(row.patient.id.rawValue)) · \(words("page.trip", ["trip": row.trip.id!]))</small></td>\
                <td data-label="\(labels[2])">\(ManifestFormat.telephone(row.patient.phone))</td><td data-label="\(labels[3])">\(vehicle)</td>\
                <td data-label="\(labels[4])">\(back)</td><td data-label="\(labels[5])">\(row.trip.companions)</td><td data-label="\(labels[6])">\(marks.joined(separator: "<br>"))</td></tr>

                """
        }
        body += "</tbody>\n</table>\n"
        return ThaiPage.render(title: words("calls.page.head"), language: words.language, style: """
            td:first-child, td:nth-child(6) { white-space: nowrap; }
            tr.changed td { background: #fff6cc; }
            @media screen and (max-width: 640px) { td:first-child, td:nth-child(6) { white-space: normal; } }
            """, body: body)
    }
}
