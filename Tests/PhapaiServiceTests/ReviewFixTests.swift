import Foundation
import Testing
import PhapaiCore
@testable import PhapaiStore
@testable import PhapaiService

extension World {
    /// The leg of `patient` on Monday going `direction`.
    func leg(_ patient: String, _ direction: TripDirection = .outbound, on date: LocalDate = monday) throws -> Trip {
        try #require(try service.trips(date: date).first { $0.patient.rawValue == patient && $0.direction == direction })
    }
}

// MARK: - ReturnFollowsOutbound

@Suite("Journeys: a return follows its outbound")
struct ReturnFollowsOutboundTests {
    @Test func aReturnCannotBeReportedWhileItsOutboundHasNotHappened() throws {
        let world = try World()
        _ = try world.plannedMonday()
        let outbound = try world.leg("P002")
        let back = try world.leg("P002", .return)
        let planned = try #require(try world.plannedPickup(back.id!))
        world.now = planned.at
        for report in [DriverReport.arrive, .pickup] {
            let refused = try #require(world.refusal { _ = try world.service.reportStatus(back.id!, report, at: planned.at) })
            #expect(refused.keyword == "OUTBOUND_NOT_DONE")
            #expect(refused.field == "trip")
            #expect(refused.message == "the patient has not been brought to the clinic yet: trip \(outbound.id!) is scheduled")
        }
        #expect(try world.service.tripEvents(back.id!).isEmpty)
        #expect(try world.service.trip(back.id!).status == .scheduled)
        // Once the outbound is picked up, the return may be reported.
        let pickup = try #require(try world.plannedPickup(outbound.id!))
        world.now = pickup.at
        _ = try world.service.reportStatus(outbound.id!, .pickup, at: pickup.at)
        world.now = planned.at
        #expect(try world.service.reportStatus(back.id!, .arrive, at: planned.at).trip.status == .enRoute)
    }

    @Test func theOutboundsPickupCannotBeTakenBackWhileItsReturnHasReports() throws {
        let world = try World()
        _ = try world.plannedMonday()
        let outbound = try world.leg("P002")
        let back = try world.leg("P002", .return)
        let pickup = try #require(try world.plannedPickup(outbound.id!))
        world.now = pickup.at
        _ = try world.service.reportStatus(outbound.id!, .pickup, at: pickup.at)
        let planned = try #require(try world.plannedPickup(back.id!))
        world.now = planned.at
        _ = try world.service.reportStatus(back.id!, .arrive, at: planned.at)
        let refused = try #require(world.refusal { _ = try world.service.reportStatus(outbound.id!, .undo) })
        #expect(refused.keyword == "RETURN_UNDER_WAY")
        #expect(refused.field == "trip")
        #expect(refused.message == "the return trip \(back.id!) already has reports (it is en_route); undo those first")
        #expect(try world.service.trip(outbound.id!).status == .pickedUp)
        // Taken back in order, it is allowed.
        _ = try world.service.reportStatus(back.id!, .undo)
        #expect(try world.service.reportStatus(outbound.id!, .undo).trip.status == .scheduled)
    }

    @Test func closingTheDayMarksALeftOverReturnMissedInsteadOfLeavingItOpen() throws {
        let world = try World()
        _ = try world.plannedMonday()
        let outbound = try world.leg("P002")
        let back = try world.leg("P002", .return)
        // As an older version allowed: the return reported while its outbound never happened.
        let planned = try #require(try world.plannedPickup(back.id!))
        try world.service.store.write(actor: "test", at: planned.at) {
            try world.service.store.insertTripEvent(TripEvent(id: nil, trip: back.id!, kind: .arrive, at: planned.at, odometer: nil, recordedAt: planned.at))
            try world.service.store.updateTripStatus(back.id!, status: .enRoute, code: nil, reason: nil, at: planned.at)
            world.service.store.record("trip.arrive", entity: "trip:\(back.id!)")
        }
        world.now = try world.at("2026-11-23 20:00")
        let closed = try world.service.closeDay(monday)
        let after = try world.service.trip(back.id!)
        #expect(after.status == .missedByOperator)
        #expect(after.statusReason == "its outbound trip \(outbound.id!) was not performed (missed); the return was left en_route")
        #expect(closed.missed.contains { $0.id == back.id })
        #expect(try world.service.trips(date: monday).filter(\.status.isActive).isEmpty)
    }
}

