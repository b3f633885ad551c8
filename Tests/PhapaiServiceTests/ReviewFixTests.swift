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
