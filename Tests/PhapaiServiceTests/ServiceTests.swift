import Foundation
import Testing
import PhapaiCore
import PhapaiStore
@testable import PhapaiService
import PhapaiTestSupport


/// The service tests' world: the shared sample world.
typealias World = SampleWorld

extension SampleWorld {
    /// A booking for `patient` with an appointment (local time), and maybe a return.
    func request(_ patient: String, to: String = "H-COMM", appointment: String, back: String? = nil, willCall: Bool = false) throws
        -> BookingRequest
    {
        BookingRequest(
            patient: PatientID(unchecked: patient), to: PlaceID(unchecked: to), timing: .appointment(try at(appointment)),
            returnLeg: willCall ? .willCall : try back.map { .at(try at($0)) } ?? .none)
    }

    /// The refusal `body` threw, or nil when it did not.
    func refusal(_ body: () throws -> Void) -> PhapaiError? {
        do {
            try body()
            return nil
        } catch {
            return error as? PhapaiError
        }
    }
}

@Suite("Service: area and registry")
struct RegistryTests {
    @Test func theSampleAreaLoadsWithEveryPart() throws {
        let world = try World()
        #expect(try world.service.patients().count == 40)
        #expect(try world.service.vehicles().count == 3)
        #expect(try world.service.drivers().count == 3)
        #expect(try world.service.places(kind: .village).count == 12)
        #expect(try world.service.places(kind: .hospital).count == 2)
        // Mon-Fri for VAN1 and PICKUP1, Mon-Sat for CAR1, over today (Fri 20 Nov) and 21 more days.
        let shifts = try world.service.shifts(from: try LocalDate.parse("2026-11-20", field: "d"), to: try LocalDate.parse("2026-12-11", field: "d"))
        #expect(shifts.count == 16 * 2 + 19)
        let vanHasWheelchair = try world.service.vehicles().filter { $0.capacity.wheelchairs > 0 }.map(\.id.rawValue)
        #expect(vanHasWheelchair == ["VAN1"])
    }

    @Test func hospitalsAreAtTheDistancesTheBriefDescribes() throws {
        let world = try World()
        let office = try world.service.place(PlaceID(unchecked: "DEPOT")).coordinate
        let community = try world.service.place(PlaceID(unchecked: "H-COMM")).coordinate
        let provincial = try world.service.place(PlaceID(unchecked: "H-PROV")).coordinate
        #expect((22...28).contains(office.kilometres(to: community)))
        #expect((75...85).contains(office.kilometres(to: provincial)))
    }

    @Test func importingTheSameAreaTwiceIsAConflict() throws {
        let world = try World()
        let area = try SampleWorld.sampleArea()
        #expect(world.refusal { _ = try world.service.importArea(area) }?.keyword == "AREA_EXISTS")
    }

    @Test func overlappingShiftsOfADriverOrVehicleAreRefused() throws {
        let world = try World()
        let day = try LocalDate.parse("2026-11-23", field: "d")
        let extra = try Shift(
            driver: DriverID(unchecked: "D01"), vehicle: VehicleID(unchecked: "CAR1"), date: day,
            start: LocalTime.parse("16:00", field: "s"), end: LocalTime.parse("18:00", field: "e"))
        let error = world.refusal { _ = try world.service.addShift(extra) }
        #expect(error?.keyword == "SHIFT_OVERLAP" && error?.field == "driver")
        let evening = try Shift(
            driver: DriverID(unchecked: "D01"), vehicle: VehicleID(unchecked: "VAN1"), date: day,
            start: LocalTime.parse("17:00", field: "s"), end: LocalTime.parse("19:00", field: "e"))
        #expect(try world.service.addShift(evening).id != nil)
    }

    @Test func patientsAreFoundByNameCodeOrPhoneDigits() throws {
        let world = try World()
        let p004 = try world.service.patient(PatientID(unchecked: "P004"))
        #expect(try world.service.findPatients("P004").map(\.id) == [p004.id])
        let digits = String(p004.phone.filter(\.isNumber).suffix(7))
        #expect(try world.service.findPatients(digits).map(\.id).contains(p004.id))
        let surname = String(p004.name.split(separator: " ").last!)
        #expect(try world.service.findPatients(surname).contains { $0.id == p004.id })
    }
}