// MARK: - StandingEnd

@Suite("Standing orders end without stranding anyone")
struct StandingEndTests {
    func dialysis(_ world: World) throws -> StandingOrder {
        StandingOrder(
            id: nil, patient: PatientID(unchecked: "P005"), pickupPlace: PlaceID(unchecked: "HOME-P005"), destination: PlaceID(unchecked: "H-COMM"),
            weekdays: [.monday, .wednesday, .friday], appointmentTime: LocalTime(minutes: 9 * 60)!, startDate: LocalDate(year: 2026, month: 11, day: 20)!,
            endDate: nil, returnMode: .at(LocalTime(minutes: 13 * 60)!), companions: 1, funding: .tambonHealthFund, notes: nil, active: true)
    }

    @Test func endingFromTodayKeepsTheRideHomeOfAPatientAtTheClinic() throws {
        let world = try World()
        let (order, _) = try world.service.addStandingOrder(try dialysis(world))
        _ = try world.service.planDay(monday, seconds: 600, iterations: 200)
        let outbound = try world.leg("P005")
        let back = try world.leg("P005", .return)
        let pickup = try #require(try world.plannedPickup(outbound.id!))
        world.now = pickup.at.adding(minutes: 60)
        _ = try world.service.reportStatus(outbound.id!, .pickup, at: pickup.at)
        _ = try world.service.reportStatus(outbound.id!, .dropoff, at: pickup.at.adding(minutes: 50))
        let (_, cancelled) = try world.service.endStandingOrder(order.id!, from: monday)
        // Monday's ride home stays; Wednesday on is called off by the office, not by the patient.
        #expect(!cancelled.contains { $0.serviceDate == monday })
        #expect(try world.service.trip(back.id!).status == .scheduled)
        #expect(try world.tripsOnRuns().contains(back.id!))
        #expect(Set(cancelled.map(\.serviceDate.iso)) == ["2026-11-25", "2026-11-27", "2026-11-30", "2026-12-02", "2026-12-04", "2026-12-07",
                                                          "2026-12-09", "2026-12-11"])
        #expect(cancelled.allSatisfy { $0.cancellationCode == .byOffice && $0.cancellationCode?.byPatient == false })
        let audit = try world.service.audit(entity: "trip:\(cancelled[0].id!)", limit: 1)
        #expect(audit.first?.detail == "code=office from=requested")
    }

    @Test func endingFromADayThatHasPassedIsRefused() throws {
        let world = try World()
        let (order, _) = try world.service.addStandingOrder(try dialysis(world))
        let refused = try #require(world.refusal { _ = try world.service.endStandingOrder(order.id!, from: LocalDate(year: 2026, month: 11, day: 19)!) })
        #expect(refused.keyword == "IN_PAST")
        #expect(refused.field == "from")
        #expect(refused.message == "the order can end from today (2026-11-20) on, not from 2026-11-19")
        #expect(try world.service.standingOrders().first?.endDate == nil)
    }

    @Test func aHoldFromTodayKeepsTheRideHomeOfAPatientAtTheClinic() throws {
        let world = try World()
        let (order, _) = try world.service.addStandingOrder(try dialysis(world))
        _ = try world.service.planDay(monday, seconds: 600, iterations: 200)
        let outbound = try world.leg("P005")
        let back = try world.leg("P005", .return)
        let pickup = try #require(try world.plannedPickup(outbound.id!))
        world.now = pickup.at.adding(minutes: 10)
        _ = try world.service.reportStatus(outbound.id!, .pickup, at: pickup.at)
        let (_, cancelled) = try world.service.holdStandingOrder(order.id!, from: monday, to: LocalDate(year: 2026, month: 11, day: 25)!, reason: "admitted")
        #expect(cancelled.map(\.serviceDate.iso) == ["2026-11-25", "2026-11-25"])
        #expect(try world.service.trip(back.id!).status == .scheduled)
    }
}

