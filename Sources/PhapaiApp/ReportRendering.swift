import Foundation
import PhapaiCore
import PhapaiService

/// The meeting report as a page in Thai for a tambon council: read on a phone, printed on A4 or
/// put on a wall. Charts are inline SVG drawn here (no script, nothing fetched), bars with their
/// numbers written beside them, and solid versus hatched so that they read in greyscale print.
enum ReportPage {
    /// How a bar is drawn: solid dark (served), hatched (not served), or mid grey (a share).
    enum Style {
        case solid, hatched, share
    }

    /// One group of bars: a label line, then one bar per series.
    struct Group {
        var label: String
        /// Said after the label in a lighter weight (a total, a share).
        var note: String?
        /// One value per series; nil draws no bar and writes the page's "no data".
        var values: [Double?]
        /// The text written beside each bar.
        var texts: [String]
        /// Nothing to show (a village without trips): said on the label's line, without bars.
        var empty = false
    }

    /// The chart's drawing width in viewBox units; bars leave room for their number after them.
    static let width = 400.0
    static let labelSize = 15.0
    static let numberSize = 14.0
    static let barHeight = 14.0

    /// The whole page in `words`' language, dates in `era`.
    static func html(_ report: MeetingReport, offset: UTCOffset, era: Era, words: Words) -> String {
        let T = ReportPageText(words: words, era: era)
        let escape = ManifestFormat.escape
        let total = report.total
        let notServed = { (row: ReportRow) in row.missed + row.denied }
        let made = offset.date(of: report.madeAt)
        var body = """
            <header>
            <h1>\(T.title)</h1>
            <p class="meta"><b>\(escape(report.areaName))</b></p>
            <p class="meta">\(T.span(T.date(report.from), T.date(report.to)))</p>
            <p class="meta"><small>\(T.madeAt(T.date(made), offset.time(of: report.madeAt).description))</small></p>
            </header>

            """
        // The few numbers a meeting asks first.
        let figures: [(String, String)] = [
            (String(total.trips), T.allTrips), (String(total.served), T.served), (String(notServed(total)), T.notServed),
            (percent(total.pickupOnTime) ?? "–", T.pickupOnTime), (total.kilometres.map { grouped(Int($0.rounded())) } ?? "–", T.kilometres),
        ]
        body += "<section class=\"figures\">\n"
        for (number, label) in figures { body += "<div><p class=\"n\">\(number)</p><p>\(label)</p></div>\n" }
        body += "</section>\n"

        body += "<div class=\"charts\">\n"
        body += section(T.outcomesTitle, note: T.outcomesNote, chart: chart(id: "outcomes", label: T.outcomesTitle, series: [], groups: [
            Group(label: T.served, values: [Double(total.served)], texts: [T.trips(total.served)]),
            Group(label: T.notServed, values: [Double(notServed(total))], texts: [T.trips(notServed(total))]),
            Group(label: T.cancelled, values: [Double(total.cancelled.values.reduce(0, +))], texts: [T.trips(total.cancelled.values.reduce(0, +))]),
            Group(label: T.noShow, values: [Double(total.noShows)], texts: [T.trips(total.noShows)]),
            Group(label: T.open, values: [Double(total.open)], texts: [T.trips(total.open)]),
        ], styles: [.solid, .hatched, .share, .share, .share]))

        body += section(T.onTimeTitle, note: T.onTimeNote, chart: chart(id: "on-time", label: T.onTimeTitle, series: [], groups: [
            Group(label: T.pickupOnTime, values: [total.pickupOnTime.map { $0 * 100 }], texts: [percent(total.pickupOnTime) ?? T.noData]),
            Group(label: T.appointmentOnTime, values: [total.appointmentOnTime.map { $0 * 100 }], texts: [percent(total.appointmentOnTime) ?? T.noData]),
        ], styles: [.share], maximum: 100))

        let servedAndNot: [(String, Style)] = [(T.served, .solid), (T.notServed, .hatched)]
        func twoBars(_ row: ReportRow, label: String, note: String?) -> Group {
            // A group without trips says so instead of its note.
            Group(label: label, note: row.trips == 0 ? T.nothing : note, values: [Double(row.served), Double(notServed(row))],
                  texts: [String(row.served), String(notServed(row))], empty: row.trips == 0)
        }
        if !report.months.isEmpty {
            body += section(T.monthsTitle, note: T.groupsNote, chart: chart(id: "months", label: T.monthsTitle, series: servedAndNot, groups: report.months.map { month in
                twoBars(month.row, label: T.month(month.year, month.month), note: T.ofTrips(month.row.trips))
            }))
            body += section(T.monthsOnTimeTitle, note: nil, chart: chart(id: "months-on-time", label: T.monthsOnTimeTitle, series: [], groups: report.months.map { month in
                Group(label: T.month(month.year, month.month), values: [month.row.pickupOnTime.map { $0 * 100 }],
                      texts: [percent(month.row.pickupOnTime) ?? T.noData])
            }, styles: [.share], maximum: 100))
        }
        body += section(T.fundingTitle, note: T.groupsNote, chart: chart(id: "funding", label: T.fundingTitle, series: servedAndNot, groups: report.funding.map { row in
            twoBars(row, label: (Entitlement(rawValue: row.group).map { T.entitlement($0) }) ?? row.group, note: T.ofTrips(row.trips))
        }))
        body += section(T.vehiclesTitle, note: T.vehiclesNote, chart: chart(id: "vehicles", label: T.vehiclesTitle, series: servedAndNot, groups: report.vehicles.map { row in
            let name = row.group == "-" ? T.noVehicle : report.vehicleNames[VehicleID(unchecked: row.group)] ?? row.group
            let use = [row.kilometres.flatMap { $0 > 0 ? T.km(grouped(Int($0.rounded()))) : nil },
                       row.vehicleHours.flatMap { $0 > 0 ? T.hours(String(format: "%.1f", $0)) : nil }].compactMap { $0 }
            return twoBars(row, label: name, note: use.isEmpty ? nil : use.joined(separator: " · "))
        }))
        body += section(T.villagesTitle, note: T.groupsNote, chart: chart(id: "villages", label: T.villagesTitle, series: servedAndNot, groups: report.villages.map { row in
            twoBars(row, label: row.group == "-" ? T.noVillage : row.group, note: T.ofTrips(row.trips))
        }))
        body += "</div>\n"
        return ThaiPage.render(title: T.pageTitle(report.areaName), language: words.language, style: style, body: "<main>\n" + body + "</main>\n")
    }

