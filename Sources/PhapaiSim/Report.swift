import Foundation
import PhapaiCore

/// One fleet size of a sweep: a variant's KPIs, one per replication.
struct SweepPoint: Sendable {
    var fleet: Int
    var variant: String
    var kpis: [KPIs]
}

/// The sweep's figures: KPIs per fleet size, and what each added vehicle gains.
enum Sweep {
    /// The KPIs the sweep's charts and gains table show.
    static let metrics = ["served_share_pct", "pickup_delay_p95_min", "cost_per_trip_baht", "cost_per_day_baht", "trips_served", "trips_denied",
                          "kilometres", "vehicle_hours"]

    /// One row per fleet size, variant and KPI: mean and 95% interval over replications.
    static func csv(_ points: [SweepPoint]) -> String {
        var lines = ["fleet,variant,metric,unit,mean,ci95_low,ci95_high,replications"]
        for point in points {
            for summary in KPISummary.summarize(point.kpis) {
                let definition = summary.definition
                lines.append([String(point.fleet), point.variant, definition.key, definition.unitEnglish, KPIs.format(summary.interval?.mean, summary.decimals),
                              KPIs.format(summary.interval?.low, summary.decimals), KPIs.format(summary.interval?.high, summary.decimals),
                              String(summary.interval?.count ?? 0)]
                    .csvLine)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// From one fleet size to the next of the same variant: the vehicles added, and the paired
    /// difference (same patients, same requests) in trips served, served share and cost per day.
    struct Gain: Sendable {
        var variant: String
        var from: Int
        var to: Int
        var vehiclesAdded: Int
        var tripsServed: Statistics.Interval?
        var servedShare: Statistics.Interval?
        var costPerDay: Statistics.Interval?
        /// Trips served gained per vehicle added, with its interval.
        var perVehicle: Statistics.Interval? {
            guard let trips = tripsServed, vehiclesAdded > 0 else { return nil }
            let added = Double(vehiclesAdded)
            return Statistics.Interval(mean: trips.mean / added, halfWidth: trips.halfWidth.map { $0 / added }, count: trips.count)
        }
    }

    static func gains(_ points: [SweepPoint]) -> [Gain] {
        let variants = points.map(\.variant).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var gains: [Gain] = []
        for variant in variants {
            let ordered = points.filter { $0.variant == variant }.sorted { $0.fleet < $1.fleet }
            for (smaller, larger) in zip(ordered, ordered.dropFirst()) {
                let differences = KPISummary.differences(larger.kpis, minus: smaller.kpis)
                func interval(_ key: String) -> Statistics.Interval? { differences.first { $0.definition.key == key }?.interval }
                let added = Int((larger.kpis.first?.value("vehicles") ?? 0) - (smaller.kpis.first?.value("vehicles") ?? 0))
                gains.append(Gain(variant: variant, from: smaller.fleet, to: larger.fleet, vehiclesAdded: added, tripsServed: interval("trips_served"),
                                  servedShare: interval("served_share_pct"), costPerDay: interval("cost_per_day_baht")))
            }
        }
        return gains
    }

    static func gainsCSV(_ points: [SweepPoint]) -> String {
        var lines = ["variant,from_fleet,to_fleet,vehicles_added,trips_served_gained,ci95_low,ci95_high,trips_per_added_vehicle,"
                     + "per_vehicle_ci95_low,per_vehicle_ci95_high,served_share_gain_pct,cost_per_day_change_baht,replications"]
        for gain in gains(points) {
            lines.append([
                gain.variant, String(gain.from), String(gain.to), String(gain.vehiclesAdded), KPIs.format(gain.tripsServed?.mean, 1),
                KPIs.format(gain.tripsServed?.low, 1), KPIs.format(gain.tripsServed?.high, 1), KPIs.format(gain.perVehicle?.mean, 1),
                KPIs.format(gain.perVehicle?.low, 1), KPIs.format(gain.perVehicle?.high, 1), KPIs.format(gain.servedShare?.mean, 1),
                KPIs.format(gain.costPerDay?.mean, 0), String(gain.tripsServed?.count ?? 0),
            ].csvLine)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The HTML reports, self-contained (no scripts, no external files), in Thai or English: every
/// figure with its unit and definition, intervals where there are replications.
enum Report {
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]
    /// Marks a figure that rests on fewer than 20 trips.
    static let smallMark = "†"

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    // Labels are black by default; a series' colour is given on the element itself, which a
    // stylesheet rule on `svg text` would override (the sweep's legend was all grey).
    static let style = """
        body { font-family: Sarabun, "TH Sarabun New", "Noto Sans Thai", "Leelawadee UI", Tahoma, sans-serif; margin: 16px; color: #222; max-width: 1100px; }
        h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; } h3 { font-size: 15px; margin-bottom: 4px; }
        p.note, span.def { color: #555; font-size: 12px; }
        table { border-collapse: collapse; font-size: 13px; margin-bottom: 8px; } td, th { border: 1px solid #ccc; padding: 3px 6px; vertical-align: top; }
        th { background: #f2f2f2; text-align: left; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.ci { color: #555; font-size: 12px; }
        .scroll { overflow-x: auto; max-width: 100%; }
        svg { background: #fff; border: 1px solid #ddd; margin: 6px 12px 6px 0; max-width: 100%; height: auto; }
        svg text { font-family: inherit; font-size: 11px; }
        .charts { display: flex; flex-wrap: wrap; }
        .heat td { width: 14px; height: 14px; padding: 0; border: 1px solid #fff; }
        .heat th { font-weight: normal; font-size: 11px; background: none; border: none; }
        @media print { body { margin: 0; } h2 { break-before: auto; } table, svg { break-inside: avoid; } }
        """

    /// Text in the report's language.
    struct Words {
        let language: ReportLanguage
        func callAsFunction(_ thai: String, _ english: String) -> String { language == .thai ? thai : english }
    }

    /// A mean with its interval as text: "80.0 (77.1–82.9)", or the mean alone with one replication.
    static func figure(_ interval: Statistics.Interval?, decimals: Int, small: Bool = false) -> String {
        guard let interval else { return "-" }
        var text = KPIs.format(interval.mean, decimals)
        if !interval.isExact, let low = interval.low, let high = interval.high { text += " (\(KPIs.format(low, decimals))–\(KPIs.format(high, decimals)))" }
        return text + (small ? " " + smallMark : "")
    }

    /// A legend: a colour swatch and a label per series, in the label's own colour.
    static func legend(_ names: [String], x: Int, y: Int) -> String {
        var svg = ""
        var left = x
        for (index, name) in names.enumerated() {
            let colour = palette[index % palette.count]
            svg += "<rect x=\"\(left)\" y=\"\(y - 9)\" width=\"14\" height=\"10\" fill=\"\(colour)\"/>"
            svg += "<text x=\"\(left + 18)\" y=\"\(y)\" fill=\"\(colour)\" font-weight=\"bold\">\(escape(name))</text>"
            left += 30 + 8 * name.count
        }
        return svg
    }

    /// A bar chart of labelled values, with an interval drawn on each bar that has one.
    static func bars(_ title: String, _ items: [(label: String, value: Double, low: Double?, high: Double?)], unit: String, width: Int = 460,
                     horizontal: Bool = false, colours: [String]? = nil) -> String {
        let maximum = max(items.map { max($0.value, $0.high ?? $0.value) }.max() ?? 1, 1e-9)
        if horizontal {
            let rowHeight = 16, height = 40 + rowHeight * items.count, labelWidth = 230
            var svg = "<svg viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\"><text x=\"10\" y=\"18\" font-weight=\"bold\">\(escape(title))</text>"
            for (index, item) in items.enumerated() {
                let y = 30 + index * rowHeight
                let scale = Double(width - labelWidth - 70) / maximum
                let length = scale * item.value
                let colour = colours?[index] ?? "#1f77b4"
                svg += "<text x=\"10\" y=\"\(y + 11)\">\(escape(item.label))</text>"
                svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(number(length))\" height=\"\(rowHeight - 4)\" fill=\"\(colour)\"/>"
                if let low = item.low, let high = item.high {
                    svg += "<line x1=\"\(number(Double(labelWidth) + scale * low))\" x2=\"\(number(Double(labelWidth) + scale * high))\" "
                        + "y1=\"\(y + 8)\" y2=\"\(y + 8)\" stroke=\"#000\" stroke-width=\"1.5\"/>"
                }
                svg += "<text x=\"\(number(Double(labelWidth) + 5 + scale * max(item.value, item.high ?? 0)))\" y=\"\(y + 11)\">\(number(item.value))\(unit)</text>"
            }
            return svg + "</svg>"
        }
        let height = 240, plotTop = 30, plotBottom = 200, left = 40
        let barWidth = Double(width - left - 10) / Double(max(items.count, 1))
        var svg = "<svg viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\"><text x=\"10\" y=\"18\" font-weight=\"bold\">\(escape(title))</text>"
        svg += "<line x1=\"\(left)\" y1=\"\(plotBottom)\" x2=\"\(width - 10)\" y2=\"\(plotBottom)\" stroke=\"#999\"/>"
        svg += "<text x=\"4\" y=\"\(plotTop + 4)\">\(number(maximum))</text><text x=\"4\" y=\"\(plotBottom)\">0</text>"
        func py(_ value: Double) -> Double { Double(plotBottom) - Double(plotBottom - plotTop) * value / maximum }
        for (index, item) in items.enumerated() {
            let x = Double(left) + Double(index) * barWidth
            svg += "<rect x=\"\(number(x + 1))\" y=\"\(number(py(item.value)))\" width=\"\(number(max(barWidth - 2, 1)))\" "
                + "height=\"\(number(Double(plotBottom) - py(item.value)))\" fill=\"\(colours?[index] ?? "#1f77b4")\"><title>\(escape(item.label)): \(number(item.value))\(unit)</title></rect>"
            if let low = item.low, let high = item.high {
                let middle = number(x + barWidth / 2)
                svg += "<line x1=\"\(middle)\" x2=\"\(middle)\" y1=\"\(number(py(low)))\" y2=\"\(number(py(high)))\" stroke=\"#000\" stroke-width=\"1.5\"/>"
            }
            if items.count <= 16 || index % 2 == 0 {
                svg += "<text x=\"\(number(x + barWidth / 2))\" y=\"\(plotBottom + 14)\" text-anchor=\"middle\">\(escape(item.label))</text>"
            }
        }
        return svg + "</svg>"
    }

    /// Lines over a shared x axis, each point with its interval when it has one; a legend with swatches.
    static func lines(_ title: String, x: [Double], series: [(name: String, points: [Statistics.Interval?])], xLabel: String, unit: String,
                      width: Int = 460) -> String {
        let height = 260, top = 48, bottom = 200, left = 48, right = width - 12
        let values = series.flatMap { $0.points.compactMap { $0 }.flatMap { [$0.mean, $0.low ?? $0.mean, $0.high ?? $0.mean] } }
        let high = max(values.max() ?? 1, 1e-9), low = min(values.min() ?? 0, 0)
        let xLow = x.min() ?? 0, xHigh = max(x.max() ?? 1, xLow + 1e-9)
        func px(_ value: Double) -> Double { Double(left) + (value - xLow) / (xHigh - xLow) * Double(right - left) }
        func py(_ value: Double) -> Double { Double(bottom) - (value - low) / (high - low) * Double(bottom - top) }
        var svg = "<svg viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\"><text x=\"10\" y=\"18\" font-weight=\"bold\">\(escape(title))</text>"
        svg += legend(series.map(\.name), x: 10, y: 36)
        svg += "<line x1=\"\(left)\" y1=\"\(bottom)\" x2=\"\(right)\" y2=\"\(bottom)\" stroke=\"#999\"/>"
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(bottom)\" stroke=\"#999\"/>"
        svg += "<text x=\"4\" y=\"\(top + 4)\">\(number(high))\(unit)</text><text x=\"4\" y=\"\(bottom)\">\(number(low))</text>"
        let step = max(1, x.count / 12)
        for (index, value) in x.enumerated() where index % step == 0 {
            svg += "<text x=\"\(number(px(value)))\" y=\"\(bottom + 14)\" text-anchor=\"middle\">\(number(value).replacingOccurrences(of: ".0", with: ""))</text>"
        }
        svg += "<text x=\"\((left + right) / 2)\" y=\"\(bottom + 32)\" text-anchor=\"middle\">\(escape(xLabel))</text>"
        for (index, line) in series.enumerated() {
            let colour = palette[index % palette.count]
            // Series side by side by a few pixels, so that their intervals do not hide each other.
            let shift = Double(index) * 4 - Double(series.count - 1) * 2
            let points = zip(x, line.points).compactMap { pair in pair.1.map { (px(pair.0) + shift, $0) } }
            svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(points.map { "\(number($0.0)),\(number(py($0.1.mean)))" }.joined(separator: " "))\"/>"
            for (cx, interval) in points {
                if let low = interval.low, let high = interval.high {
                    svg += "<line x1=\"\(number(cx))\" x2=\"\(number(cx))\" y1=\"\(number(py(low)))\" y2=\"\(number(py(high)))\" stroke=\"\(colour)\" stroke-width=\"1.5\"/>"
                    for end in [low, high] {
                        svg += "<line x1=\"\(number(cx - 3))\" x2=\"\(number(cx + 3))\" y1=\"\(number(py(end)))\" y2=\"\(number(py(end)))\" stroke=\"\(colour)\"/>"
                    }
                }
                svg += "<circle cx=\"\(number(cx))\" cy=\"\(number(py(interval.mean)))\" r=\"3\" fill=\"\(colour)\"/>"
            }
        }
        return svg + "</svg>"
    }

    /// Villages (area by population, colour by served share, grey without requests), hospitals,
    /// depots and the last day's routes, with a legend of every colour and symbol.
    static func map(_ outcome: VariantOutcome, groups: [String: GroupRow], words: Words, width: Int = 720, height: Int = 580) -> String {
        let villages = KPIs.villages(outcome)
        var coordinates: [PlaceID: (Double, Double, String, PlaceKind)] = [:]
        for area in outcome.areas {
            for place in area.area.places { coordinates[place.id] = (place.coordinate.latitude, place.coordinate.longitude, place.name, place.kind) }
        }
        let lats = coordinates.values.map(\.0), lons = coordinates.values.map(\.1)
        guard let minLat = lats.min(), let maxLat = lats.max(), let minLon = lons.min(), let maxLon = lons.max() else { return "" }
        let lonScale = cos((minLat + maxLat) / 2 * Double.pi / 180)
        let spanX = max((maxLon - minLon) * lonScale, 1e-6), spanY = max(maxLat - minLat, 1e-6)
        let scale = min(Double(width - 60) / spanX, Double(height - 90) / spanY)
        func point(_ lat: Double, _ lon: Double) -> (Double, Double) {
            (30 + (lon - minLon) * lonScale * scale, Double(height) - 50 - (lat - minLat) * scale)
        }
        var svg = "<svg viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\"><text x=\"10\" y=\"18\" font-weight=\"bold\">"
            + escape(words("แผนที่: หมู่บ้าน โรงพยาบาล โรงจอดรถ และเส้นทางของวันสุดท้าย", "Map: villages, hospitals, depots and the last day's routes")) + "</text>"
        let lastDay = outcome.vehicleDays.map(\.day).max()
        for (index, day) in outcome.vehicleDays.enumerated() where day.day == lastDay && day.path.count > 1 {
            let points = day.path.compactMap { coordinates[$0] }.map { point($0.0, $0.1) }.map { "\(number($0.0)),\(number($0.1))" }
            svg += "<polyline fill=\"none\" stroke=\"\(palette[index % palette.count])\" stroke-opacity=\"0.5\" stroke-width=\"1.5\" "
                + "points=\"\(points.joined(separator: " "))\"><title>\(escape(day.vehicle))</title></polyline>"
        }
        let tambonNames = outcome.areas.reduce(into: [String: String]()) { $0.merge($1.tambonNames) { a, _ in a } }
        let labelled = villages.count <= 60
        for village in villages {
            let (x, y) = point(village.lat, village.lon)
            let group = groups[village.village.rawValue]
            let colour: String
            if let share = group?.servedShare {
                colour = share >= 0.95 ? "#2ca02c" : share >= 0.8 ? "#ff7f0e" : "#d62728"
            } else {
                colour = "#b0b0b0"
            }
            let radius = 2 + (Double(village.population) / 100).squareRoot()
            let served = group.map { "\($0.served)/\($0.served + $0.denied)" } ?? "-"
            svg += "<circle cx=\"\(number(x))\" cy=\"\(number(y))\" r=\"\(number(radius))\" fill=\"\(colour)\" fill-opacity=\"0.75\">"
                + "<title>\(escape(village.name)) \(escape(words("หมู่", "Moo"))) \(village.moo) \(escape(tambonNames[village.tambon] ?? "")): "
                + "\(served) \(escape(words("ได้รับบริการ", "served")))</title></circle>"
            if labelled { svg += "<text x=\"\(number(x + radius + 2))\" y=\"\(number(y + 4))\">\(escape(village.name)) \(village.moo)</text>" }
        }
        for (_, place) in coordinates.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where place.3 == .hospital || place.3 == .depot {
            let (x, y) = point(place.0, place.1)
            if place.3 == .hospital {
                svg += "<rect x=\"\(number(x - 6))\" y=\"\(number(y - 6))\" width=\"12\" height=\"12\" fill=\"#1f3a93\"/>"
                // Near the right edge the name goes to the left of its square, so it is not cut off.
                let leftward = x > Double(width) - 220
                svg += "<text x=\"\(number(leftward ? x - 9 : x + 9))\" y=\"\(number(y + 4))\" font-weight=\"bold\""
                    + (leftward ? " text-anchor=\"end\"" : "") + ">\(escape(place.2))</text>"
            } else {
                svg += "<polygon points=\"\(number(x)),\(number(y - 6)) \(number(x - 5)),\(number(y + 4)) \(number(x + 5)),\(number(y + 4))\" fill=\"#222\"/>"
            }
        }
        // The legend: every colour and symbol used above.
        let keys: [(String, String)] = [
            ("#2ca02c", words("ได้รับบริการ ≥ 95%", "served ≥ 95%")), ("#ff7f0e", words("80–95%", "80–95%")), ("#d62728", words("< 80%", "< 80%")),
            ("#b0b0b0", words("ไม่มีคำขอที่นับได้", "no leg served or denied")),
        ]
        var x = 10
        let y = height - 14
        for (colour, label) in keys {
            svg += "<circle cx=\"\(x + 5)\" cy=\"\(y - 4)\" r=\"5\" fill=\"\(colour)\"/><text x=\"\(x + 14)\" y=\"\(y)\">\(escape(label))</text>"
            x += 24 + 7 * label.count
        }
        svg += "<rect x=\"\(x)\" y=\"\(y - 10)\" width=\"10\" height=\"10\" fill=\"#1f3a93\"/><text x=\"\(x + 14)\" y=\"\(y)\">\(escape(words("โรงพยาบาล", "hospital")))</text>"
        x += 90
        svg += "<polygon points=\"\(x + 5),\(y - 10) \(x),\(y) \(x + 10),\(y)\" fill=\"#222\"/><text x=\"\(x + 14)\" y=\"\(y)\">\(escape(words("โรงจอดรถ", "depot")))</text>"
        return svg + "</svg>"
    }

    /// Per vehicle and half hour of the day: the share of days with a patient aboard (darker is
    /// busier), and each vehicle's loaded and empty kilometres.
    static func utilisation(_ outcome: VariantOutcome, days: Int, words: Words) -> String {
        let slots = Array(stride(from: 5 * 60, to: 20 * 60, by: 30))
        var aboard: [String: [Int: Set<String>]] = [:]
        for trip in outcome.trips {
            guard let vehicle = trip.vehicle, let pickup = trip.pickup, let dropoff = trip.dropoff else { continue }
            let from = UTCOffset.bangkok.time(of: pickup).minutes, to = UTCOffset.bangkok.time(of: dropoff).minutes
            for slot in slots where from < slot + 30 && slot < to { aboard["\(trip.area)|\(vehicle)", default: [:]][slot, default: []].insert(trip.day.iso) }
        }
        var kilometres: [String: (loaded: Double, total: Double)] = [:]
        var order: [String] = []
        for day in outcome.vehicleDays {
            let key = "\(day.area)|\(day.vehicle)"
            if kilometres[key] == nil { order.append(key) }
            kilometres[key, default: (0, 0)].loaded += day.loadedKilometres
            kilometres[key, default: (0, 0)].total += day.kilometres
        }
        order.sort()
        var kinds: [String: String] = [:]
        for area in outcome.areas {
            for (vehicle, kind) in area.kindName { kinds["\(area.area.id.rawValue)|\(vehicle.rawValue)"] = kind }
        }
        var html = "<h3>" + escape(words("การใช้รถแต่ละคันตลอดวัน", "Each vehicle through the day")) + "</h3><p class=\"note\">"
            + escape(words("ช่องละครึ่งชั่วโมง 05:00–20:00: สีเข้มคือวันส่วนใหญ่มีผู้ป่วยบนรถในช่วงนั้น (สัดส่วนของวันให้บริการ); กม. ต่อวันโดยเฉลี่ย",
                           "Half hours 05:00–20:00: darker means a patient was aboard then on more of the service days; km are per day on average"))
            + "</p><div class=\"scroll\"><table class=\"heat\"><tr><th></th>"
        for slot in slots { html += "<th>" + (slot % 60 == 0 ? String(format: "%02d", slot / 60) : "") + "</th>" }
        html += "<th>" + escape(words("กม. มีผู้ป่วย", "km loaded")) + "</th><th>" + escape(words("กม. รถเปล่า", "km empty")) + "</th></tr>"
        for key in order {
            let name = String(key.split(separator: "|").last ?? "") + (kinds[key].map { " " + $0 } ?? "")
            html += "<tr><th>\(escape(name))</th>"
            for slot in slots {
                let share = Double(aboard[key]?[slot]?.count ?? 0) / Double(max(days, 1))
                let shade = Int(255 - 200 * share)
                html += "<td style=\"background: rgb(\(shade), \(shade), 255)\" title=\"\(Int((share * 100).rounded()))%\"></td>"
            }
            let km = kilometres[key] ?? (0, 0)
            html += "<td class=\"n\">\(KPIs.format(km.loaded / Double(max(days, 1)), 1))</td><td class=\"n\">\(KPIs.format((km.total - km.loaded) / Double(max(days, 1)), 1))</td></tr>"
        }
        return html + "</table></div>"
    }

    /// The keywords of legs not served, explained.
    static func reasonText(_ status: String, _ reason: String, _ words: Words) -> String {
        let when: String
        switch status {
        case "refused": when = words("ปฏิเสธตอนจอง", "refused at booking")
        case TripStatus.cancelled.rawValue: when = words("ขากลับถูกยกเลิก", "return closed")
        default: when = words("จองได้ แต่ไม่มีรถรับจนหมดวัน", "booked, no vehicle by the end of the day")
        }
        let why: String
        switch reason {
        case "NO_CAPACITY": why = words("ไม่มีรถว่างในเวลานั้น", "no vehicle free then")
        case "OUTSIDE_SHIFTS": why = words("นอกเวลาทำงานของรถ", "outside the vehicles' shifts")
        case "NO_VEHICLE_FOR_MOBILITY": why = words("รถที่รับรถเข็นหรือเปลนอนได้ไม่ว่างหรือไปไม่ทัน", "the vehicles that can carry the patient's wheelchair or stretcher could not")
        case "VEHICLES_FULL": why = words("รถเต็มในเวลานั้น", "vehicles full at that time")
        case "RETURN_UNSERVABLE": why = words("ขากลับไม่มีรถรับ จึงไม่ได้ไปทั้งการเดินทาง", "its return had no vehicle, so the journey did not go")
        case "OUTBOUND_NOT_SERVED": why = words("เพราะขาไปไม่มีรถรับ", "because no vehicle took its outbound")
        case "": why = ""
        default: why = reason
        }
        return why.isEmpty ? when : "\(when): \(why) (\(reason))"
    }

    /// The run's report: KPIs with intervals and differences, who is served, why legs were not,
    /// and per variant the charts and the map.
    static func html(_ scenario: Scenario, variants: [(variant: String, outcomes: [VariantOutcome])], days: Int,
                     language: ReportLanguage = .thai) -> String {
        let words = Words(language: language)
        let replications = variants.first?.outcomes.count ?? 1
        let kpis = variants.map { (variant: $0.variant, kpis: $0.outcomes.map { KPIs($0, days: days) }) }
        let summaries = kpis.map { KPISummary.summarize($0.kpis) }
        let differences = kpis.dropFirst().map { KPISummary.differences($0.kpis, minus: kpis[0].kpis) }
        var page = "<!DOCTYPE html><html lang=\"\(language.rawValue)\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + "<title>\(escape(scenario.name))</title><style>\(style)</style></head><body>"
        page += "<h1>พาไป: \(escape(scenario.name))</h1><p>" + escape(words(
            "\(days) วันให้บริการ · ค่าตั้งต้นสุ่ม (seed) \(scenario.seed) · \(replications) รอบการจำลอง",
            "\(days) service day(s) · seed \(scenario.seed) · \(replications) replication(s)")) + "</p>"
        if let description = scenario.description { page += "<p>\(escape(description))</p>" }
        if let first = variants.first?.outcomes.first {
            if !first.holidaysSkipped.isEmpty {
                page += "<p class=\"note\">" + escape(words("วันหยุดราชการที่ไม่ได้จำลอง: ", "Public holidays not simulated: ")
                    + first.holidaysSkipped.map { "\($0.date.iso) \(language == .thai ? $0.nameTH : $0.nameEN)" }.joined(separator: ", ")) + "</p>"
            }
            if !first.yearsWithoutHolidays.isEmpty {
                let years = first.yearsWithoutHolidays.map(String.init).joined(separator: ", ")
                page += "<p class=\"note\">" + escape(words("คำเตือน: ปฏิทินวันหยุดไม่มีวันใดในปี \(years) วันหยุดของปีนั้นจึงถูกจำลองเป็นวันให้บริการ",
                                                          "Warning: the holiday calendar has no day in \(years): its holidays were simulated as service days")) + "</p>"
            }
        }
        page += "<p class=\"note\">" + escape(replications > 1
            ? words("ตัวเลขคือค่าเฉลี่ยของ \(replications) รอบการจำลอง ในวงเล็บคือช่วงความเชื่อมั่น 95% ของค่าเฉลี่ย; ผลต่างเทียบเป็นคู่ในรอบเดียวกัน (ผู้ป่วยและคำขอชุดเดียวกัน) ",
                    "Figures are means over \(replications) replications, with the 95% interval of the mean in brackets; differences are paired within a replication (same patients, same requests). ")
            : words("จำลองรอบเดียว: ไม่มีช่วงความเชื่อมั่น ใช้ --replications 10 เพื่อดูความไม่แน่นอน ",
                    "One replication: no intervals; run with --replications 10 to see the uncertainty. "))
            + escape(words("\(smallMark) = คำนวณจากน้อยกว่า 20 เที่ยวต่อรอบ ไม่ควรใช้ตัดสินใจ",
                           "\(smallMark) = rests on fewer than 20 trips per replication; do not decide on it")) + "</p>"

        // The KPIs, with their definitions and units, and the differences to the first variant.
        page += "<h2>" + escape(words("ตัวชี้วัด", "Key figures")) + "</h2><div class=\"scroll\"><table><tr><th>" + escape(words("ตัวชี้วัด", "figure"))
            + "</th><th>" + escape(words("หน่วย", "unit")) + "</th>"
        page += kpis.map { "<th>\(escape(variantName($0.variant, words)))</th>" }.joined()
        page += kpis.dropFirst().map { "<th>\(escape(variantName($0.variant, words))) − \(escape(variantName(kpis[0].variant, words)))</th>" }.joined() + "</tr>"
        for (index, definition) in KPIDefinition.all.enumerated() {
            page += "<tr><td>\(escape(definition.name(language)))<br><span class=\"def\">\(escape(definition.definition(language)))</span></td>"
                + "<td>\(escape(definition.unit(language)))</td>"
            for summary in summaries {
                page += "<td class=\"n\">\(escape(figure(summary[index].interval, decimals: summary[index].decimals, small: summary[index].isSmallSample)))</td>"
            }
            for difference in differences {
                page += "<td class=\"n\">\(escape(figure(difference[index].interval, decimals: difference[index].decimals, small: difference[index].isSmallSample)))</td>"
            }
            page += "</tr>"
        }
        page += "</table></div>"

        // Who is served, per variant.
        for variant in variants {
            page += "<h2>" + escape(words("ใครได้รับบริการ: ", "Who is served: ") + variantName(variant.variant, words)) + "</h2>"
            page += "<p class=\"note\">" + escape(words(
                "เที่ยวรวมทุกรอบการจำลอง; สัดส่วน = ให้บริการ ÷ (ให้บริการ + ถูกปฏิเสธหรือไม่มีรถ); \"-\" คือไม่มีเที่ยวที่ให้บริการหรือถูกปฏิเสธ",
                "Legs summed over replications; share = served ÷ (served + denied); \"-\" where no leg was served or denied")) + "</p>"
            for dimension in GroupDimension.allCases {
                var rows = KPIs.groups(dimension, variant.outcomes, scenario: scenario, language: language)
                var title = dimension.title(language)
                if dimension == .village && rows.count > 40 {
                    // A province has a thousand villages: the 40 lowest shares here, all of them in villages.csv.
                    rows = rows.filter { $0.servedShare != nil }.sorted { ($0.servedShare ?? 1, $0.key) < ($1.servedShare ?? 1, $1.key) }.prefix(40).map { $0 }
                    title += words(" (แสดง 40 หมู่บ้านที่สัดส่วนต่ำสุด ดูทุกหมู่บ้านใน villages.csv)", " (the 40 lowest; villages.csv has them all)")
                }
                page += "<h3>\(escape(title))</h3>" + groupTable(rows, words: words)
                if dimension == .hour || dimension == .pickupHour {
                    let title = dimension == .hour ? words("สัดส่วนที่ได้รับบริการตามชั่วโมงที่ขอ (%)", "Served share by hour asked for (%)")
                        : words("สัดส่วนที่ได้รับบริการตามชั่วโมงเริ่มช่วงเวลารับ (%)", "Served share by hour of the pickup window (%)")
                    // An hour with no leg served or denied has no share: no bar, rather than a bar at 0.
                    page += bars(title, rows.filter { $0.servedShare != nil }.map { row in
                                     let interval = row.shareInterval
                                     return (String(row.key), (row.servedShare ?? 0) * 100, interval?.low.map { $0 * 100 }, interval?.high.map { $0 * 100 })
                                 }, unit: "%")
                }
            }
            page += "<h3>" + escape(words("เที่ยวที่ไม่ได้รับบริการ ตามเหตุผล", "Legs not served, by reason")) + "</h3><table><tr><th>"
                + escape(words("เหตุผล", "reason")) + "</th><th>" + escape(words("เที่ยว (รวม)", "legs (all)")) + "</th><th>"
                + escape(words("ต่อรอบการจำลอง", "per replication")) + "</th></tr>"
            for entry in KPIs.denialReasons(variant.outcomes) {
                page += "<tr><td>\(escape(reasonText(entry.status, entry.reason, words)))</td><td class=\"n\">\(entry.legs)</td>"
                    + "<td class=\"n\">\(KPIs.format(Double(entry.legs) / Double(replications), 1))</td></tr>"
            }
            page += "</table>"

            // Charts of the first replication: one day-by-day picture, the same seed as a single run.
            let outcome = variant.outcomes[0]
            page += "<h3>" + escape(words("แผนภูมิจากรอบการจำลองแรก", "Charts of the first replication")) + "</h3><div class=\"charts\">"
            let delays = outcome.trips.compactMap(KPIs.pickupDelay)
            var bins = [Double](repeating: 0, count: 13)
            for delay in delays { bins[min(Int(delay / 5), 12)] += 1 }
            let labels = (0..<12).map { "\($0 * 5)" } + ["60+"]
            page += bars(words("เวลารอรถ (นาทีหลังต้นช่วงเวลารับ): จำนวนเที่ยว", "Pickup delay (minutes past the window's start): legs"),
                         zip(labels, bins).map { ($0.0, $0.1, nil, nil) }, unit: "")
            // Occupancy: passengers aboard, summed over vehicles, averaged over days, every 15 minutes.
            let slots = Array(stride(from: 5 * 60, through: 19 * 60, by: 15))
            var aboard = [Double](repeating: 0, count: slots.count)
            for trip in outcome.trips {
                guard let pickup = trip.pickup, let dropoff = trip.dropoff else { continue }
                let from = UTCOffset.bangkok.time(of: pickup).minutes, to = UTCOffset.bangkok.time(of: dropoff).minutes
                for (index, slot) in slots.enumerated() where from <= slot && slot < to { aboard[index] += Double(trip.passengers) / Double(days) }
            }
            page += lines(words("ผู้โดยสารบนรถ รวมทุกคัน เฉลี่ยต่อวัน", "Passengers aboard, all vehicles together, average day"),
                          x: slots.map { Double($0) / 60 }, series: [(words("ทุกคัน", "all vehicles"), aboard.map { Statistics.Interval(mean: $0, halfWidth: nil, count: 1) })],
                          xLabel: words("นาฬิกา", "hour"), unit: "")
            let groups = Dictionary(KPIs.groups(.village, [outcome], scenario: scenario, language: language).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            page += map(outcome, groups: groups, words: words) + "</div>"
            page += utilisation(outcome, days: days, words: words)
        }
        page += "<p class=\"note\">" + escape(words(
            "ไฟล์: kpis.csv, differences.csv, groups.csv, denials.csv, trips.csv, villages.csv · ข้อมูลสังเคราะห์ ไม่ใช่ผู้ป่วยจริง",
            "Files: kpis.csv, differences.csv, groups.csv, denials.csv, trips.csv, villages.csv · synthetic data, no real patients")) + "</p></body></html>\n"
        return page
    }

    /// The variants' names as planners say them.
    static func variantName(_ variant: String, _ words: Words) -> String {
        switch variant {
        case "separate": return words("แยกรถรายตำบล", "separate fleets")
        case "pooled": return words("ใช้รถร่วมกัน", "pooled fleet")
        default: return variant
        }
    }

    /// Legs asked, served, denied and cancelled, served share with interval, p95 delay.
    static func groupTable(_ rows: [GroupRow], words: Words) -> String {
        var html = "<div class=\"scroll\"><table><tr><th></th><th>" + [words("คำขอ", "asked"), words("ได้รับบริการ", "served"), words("ถูกปฏิเสธ/ไม่มีรถ", "denied"),
                                                               words("ยกเลิก", "cancelled"), words("สัดส่วนที่ได้รับบริการ %", "served share %"),
                                                               words("เวลารอรถ เปอร์เซ็นไทล์ที่ 95 (นาที)", "pickup delay p95 (min)")].map(escape).joined(separator: "</th><th>") + "</th></tr>"
        for row in rows {
            let share = row.servedShare.map { share -> String in
                var text = KPIs.format(share * 100, 1)
                if let interval = row.shareInterval, !interval.isExact, let low = interval.low, let high = interval.high {
                    text += " (\(KPIs.format(max(0, low) * 100, 1))–\(KPIs.format(min(1, high) * 100, 1)))"
                }
                return text + (row.isSmallSample ? " " + smallMark : "")
            } ?? "-"
            html += "<tr><td>\(escape(row.label))</td><td class=\"n\">\(row.requested)</td><td class=\"n\">\(row.served)</td><td class=\"n\">\(row.denied)</td>"
                + "<td class=\"n\">\(row.cancelled)</td><td class=\"n\">\(escape(share))</td><td class=\"n\">\(row.served > 0 ? KPIs.format(row.p95Delay, 1) : "-")</td></tr>"
        }
        return html + "</table></div>"
    }

    /// The sweep's report: served share, p95 delay and costs against the fleet size with their
    /// intervals, the trips each added vehicle gains, and the variants side by side.
    static func sweep(_ scenario: Scenario, points: [SweepPoint], days: Int, language: ReportLanguage = .thai) -> String {
        let words = Words(language: language)
        let fleets = Array(Set(points.map(\.fleet))).sorted()
        let variants = points.map(\.variant).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let replications = points.first?.kpis.count ?? 1
        func summary(_ fleet: Int, _ variant: String, _ metric: String) -> KPISummary? {
            points.first { $0.fleet == fleet && $0.variant == variant }.flatMap { point in
                KPISummary.summarize(point.kpis).first { $0.definition.key == metric }
            }
        }
        func series(_ metric: String) -> [(name: String, points: [Statistics.Interval?])] {
            variants.map { variant in (variantName(variant, words), fleets.map { summary($0, variant, metric)?.interval }) }
        }
        var page = "<!DOCTYPE html><html lang=\"\(language.rawValue)\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + "<title>\(escape(scenario.name)) sweep</title><style>\(style)</style></head><body>"
        page += "<h1>พาไป: \(escape(scenario.name))</h1><p>" + escape(words(
            "จำนวนรถต่อตำบล \(fleets.first ?? 0)–\(fleets.last ?? 0) คัน · \(days) วันให้บริการ · \(replications) รอบการจำลอง",
            "\(fleets.first ?? 0)–\(fleets.last ?? 0) vehicles per tambon · \(days) service day(s) · \(replications) replication(s)")) + "</p>"
        page += "<p class=\"note\">" + escape(words(
            "จุดคือค่าเฉลี่ย เส้นตั้งคือช่วงความเชื่อมั่น 95%; ทุกจำนวนรถได้รับคำขอจากผู้ป่วยชุดเดียวกัน จึงเทียบเป็นคู่ได้",
            "Dots are means, vertical bars their 95% intervals; every fleet size meets the same patients and requests, so sizes compare as pairs")) + "</p>"
        page += "<div class=\"charts\">"
        let x = fleets.map(Double.init)
        let axis = words("รถต่อตำบล (คัน)", "vehicles per tambon")
        page += lines(words("สัดส่วนที่ได้รับบริการ (%)", "Served share (%)"), x: x, series: series("served_share_pct"), xLabel: axis, unit: "%")
        page += lines(words("เวลารอรถ เปอร์เซ็นไทล์ที่ 95 (นาที)", "Pickup delay, 95th percentile (min)"), x: x, series: series("pickup_delay_p95_min"), xLabel: axis, unit: "")
        page += lines(words("ค่าใช้จ่ายต่อเที่ยวที่ให้บริการ (บาท)", "Cost per trip served (baht)"), x: x, series: series("cost_per_trip_baht"), xLabel: axis, unit: "")
        page += lines(words("ค่าใช้จ่ายต่อวัน (บาท)", "Cost per day (baht)"), x: x, series: series("cost_per_day_baht"), xLabel: axis, unit: "")
        page += "</div>"

        page += "<h2>" + escape(words("เที่ยวที่เพิ่มขึ้นต่อรถที่เพิ่มหนึ่งคัน", "Trips gained per added vehicle")) + "</h2><p class=\"note\">"
            + escape(words("ผลต่างเป็นคู่จากจำนวนรถหนึ่งไปจำนวนถัดไป ในรอบการจำลองเดียวกัน", "Paired differences from one size to the next, within each replication")) + "</p>"
        page += "<div class=\"scroll\"><table><tr><th>" + [words("แบบ", "variant"), words("จาก", "from"), words("เป็น", "to"), words("รถที่เพิ่ม", "vehicles added"),
                                                     words("เที่ยวที่ให้บริการเพิ่ม", "trips served gained"), words("ต่อรถหนึ่งคัน", "per added vehicle"),
                                                     words("สัดส่วนที่ได้รับบริการเพิ่ม (จุดร้อยละ)", "served share gain (points)"),
                                                     words("ค่าใช้จ่ายต่อวันเพิ่ม (บาท)", "cost per day change (baht)")].map(escape).joined(separator: "</th><th>") + "</th></tr>"
        for gain in Sweep.gains(points) {
            page += "<tr><td>\(escape(variantName(gain.variant, words)))</td><td class=\"n\">\(gain.from)</td><td class=\"n\">\(gain.to)</td>"
                + "<td class=\"n\">\(gain.vehiclesAdded)</td><td class=\"n\">\(escape(figure(gain.tripsServed, decimals: 1)))</td>"
                + "<td class=\"n\">\(escape(figure(gain.perVehicle, decimals: 1)))</td><td class=\"n\">\(escape(figure(gain.servedShare, decimals: 1)))</td>"
                + "<td class=\"n\">\(escape(figure(gain.costPerDay, decimals: 0)))</td></tr>"
        }
        page += "</table></div>"

        page += "<h2>" + escape(words("ตัวชี้วัดตามจำนวนรถ", "Figures by fleet size")) + "</h2><div class=\"scroll\"><table><tr><th>"
            + escape(words("รถต่อตำบล", "vehicles per tambon")) + "</th><th>" + escape(words("ตัวชี้วัด", "figure")) + "</th>"
            + variants.map { "<th>\(escape(variantName($0, words)))</th>" }.joined()
            + variants.dropFirst().map { "<th>\(escape(variantName($0, words))) − \(escape(variantName(variants[0], words)))</th>" }.joined() + "</tr>"
        for fleet in fleets {
            let base = points.first { $0.fleet == fleet && $0.variant == variants[0] }
            for metric in Sweep.metrics {
                guard let definition = KPIDefinition.byKey[metric] else { continue }
                page += "<tr><td class=\"n\">\(fleet)</td><td>\(escape(definition.name(language))) (\(escape(definition.unit(language))))</td>"
                for variant in variants {
                    let value = summary(fleet, variant, metric)
                    page += "<td class=\"n\">\(escape(figure(value?.interval, decimals: value?.decimals ?? definition.decimals, small: value?.isSmallSample ?? false)))</td>"
                }
                for variant in variants.dropFirst() {
                    let other = points.first { $0.fleet == fleet && $0.variant == variant }
                    let difference = other.flatMap { other in base.map { KPISummary.differences(other.kpis, minus: $0.kpis) } }?.first { $0.definition.key == metric }
                    page += "<td class=\"n\">\(escape(figure(difference?.interval, decimals: difference?.decimals ?? definition.decimals, small: difference?.isSmallSample ?? false)))</td>"
                }
                page += "</tr>"
            }
        }
        return page + "</table></div><p class=\"note\">" + escape(words("ไฟล์: sweep.csv, sweep-gains.csv · ข้อมูลสังเคราะห์", "Files: sweep.csv, sweep-gains.csv · synthetic data"))
            + "</p></body></html>\n"
    }
}