// MARK: - PlannedDay

@Suite("A planned day stays planned")
struct PlannedDayTests {
    @Test func assigningTheOnlyTripOfADayToItsOwnVehicleKeepsItOnARun() throws {
        let world = try World()
        let booked = try world.service.bookTrip(world.request("P002", appointment: "2026-11-23 09:00"))
        _ = try world.service.planDay(monday, seconds: 600, iterations: 200)
        let before = try #require(try world.plannedPickup(booked[0].id!))
        let result = try world.service.assignTrip(booked[0].id!, to: before.vehicle)
        let placement = try #require(result.placement)
        #expect(placement.vehicle == before.vehicle)
        #expect(try world.plannedPickup(booked[0].id!)?.vehicle == before.vehicle)
        #expect(try world.service.trip(booked[0].id!).status == .scheduled)
    }

    @Test func aMobilityEditOnAOneJourneyDayPutsTheJourneyBackOnTheRuns() throws {
        let world = try World()
        // The return is after the van driver's lunch break.
        let booked = try world.service.bookTrip(world.request("P002", appointment: "2026-11-23 09:00", back: "2026-11-23 14:00"))
        _ = try world.service.planDay(monday, seconds: 600, iterations: 200)
        var changes = PatientChanges()
        changes.mobility = .wheelchair
        let edited = try world.service.editPatient(PatientID(unchecked: "P002"), changes)
        #expect(edited.replanFailures.isEmpty)
        #expect(edited.notices.isEmpty)
        for trip in booked {
            #expect(try world.plannedPickup(trip.id!)?.vehicle.rawValue == "VAN1")
            #expect(try world.service.trip(trip.id!).status == .scheduled)
        }
    }

    @Test func movingTheOnlyJourneyOfADayPlacesItAtItsNewTime() throws {
        let world = try World()
        let booked = try world.service.bookTrip(world.request("P002", appointment: "2026-11-23 09:00", back: "2026-11-23 11:00"))
        _ = try world.service.planDay(monday, seconds: 600, iterations: 200)
        let moved = try world.service.moveTrip(booked[0].id!, to: .appointment(try world.at("2026-11-23 10:00")))
        let placements = try #require(moved.placements)
        #expect(Set(placements.keys) == Set(booked.map(\.id!)))
        #expect(moved.trips.allSatisfy { $0.status == .scheduled })
        #expect(try world.tripsOnRuns() == Set(booked.map(\.id!)))
    }
}

// MARK: - LostOffTheRuns

@Suite("Promises lost off the runs are told")
struct LostOffTheRunsTests {
    @Test func aMobilityEditThatCostsAPromisedTripItsPlaceIsToldAuditedAndPushed() throws {
        let world = try World()
        _ = try world.plannedMonday()
        // P003's outbound is pinned to the car, which carries no wheelchair.
        let outbound = try world.leg("P003")
        let back = try world.leg("P003", .return)
        _ = try world.service.assignTrip(outbound.id!, to: VehicleID(unchecked: "CAR1"))
        let run = try #require(try world.service.runs(on: monday).first { $0.stops.contains { $0.trip == outbound.id } })
        #expect(run.vehicle.rawValue == "CAR1")
        #expect(try world.service.trip(outbound.id!).promise != nil)
        var changes = PatientChanges()
        changes.mobility = .wheelchair
        let edited = try world.service.editPatient(PatientID(unchecked: "P003"), changes)
        #expect(edited.replanFailures.isEmpty)
        // Both legs lost their place (a journey is served whole or not at all), and the reply says so.
        #expect(edited.notices.map(\.trip) == [outbound.id!, back.id!])
        #expect(edited.notices.allSatisfy { $0.kind == .lostPlace && $0.cause == .patientEdit(PatientID(unchecked: "P003")) })
        #expect(edited.notices.first?.reason.english == "no vehicle can take it: CAR1: cannot carry a wheelchair patient with 1 companion(s)")
        for trip in [outbound, back] {
            let audit = try world.service.audit(entity: "trip:\(trip.id!)")
            #expect(audit.contains { $0.action == "trip.promise_broken" && $0.detail == "cause=patient_edit kind=lost_place patient=P003" })
            #expect(try world.service.trip(trip.id!).status == .requested)
            #expect(try world.service.attention(on: monday).contains { $0.trip == trip.id && $0.kind == .lostPlace })
        }
        // Whoever watches the car's run hears of the outbound it no longer has.
        let changesOfRun = try world.service.store.runChanges(run.shift, since: 0)
        #expect(changesOfRun.contains { $0.kind == "promise" && $0.detail == "trip=\(outbound.id!) broken=lost_place" })
    }

