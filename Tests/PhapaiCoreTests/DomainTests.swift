import Testing
@testable import PhapaiCore

@Suite("Domain rules")
struct DomainTests {
    @Test func foldedWheelchairPositionsGiveSeats() throws {
        let van = try Capacity(seats: 7, wheelchairs: 1, seatsPerFoldedWheelchair: 2)
        #expect(van.canCarry(Load(seats: 9)))
        #expect(!van.canCarry(Load(seats: 10)))
        #expect(van.canCarry(Load(seats: 7, wheelchairs: 1)))
        #expect(!van.canCarry(Load(seats: 8, wheelchairs: 1)))
        #expect(!van.canCarry(Load(seats: 0, stretchers: 1)))
        #expect(Load(mobility: .wheelchair, companions: 2) == Load(seats: 2, wheelchairs: 1))
        #expect(Load(mobility: .ambulatory, companions: 1) == Load(seats: 2))
    }

    @Test func invalidCapacitiesAreRefused() {
        #expect(throws: PhapaiError.self) { try Capacity(seats: 0) }
        #expect(throws: PhapaiError.self) { try Capacity(seats: -1, wheelchairs: 1) }
    }

    @Test func completedAndClosedTripsCannotBeCancelled() throws {
        #expect(throws: PhapaiError.conflict("status", "INVALID_TRANSITION", "cannot go from dropped_off to cancelled: the trip is already completed")) {
            try TripStatus.droppedOff.checkTransition(to: .cancelled)
        }
        #expect(throws: PhapaiError.self) { try TripStatus.pickedUp.checkTransition(to: .cancelled) }
        #expect(throws: PhapaiError.self) { try TripStatus.noShow.checkTransition(to: .scheduled) }
        #expect(throws: PhapaiError.self) { try TripStatus.requested.checkTransition(to: .droppedOff) }
        try TripStatus.requested.checkTransition(to: .scheduled)
        try TripStatus.scheduled.checkTransition(to: .cancelled)
        try TripStatus.pickedUp.checkTransition(to: .droppedOff)
    }

    @Test func cancellationCodesFollowTheTimeLeft() throws {
        let offset = UTCOffset.bangkok
        let day = try LocalDate.parse("2026-11-23", field: "d")
        let pickup = try offset.parseDateTime("2026-11-23 08:00", field: "t")
        func code(_ now: String, atDoor: Bool = false) throws -> CancellationCode {
            CancellationCode.classify(
                now: try offset.parseDateTime(now, field: "now"), pickup: pickup, serviceDate: day, offset: offset,
                lateLimitMinutes: 120, atDoor: atDoor)
        }
        #expect(try code("2026-11-22 23:59") == .advance)
        #expect(try code("2026-11-23 05:59") == .sameDay)
        #expect(try code("2026-11-23 06:00") == .sameDay)
        #expect(try code("2026-11-23 06:01") == .late)
        #expect(try code("2026-11-23 08:05", atDoor: true) == .atDoor)
    }

    @Test func maxRideIsFactorTimesDirectPlusMinutesRoundedUp() {
        let policies = Policies.defaults
        #expect(policies.maxRideSeconds(direct: 40 * 60) == 80 * 60)
        // 1.5 x 61 s + 1200 s = 1291.5 s, rounded up to 22 min.
        #expect(policies.maxRideSeconds(direct: 61) == 22 * 60)
    }

    @Test func shiftsMustEndAfterTheyStartAndBreaksFitInside() throws {
        let day = try LocalDate.parse("2026-11-23", field: "d")
        let t = { (s: String) in try LocalTime.parse(s, field: "t") }
        #expect(throws: PhapaiError.self) {
            try Shift(driver: DriverID(unchecked: "D"), vehicle: VehicleID(unchecked: "V"), date: day, start: t("17:00"), end: t("08:00"))
        }
        #expect(throws: PhapaiError.self) {
            try Shift(driver: DriverID(unchecked: "D"), vehicle: VehicleID(unchecked: "V"), date: day, start: t("08:00"), end: t("17:00"),
                      breakStart: t("16:30"), breakEnd: t("17:30"))
        }
        let a = try Shift(driver: DriverID(unchecked: "D"), vehicle: VehicleID(unchecked: "V"), date: day, start: t("08:00"), end: t("12:00"))
        let b = try Shift(driver: DriverID(unchecked: "D"), vehicle: VehicleID(unchecked: "W"), date: day, start: t("12:00"), end: t("16:00"))
        #expect(!a.overlaps(b))
    }
}
