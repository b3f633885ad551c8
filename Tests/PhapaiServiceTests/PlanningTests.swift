import Foundation
import Testing
import PhapaiCore
import PhapaiScheduler
import PhapaiStore
@testable import PhapaiService

@Suite("Service: planning the day")
struct PlanningTests {
    /// A weekday morning of the sample tambon: clinics, dialysis, a wheelchair and a stretcher patient.
    func bookMonday(_ world: World) throws {
        let journeys: [(String, String, String, String?)] = [
            ("P005", "H-COMM", "2026-11-23 11:00", "2026-11-23 13:00"),
            ("P004", "H-COMM", "2026-11-23 09:00", "2026-11-23 13:15"),
            ("P002", "H-COMM", "2026-11-23 08:30", "2026-11-23 11:30"),
            ("P003", "H-COMM", "2026-11-23 09:30", "2026-11-23 12:00"),
            ("P010", "HC-NATHONG", "2026-11-23 09:00", "2026-11-23 10:30"),
            ("P017", "H-COMM", "2026-11-23 10:00", nil),
            ("P001", "H-COMM", "2026-11-23 10:00", "2026-11-23 14:00"),
            ("P027", "H-COMM", "2026-11-23 08:00", "2026-11-23 10:30"),
        ]
        for (patient, to, appointment, back) in journeys {
            _ = try world.service.bookTrip(world.request(patient, to: to, appointment: appointment, back: back))
        }
    }

    @Test func everyTripOfTheDayIsPlannedAndTheStoredPlanVerifies() throws {
        let world = try World()
        try bookMonday(world)
        let day = try LocalDate.parse("2026-11-23", field: "d")
        let plan = try world.service.planDay(day, seconds: 600, iterations: 300)
        #expect(plan.unserved.isEmpty, "\(plan.unserved)")
        let trips = try world.service.trips(date: day)
        #expect(trips.count == 15)
        #expect(trips.allSatisfy { $0.status == .scheduled })
        // Each trip appears once as a pickup and once as a drop-off, pickup first.
        let stops = plan.runs.flatMap(\.stops)
        #expect(stops.count == 30)
        for trip in trips {
            let run = try #require(plan.runs.first { $0.stops.contains { $0.trip == trip.id } })
            let pickup = try #require(run.stops.first { $0.trip == trip.id && $0.action == .pickup })
            let dropoff = try #require(run.stops.first { $0.trip == trip.id && $0.action == .dropoff })
            #expect(pickup.sequence < dropoff.sequence)
            // Planned times sit inside the promised windows.
            #expect(trip.pickupWindow!.earliest <= pickup.plannedTime && pickup.plannedTime <= trip.pickupWindow!.latest.adding(seconds: 1))
            #expect(dropoff.plannedTime <= trip.dropoffWindow!.latest.adding(seconds: 1))
        }
        // The stretcher patient rides the only vehicle with a stretcher position.
        let stretcherTrip = try #require(trips.first { $0.patient.rawValue == "P001" })
        #expect(plan.runs.first { $0.stops.contains { $0.trip == stretcherTrip.id } }?.vehicle.rawValue == "PICKUP1")
        // Re-verified from the database alone.
        let check = try world.service.verifyStoredPlan(day)
        #expect(check.feasible, "\(check.violations)")
        #expect(try world.service.audit(limit: 1).first?.action == "day.plan")
    }

    @Test func replanningReplacesTheRunsAndKeepsEveryTrip() throws {
        let world = try World()
        try bookMonday(world)
        let day = try LocalDate.parse("2026-11-23", field: "d")
        _ = try world.service.planDay(day, seconds: 600, iterations: 100)
        _ = try world.service.cancelTrip(TripID(3), reason: "ญาติพาไปเอง")
        let again = try world.service.planDay(day, seconds: 600, iterations: 100)
        #expect(!again.runs.flatMap(\.stops).contains { $0.trip == TripID(3) || $0.trip == TripID(4) })
        #expect(again.runs.flatMap(\.stops).count == 26)
        #expect(try world.service.verifyStoredPlan(day).feasible)
    }

    @Test func tripsTheFleetCannotFitAreListedWithTheReason() throws {
        // With the wheelchair van and the stretcher pickup both needed in the morning, no vehicle
        // can also take a dialysis patient 80 km to the provincial hospital for 08:00.
        let world = try World()
        try bookMonday(world)
        let extra = try world.service.bookTrip(world.request("P033", to: "H-PROV", appointment: "2026-11-23 08:00"))
        let day = try LocalDate.parse("2026-11-23", field: "d")
        let plan = try world.service.planDay(day, seconds: 600, iterations: 300)
        #expect(plan.unserved.map(\.trip) == [extra[0].id!])
        #expect(plan.unserved.first?.reason.english.contains("full at that time") == true, "\(plan.unserved)")
        let stored = try world.service.trip(extra[0].id!)
        #expect(stored.status == .requested && stored.statusPhrase == plan.unserved.first?.reason)
        #expect(try world.service.verifyStoredPlan(day).feasible)
    }

    @Test func aDayWithoutShiftsCannotBePlanned() throws {
        let world = try World()
        let sunday = try LocalDate.parse("2026-11-22", field: "d")
        #expect(world.refusal { _ = try world.service.planDay(sunday, seconds: 1, iterations: 10) }?.keyword == "NO_SHIFTS")
    }
}