    @Test func aMobilityNoShiftOfTheDayCanCarryIsRefusedAndNothingChanges() throws {
        let world = try World()
        // Saturday: only the car works; it carries no wheelchair.
        let saturday = try world.service.bookTrip(world.request("P002", appointment: "2026-11-28 09:00"))
        var changes = PatientChanges()
        changes.mobility = .wheelchair
        let refused = try #require(world.refusal { _ = try world.service.editPatient(PatientID(unchecked: "P002"), changes) })
        #expect(refused.keyword == "NO_CAPABLE_SHIFT")
        #expect(refused.field == "mobility")
        #expect(refused.message == "trip \(saturday[0].id!) on 2026-11-28 cannot follow the change: no vehicle on shift on Saturday 2026-11-28 can carry a wheelchair patient with 1 companion(s); move or cancel it first")
        #expect(try world.service.patient(PatientID(unchecked: "P002")).mobility == .ambulatory)
        #expect(try world.service.trip(saturday[0].id!).mobility == .ambulatory)
    }
}

// MARK: - ClosedDay

@Suite("Reports on a closed day are final")
struct ClosedDayTests {
    @Test func undoIsRefusedOnAClosedDay() throws {
        let world = try World()
        _ = try world.plannedMonday()
        let outbound = try world.leg("P002")
        let pickup = try #require(try world.plannedPickup(outbound.id!))
        world.now = pickup.at
        _ = try world.service.reportStatus(outbound.id!, .arrive, at: pickup.at)
        world.now = try world.at("2026-11-23 20:00")
        _ = try world.service.closeDay(monday)
        #expect(try world.service.trip(outbound.id!).status == .missedByOperator)
        let refused = try #require(world.refusal { _ = try world.service.reportStatus(outbound.id!, .undo) })
        #expect(refused.keyword == "DAY_CLOSED")
        #expect(refused.field == "trip")
        #expect(refused.message == "2026-11-23 was closed at 2026-11-23 20:00; its trips' reports are final")
        #expect(try world.service.trip(outbound.id!).status == .missedByOperator)
        #expect(try world.service.tripEvents(outbound.id!).map(\.kind) == [.arrive])
    }
}

// MARK: - Migration

@Suite("Migrations keep promises")
struct PromiseMigrationTests {
    @Test func anUpgradedDatabasesScheduledTripsKeepTheirPromise() throws {
        let world = try World()
        _ = try world.plannedMonday()
        let scheduled = try world.service.trips(date: monday).filter { $0.status == .scheduled }
        #expect(!scheduled.isEmpty)
        // As a database of schema 8 held them: no promise recorded.
        let connection = world.service.store.connection
        try connection.execute("UPDATE trips SET promised_at = NULL")
        // Schema 8 had none of the later migrations' columns.
        try connection.execute("ALTER TABLE areas DROP COLUMN code_prefix")
        try connection.execute("ALTER TABLE areas DROP COLUMN pool")
        try connection.execute("ALTER TABLE areas DROP COLUMN language")
        try connection.execute("ALTER TABLE trips DROP COLUMN status_phrase")
        try connection.execute("PRAGMA user_version = 8")
        let reopened = try Store(path: world.folder + "/phapai.db", create: false)
        #expect(try reopened.connection.scalarInt("PRAGMA user_version") == Int64(Store.schemaVersion))
        for trip in scheduled {
            let upgraded = try #require(try reopened.trip(trip.id!))
            #expect(upgraded.promisedAt == trip.promisedAt)
            #expect(upgraded.promise == trip.promise)
        }
        // Trips never scheduled stay without a promise.
        #expect(try reopened.trips(date: monday).filter { $0.status == .requested }.allSatisfy { $0.promisedAt == nil })
    }
}

