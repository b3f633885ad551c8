import Foundation
import PhapaiCore

/// One fleet size of a sweep.
struct SweepPoint: Sendable {
    var fleet: Int
    var variant: String
    var kpis: KPIs
}

enum Sweep {
    static let metrics = ["served_share_pct", "pickup_delay_p95_min", "cost_per_trip_baht", "trips_served", "trips_denied", "kilometres", "vehicle_hours"]

    static func csv(_ points: [SweepPoint]) -> String {
        (["fleet,variant," + metrics.joined(separator: ",")]
            + points.map { point in "\(point.fleet),\(point.variant)," + metrics.map { point.kpis[$0] ?? "" }.joined(separator: ",") })
            .joined(separator: "\n") + "\n"
    }
}

/// The HTML report: KPIs and SVG charts, self-contained (no scripts, no external files).
enum Report {
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    static let style = """
        body { font-family: Sarabun, "TH Sarabun New", "Noto Sans Thai", "Leelawadee UI", Tahoma, sans-serif; margin: 24px; color: #222; }
        h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; } h3 { font-size: 15px; }
        table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ccc; padding: 3px 8px; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        svg { background: #fff; border: 1px solid #ddd; margin: 6px 12px 6px 0; }
        svg text { font-family: inherit; font-size: 11px; fill: #333; }
        .charts { display: flex; flex-wrap: wrap; }
        """

    /// A bar chart of labelled values.
    static func bars(_ title: String, _ items: [(String, Double)], unit: String, width: Int = 460, horizontal: Bool = false) -> String {
        let maximum = max(items.map(\.1).max() ?? 1, 1e-9)
        if horizontal {
            let rowHeight = 16, height = 40 + rowHeight * items.count
            var svg = "<svg width=\"\(width)\" height=\"\(height)\" role=\"img\"><text x=\"10\" y=\"18\" font-weight=\"bold\">\(escape(title))</text>"
            for (index, item) in items.enumerated() {
                let y = 30 + index * rowHeight
                let length = Double(width - 230) * item.1 / maximum
                svg += "<text x=\"10\" y=\"\(y + 11)\">\(escape(item.0))</text>"
                svg += "<rect x=\"170\" y=\"\(y + 2)\" width=\"\(number(length))\" height=\"\(rowHeight - 4)\" fill=\"#1f77b4\"/>"
                svg += "<text x=\"\(number(175 + length))\" y=\"\(y + 11)\">\(number(item.1))\(unit)</text>"
            }
            return svg + "</svg>"
        }
        let height = 240, plotTop = 30, plotBottom = 200, left = 40
        let barWidth = Double(width - left - 10) / Double(max(items.count, 1))
        var svg = "<svg width=\"\(width)\" height=\"\(height)\" role=\"img\"><text x=\"10\" y=\"18\" font-weight=\"bold\">\(escape(title))</text>"
        svg += "<line x1=\"\(left)\" y1=\"\(plotBottom)\" x2=\"\(width - 10)\" y2=\"\(plotBottom)\" stroke=\"#999\"/>"
        svg += "<text x=\"4\" y=\"\(plotTop + 4)\">\(number(maximum))</text><text x=\"4\" y=\"\(plotBottom)\">0</text>"
        for (index, item) in items.enumerated() {
            let barHeight = Double(plotBottom - plotTop) * item.1 / maximum
            let x = Double(left) + Double(index) * barWidth
            svg += "<rect x=\"\(number(x + 1))\" y=\"\(number(Double(plotBottom) - barHeight))\" width=\"\(number(max(barWidth - 2, 1)))\" "
                + "height=\"\(number(barHeight))\" fill=\"#1f77b4\"><title>\(escape(item.0)): \(number(item.1))\(unit)</title></rect>"
            if items.count <= 16 || index % 2 == 0 {
                svg += "<text x=\"\(number(x + barWidth / 2))\" y=\"\(plotBottom + 14)\" text-anchor=\"middle\">\(escape(item.0))</text>"
            }
        }
        return svg + "</svg>"
    }

