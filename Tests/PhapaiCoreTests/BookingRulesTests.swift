import Testing
@testable import PhapaiCore

/// A small world: a home and a hospital 30 km apart as the crow flies, driven at 60 km/h with no
/// circuity, so the direct time is exactly computable.
struct BookingWorld {
    let offset = UTCOffset.bangkok
    let area = AreaID(unchecked: "A")
    let home: Place
    let hospital: Place
    let travel: TravelModel
    let patient: Patient

    init(mobility: Mobility = .ambulatory) throws {
        home = try Place(id: PlaceID(unchecked: "HOME"), area: area, kind: .home, name: "บ้าน", coordinate: Coordinate(latitude: 7.0, longitude: 100.5))
        hospital = try Place(
            id: PlaceID(unchecked: "HOSP"), area: area, kind: .hospital, name: "โรงพยาบาล",
            coordinate: Coordinate(latitude: 7.0 + 29.999 / 111.195, longitude: 100.5))
        travel = try TravelModel(circuityFactor: 1.0, averageSpeedKmh: 60)
        patient = try Patient(
            id: PatientID(unchecked: "P1"), area: area, name: "นางทดสอบ ระบบ", phone: "081-000-0000", home: home.id,
            village: home.id, address: nil, mobility: mobility, companions: 1, entitlement: .tambonHealthFund,
            registeredOn: LocalDate(year: 2024, month: 1, day: 1)!, notes: nil)
    }

    var direct: Int { travel.seconds(home.coordinate, hospital.coordinate) }

    func context(now: String, fleet: [Capacity]? = nil) throws -> BookingContext {
        BookingContext(
            patient: patient, pickupPlace: home, dropoffPlace: hospital, policies: .defaults, travel: travel, offset: offset,
            now: try offset.parseDateTime(now, field: "now"), fleet: try fleet ?? [Capacity(seats: 4, wheelchairs: 1)])
    }

    func at(_ text: String) throws -> Instant { try offset.parseDateTime(text, field: "t") }
}

@Suite("Booking rules")
struct BookingRulesTests {
    @Test func appointmentWindowsFollowThePolicies() throws {
        let world = try BookingWorld()
        #expect(world.direct == 1800)
        let request = BookingRequest(
            patient: world.patient.id, to: world.hospital.id, timing: .appointment(try world.at("2026-11-23 09:00")),
            returnLeg: .at(try world.at("2026-11-23 12:00")))
        let trips = try BookingRules.makeTrips(request, context: world.context(now: "2026-11-20 10:00"))
        #expect(trips.count == 2)
        let out = trips[0]
        // Arrive 15-60 min before 09:00; latest pickup = 08:45 - direct - 2 min boarding.
        #expect(out.dropoffWindow == TimeWindow(earliest: try world.at("2026-11-23 08:00"), latest: try world.at("2026-11-23 08:45")))
        #expect(out.pickupWindow!.latest == (try world.at("2026-11-23 08:45")).adding(seconds: -(world.direct + 120)))
        #expect(out.pickupWindow!.latest.seconds(since: out.pickupWindow!.earliest) == 30 * 60)
        // 1.5 x 30 min + 20 min = 65 min.
        #expect(out.maxRideSeconds == 65 * 60)
        #expect(out.serviceDate.iso == "2026-11-23")
        let back = trips[1]
        #expect(back.direction == .return)
        #expect(back.pickupPlace == world.hospital.id && back.dropoffPlace == world.home.id)
        #expect(back.pickupWindow == TimeWindow(earliest: try world.at("2026-11-23 12:00"), latest: try world.at("2026-11-23 12:30")))
        #expect(back.dropoffWindow!.latest == (try world.at("2026-11-23 12:30")).adding(seconds: 120 + back.maxRideSeconds))
        #expect(back.companions == 1 && back.funding == .tambonHealthFund)
    }

    @Test func requestedPickupGivesAWindowFromThatTime() throws {
        let world = try BookingWorld()
        let trips = try BookingRules.makeTrips(
            BookingRequest(patient: world.patient.id, to: world.hospital.id, timing: .pickup(try world.at("2026-11-23 13:00"))),
            context: world.context(now: "2026-11-20 10:00"))
        #expect(trips.count == 1)
        #expect(trips[0].pickupWindow == TimeWindow(earliest: try world.at("2026-11-23 13:00"), latest: try world.at("2026-11-23 13:30")))
        #expect(trips[0].requestedPickup == (try world.at("2026-11-23 13:00")))
    }