// MARK: - MoveReplans

@Suite("Moving a journey re-plans the day it left")
struct MoveReplansTests {
    @Test func theOldDayIsReplannedAfterAMoveToAnotherDay() throws {
        let world = try World()
        _ = try world.plannedMonday()
        let outbound = try world.leg("P002")
        let moved = try world.service.moveTrip(outbound.id!, to: .appointment(try world.at("2026-11-24 08:30")))
        #expect(moved.replanFailures.isEmpty)
        let audit = try world.service.audit(entity: "day:2026-11-23", limit: 1)
        #expect(audit.first?.action == "day.plan")
        #expect(audit.first?.detail.contains("cause=move") == true)
    }
}

// MARK: - ReplanFailure

/// Makes every write after the first `allowed` fail with an error that is not a PhapaiError.
final class FailingWrites {
    struct Injected: Error {}
    nonisolated(unsafe) var left: Int
    init(after allowed: Int) { left = allowed }
    func install(on store: Store) {
        store.faultHandler = { [self] name in
            guard name == "store.before-commit" else { return }
            if left > 0 { left -= 1; return }
            throw Injected()
        }
    }
}

@Suite("A stored change stays stored when its re-plan fails")
struct ReplanFailureTests {
    @Test func aCancellationWhoseReplanAndItsRecordFailIsStillACancellation() throws {
        let world = try World()
        _ = try world.plannedMonday()
        let outbound = try world.leg("P002")
        FailingWrites(after: 1).install(on: world.service.store)
        let result = try world.service.cancelTrip(outbound.id!, reason: "feeling better")
        world.service.store.faultHandler = { _ in }
        #expect(result.trips.map(\.status) == [.cancelled, .cancelled])
        let failure = try #require(result.replanFailure)
        #expect(failure.keyword == "REPLAN_FAILED")
        #expect(failure.message == "Injected(); the failure could not be recorded either: Injected()")
        #expect(try world.service.trip(outbound.id!).status == .cancelled)
    }

    @Test func aDriversReportWhoseReplanFailsIsStoredAndSaysSo() throws {
        let world = try World()
        _ = try world.plannedMonday()
        let outbound = try world.leg("P002")
        let pickup = try #require(try world.plannedPickup(outbound.id!))
        let late = pickup.at.adding(minutes: 20)
        world.now = late
        FailingWrites(after: 1).install(on: world.service.store)
        let change = try world.service.reportStatus(outbound.id!, .pickup, at: late)
        world.service.store.faultHandler = { _ in }
        #expect(change.trip.status == .pickedUp)
        #expect(change.replanFailure?.keyword == "REPLAN_FAILED")
        #expect(try world.service.trip(outbound.id!).status == .pickedUp)
    }

    @Test func aPatientEditWhoseReplanFailsIsStoredAndSaysSo() throws {
        let world = try World()
        _ = try world.plannedMonday()
        var changes = PatientChanges()
        changes.mobility = .wheelchair
        FailingWrites(after: 1).install(on: world.service.store)
        let edited = try world.service.editPatient(PatientID(unchecked: "P003"), changes)
        world.service.store.faultHandler = { _ in }
        #expect(edited.replanFailures.map(\.keyword) == ["REPLAN_FAILED"])
        #expect(try world.service.patient(PatientID(unchecked: "P003")).mobility == .wheelchair)
    }
}

// MARK: - KeptPromises

@Suite("A promise that can be kept is not given up for another")
struct KeptPromiseTests {
    /// Monday planned, with P006 booked into it the evening before.
    func plannedMondayWithP006() throws -> World {
        let world = try World()
        _ = try world.plannedMonday()
        world.now = try world.at("2026-11-22 18:00")
        _ = try world.service.bookAndPlace(world.request("P006", appointment: "2026-11-23 11:30", back: "2026-11-23 13:30"))
        return world
    }

