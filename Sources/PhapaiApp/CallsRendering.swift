import PhapaiCore
import PhapaiService

/// The night-before call list as text, CSV and a page.
enum CallsFormat {
    /// The return arrangement: its planned time, will-call, none, or no vehicle yet.
    static func returnText(_ row: CallRow, offset: UTCOffset) -> String {
        guard let back = row.returnTrip else { return "-" }
        if back.awaitingRelease { return "will-call" }
        return row.returnPickup.map { offset.time(of: $0).description } ?? "no vehicle yet"
    }

    /// The marks: `*` the time or vehicle changed since the last list, then what attention says.
    static func marks(_ row: CallRow) -> String {
        ([row.changed ? "*" : ""] + row.attention.map(\.rawValue)).filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// Header and a record per patient, for CSV.
    static func rows(_ list: CallList, offset: UTCOffset) -> [[String]] {
        [["date", "window", "planned", "patient", "name", "phone", "vehicle", "driver", "driver_phone", "return", "companions", "changed", "attention"]]
            + list.rows.map { row in
                [list.date.iso, row.window.map { "\(offset.time(of: $0.earliest))-\(offset.time(of: $0.latest))" } ?? "",
                 row.plannedPickup.map { offset.time(of: $0).description } ?? "", row.patient.id.rawValue, row.patient.name, row.patient.phone,
                 row.vehicle?.id.rawValue ?? "", row.driver?.name ?? "", row.driver?.phone ?? "", returnText(row, offset: offset),
                 String(row.trip.companions), row.changed ? "yes" : "no", row.attention.map(\.rawValue).joined(separator: " ")]
            }
    }

    /// A page in Thai: a table on A4, a card per patient on a phone.
    static func html(_ list: CallList, offset: UTCOffset, era: Era) -> String {
        let escape = ManifestFormat.escape
        var body = """
            <h1>รายชื่อผู้ป่วยที่ต้องโทรแจ้ง วันที่ \(escape(list.date.format(era: era)))</h1>
            <p class="meta">\(list.rows.count) คน · * เวลาหรือรถเปลี่ยนตั้งแต่รายการครั้งก่อน\(list.previous.map { " (\(escape(offset.format($0))))" } ?? "")</p>
            <table>
            <thead><tr><th>เวลารับ</th><th>ผู้ป่วย</th><th>โทร</th><th>รถ / คนขับ</th><th>ขากลับ</th><th>ญาติ</th><th>หมายเหตุ</th></tr></thead>
            <tbody>

            """
        for row in list.rows {
            let window = row.window.map { "\(offset.time(of: $0.earliest))–\(offset.time(of: $0.latest))" } ?? "รอโทรเรียก"
            let vehicle = row.vehicle.map { escape($0.name) + (row.driver.map { "<br>\(escape($0.name)) " + ManifestFormat.telephone($0.phone) } ?? "") } ?? "ยังไม่มีรถ"
            let back: String
            if let trip = row.returnTrip {
                back = trip.awaitingRelease ? "รอคลินิกโทรเรียก" : row.returnPickup.map { "เวลา \(offset.time(of: $0))" } ?? "ยังไม่มีรถ"
            } else {
                back = "ไม่มี"
            }
            let marks = (row.changed ? ["<strong>* เปลี่ยน</strong>"] : []) + row.attention.map { attentionThai($0) }
            body += """
                <tr class="\(row.changed ? "changed" : "")"><td data-label="เวลารับ"><b>\(window)</b></td>\
                <td data-label="ผู้ป่วย">\(escape(row.patient.name))<br><small>\(escape(row.patient.id.rawValue)) · เที่ยว \(row.trip.id!)</small></td>\
                <td data-label="โทร">\(ManifestFormat.telephone(row.patient.phone))</td><td data-label="รถ">\(vehicle)</td>\
                <td data-label="ขากลับ">\(back)</td><td data-label="ญาติ">\(row.trip.companions)</td><td data-label="หมายเหตุ">\(marks.joined(separator: "<br>"))</td></tr>

                """
        }
        body += "</tbody>\n</table>\n"
        return ThaiPage.render(title: "รายชื่อโทรแจ้งผู้ป่วย Phapai", style: """
            td:first-child, td:nth-child(6) { white-space: nowrap; }
            tr.changed td { background: #fff6cc; }
            @media screen and (max-width: 640px) { td:first-child, td:nth-child(6) { white-space: normal; } }
            """, body: body)
    }

    /// An attention item's kind, in Thai.
    static func attentionThai(_ kind: AttentionItem.Kind) -> String {
        switch kind {
        case .returnAtRisk: "ขากลับยังไม่มีรถ"
        case .lostPlace: "เสียรถที่จัดไว้"
        case .late: "รถจะมาช้ากว่าที่แจ้ง"
        case .lateForAppointment: "จะถึงหลังเวลานัด"
        case .overdue: "ยังไม่มีรายงานจากคนขับ"
        case .notCalled: "คลินิกยังไม่โทรเรียก"
        case .unserved: "ยังไม่มีรถรับ"
        case .replanFailed: "จัดรถใหม่ไม่สำเร็จ"
        }
    }
}