    /// A titled part of the page: its heading, the chart, and what its words mean.
    static func section(_ title: String, note: String?, chart: String) -> String {
        "<section class=\"chart\">\n<h2>\(title)</h2>\n\(chart)\n" + (note.map { "<p class=\"note\"><small>\($0)</small></p>\n" } ?? "") + "</section>\n"
    }

    /// A bar chart: a legend when there are several series, then per group its label line and a
    /// bar per series, scaled to the largest value (or `maximum`). `styles` gives each series'
    /// look, or with one series each group's.
    static func chart(id: String, label: String, series: [(String, Style)], groups: [Group], styles: [Style]? = nil, maximum: Double? = nil) -> String {
        let styleOf: (Int, Int) -> Style = { group, bar in
            if let styles { return styles.count == 1 ? styles[0] : styles[min(group, styles.count - 1)] }
            return series[bar].1
        }
        let numberRoom = 64.0
        let barWidth = width - numberRoom
        let largest = maximum ?? max(groups.flatMap { $0.values.compactMap { $0 } }.max() ?? 0, 1)
        var svg = ""
        var y = 0.0
        if series.count > 1 {
            // The legend, wrapping when it does not fit on one line.
            var x = 0.0
            y = 16
            for (name, style) in series {
                let itemWidth = 22 + textWidth(name, size: numberSize) + 18
                if x > 0 && x + itemWidth > width {
                    x = 0
                    y += 22
                }
                svg += "<rect x=\"\(x)\" y=\"\(y - 12)\" width=\"14\" height=\"14\" \(fill(style, id: id))/>"
                svg += "<text x=\"\(x + 20)\" y=\"\(y)\" font-size=\"\(numberSize)\">\(ManifestFormat.escape(name))</text>\n"
                x += itemWidth
            }
            y += 14
        }
        for (index, group) in groups.enumerated() {
            y += labelSize + 4
            let label = fit(group.label, size: labelSize, width: width)
            let room = width - textWidth(label, size: labelSize) - 8
            let empty = group.empty
            let note = group.note.flatMap { room > 40 ? fit(" · " + $0, size: numberSize, width: room) : nil }
            svg += "<text x=\"0\" y=\"\(y)\" font-size=\"\(labelSize)\" font-weight=\"bold\">\(ManifestFormat.escape(label))"
                + (note.map { "<tspan font-weight=\"normal\" font-size=\"\(numberSize)\" fill=\"#333\">\(ManifestFormat.escape($0))</tspan>" } ?? "")
                + "</text>\n"
            for (bar, value) in group.values.enumerated() where !empty {
                y += 4
                let length = value.map { ($0 / largest * barWidth).rounded() } ?? 0
                if value != nil, length > 0 {
                    svg += "<rect x=\"0\" y=\"\(y)\" width=\"\(length)\" height=\"\(barHeight)\" \(fill(styleOf(index, bar), id: id))/>"
                }
                let text = fit(group.texts[bar], size: numberSize, width: width - length - 6)
                svg += "<text x=\"\(length + 5)\" y=\"\(y + 12)\" font-size=\"\(numberSize)\">\(ManifestFormat.escape(text))</text>\n"
                y += barHeight
            }
            y += 8
        }
        let hatch = """
            <defs><pattern id="\(id)-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">\
            <rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#000" stroke-width="2.5"/></pattern></defs>
            """
        return "<svg class=\"bars\" viewBox=\"0 0 \(Int(width)) \(Int(y.rounded(.up)))\" role=\"img\" aria-label=\"\(ManifestFormat.escape(label))\">\n\(hatch)\n\(svg)</svg>"
    }