    /// Lines over a shared x axis.
    static func lines(_ title: String, x: [Double], series: [(String, [Double?])], xLabel: String, unit: String, width: Int = 460) -> String {
        let height = 240, top = 30, bottom = 190, left = 44, right = width - 12
        let values = series.flatMap { $0.1.compactMap { $0 } }
        let high = max(values.max() ?? 1, 1e-9), low = min(values.min() ?? 0, 0)
        let xLow = x.min() ?? 0, xHigh = max(x.max() ?? 1, xLow + 1e-9)
        func px(_ value: Double) -> Double { Double(left) + (value - xLow) / (xHigh - xLow) * Double(right - left) }
        func py(_ value: Double) -> Double { Double(bottom) - (value - low) / (high - low) * Double(bottom - top) }
        var svg = "<svg width=\"\(width)\" height=\"\(height)\" role=\"img\"><text x=\"10\" y=\"18\" font-weight=\"bold\">\(escape(title))</text>"
        svg += "<line x1=\"\(left)\" y1=\"\(bottom)\" x2=\"\(right)\" y2=\"\(bottom)\" stroke=\"#999\"/>"
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(bottom)\" stroke=\"#999\"/>"
        svg += "<text x=\"4\" y=\"\(top + 4)\">\(number(high))\(unit)</text><text x=\"4\" y=\"\(bottom)\">\(number(low))</text>"
        let step = max(1, x.count / 12)
        for (index, value) in x.enumerated() where index % step == 0 {
            svg += "<text x=\"\(number(px(value)))\" y=\"\(bottom + 14)\" text-anchor=\"middle\">\(number(value).replacingOccurrences(of: ".0", with: ""))</text>"
        }
        svg += "<text x=\"\((left + right) / 2)\" y=\"\(bottom + 30)\" text-anchor=\"middle\">\(escape(xLabel))</text>"
        for (index, line) in series.enumerated() {
            let colour = palette[index % palette.count]
            let points = zip(x, line.1).compactMap { pair in pair.1.map { "\(number(px(pair.0))),\(number(py($0)))" } }
            svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>"
            for point in points { svg += "<circle cx=\"\(point.split(separator: ",")[0])\" cy=\"\(point.split(separator: ",")[1])\" r=\"2.5\" fill=\"\(colour)\"/>" }
            // The legend sits on the title's line, right-aligned, above the plot.
            svg += "<text x=\"\(right - 80 * (series.count - 1 - index))\" y=\"18\" text-anchor=\"end\" fill=\"\(colour)\">\(escape(line.0))</text>"
        }
        return svg + "</svg>"
    }