@Suite("Service: booking into a planned day")
struct PlannedBookingTests {
    func plannedMonday() throws -> (World, LocalDate) {
        let world = try World()
        try PlanningTests().bookMonday(world)
        let day = try LocalDate.parse("2026-11-23", field: "d")
        _ = try world.service.planDay(day, seconds: 600, iterations: 200)
        return (world, day)
    }

    @Test func aBookingThatFitsIsScheduledAtOnce() throws {
        let (world, day) = try plannedMonday()
        // 13:00 has room on the planned day (the plan's pickup about 11:40 on PICKUP1).
        let booked = try world.service.bookAndPlace(world.request("P019", to: "H-COMM", appointment: "2026-11-23 13:00"))
        let (trips, placements) = (booked.trips, booked.placements)
        let placement = try #require(placements?[trips[0].id!])
        #expect(trips[0].status == .scheduled)
        #expect(try world.service.trip(trips[0].id!).status == .scheduled)
        #expect(trips[0].pickupWindow!.earliest <= placement.pickupTime && placement.pickupTime <= trips[0].pickupWindow!.latest.adding(seconds: 1))
        let run = try #require(try world.service.runs(on: day).first { $0.vehicle == placement.vehicle })
        #expect(run.stops.contains { $0.trip == trips[0].id && $0.action == .pickup && $0.plannedTime == placement.pickupTime })
        #expect(try world.service.verifyStoredPlan(day).feasible)
    }

    @Test func aBookingThatFitsNowhereIsRefusedWithAlternativesAndNothingStored() throws {
        let (world, day) = try plannedMonday()
        let before = try world.service.store.tripCount()
        let runsBefore = try world.service.runs(on: day)
        let error = world.refusal { _ = try world.service.bookAndPlace(world.request("P033", to: "H-PROV", appointment: "2026-11-23 08:00")) }
        #expect(error?.keyword == "NO_CAPACITY" && error?.category == .conflict)
        // The van is full then; the others do not work that early.
        #expect(error?.message.contains("VAN1: is full at that time with other passengers") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("CAR1: cannot be there in time within its shift (07:00-15:00)") == true)
        #expect(error?.message.contains("nearest that fit: ") == true)
        #expect(try world.service.store.tripCount() == before)
        #expect(try world.service.runs(on: day) == runsBefore)
    }

    @Test func cancellingFreesTheSeatsAtOnce() throws {
        let (world, day) = try plannedMonday()
        let stopsBefore = try world.service.runs(on: day).flatMap(\.stops).count
        _ = try world.service.cancelTrip(TripID(3), reason: "ญาติพาไปเอง")
        let stops = try world.service.runs(on: day).flatMap(\.stops)
        #expect(stops.count == stopsBefore - 4)
        #expect(!stops.contains { $0.trip == TripID(3) || $0.trip == TripID(4) })
        for run in try world.service.runs(on: day) { #expect(run.stops.map(\.sequence) == Array(1...run.stops.count)) }
        #expect(try world.service.verifyStoredPlan(day).feasible)
    }
}

@Suite("Service: shift breaks")
struct BreakTests {
    @Test func noStopIsPlannedDuringTheDriversBreak() throws {
        let world = try World()
        try PlanningTests().bookMonday(world)
        // Around VAN1's 12:00-13:00 lunch.
        _ = try world.service.bookTrip(world.request("P007", appointment: "2026-11-23 13:30", back: "2026-11-23 14:30"))
        _ = try world.service.bookTrip(world.request("P012", appointment: "2026-11-23 11:30", back: "2026-11-23 12:15"))
        let day = try LocalDate.parse("2026-11-23", field: "d")
        _ = try world.service.planDay(day, seconds: 600, iterations: 200)
        let van = try #require(try world.service.runs(on: day).first { $0.vehicle.rawValue == "VAN1" })
        let breakStart = try world.at("2026-11-23 12:00"), breakEnd = try world.at("2026-11-23 13:00")
        #expect(!van.stops.contains { $0.plannedTime > breakStart && $0.plannedTime < breakEnd })
        // Nobody sits in the van over lunch: every ride that starts before the break ends before it.
        for pickup in van.stops where pickup.action == .pickup && pickup.plannedTime <= breakStart {
            let dropoff = try #require(van.stops.first { $0.trip == pickup.trip && $0.action == .dropoff })
            #expect(dropoff.plannedTime <= breakStart)
        }
        let check = try world.service.verifyStoredPlan(day)
        #expect(check.feasible, "\(check.violations)")
        // Insertion keeps the break too.
        // (A wheelchair trip at lunch may be refused: the van is the only one that takes it.)
        if let booked = try? world.service.bookAndPlace(world.request("P021", appointment: "2026-11-23 12:30")),
            booked.placements?[booked.trips[0].id!]?.vehicle.rawValue == "VAN1"
        {
            let after = try #require(try world.service.runs(on: day).first { $0.vehicle.rawValue == "VAN1" })
            #expect(!after.stops.contains { $0.plannedTime > breakStart && $0.plannedTime < breakEnd })
        }
        #expect(try world.service.verifyStoredPlan(day).feasible)
    }
}