    @Test(arguments: ["P003", "P005", "P006"])
    func aStretcherEditDoesNotMakeTheStretcherPatientLate(_ edited: String) throws {
        let world = try plannedMondayWithP006()
        // P001 travels on a stretcher in the only vehicle with a stretcher place, on time.
        let stretcher = try world.service.trips(date: monday).filter { $0.patient.rawValue == "P001" }
        #expect(stretcher.count == 2)
        var changes = PatientChanges()
        changes.mobility = .stretcher
        let result = try world.service.editPatient(PatientID(unchecked: edited), changes)
        // Whoever cannot keep their window is the patient whose needs changed, never P001.
        #expect(result.notices.allSatisfy { $0.patient.rawValue == edited }, "\(result.notices.map { "\($0.trip) \($0.patient) \($0.kind)" })")
        for trip in stretcher {
            let promise = try #require(try world.service.trip(trip.id!).promise)
            let planned = try #require(try world.plannedPickup(trip.id!))
            #expect(planned.at >= promise.earliest && planned.at <= promise.latest.adding(seconds: 30))
        }
        #expect(try world.service.verifyStoredPlan(monday).feasible)
    }

    @Test func aJourneyWhoseReturnCannotKeepItsWindowKeepsItsOutboundOnTime() throws {
        let world = try World()
        // On a day with this journey alone, only the van carries a wheelchair, and its driver's
        // break (12:00-13:00) leaves no time to bring the patient home by the window told.
        let booked = try world.service.bookTrip(world.request("P002", appointment: "2026-11-23 09:00", back: "2026-11-23 11:00"))
        _ = try world.service.planDay(monday, seconds: 600, iterations: 200)
        var changes = PatientChanges()
        changes.mobility = .wheelchair
        let edited = try world.service.editPatient(PatientID(unchecked: "P002"), changes)
        // The outbound keeps its window; the return alone is later, and told.
        let outbound = try #require(try world.plannedPickup(booked[0].id!))
        let promise = try #require(try world.service.trip(booked[0].id!).promise)
        #expect(outbound.vehicle.rawValue == "VAN1")
        #expect(outbound.at <= promise.latest.adding(seconds: 30))
        #expect(edited.notices.map(\.trip) == [booked[1].id!])
        guard case .late = edited.notices.first?.kind else { Issue.record("\(edited.notices)"); return }
    }
}

// MARK: - Appointment

@Suite("A patient at the door is driven to the appointment")
struct AppointmentAfterArrivalTests {
    /// P027's outbound (08:00 appointment) shares the van with P002's, picked up after it.
    func arrive(lateBy minutes: Int) throws -> (World, Trip, Instant, StatusChange) {
        let world = try World()
        _ = try world.plannedMonday()
        let trip = try world.leg("P027")
        let at = try #require(trip.promise).latest.adding(minutes: minutes)
        world.now = at
        return (world, trip, at, try world.service.reportStatus(trip.id!, .arrive, at: at))
    }

    func plannedDropoff(_ world: World, _ trip: Trip) throws -> Instant {
        try #require(try world.service.runs(on: monday).flatMap(\.stops).first { $0.trip == trip.id && $0.action == .dropoff }).plannedTime
    }

    @Test func aLateArrivalThatCanStillMakeTheAppointmentDrivesThere() throws {
        let (world, trip, at, change) = try arrive(lateBy: 15)
        #expect(change.replanned)
        let dropoff = try plannedDropoff(world, trip)
        // The direct drive makes 08:00: no detour for another pickup (as planned before the fix,
        // dropping off at 08:44) may make the patient miss it.
        #expect(at.adding(seconds: 2 * 60 + trip.directSeconds) <= trip.appointment!)
        #expect(dropoff <= trip.appointment!)
        #expect(change.replan?.lateForAppointment.isEmpty == true)
        #expect(!(try world.service.attention(on: monday)).contains { $0.kind == .lateForAppointment })
    }

