import Foundation
import Testing
import PhapaiCore
import PhapaiStore
@testable import PhapaiService

@Suite("Service: reports on a hand-computed day")
struct ReportTests {
    /// Villages in หมู่ order: as text หมู่ 10 came before หมู่ 2.
    @Test func villagesComeInMooOrder() throws {
        let world = try World()
        for (patient, time) in [("P015", "09:00"), ("P006", "09:30"), ("P005", "10:00"), ("P029", "10:30")] {
            _ = try world.service.bookTrip(world.request(patient, appointment: "2026-11-23 \(time)"))
        }
        let day = try LocalDate.parse("2026-11-23", field: "d")
        let rows = try world.service.report(from: day, to: day, by: .village)
        #expect(rows.map(\.group).map { $0.split(separator: " ").prefix(2).joined(separator: " ") } == ["หมู่ 1", "หมู่ 2", "หมู่ 10", "หมู่ 11"])
    }

    @Test func theFiguresOfASmallDayAreExact() throws {
        let world = try World()
        let a = try world.service.bookTrip(world.request("P002", appointment: "2026-11-23 09:00"))[0]
        let b = try world.service.bookTrip(world.request("P003", appointment: "2026-11-23 09:30"))[0]
        let c = try world.service.bookTrip(world.request("P010", to: "HC-NATHONG", appointment: "2026-11-23 09:00"))[0]
        let d = try world.service.bookTrip(world.request("P027", appointment: "2026-11-23 08:00"))[0]
        // The windows this test relies on.
        #expect(world.offset.time(of: a.pickupWindow!.latest).description == "07:50")
        #expect(world.offset.time(of: b.pickupWindow!.latest).description == "08:33")
        _ = try world.service.cancelTrip(d.id!, reason: "หายป่วยแล้ว")
        let day = try LocalDate.parse("2026-11-23", field: "d")
        for trip in [a, b, c] { _ = try world.service.assignTrip(trip.id!, to: VehicleID(unchecked: "VAN1")) }
        _ = try world.service.planDay(day, seconds: 600, iterations: 100)
        try world.setNow("2026-11-23 12:00")
        func report(_ trip: Trip, _ kind: DriverReport, _ time: String) throws {
            _ = try world.service.reportStatus(trip.id!, kind, at: try world.at("2026-11-23 \(time)"))
        }
        try report(c, .arrive, "07:00")
        try report(c, .noshow, "07:06")
        try report(a, .pickup, "07:40")
        try report(a, .dropoff, "08:40")
        try report(b, .pickup, "08:45")
        try report(b, .dropoff, "09:50")

        let rows = try world.service.report(from: day, to: day)
        let total = try #require(rows.first)
        #expect(rows.count == 1 && total.group == "all")
        #expect(total.served == 2)
        #expect(total.noShows == 1)
        #expect(total.cancelled == [.advance: 1])
        #expect(total.denied == 0)
        #expect(total.pickupOnTime == 0.5)
        #expect(total.appointmentOnTime == 0.5)
        #expect(total.meanRideMinutes == 62.5)
        #expect(total.p95RideMinutes == 65)
        let ratio = (60.0 * 60 / Double(a.directSeconds) + 65.0 * 60 / Double(b.directSeconds)) / 2
        #expect(abs(total.meanRideRatio! - ratio) < 1e-9)
        // One run, from the no-show at 07:06 to the last drop-off at 09:50.
        #expect(abs(total.vehicleHours! - (2 * 60 + 44) / 60.0) < 1e-9)
        // Two patients, each with one companion.
        #expect(abs(total.passengersPerVehicleHour! - 4 / ((2 * 60 + 44) / 60.0)) < 1e-9)
        #expect(total.kilometres! > 0)

        let byFunding = try world.service.report(from: day, to: day, by: .funding)
        #expect(byFunding.map(\.served).reduce(0, +) == 2)
        let byVehicle = try world.service.report(from: day, to: day, by: .vehicle)
        #expect(byVehicle.first { $0.group == "VAN1" }?.served == 2)

        let funder = try world.service.funderReport(year: 2026, month: 11)
        #expect(funder.reduce(0) { $0 + $1.trips } == 2)
        #expect(funder.reduce(0) { $0 + $1.patients } == 2)
        #expect(try world.service.funderReport(year: 2026, month: 12).allSatisfy { $0.trips == 0 })
    }

    /// The meeting report's parts are the plain report's, with every village and entitlement, and
    /// months only when the span crosses a month's end.
    @Test func theMeetingReportHasEveryVillageAndMonthsOnlyAcrossAMonthsEnd() throws {
        let world = try World()
        let area = try world.service.area().id
        _ = try world.service.bookTrip(world.request("P002", appointment: "2026-11-30 09:00"))
        _ = try world.service.bookTrip(world.request("P029", appointment: "2026-11-30 10:00"))
        _ = try world.service.bookTrip(world.request("P006", appointment: "2026-12-01 09:00"))
        let november = try LocalDate.parse("2026-11-01", field: "d"), end = try LocalDate.parse("2026-12-31", field: "d")
        let meeting = try world.service.meetingReport(from: november, to: end, area: area)
        #expect(meeting.total == (try world.service.report(from: november, to: end, area: area))[0])
        #expect(meeting.total.trips == 3)
        // Every village of the sample area (12), in หมู่ order, those without trips as zeros.
        let moos = meeting.villages.map { Int($0.group.split(separator: " ")[1]) ?? -1 }
        #expect(moos == Array(1...12), "\(meeting.villages.map(\.group))")
        #expect(meeting.villages.map(\.trips).reduce(0, +) == 3 && meeting.villages.contains { $0.trips == 0 })
        #expect(meeting.funding.map(\.group) == Entitlement.allCases.map(\.rawValue))
        #expect(meeting.funding.map(\.trips).reduce(0, +) == 3)
        #expect(meeting.months.map(\.row.group) == ["2026-11", "2026-12"])
        #expect(meeting.months.map(\.row.trips) == [2, 1])
        #expect(meeting.months.first?.from == november && meeting.months.last?.to == end)
        // Within one month there is nothing to compare.
        let one = try world.service.meetingReport(from: november, to: try LocalDate.parse("2026-11-30", field: "d"), area: area)
        #expect(one.months.isEmpty && one.total.trips == 2)
    }
}