@Suite("Service: booking")
struct BookingTests {
    @Test func aBookingStoresBothLegsLinkedWithTheirAuditEvents() throws {
        let world = try World()
        let trips = try world.service.bookTrip(world.request("P004", appointment: "2026-11-23 09:00", back: "2026-11-23 12:00"))
        #expect(trips.count == 2)
        let out = try world.service.trip(trips[0].id!)
        let back = try world.service.trip(trips[1].id!)
        #expect(out.linkedTrip == back.id && back.linkedTrip == out.id)
        #expect(out.mobility == .wheelchair && out.status == .requested)
        #expect(out.dropoffWindow?.latest == (try world.at("2026-11-23 08:45")))
        let events = try world.service.audit()
        #expect(events.prefix(2).map(\.action) == ["trip.book", "trip.book"])
        #expect(events.first?.actor == "test:dispatcher")
        // The audit log holds identifiers, never the patient's name or phone.
        let patient = try world.service.patient(PatientID(unchecked: "P004"))
        #expect(events.allSatisfy { !$0.detail.contains(patient.name) && !$0.detail.contains(patient.phone) })
    }

    @Test func overlappingBookingsOfOnePatientAreRefused() throws {
        let world = try World()
        _ = try world.service.bookTrip(world.request("P005", to: "H-PROV", appointment: "2026-11-23 08:00", back: "2026-11-23 10:30"))
        let before = try world.service.store.tripCount()
        let error = world.refusal { _ = try world.service.bookTrip(world.request("P005", appointment: "2026-11-23 10:00")) }
        #expect(error?.keyword == "DOUBLE_BOOKING" && error?.category == .conflict)
        #expect(try world.service.store.tripCount() == before)
        // After the return leg is over, another trip the same day is fine.
        _ = try world.service.bookTrip(world.request("P005", to: "HC-NATHONG", appointment: "2026-11-23 16:00"))
    }

    @Test func aWillCallReturnHoldsThePatientForTheRestOfTheDay() throws {
        let world = try World()
        _ = try world.service.bookTrip(world.request("P004", appointment: "2026-11-23 09:00", willCall: true))
        let error = world.refusal { _ = try world.service.bookTrip(world.request("P004", to: "HC-NATHONG", appointment: "2026-11-23 16:00")) }
        #expect(error?.keyword == "DOUBLE_BOOKING")
        _ = try world.service.bookTrip(world.request("P004", to: "HC-NATHONG", appointment: "2026-11-24 09:00"))
    }

    @Test func unknownPatientsAndPlacesAreNotFound() throws {
        let world = try World()
        #expect(world.refusal { _ = try world.service.bookTrip(world.request("P999", appointment: "2026-11-23 09:00")) }?.keyword == "UNKNOWN_PATIENT")
        let place = world.refusal { _ = try world.service.bookTrip(world.request("P004", to: "NOWHERE", appointment: "2026-11-23 09:00")) }
        #expect(place?.keyword == "UNKNOWN_PLACE" && place?.field == "to" && place?.category == .notFound)
    }

    @Test func aWriteInterruptedBetweenTheTwoLegsLeavesNothing() throws {
        let world = try World()
        struct Crash: Error {}
        world.service.store.faultHandler = { if $0 == "trip.book.after-outbound" { throw Crash() } }
        let eventsBefore = try world.service.audit(limit: 10_000).count
        #expect(throws: Crash.self) {
            _ = try world.service.bookTrip(world.request("P004", appointment: "2026-11-23 09:00", back: "2026-11-23 12:00"))
        }
        #expect(try world.service.store.tripCount() == 0)
        #expect(try world.service.audit(limit: 10_000).count == eventsBefore)
        world.service.store.faultHandler = { _ in }
        let trips = try world.service.bookTrip(world.request("P004", appointment: "2026-11-23 09:00", back: "2026-11-23 12:00"))
        #expect(trips.map(\.id!.rawValue) == [1, 2])
    }
}