    @Test func aDropOffPlannedAfterTheAppointmentIsTold() throws {
        let (world, trip, at, change) = try arrive(lateBy: 25)
        let dropoff = try plannedDropoff(world, trip)
        // Even the direct drive is late: that is the plan, and it is told.
        #expect(at.adding(seconds: 2 * 60 + trip.directSeconds) > trip.appointment!)
        #expect(dropoff <= at.adding(seconds: 2 * 60 + trip.directSeconds))
        let minutes = (dropoff.seconds(since: trip.appointment!) + 59) / 60
        #expect(minutes > 0)
        let notice = try #require(change.replan?.lateForAppointment.first)
        #expect(change.replan?.lateForAppointment.count == 1)
        #expect(notice.trip == trip.id && notice.patient.rawValue == "P027")
        #expect(notice.plannedDropoff == dropoff && notice.minutes == minutes)
        guard case .lateReport(let reported, _) = notice.cause, reported == trip.id else { Issue.record("\(notice.cause)"); return }
        let audit = try world.service.audit(entity: "trip:\(trip.id!)")
        #expect(audit.contains { $0.action == "trip.appointment_late" && $0.detail.hasSuffix("minutes=\(minutes) patient=P027") })
        let run = try #require(try world.service.runs(on: monday).first { $0.stops.contains { $0.trip == trip.id } })
        #expect(try world.service.store.runChanges(run.shift, since: 0).contains { $0.kind == "appointment" && $0.detail == "trip=\(trip.id!) late_dropoff minutes=\(minutes)" })
        let item = try #require(try world.service.attention(on: monday).first { $0.kind == .lateForAppointment })
        #expect(item.trip == trip.id)
    }
}

// MARK: - Reasons

@Suite("Not served: the journey's real reason first")
struct JourneyReasonTests {
    @Test func anOutboundLeftOutBecauseItsReturnMeetsTheBreakSaysSoFirst() throws {
        let world = try World()
        // The van's one wheelchair place is taken at 09:00; P012's ride home at 11:00 could not be
        // made before the van driver's break at the depot (12:00-13:00) anyway.
        _ = try world.service.bookTrip(world.request("P007", appointment: "2026-11-23 09:00", back: "2026-11-23 10:30"))
        let journey = try world.service.bookTrip(world.request("P012", appointment: "2026-11-23 09:00", back: "2026-11-23 11:00"))
        let plan = try world.service.planDay(monday, seconds: 600, iterations: 300)
        let reasons = Dictionary(plan.unserved.map { ($0.trip, $0.reason.english) }, uniquingKeysWith: { a, _ in a })
        #expect(Set(reasons.keys) == Set(journey.map(\.id!)))
        let cannotCarry = "PICKUP1, CAR1: cannot carry a wheelchair patient with 1 companion(s)"
        #expect(reasons[journey[1].id!] == "no vehicle can take it: \(cannotCarry); VAN1: its driver's break 12:00-13:00 is in the way")
        #expect(reasons[journey[0].id!] == "its return (trip \(journey[1].id!)) cannot be served: no vehicle can take it: \(cannotCarry); "
            + "VAN1: its driver's break 12:00-13:00 is in the way; and on its own, no vehicle can take it: \(cannotCarry); VAN1: is full at that time with other passengers")
        // The trip list and attention say the same.
        #expect(try world.service.trip(journey[0].id!).statusReason == reasons[journey[0].id!])
    }
}

// MARK: - Wording

@Suite("Wording")
struct WordingTests {
    @Test func anAmbulatoryPatientIsAnAmbulatoryPatient() throws {
        let world = try World()
        // Saturday: only the car (three seats) works.
        var request = try world.request("P002", appointment: "2026-11-28 09:00")
        request.companions = 4
        let refused = try #require(world.refusal { _ = try world.service.bookTrip(request) })
        #expect(refused.keyword == "NO_CAPABLE_SHIFT")
        #expect(refused.message == "no vehicle on shift on Saturday 2026-11-28 can carry an ambulatory patient with 4 companion(s)")
    }
}