    /// The fill and outline of a bar.
    static func fill(_ style: Style, id: String) -> String {
        switch style {
        case .solid: "fill=\"#222\""
        case .hatched: "fill=\"url(#\(id)-hatch)\" stroke=\"#000\" stroke-width=\"1\""
        case .share: "fill=\"#8a8a8a\""
        }
    }

    /// About how wide `text` is at `size`, erring wide: Thai marks above and below a letter take
    /// no width, digits and Latin letters about half a size, a Thai letter about 0.62 (Loma,
    /// Garuda and Sarabun are all narrower).
    static func textWidth(_ text: String, size: Double) -> Double {
        var em = 0.0
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0E31, 0x0E34...0x0E3A, 0x0E47...0x0E4E: break
            case 0x20: em += 0.3
            case 0x21...0x7E: em += 0.6
            default: em += 0.62
            }
        }
        return em * size
    }

    /// `text`, cut with an ellipsis to fit `width` (SVG text does not wrap, and a long name must
    /// not run off the chart).
    static func fit(_ text: String, size: Double, width: Double) -> String {
        guard textWidth(text, size: size) > width else { return text }
        var cut = text
        while !cut.isEmpty && textWidth(cut + "…", size: size) > width { cut.removeLast() }
        return cut + "…"
    }

    /// A share as a whole percentage, or nil.
    static func percent(_ share: Double?) -> String? { share.map { "\(Int(($0 * 100).rounded()))%" } }

    /// A count with thousands separated: `1,234`.
    static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// The page's own rules: on a phone one chart under another; on a wide screen and on A4 two
    /// side by side (the chart's words then come out about as large as the page's); a chart never
    /// split over two printed pages; the key figures as boxes in a row that wraps.
    static let style = """
        main { max-width: 1000px; margin: 0 auto; }
        h1 { font-size: 17pt; }
        h2 { font-size: 13pt; margin: 14px 0 6px; }
        svg.bars { display: block; width: 100%; max-width: 520px; height: auto; }
        section.chart { break-inside: avoid; page-break-inside: avoid; margin: 0 0 10px; }
        section.figures { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0; }
        section.figures div { box-sizing: border-box; flex: 1 1 7em; border: 1px solid #999; border-radius: 6px; padding: 4px 8px; }
        section.figures p { margin: 0; }
        section.figures p.n { font-size: 20pt; font-weight: bold; line-height: 1.2; }
        p.note { margin: 4px 0 0; }
        @media print, screen and (min-width: 700px) {
          div.charts { columns: 2; column-gap: 24px; }
          section.chart h2 { margin-top: 0; }
        }
        @media print { body { font-size: 10.5pt; } h1 { font-size: 16pt; } h2 { font-size: 12.5pt; } section.figures p.n { font-size: 17pt; } }
        """
}