@Suite("Service: cancellation")
struct CancellationTests {
    @Test func cancellingAnOutboundTripCancelsItsReturnWithCodesByTimeLeft() throws {
        let world = try World()
        let trips = try world.service.bookTrip(world.request("P002", appointment: "2026-11-23 08:30", back: "2026-11-23 11:30"))
        try world.setNow("2026-11-23 06:00")
        let cancelled = try world.service.cancelTrip(trips[0].id!, reason: "ญาติพาไปเอง").trips
        #expect(cancelled.map(\.id) == trips.map(\.id))
        // Pickup window opens at 06:50, 50 min away: late. The return goes with it, closed by the
        // service: it does not count against the patient a second time.
        #expect(try world.service.trip(trips[0].id!).cancellationCode == .late)
        #expect(try world.service.trip(trips[0].id!).statusReason == "ญาติพาไปเอง")
        #expect(try world.service.trip(trips[1].id!).cancellationCode == .outboundNotPerformed)
        #expect(try world.service.trip(trips[1].id!).statusReason == "the outbound trip \(trips[0].id!) was not performed (cancelled)")
    }

    @Test func cancellingTheReturnKeepsTheOutbound() throws {
        let world = try World()
        let trips = try world.service.bookTrip(world.request("P002", appointment: "2026-11-23 08:30", back: "2026-11-23 11:30"))
        let cancelled = try world.service.cancelTrip(trips[1].id!, reason: "กลับเอง").trips
        #expect(cancelled.count == 1 && cancelled[0].cancellationCode == .advance)
        #expect(try world.service.trip(trips[0].id!).status == .requested)
    }

    @Test func completedTripsCannotBeCancelled() throws {
        let world = try World()
        let trip = try world.service.bookTrip(world.request("P002", appointment: "2026-11-23 08:30"))[0]
        try world.service.store.write(actor: "test", at: world.now) {
            try world.service.store.updateTripStatus(trip.id!, status: .droppedOff, code: nil, reason: nil, at: world.now)
            world.service.store.record("trip.status", entity: "trip:\(trip.id!)")
        }
        let error = world.refusal { _ = try world.service.cancelTrip(trip.id!, reason: "late call") }
        #expect(error?.keyword == "INVALID_TRANSITION" && error?.category == .conflict)
        #expect(try world.service.trip(trip.id!).status == .droppedOff)
    }

    @Test func aReasonIsRequired() throws {
        let world = try World()
        let trip = try world.service.bookTrip(world.request("P002", appointment: "2026-11-23 08:30"))[0]
        #expect(world.refusal { _ = try world.service.cancelTrip(trip.id!, reason: "  ") }?.field == "reason")
        #expect(try world.service.trip(trip.id!).status == .requested)
    }
}

@Suite("Service: standing orders")
struct StandingOrderTests {
    func dialysis(_ world: World, returnMode: StandingOrder.ReturnMode = .at(LocalTime(minutes: 13 * 60)!)) throws -> StandingOrder {
        StandingOrder(
            id: nil, patient: PatientID(unchecked: "P005"), pickupPlace: PlaceID(unchecked: "HOME-P005"),
            destination: PlaceID(unchecked: "H-PROV"), weekdays: [.monday, .wednesday, .friday],
            appointmentTime: LocalTime(minutes: 8 * 60)!, startDate: try LocalDate.parse("2026-11-20", field: "d"), endDate: nil,
            returnMode: returnMode, companions: 1, funding: .tambonHealthFund, notes: nil, active: true)
    }

    @Test func materialisesEveryRecurringDayOfTheHorizonOnce() throws {
        let world = try World()
        let (order, report) = try world.service.addStandingOrder(dialysis(world))
        // From Fri 20 Nov 10:00 to Fri 11 Dec: today's 08:00 has passed; Mon/Wed/Fri from 23 Nov to 11 Dec = 9 days.
        let days = Set(report.created.map(\.serviceDate.iso))
        #expect(days.count == 9)
        #expect(days.min() == "2026-11-23" && days.max() == "2026-12-11")
        #expect(report.created.count == 18)
        #expect(report.created.allSatisfy { $0.standingOrder == order.id })
        #expect(try world.service.materialiseStandingOrders().created.isEmpty)
        // A day later the horizon reaches one more day, but only a Saturday: nothing new.
        try world.setNow("2026-11-21 10:00")
        #expect(try world.service.materialiseStandingOrders().created.isEmpty)
        try world.setNow("2026-11-23 10:00")
        #expect(Set(try world.service.materialiseStandingOrders().created.map(\.serviceDate.iso)) == ["2026-12-14"])
    }