    /// Villages (area by population, colour by served share), hospitals, depots and the last day's routes.
    static func map(_ outcome: VariantOutcome, width: Int = 720, height: Int = 560) -> String {
        let villages = KPIs.villages(outcome)
        var coordinates: [PlaceID: (Double, Double, String, PlaceKind)] = [:]
        for area in outcome.areas {
            for place in area.area.places { coordinates[place.id] = (place.coordinate.latitude, place.coordinate.longitude, place.name, place.kind) }
        }
        let lats = coordinates.values.map(\.0), lons = coordinates.values.map(\.1)
        guard let minLat = lats.min(), let maxLat = lats.max(), let minLon = lons.min(), let maxLon = lons.max() else { return "" }
        let lonScale = cos((minLat + maxLat) / 2 * Double.pi / 180)
        let spanX = max((maxLon - minLon) * lonScale, 1e-6), spanY = max(maxLat - minLat, 1e-6)
        let scale = min(Double(width - 60) / spanX, Double(height - 60) / spanY)
        func point(_ lat: Double, _ lon: Double) -> (Double, Double) {
            (30 + (lon - minLon) * lonScale * scale, Double(height) - 30 - (lat - minLat) * scale)
        }
        var svg = "<svg width=\"\(width)\" height=\"\(height)\" role=\"img\"><text x=\"10\" y=\"18\" font-weight=\"bold\">"
            + "แผนที่: หมู่บ้าน โรงพยาบาล และเส้นทางของวันสุดท้าย (map: villages, hospitals, the last day's routes)</text>"
        let lastDay = outcome.vehicleDays.map(\.day).max()
        for (index, day) in outcome.vehicleDays.enumerated() where day.day == lastDay && day.path.count > 1 {
            let points = day.path.compactMap { coordinates[$0] }.map { point($0.0, $0.1) }.map { "\(number($0.0)),\(number($0.1))" }
            svg += "<polyline fill=\"none\" stroke=\"\(palette[index % palette.count])\" stroke-opacity=\"0.6\" stroke-width=\"1.5\" "
                + "points=\"\(points.joined(separator: " "))\"><title>\(escape(day.vehicle))</title></polyline>"
        }
        let labelled = villages.count <= 60
        for village in villages {
            let (x, y) = point(village.lat, village.lon)
            let share = village.servedShare ?? 1
            let colour = share >= 0.95 ? "#2ca02c" : share >= 0.8 ? "#ff7f0e" : "#d62728"
            let radius = 2 + (Double(village.population) / 100).squareRoot()
            svg += "<circle cx=\"\(number(x))\" cy=\"\(number(y))\" r=\"\(number(radius))\" fill=\"\(colour)\" fill-opacity=\"0.7\">"
                + "<title>\(escape(village.name)): \(village.served)/\(village.served + village.denied) served</title></circle>"
            if labelled { svg += "<text x=\"\(number(x + radius + 2))\" y=\"\(number(y + 4))\">\(escape(village.name))</text>" }
        }
        for (_, place) in coordinates.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where place.3 == .hospital || place.3 == .depot {
            let (x, y) = point(place.0, place.1)
            if place.3 == .hospital {
                svg += "<rect x=\"\(number(x - 6))\" y=\"\(number(y - 6))\" width=\"12\" height=\"12\" fill=\"#d62728\"/>"
                // Near the right edge the name goes to the left of its square, so it is not cut off.
                let leftward = x > Double(width) - 220
                svg += "<text x=\"\(number(leftward ? x - 9 : x + 9))\" y=\"\(number(y + 4))\" font-weight=\"bold\""
                    + (leftward ? " text-anchor=\"end\"" : "") + ">\(escape(place.2))</text>"
            } else {
                svg += "<polygon points=\"\(number(x)),\(number(y - 6)) \(number(x - 5)),\(number(y + 4)) \(number(x + 5)),\(number(y + 4))\" fill=\"#222\"/>"
            }
        }
        svg += "<text x=\"10\" y=\"\(height - 8)\">● served ≥95% green, ≥80% orange, less red; ■ hospital; ▲ depot</text>"
        return svg + "</svg>"
    }