/// The words of the report page, from the catalogue (`report.page.*`).
struct ReportPageText {
    let words: Words
    let era: Era

    var title: String { words("report.page.title") }
    func pageTitle(_ area: String) -> String { words("report.page.page_title", ["area": area]) }
    func span(_ from: String, _ to: String) -> String { words("report.page.span", ["from": from, "to": to]) }
    func madeAt(_ date: String, _ time: String) -> String { words("report.page.made_at", ["date": date, "time": time]) }
    var allTrips: String { words("report.page.all_trips") }
    var served: String { words("report.page.served") }
    var notServed: String { words("report.page.not_served") }
    var cancelled: String { words("report.page.cancelled") }
    var noShow: String { words("report.page.no_show") }
    var open: String { words("report.page.open") }
    var pickupOnTime: String { words("report.page.pickup_on_time") }
    var appointmentOnTime: String { words("report.page.appointment_on_time") }
    var kilometres: String { words("report.page.kilometres") }
    var noData: String { words("report.page.no_data") }
    var nothing: String { words("report.page.nothing") }
    var outcomesTitle: String { words("report.page.outcomes_title") }
    var outcomesNote: String { words("report.page.outcomes_note") }
    var onTimeTitle: String { words("report.page.on_time_title") }
    var onTimeNote: String { words("report.page.on_time_note") }
    var monthsTitle: String { words("report.page.months_title") }
    var monthsOnTimeTitle: String { words("report.page.months_on_time_title") }
    var villagesTitle: String { words("report.page.villages_title") }
    var noVillage: String { words("report.page.no_village") }
    var fundingTitle: String { words("report.page.funding_title") }
    var vehiclesTitle: String { words("report.page.vehicles_title") }
    var vehiclesNote: String { words("report.page.vehicles_note") }
    var noVehicle: String { words("report.page.no_vehicle") }
    var groupsNote: String { words("report.page.groups_note") }
    func trips(_ count: Int) -> String { words("report.page.trips", ["count": ReportPage.grouped(count)]) }
    func ofTrips(_ count: Int) -> String { words("report.page.of_trips", ["count": ReportPage.grouped(count)]) }
    func km(_ value: String) -> String { words("report.page.km", ["value": value]) }
    func hours(_ value: String) -> String { words("report.page.hours", ["value": value]) }
    /// The funding source's full name, as the council knows it.
    func entitlement(_ entitlement: Entitlement) -> String { words("report.page.entitlement." + entitlement.rawValue) }
    /// `1 พ.ย. 2569` in Thai, `1 Nov 2026` in English.
    func date(_ date: LocalDate) -> String {
        "\(date.day) \(words("month.short.\(date.month)")) \(date.year + (era == .buddhist ? Era.buddhistOffset : 0))"
    }
    /// `พ.ย. 2569`.
    func month(_ year: Int, _ month: Int) -> String {
        "\(words("month.short.\(month)")) \(year + (era == .buddhist ? Era.buddhistOffset : 0))"
    }

    /// The keys made from values, for the catalogue test.
    static var derivedKeys: [String] {
        (1...12).map { "month.short.\($0)" } + Entitlement.allCases.map { "report.page.entitlement." + $0.rawValue }
    }
}
