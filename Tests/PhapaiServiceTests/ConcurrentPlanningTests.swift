import Foundation
import Testing
import PhapaiCore
@testable import PhapaiService

/// A plan searched on one connection while another writes the same day (a server plans on worker
/// threads, each with its own connection, while its loop books): the plan is stored only over the
/// day it was searched on, and searched again when the day changed meanwhile.
@Suite("Planning while another connection writes")
struct ConcurrentPlanningTests {
    let day = LocalDate(year: 2026, month: 11, day: 23)!

    /// A world with three journeys on Monday, and a second service on its file (another connection).
    func mondayWorld() throws -> (World, PhapaiService) {
        let world = try World()
        for (patient, appointment) in [("P005", "2026-11-23 11:00"), ("P002", "2026-11-23 08:30"), ("P003", "2026-11-23 09:30")] {
            _ = try world.service.bookTrip(world.request(patient, appointment: appointment))
        }
        return (world, try world.openService(actor: "test:other"))
    }

    @Test func aPlanWhoseDayChangedBetweenItsSearchAndItsWriteIsSearchedAgainOnTheNewDay() throws {
        let (world, other) = try mondayWorld()
        let planner = try world.openService(actor: "test:planner")
        var searches = 0
        var booked: TripID?
        planner.faultHandler = { point in
            guard point == "plan.searched" else { return }
            searches += 1
            // Between the first search and its write, another connection books into the day.
            if searches == 1 { booked = try other.bookTrip(world.request("P010", to: "HC-NATHONG", appointment: "2026-11-23 09:00")).first?.id }
        }
        let plan = try planner.planDay(day, seconds: 600, iterations: 100)
        let trip = try #require(booked)
        // Searched twice: once on the old day, once (outside the write) on the day with the booking.
        #expect(searches == 2)
        #expect(plan.runs.contains { $0.stops.contains { $0.trip == trip } } || plan.unserved.contains { $0.trip == trip })
        #expect(plan.runs.flatMap(\.stops).count / 2 + plan.unserved.count == 4)
        #expect(try world.service.trip(trip).status == .scheduled)
        #expect(try world.service.verifyStoredPlan(day).feasible)
        // One plan was stored, not two.
        #expect(try world.service.audit(entity: "day:2026-11-23", limit: 10).filter { $0.action == "day.plan" }.count == 1)
    }

    @Test func aDayThatKeepsChangingIsPlannedInTheEndInsideTheWrite() throws {
        let (world, other) = try mondayWorld()
        let planner = try world.openService(actor: "test:planner")
        var searches = 0
        let patients = ["P010", "P017", "P001", "P027", "P004"]
        planner.faultHandler = { point in
            guard point == "plan.searched" else { return }
            // Every search outside the write is overtaken by a booking.
            if searches < patients.count {
                _ = try other.bookTrip(world.request(patients[searches], appointment: "2026-11-23 1\(searches):00"))
            }
            searches += 1
        }
        let plan = try planner.planDay(day, seconds: 600, iterations: 100)
        // The first search and three more outside the write, each overtaken; the last inside it.
        #expect(searches == PhapaiService.searchesBeforeWrite + 1)
        let active = try world.service.trips(date: day).filter(\.status.isActive)
        #expect(plan.runs.flatMap(\.stops).count / 2 + plan.unserved.count == active.count)
        #expect(active.count == 3 + PhapaiService.searchesBeforeWrite + 1)
        #expect(try world.service.verifyStoredPlan(day).feasible)
    }

    @Test func aReplanAfterAStoredChangeSearchesOutsideItsWriteAndRedoesOnAChangedDay() throws {
        let (world, other) = try mondayWorld()
        _ = try world.service.planDay(day, seconds: 600, iterations: 100)
        let reporter = try world.openService(actor: "test:reporter")
        var searches = 0
        var booked: TripID?
        reporter.faultHandler = { point in
            guard point == "replan.searched" else { return }
            searches += 1
            if searches == 1 { booked = try other.bookTrip(world.request("P010", to: "HC-NATHONG", appointment: "2026-11-23 09:00")).first?.id }
        }
        let cancelled = try reporter.trips(date: day).first { $0.patient.rawValue == "P005" }!
        let result = try reporter.cancelTrip(cancelled.id!, reason: "ญาติพาไปเอง")
        #expect(result.replan != nil && result.replanFailure == nil)
        #expect(searches == 2)
        let trip = try #require(booked)
        #expect(try world.service.runs(on: day).contains { $0.stops.contains { $0.trip == trip } })
        #expect(try world.service.verifyStoredPlan(day).feasible)
    }
}