    static func html(_ scenario: Scenario, outcomes: [VariantOutcome], kpis: [(variant: String, kpis: KPIs)], days: Int) -> String {
        var page = "<!DOCTYPE html><html lang=\"th\"><head><meta charset=\"utf-8\"><title>\(escape(scenario.name))</title><style>\(style)</style></head><body>"
        page += "<h1>พาไป: \(escape(scenario.name)), \(days) service day(s), seed \(scenario.seed)</h1>"
        if let description = scenario.description { page += "<p>\(escape(description))</p>" }
        for note in outcomes.first?.calendarNotes ?? [] { page += "<p>\(escape(note))</p>" }
        page += "<h2>KPIs</h2><table><tr><th>metric</th>" + kpis.map { "<th>\(escape($0.variant))</th>" }.joined() + "</tr>"
        for (index, entry) in kpis[0].kpis.values.enumerated() {
            page += "<tr><td>\(escape(entry.0))</td>" + kpis.map { "<td class=\"n\">\(escape($0.kpis.values[index].1))</td>" }.joined() + "</tr>"
        }
        page += "</table>"
        for outcome in outcomes {
            page += "<h2>\(escape(outcome.variant))</h2><div class=\"charts\">"
            // Waits: minutes past the start of the pickup window, 5-minute bins, the last one open.
            let delays = outcome.trips.compactMap(KPIs.pickupDelay)
            var bins = [Double](repeating: 0, count: 13)
            for delay in delays { bins[min(Int(delay / 5), 12)] += 1 }
            let labels = (0..<12).map { "\($0 * 5)" } + ["60+"]
            page += bars("Pickup delay (minutes past the window's start): trips", Array(zip(labels, bins)), unit: "")
            // Occupancy: passengers aboard, summed over vehicles, averaged over days, every 15 minutes.
            let slots = Array(stride(from: 5 * 60, through: 19 * 60, by: 15))
            var aboard = [Double](repeating: 0, count: slots.count)
            for trip in outcome.trips {
                guard let pickup = trip.pickup, let dropoff = trip.dropoff else { continue }
                let from = UTCOffset.bangkok.time(of: pickup).minutes, to = UTCOffset.bangkok.time(of: dropoff).minutes
                for (index, slot) in slots.enumerated() where from <= slot && slot < to { aboard[index] += Double(trip.passengers) / Double(days) }
            }
            page += lines("Passengers aboard through the day", x: slots.map { Double($0) / 60 }, series: [("all vehicles", aboard.map { $0 })],
                          xLabel: "hour", unit: "")
            // Villages with a served or denied trip (a village whose only trips were cancelled has no share).
            let villages = KPIs.villages(outcome).filter { $0.servedShare != nil }
            let worst = villages.sorted { ($0.servedShare ?? 1, $0.village.rawValue) < ($1.servedShare ?? 1, $1.village.rawValue) }.prefix(30)
            page += bars("Served share by village (lowest 30), %", worst.map { ($0.name, ($0.servedShare ?? 0) * 100) }, unit: "%", horizontal: true)
            page += bars("Pickup delay p95 by village (highest 30), min",
                         villages.sorted { ($0.p95Delay ?? 0, $1.village.rawValue) > ($1.p95Delay ?? 0, $0.village.rawValue) }.prefix(30)
                            .map { ($0.name, $0.p95Delay ?? 0) }, unit: "", horizontal: true)
            page += map(outcome) + "</div>"
        }
        return page + "<p>Files: kpis.csv, trips.csv, villages.csv. Synthetic data.</p></body></html>\n"
    }

    static func sweep(_ scenario: Scenario, points: [SweepPoint], days: Int) -> String {
        let fleets = Array(Set(points.map(\.fleet))).sorted()
        let variants = points.map(\.variant).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        func series(_ metric: String) -> [(String, [Double?])] {
            variants.map { variant in
                (variant, fleets.map { fleet in points.first { $0.fleet == fleet && $0.variant == variant }?.kpis[metric].flatMap(Double.init) })
            }
        }
        var page = "<!DOCTYPE html><html lang=\"th\"><head><meta charset=\"utf-8\"><title>\(escape(scenario.name)) sweep</title><style>\(style)</style></head><body>"
        page += "<h1>พาไป: \(escape(scenario.name)), fleet sizes \(fleets.first ?? 0)-\(fleets.last ?? 0) vehicles per tambon, \(days) day(s)</h1>"
        page += "<div class=\"charts\">"
        let x = fleets.map(Double.init)
        page += lines("Served share, %", x: x, series: series("served_share_pct"), xLabel: "vehicles per tambon", unit: "%")
        page += lines("Pickup delay p95, minutes", x: x, series: series("pickup_delay_p95_min"), xLabel: "vehicles per tambon", unit: "")
        page += lines("Driving cost per trip served, baht", x: x, series: series("cost_per_trip_baht"), xLabel: "vehicles per tambon", unit: "")
        page += "</div><table><tr><th>fleet</th><th>variant</th>" + Sweep.metrics.map { "<th>\($0)</th>" }.joined() + "</tr>"
        for point in points {
            page += "<tr><td class=\"n\">\(point.fleet)</td><td>\(escape(point.variant))</td>"
                + Sweep.metrics.map { "<td class=\"n\">\(point.kpis[$0] ?? "")</td>" }.joined() + "</tr>"
        }
        return page + "</table></body></html>\n"
    }
}
