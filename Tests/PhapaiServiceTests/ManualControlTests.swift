import Foundation
import Testing
import PhapaiCore
import PhapaiStore
@testable import PhapaiService

@Suite("Service: manual control and will-call release")
struct ManualControlTests {
    func plannedMonday() throws -> (World, LocalDate) {
        try DriverStatusTests().plannedMonday()
    }

    @Test func anAssignedTripMovesToItsVehicleAndStaysThereWhenReplanning() throws {
        let (world, day) = try plannedMonday()
        // Trip 5 (P002, walking) onto the car, whatever the plan had.
        let placement = try #require(try world.service.assignTrip(TripID(5), to: VehicleID(unchecked: "CAR1")).placement)
        #expect(placement.vehicle.rawValue == "CAR1")
        func vehicleOf(_ trip: Int64) throws -> String? {
            try world.service.runs(on: day).first { $0.stops.contains { $0.trip == TripID(trip) } }?.vehicle.rawValue
        }
        #expect(try vehicleOf(5) == "CAR1")
        _ = try world.service.planDay(day, seconds: 600, iterations: 200)
        #expect(try vehicleOf(5) == "CAR1")
        #expect(try world.service.verifyStoredPlan(day).feasible)
        // A wheelchair patient cannot go in the car.
        let refused = world.refusal { _ = try world.service.assignTrip(TripID(3), to: VehicleID(unchecked: "CAR1")) }
        #expect(refused?.keyword == "VEHICLE_CANNOT_CARRY")
    }

    @Test func aLockedTripKeepsItsRunPrefixWhenReplanning() throws {
        let (world, day) = try plannedMonday()
        let run = try #require(try world.service.runs(on: day).first { $0.stops.contains { $0.trip == TripID(5) } })
        let through = run.stops.last { $0.trip == TripID(5) }!.sequence
        try world.service.lockTrip(TripID(5))
        let locked = Array(run.stops.prefix(through).map { "\($0.trip)/\($0.action.rawValue)" })
        _ = try world.service.planDay(day, seconds: 600, iterations: 200)
        let after = try #require(try world.service.runs(on: day).first { $0.shift == run.shift })
        #expect(Array(after.stops.prefix(through).map { "\($0.trip)/\($0.action.rawValue)" }) == locked)
        #expect(after.stops.prefix(through).allSatisfy { $0.locked })
        try world.service.unlockTrip(TripID(5))
        let unlocked = try #require(try world.service.runs(on: day).first { $0.shift == run.shift })
        #expect(unlocked.stops.filter { $0.trip == TripID(5) }.allSatisfy { !$0.locked })
    }

    @Test func aReleasedWillCallReturnIsPlacedAtOnce() throws {
        let world = try World()
        try PlanningTests().bookMonday(world)
        let trips = try world.service.bookTrip(world.request("P019", to: "H-COMM", appointment: "2026-11-23 09:30", willCall: true))
        let day = try LocalDate.parse("2026-11-23", field: "d")
        _ = try world.service.planDay(day, seconds: 600, iterations: 200)
        // A place is kept for the return on a run, though no time is told until the clinic calls.
        #expect(try world.service.trip(trips[1].id!).status == .scheduled)
        #expect(try world.service.trip(trips[1].id!).promisedAt == nil)
        #expect(world.refusal { _ = try world.service.reportStatus(trips[1].id!, .arrive) }?.keyword == "NOT_RELEASED")
        // Not before the patient is at the clinic.
        #expect(world.refusal { _ = try world.service.releaseWillCall(trips[1].id!) }?.keyword == "OUTBOUND_NOT_DONE")
        let pickup = try #require(try world.service.runs(on: day).flatMap(\.stops).first { $0.trip == trips[0].id && $0.action == .pickup })
        let dropoff = try #require(try world.service.runs(on: day).flatMap(\.stops).first { $0.trip == trips[0].id && $0.action == .dropoff })
        world.now = dropoff.plannedTime
        _ = try world.service.reportStatus(trips[0].id!, .pickup, at: pickup.plannedTime)
        _ = try world.service.reportStatus(trips[0].id!, .dropoff, at: dropoff.plannedTime)
        try world.setNow("2026-11-23 11:10")
        let result = try world.service.releaseWillCall(trips[1].id!)
        let (released, placement, reason) = (result.trip, result.placement, result.reason)
        #expect(reason == nil)
        #expect(released.pickupWindow == TimeWindow(earliest: try world.at("2026-11-23 11:10"), latest: try world.at("2026-11-23 11:40")))
        #expect(released.status == .scheduled)
        let start = try world.at("2026-11-23 11:10")
        #expect(placement != nil && placement!.pickupTime >= start)
        #expect(try world.service.verifyStoredPlan(day).feasible)
        #expect(world.refusal { _ = try world.service.releaseWillCall(trips[1].id!) }?.keyword == "ALREADY_RELEASED")
        #expect(world.refusal { _ = try world.service.releaseWillCall(trips[0].id!) }?.keyword == "NOT_WILL_CALL")
    }

    @Test func warningsNameDoubleBookedDrivers() throws {
        let (world, day) = try plannedMonday()
        #expect(try world.service.warnings(on: day).isEmpty)
        // D03 already drives CAR1 07:00-15:00; a second shift on the van at noon overlaps.
        try world.service.store.write(actor: "test", at: world.now) {
            try world.service.store.insertShift(try Shift(
                driver: DriverID(unchecked: "D03"), vehicle: VehicleID(unchecked: "VAN1"), date: day,
                start: LocalTime.parse("17:00", field: "s"), end: LocalTime.parse("18:00", field: "e")))
            try world.service.store.insertShift(try Shift(
                driver: DriverID(unchecked: "D03"), vehicle: VehicleID(unchecked: "PICKUP1"), date: day,
                start: LocalTime.parse("14:00", field: "s"), end: LocalTime.parse("16:00", field: "e")))
            world.service.store.record("shift.add", entity: "shift:test")
        }
        #expect(try world.service.warnings(on: day).contains { $0.english.hasPrefix("driver D03 is double-booked") })
    }
}
