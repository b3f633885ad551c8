import Foundation
import Testing
import PhapaiCore
import PhapaiStore
@testable import PhapaiService

@Suite("Service: driver status, undo, locks and re-planning")
struct DriverStatusTests {
    func plannedMonday() throws -> (World, LocalDate) {
        let world = try World()
        try PlanningTests().bookMonday(world)
        let day = try LocalDate.parse("2026-11-23", field: "d")
        _ = try world.service.planDay(day, seconds: 600, iterations: 200)
        try world.setNow("2026-11-23 06:00")
        return (world, day)
    }

    func stop(_ world: World, _ day: LocalDate, _ trip: Int, _ action: RunStop.Action) throws -> (Run, RunStop) {
        let run = try #require(try world.service.runs(on: day).first { $0.stops.contains { $0.trip == TripID(Int64(trip)) } })
        return (run, try #require(run.stops.first { $0.trip == TripID(Int64(trip)) && $0.action == action }))
    }

    @Test func aTripGoesArrivePickupDropoffWithActualTimesAndLockedStops() throws {
        let (world, day) = try plannedMonday()
        // Trip 5: P002 to the community hospital, pickup window 06:50-07:20.
        let (_, planned) = try stop(world, day, 5, .pickup)
        try world.setNow("2026-11-23 07:30")
        _ = try world.service.reportStatus(TripID(5), .arrive, at: try world.at("2026-11-23 07:00"), odometer: 12_345.6)
        _ = try world.service.reportStatus(TripID(5), .pickup, at: try world.at("2026-11-23 07:02"))
        let events = try world.service.tripEvents(TripID(5))
        #expect(events.map(\.kind) == [.arrive, .pickup])
        #expect(events[0].at == (try world.at("2026-11-23 07:00")) && events[0].odometer == 12_345.6)
        #expect(try world.service.trip(TripID(5)).status == .pickedUp)
        let (run, pickup) = try stop(world, day, 5, .pickup)
        #expect(pickup.locked)
        #expect(pickup.sequence == planned.sequence || pickup.sequence <= run.stops.count)
        try world.setNow("2026-11-23 08:30")
        _ = try world.service.reportStatus(TripID(5), .dropoff, at: try world.at("2026-11-23 08:10"))
        #expect(try world.service.trip(TripID(5)).status == .droppedOff)
        #expect(try stop(world, day, 5, .dropoff).1.locked)
        #expect(try world.service.audit(limit: 3).map(\.action) == ["trip.dropoff", "trip.pickup", "trip.arrive"])
    }

    @Test func noDropoffBeforePickupAndNoNoShowBeforeTheWait() throws {
        let (world, _) = try plannedMonday()
        try world.setNow("2026-11-23 07:30")
        #expect(world.refusal { _ = try world.service.reportStatus(TripID(5), .dropoff) }?.keyword == "NOT_PICKED_UP")
        #expect(world.refusal { _ = try world.service.reportStatus(TripID(5), .noshow) }?.keyword == "NOT_ARRIVED")
        _ = try world.service.reportStatus(TripID(5), .arrive, at: try world.at("2026-11-23 07:00"))
        let early = world.refusal { _ = try world.service.reportStatus(TripID(5), .noshow, at: try world.at("2026-11-23 07:04")) }
        #expect(early?.keyword == "TOO_EARLY_FOR_NO_SHOW" && early?.message.contains("not before 07:05") == true)
        #expect(try world.service.trip(TripID(5)).status == .enRoute)
        #expect(world.refusal { _ = try world.service.reportStatus(TripID(5), .pickup, at: try world.at("2026-11-23 06:59")) }?.keyword == "TIME_ORDER")
        #expect(world.refusal { _ = try world.service.reportStatus(TripID(5), .pickup, at: try world.at("2026-11-23 08:00")) }?.keyword == "IN_FUTURE")
    }

    @Test func aNoShowFreesTheSeatsCancelsTheReturnAndUndoRestoresIt() throws {
        let (world, day) = try plannedMonday()
        try world.setNow("2026-11-23 07:30")
        _ = try world.service.reportStatus(TripID(5), .arrive, at: try world.at("2026-11-23 07:00"))
        let change = try world.service.reportStatus(TripID(5), .noshow, at: try world.at("2026-11-23 07:06"))
        #expect(change.trip.status == .noShow)
        #expect(change.alsoChanged.map(\.id) == [TripID(6)])
        #expect(try world.service.trip(TripID(6)).status == .cancelled)
        #expect(!(try world.service.runs(on: day).flatMap(\.stops).contains { $0.trip == TripID(6) }))
        #expect(change.replanned)
        #expect(try world.service.verifyStoredPlan(day).feasible)
        // Undo takes back the last report only: the no-show, and the return it cancelled.
        _ = try world.service.reportStatus(TripID(5), .undo)
        #expect(try world.service.trip(TripID(5)).status == .enRoute)
        // The journey is whole again, on the runs at once.
        #expect(try world.service.trip(TripID(6)).status == .scheduled)
        #expect(try world.service.runs(on: day).flatMap(\.stops).contains { $0.trip == TripID(6) })
        #expect(try world.service.tripEvents(TripID(5)).map(\.kind) == [.arrive])
        _ = try world.service.reportStatus(TripID(5), .undo)
        #expect(try world.service.trip(TripID(5)).status == .scheduled)
        #expect(world.refusal { _ = try world.service.reportStatus(TripID(5), .undo) }?.keyword == "NOTHING_TO_UNDO")
    }

    /// Two passengers aboard one car for different hospitals, both picked up hours late: each
    /// could still be dropped off alone, but not both by their deadlines in either order. The day
    /// must still be planned (with their deadlines relaxed), not left on a plan that fails.
    @Test func passengersAboardPastTheirDeadlinesStillGetAPlan() throws {
        let world = try World()
        let day = try LocalDate.parse("2026-11-23", field: "d")
        let toCommunity = try world.service.bookTrip(try world.request("P011", to: "H-COMM", appointment: "2026-11-23 09:00"))[0]
        let toProvince = try world.service.bookTrip(try world.request("P015", to: "H-PROV", appointment: "2026-11-23 10:30"))[0]
        // The car (no break at the depot to keep) takes both: they travel without companions.
        for trip in [toCommunity, toProvince] { _ = try world.service.assignTrip(trip.id!, to: VehicleID(unchecked: "CAR1")) }
        _ = try world.service.planDay(day, seconds: 600, iterations: 200)
        try world.setNow("2026-11-23 12:30")
        // Both arrivals first: a late pickup re-plans the day, and would drop a trip nobody had come for yet.
        _ = try world.service.reportStatus(toCommunity.id!, .arrive, at: try world.at("2026-11-23 11:30"))
        _ = try world.service.reportStatus(toProvince.id!, .arrive, at: try world.at("2026-11-23 11:31"))
        _ = try world.service.reportStatus(toCommunity.id!, .pickup, at: try world.at("2026-11-23 11:32"))
        _ = try world.service.reportStatus(toProvince.id!, .pickup, at: try world.at("2026-11-23 11:33"))
        let plan = try world.service.planDay(day, seconds: 600, iterations: 200)
        let van = try #require(plan.runs.first { $0.vehicle == VehicleID(unchecked: "CAR1") })
        let dropoffs = van.stops.filter { $0.action == .dropoff }.map(\.trip)
        #expect(Set(dropoffs) == Set([toCommunity.id!, toProvince.id!]))
        #expect(van.stops.filter { $0.action == .dropoff }.allSatisfy { $0.plannedTime > (try! world.at("2026-11-23 11:33")) })
        #expect(try world.service.verifyStoredPlan(day).feasible)
        // A same-day booking now goes into a day whose stored runs only fit the relaxed deadlines:
        // the day is planned again with it (placed, or refused for room), never a failed plan.
        let booked = try world.service.bookAndPlace(try world.request("P002", to: "H-COMM", appointment: "2026-11-23 15:00"))
        #expect(booked.placements?[booked.trips[0].id!] != nil)
        #expect(try world.service.verifyStoredPlan(day).feasible)
    }

    @Test func aLatePickupReplansTheRestOfTheDayAroundTheLockedStops() throws {
        let (world, day) = try plannedMonday()
        let (runBefore, _) = try stop(world, day, 5, .pickup)
        try world.setNow("2026-11-23 07:45")
        // Picked up 25 minutes after the window closed.
        let change = try world.service.reportStatus(TripID(5), .pickup, at: try world.at("2026-11-23 07:45"))
        #expect(change.replanned)
        let (run, pickup) = try stop(world, day, 5, .pickup)
        #expect(run.vehicle == runBefore.vehicle)
        #expect(pickup.locked && pickup.plannedTime == runBefore.stops.first { $0.trip == TripID(5) && $0.action == .pickup }!.plannedTime)
        // Performed stops head the run; the drop-off of the patient on board is still on the same vehicle, after it.
        #expect(run.stops.prefix { $0.locked }.contains { $0.trip == TripID(5) && $0.action == .pickup })
        let dropoff = try #require(run.stops.first { $0.trip == TripID(5) && $0.action == .dropoff })
        #expect(dropoff.sequence > pickup.sequence)
        #expect(dropoff.plannedTime > (try world.at("2026-11-23 07:45")))
        #expect(try world.service.trip(TripID(5)).status == .pickedUp)
        let check = try world.service.verifyStoredPlan(day)
        #expect(check.feasible, "\(check.violations)")
        // A delay can push a trip out (here the wheelchair patient whose only vehicle is now late):
        // every trip is planned, on board, or back to requested with the reason.
        let trips = try world.service.trips(date: day)
        #expect(trips.allSatisfy { $0.status == .scheduled || $0.status == .pickedUp || ($0.status == .requested && $0.statusReason != nil) })
    }
}