    @Test func aHoldCancelsTheTripsInItsSpanAndStopsNewOnes() throws {
        let world = try World()
        let (order, _) = try world.service.addStandingOrder(dialysis(world))
        let (_, cancelled) = try world.service.holdStandingOrder(
            order.id!, from: try LocalDate.parse("2026-11-24", field: "d"), to: try LocalDate.parse("2026-11-30", field: "d"),
            reason: "admitted to hospital")
        // Wed 25, Fri 27 and Mon 30, both legs.
        #expect(cancelled.count == 6)
        #expect(Set(cancelled.map(\.serviceDate.iso)) == ["2026-11-25", "2026-11-27", "2026-11-30"])
        #expect(cancelled.allSatisfy { $0.status == .cancelled && $0.cancellationCode == .advance })
        #expect(try world.service.trips(date: try LocalDate.parse("2026-11-23", field: "d")).allSatisfy { $0.status == .requested })
        #expect(try world.service.materialiseStandingOrders().created.isEmpty)
    }

    @Test func daysClashingWithAnotherBookingAreSkippedAndReported() throws {
        let world = try World()
        _ = try world.service.bookTrip(world.request("P005", to: "H-COMM", appointment: "2026-11-25 08:00"))
        let (_, report) = try world.service.addStandingOrder(dialysis(world))
        #expect(report.skipped.map(\.date.iso) == ["2026-11-25"])
        #expect(report.created.count == 16)
    }

    /// With the shipped calendar, Mon 7 Dec 2026 (the substitution day for Sat 5 Dec) makes no
    /// trip and is listed; the other eight days of the horizon are made as before.
    @Test func aPublicHolidayMakesNoTripAndIsListed() throws {
        let world = try World()
        world.service.holidays = try HolidayCalendar.parse(
            Data(contentsOf: URL(fileURLWithPath: World.configFolder + "/holidays-th.csv")), source: "holidays-th.csv")
        let (order, report) = try world.service.addStandingOrder(dialysis(world))
        let days = Set(report.created.map(\.serviceDate.iso))
        #expect(days.count == 8 && !days.contains("2026-12-07") && days.contains("2026-12-09"))
        #expect(report.created.count == 16)
        #expect(report.skipped.count == 1)
        #expect(report.skipped.first?.order == order.id && report.skipped.first?.date.iso == "2026-12-07")
        #expect(report.skipped.first?.reason.english
            == "public holiday วันหยุดชดเชยวันชาติ และวันพ่อแห่งชาติ (Substitution for National Day and Father's Day): no trip made")
        #expect(try world.service.trips(date: LocalDate.parse("2026-12-07", field: "d")).isEmpty)
        // Listed again on every run, so a dispatcher who looks later still sees it; nothing is made.
        let again = try world.service.materialiseStandingOrders()
        #expect(again.created.isEmpty && again.skipped.map(\.date.iso) == ["2026-12-07"])
        // A day entered in the calendar after its trips were made keeps them, and says so.
        world.service.holidays = HolidayCalendar([
            Holiday(date: try LocalDate.parse("2026-12-09", field: "d"), nameTH: "วันหยุดพิเศษ", nameEN: "Special holiday")
        ])
        let later = try world.service.materialiseStandingOrders()
        #expect(later.created.map(\.serviceDate.iso) == ["2026-12-07", "2026-12-07"])
        #expect(later.skipped.map(\.date.iso) == ["2026-12-09"])
        #expect(later.skipped.first?.reason.english.hasSuffix("its trips were made before the holiday was in the calendar; check them") == true)
        #expect(try world.service.trips(date: LocalDate.parse("2026-12-09", field: "d")).count == 2)
    }

    @Test func invalidOrdersAreRefused() throws {
        let world = try World()
        var order = try dialysis(world)
        order.weekdays = []
        #expect(world.refusal { _ = try world.service.addStandingOrder(order) }?.field == "days")
        order = try dialysis(world, returnMode: .at(LocalTime(minutes: 7 * 60)!))
        #expect(world.refusal { _ = try world.service.addStandingOrder(order) }?.keyword == "RETURN_BEFORE_ARRIVAL")
        #expect(try world.service.standingOrders().isEmpty)
    }
}