    @Test func willCallReturnsHaveNoWindowUntilReleased() throws {
        let world = try BookingWorld()
        let trips = try BookingRules.makeTrips(
            BookingRequest(
                patient: world.patient.id, to: world.hospital.id, timing: .appointment(try world.at("2026-11-23 09:00")), returnLeg: .willCall),
            context: world.context(now: "2026-11-20 10:00"))
        #expect(trips[1].willCall && trips[1].pickupWindow == nil && trips[1].dropoffWindow == nil)
    }

    func refusal(_ request: BookingRequest, _ context: BookingContext) -> PhapaiError? {
        do {
            _ = try BookingRules.makeTrips(request, context: context)
            return nil
        } catch {
            return error as? PhapaiError
        }
    }

    @Test func pastAppointmentsAreRefused() throws {
        let world = try BookingWorld()
        let error = refusal(
            BookingRequest(patient: world.patient.id, to: world.hospital.id, timing: .appointment(try world.at("2026-11-19 09:00"))),
            try world.context(now: "2026-11-20 10:00"))
        #expect(error?.keyword == "IN_PAST" && error?.field == "appointment")
    }

    @Test func appointmentsTooSoonToReachAreRefused() throws {
        let world = try BookingWorld()
        let error = refusal(
            BookingRequest(patient: world.patient.id, to: world.hospital.id, timing: .appointment(try world.at("2026-11-20 10:30"))),
            try world.context(now: "2026-11-20 10:00"))
        #expect(error?.keyword == "TOO_SOON" && error?.field == "appointment")
    }

    @Test func appointmentsWhosePickupFallsOnThePreviousDayAreRefused() throws {
        let world = try BookingWorld()
        let error = refusal(
            BookingRequest(patient: world.patient.id, to: world.hospital.id, timing: .appointment(try world.at("2026-11-23 00:30"))),
            try world.context(now: "2026-11-20 10:00"))
        #expect(error?.keyword == "CROSSES_MIDNIGHT" && error?.field == "appointment")
    }

    @Test func bookingsBeyondTheHorizonAreRefused() throws {
        let world = try BookingWorld()
        let context = try world.context(now: "2026-11-20 10:00")
        let lastDay = BookingRequest(patient: world.patient.id, to: world.hospital.id, timing: .appointment(try world.at("2026-12-11 09:00")))
        #expect(refusal(lastDay, context) == nil)
        let tooFar = BookingRequest(patient: world.patient.id, to: world.hospital.id, timing: .appointment(try world.at("2026-12-12 09:00")))
        #expect(refusal(tooFar, context)?.keyword == "BEYOND_HORIZON")
    }

    @Test func returnsBeforeTheOutboundArrivalAreRefused() throws {
        let world = try BookingWorld()
        let error = refusal(
            BookingRequest(
                patient: world.patient.id, to: world.hospital.id, timing: .appointment(try world.at("2026-11-23 09:00")),
                returnLeg: .at(try world.at("2026-11-23 08:50"))),
            try world.context(now: "2026-11-20 10:00"))
        #expect(error?.keyword == "RETURN_BEFORE_ARRIVAL" && error?.field == "return")
    }

    @Test func patientsNoVehicleCanCarryAreRefused() throws {
        let stretcher = try BookingWorld(mobility: .stretcher)
        let request = BookingRequest(patient: stretcher.patient.id, to: stretcher.hospital.id, timing: .appointment(try stretcher.at("2026-11-23 09:00")))
        let noStretcher = refusal(request, try stretcher.context(now: "2026-11-20 10:00"))
        #expect(noStretcher?.keyword == "NO_CAPABLE_VEHICLE" && noStretcher?.field == "mobility")

        let walker = try BookingWorld()
        var crowded = BookingRequest(patient: walker.patient.id, to: walker.hospital.id, timing: .appointment(try walker.at("2026-11-23 09:00")))
        crowded.companions = 4
        let tooMany = refusal(crowded, try walker.context(now: "2026-11-20 10:00", fleet: [try Capacity(seats: 3)]))
        #expect(tooMany?.keyword == "NO_CAPABLE_VEHICLE" && tooMany?.field == "companions")
    }
}
