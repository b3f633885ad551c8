import PhapaiCore

/// What a tambon council reads at its meeting: one area's figures over a span of days in total,
/// by village (every village of the area, in หมู่ order), by funding (every entitlement), by
/// vehicle, and month by month when the span crosses a month's end. Each part is a
/// ``PhapaiService/report(from:to:by:area:)`` of its own, so its numbers are the plain report's.
public struct MeetingReport: Sendable, Equatable {
    /// One calendar month of the span (cut to the span at its ends).
    public struct Month: Sendable, Equatable {
        /// Common Era year and month 1-12.
        public var year: Int
        public var month: Int
        /// The days of the month inside the span.
        public var from: LocalDate
        public var to: LocalDate
        /// The month's figures (group `YYYY-MM`).
        public var row: ReportRow
    }

    /// The area reported on.
    public var area: AreaID
    /// Its name, for the page's heading.
    public var areaName: String
    /// The first and last day.
    public var from: LocalDate
    public var to: LocalDate
    /// When the report was made (the figures are as of then).
    public var madeAt: Instant
    /// The whole span.
    public var total: ReportRow
    /// Every village of the area in หมู่ order, those without trips too (zeros), then patients
    /// without a village (`-`), if any.
    public var villages: [ReportRow]
    /// Every entitlement in ``Entitlement`` order (group: its raw value), those without trips too.
    public var funding: [ReportRow]
    /// Each vehicle with a run or a trip in the span (group: its code), then trips no vehicle took (`-`).
    public var vehicles: [ReportRow]
    /// Vehicle names by code.
    public var vehicleNames: [VehicleID: String]
    /// Month by month; empty when the span lies within one month.
    public var months: [Month]
}

extension PhapaiService {
    /// The meeting report of `area` over the days `from` to `to`: the total, each grouping and,
    /// when the span crosses a month's end, each month.
    public func meetingReport(from: LocalDate, to: LocalDate, area: AreaID) throws -> MeetingReport {
        let settings = try self.area(area)
        let total = try report(from: from, to: to, area: area)[0]
        // Villages the area has but no trip came from are shown too: a council asks about them.
        var villages = try report(from: from, to: to, by: .village, area: area)
        let known = Set(villages.map(\.group))
        let places = try store.places(areas: [area]).filter { $0.kind == .village }
        villages += places.filter { !known.contains($0.displayName) }.map { ReportRow(group: $0.displayName) }
        var mooOf: [String: Int] = [:]
        for place in places { if let moo = place.moo { mooOf[place.displayName] = moo } }
        villages.sort { (mooOf[$0.group] ?? Int.max, $0.group) < (mooOf[$1.group] ?? Int.max, $1.group) }

        let byFunding = try report(from: from, to: to, by: .funding, area: area)
        let funding = Entitlement.allCases.map { entitlement in
            byFunding.first { $0.group == entitlement.rawValue } ?? ReportRow(group: entitlement.rawValue)
        }
        // "-" (trips no vehicle took) after the vehicles, whatever their codes sort as.
        let vehicles = try report(from: from, to: to, by: .vehicle, area: area).sorted { a, b in
            a.group == "-" || b.group == "-" ? b.group == "-" && a.group != "-" : a.group < b.group
        }
        var names: [VehicleID: String] = [:]
        for vehicle in try store.vehicles() { names[vehicle.id] = vehicle.name }

        var months: [MeetingReport.Month] = []
        if from.year != to.year || from.month != to.month {
            var first = from
            while first <= to {
                let nextYear: Int = first.month == 12 ? first.year + 1 : first.year
                let next = LocalDate(year: nextYear, month: first.month % 12 + 1, day: 1)!
                let last = min(next.adding(days: -1), to)
                var row = try report(from: first, to: last, area: area)[0]
                row.group = String(first.iso.prefix(7))
                months.append(MeetingReport.Month(year: first.year, month: first.month, from: first, to: last, row: row))
                first = next
            }
        }
        return MeetingReport(
            area: area, areaName: settings.name, from: from, to: to, madeAt: clock(), total: total, villages: villages, funding: funding,
            vehicles: vehicles, vehicleNames: names, months: months)
    }
}
