import Foundation
import Testing
import PhapaiCore
import PhapaiStore
@testable import PhapaiService

/// Monday 23 November 2026 in the sample tambon (the world's clock is Friday 20 November, 10:00).
let monday = LocalDate(year: 2026, month: 11, day: 23)!

extension World {
    /// A planned Monday: clinics at the community hospital with returns, a dialysis patient, the
    /// stretcher patient; planned with a fixed iteration budget.
    func plannedMonday() throws -> DayPlan {
        let journeys: [(String, String, String, String?)] = [
            ("P005", "H-COMM", "2026-11-23 11:00", "2026-11-23 13:00"),
            ("P002", "H-COMM", "2026-11-23 08:30", "2026-11-23 11:30"),
            ("P003", "H-COMM", "2026-11-23 09:30", "2026-11-23 12:00"),
            ("P010", "HC-NATHONG", "2026-11-23 09:00", "2026-11-23 10:30"),
            ("P017", "H-COMM", "2026-11-23 10:00", nil),
            ("P001", "H-COMM", "2026-11-23 10:00", "2026-11-23 14:00"),
            ("P027", "H-COMM", "2026-11-23 08:00", "2026-11-23 10:30"),
        ]
        for (patient, to, appointment, back) in journeys {
            _ = try service.bookTrip(request(patient, to: to, appointment: appointment, back: back))
        }
        return try service.planDay(monday, seconds: 600, iterations: 400)
    }

    /// Where `trip`'s pickup is planned now: vehicle and time.
    func plannedPickup(_ trip: TripID) throws -> (vehicle: VehicleID, at: Instant)? {
        for run in try service.runs(on: monday) {
            if let stop = run.stops.first(where: { $0.trip == trip && $0.action == .pickup }) { return (run.vehicle, stop.plannedTime) }
        }
        return nil
    }

    /// Every trip number on any run of the day.
    func tripsOnRuns(_ date: LocalDate = monday) throws -> Set<TripID> {
        Set(try service.runs(on: date).flatMap { $0.stops.map(\.trip) })
    }
}

@Suite("Journeys: both legs or neither")
struct JourneyUnitTests {
    @Test func aJourneyThatCannotBeBroughtHomeIsNotTakenThere() throws {
        let world = try World()
        // Two wheelchair patients at the same hour; the van has one wheelchair place and is the
        // only vehicle with one. The second journey gets no vehicle, on either leg.
        let first = try world.service.bookTrip(world.request("P007", appointment: "2026-11-23 09:00", back: "2026-11-23 10:30"))
        // Its return alone would fit the van at 13:30, when the first patient is home.
        let second = try world.service.bookTrip(world.request("P021", appointment: "2026-11-23 09:00", back: "2026-11-23 13:30"))
        let plan = try world.service.planDay(monday, seconds: 600, iterations: 300)
        let onRuns = try world.tripsOnRuns()
        let served = [first, second].filter { $0.allSatisfy { onRuns.contains($0.id!) } }
        let unserved = [first, second].filter { $0.allSatisfy { !onRuns.contains($0.id!) } }
        #expect(served.count == 1 && unserved.count == 1, "a journey was split: \(onRuns)")
        let left = try #require(unserved.first)
        let reasons = Dictionary(plan.unserved.map { ($0.trip, $0.reason.english) }, uniquingKeysWith: { a, _ in a })
        // The outbound names what stops it; the return names its outbound.
        #expect(reasons[left[0].id!]?.contains("cannot carry a wheelchair patient") == true, "\(reasons)")
        #expect(reasons[left[1].id!]?.hasPrefix("its outbound trip (trip \(left[0].id!)) cannot be served") == true, "\(reasons) \(plan.runs)")
        #expect(try world.service.trips(date: monday).filter { $0.status == .requested }.map(\.id!).sorted() == left.map(\.id!))
    }

    @Test func aNoShowClosesTheReturnForTheServiceAndNoRunOrManifestCarriesIt() throws {
        let world = try World()
        _ = try world.plannedMonday()
        let outbound = try #require(try world.service.trips(date: monday).first { $0.patient.rawValue == "P002" && $0.direction == .outbound })
        let back = try #require(outbound.linkedTrip)
        let pickup = try #require(try world.plannedPickup(outbound.id!))
        world.now = pickup.at.adding(minutes: 10)
        _ = try world.service.reportStatus(outbound.id!, .arrive, at: pickup.at)
        let change = try world.service.reportStatus(outbound.id!, .noshow, at: pickup.at.adding(minutes: 6))
        #expect(change.trip.status == .noShow)
        #expect(change.alsoChanged.map { $0.id! } == [back])
        let closed = try world.service.trip(back)
        #expect(closed.status == .cancelled)
        #expect(closed.cancellationCode == .outboundNotPerformed)
        #expect(closed.cancellationCode?.byPatient == false)
        #expect(!(try world.tripsOnRuns()).contains(back))
        for vehicle in try world.service.vehicles() {
            guard let manifests = try? world.service.manifests(on: monday, vehicle: vehicle.id) else { continue }
            #expect(!manifests.flatMap(\.stops).contains { $0.trip == back })
            // The outbound's drop-off left with it, and no stop promises its return.
            #expect(!manifests.flatMap(\.stops).contains { $0.trip == outbound.id && $0.action == .dropoff })
        }
        // The driver can no longer report on the closed return.
        let refused = world.refusal { _ = try world.service.reportStatus(back, .arrive) }
        #expect(refused?.keyword == "INVALID_TRANSITION")
    }

    @Test func undoingANoShowPutsTheTripAndItsReturnBackOnTheRunsAtOnce() throws {
        let world = try World()
        _ = try world.plannedMonday()
        let outbound = try #require(try world.service.trips(date: monday).first { $0.patient.rawValue == "P003" && $0.direction == .outbound })
        let back = try #require(outbound.linkedTrip)
        let pickup = try #require(try world.plannedPickup(outbound.id!))
        world.now = pickup.at.adding(minutes: 7)
        _ = try world.service.reportStatus(outbound.id!, .arrive, at: pickup.at)
        _ = try world.service.reportStatus(outbound.id!, .noshow, at: pickup.at.adding(minutes: 6))
        #expect(!(try world.tripsOnRuns()).contains(back))
        let undone = try world.service.reportStatus(outbound.id!, .undo)
        #expect(undone.trip.status == .enRoute)
        #expect(undone.replanned)
        #expect(undone.alsoChanged.map { $0.id! } == [back])
        #expect(try world.service.trip(back).status == .scheduled)
        let runs = try world.service.runs(on: monday)
        let stops = runs.flatMap(\.stops)
        #expect(stops.contains { $0.trip == outbound.id && $0.action == .dropoff })
        #expect(stops.contains { $0.trip == back && $0.action == .pickup })
        #expect(try world.service.verifyStoredPlan(monday).feasible)
    }
}

@Suite("Promises: kept through re-plans, or told")
struct PromiseTests {
    @Test func aLatePickupDoesNotDropAPromisedWheelchairTripThatStillFits() throws {
        let world = try World()
        _ = try world.plannedMonday()
        // Booked into the planned day: the answer is a promise.
        world.now = try world.at("2026-11-22 18:00")
        let booked = try world.service.bookAndPlace(world.request("P004", appointment: "2026-11-23 14:30", back: "2026-11-23 15:45"))
        let wheelchair = booked.trips[0]
        let placed = try #require(booked.placements?[wheelchair.id!])
        #expect(placed.vehicle.rawValue == "VAN1")
        #expect(try world.service.trip(wheelchair.id!).promisedAt == world.now)
        // Another trip's pickup is reported 22 minutes late in the morning.
        let other = try #require(try world.service.runs(on: monday).flatMap(\.stops).filter { $0.action == .pickup }
            .min { $0.plannedTime < $1.plannedTime })
        let late = other.plannedTime.adding(minutes: 22)
        world.now = late
        let change = try world.service.reportStatus(other.trip, .pickup, at: late)
        #expect(change.replanned)
        #expect(!change.notices.contains { $0.trip == wheelchair.id })
        let now = try #require(try world.plannedPickup(wheelchair.id!))
        let promise = try #require(try world.service.trip(wheelchair.id!).promise)
        #expect(try world.service.trip(wheelchair.id!).status == .scheduled)
        #expect(promise.earliest <= now.at && now.at <= promise.latest.adding(seconds: 30))
        // The trip's audit shows nothing broken.
        #expect(!(try world.service.audit(entity: "trip:\(wheelchair.id!)")).contains { $0.action == "trip.promise_broken" })
    }

    @Test func aPromiseThatCannotBeKeptIsNamedInTheReplyAuditedAndListedInAttention() throws {
        let world = try World()
        // The van is the only vehicle for wheelchairs: a morning trip, then P004 at noon.
        let morning = try world.service.bookTrip(world.request("P007", appointment: "2026-11-23 08:00"))
        let noon = try world.service.bookTrip(world.request("P004", appointment: "2026-11-23 10:00"))
        _ = try world.service.planDay(monday, seconds: 600, iterations: 300)
        let first = try #require(try world.plannedPickup(morning[0].id!))
        #expect(first.vehicle.rawValue == "VAN1")
        #expect(try world.plannedPickup(noon[0].id!)?.vehicle.rawValue == "VAN1")
        // The van is three hours late at its first pickup: P004 cannot be reached in the window told.
        let late = first.at.adding(minutes: 180)
        world.now = late
        let change = try world.service.reportStatus(morning[0].id!, .pickup, at: late)
        let notice = try #require(change.notices.first { $0.trip == noon[0].id })
        #expect(notice.cause == .lateReport(morning[0].id!, minutes: 180))
        #expect(notice.patient.rawValue == "P004")
        let audit = try world.service.audit(entity: "trip:\(noon[0].id!)")
        let broken = try #require(audit.first { $0.action == "trip.promise_broken" })
        #expect(broken.detail.contains("cause=late_report"))
        #expect(!broken.detail.contains("นาง"), "no names in the audit log")
        let items = try world.service.attention(on: monday)
        let item = try #require(items.first { $0.trip == noon[0].id })
        #expect(item.kind == .late || item.kind == .lostPlace)
        #expect(item.patient?.phone == (try world.service.patient(PatientID(unchecked: "P004"))).phone)
        // Whoever watches the van's run hears of it.
        let run = try #require(try world.service.runs(on: monday).first { $0.vehicle.rawValue == "VAN1" })
        let changes = try world.service.store.runChanges(run.shift, since: 0)
        #expect(changes.contains { $0.kind == "promise" && $0.detail.contains("trip=\(noon[0].id!)") })
    }

    @Test func aVehicleArrivingAfterTheWindowToldIsABrokenPromiseToldAtOnce() throws {
        let world = try World()
        _ = try world.plannedMonday()
        let trip = try #require(try world.service.trips(date: monday).first { $0.patient.rawValue == "P005" && $0.direction == .outbound })
        let promise = try #require(try world.service.trip(trip.id!).promise)
        let arrival = promise.latest.adding(minutes: 12)
        world.now = arrival
        let change = try world.service.reportStatus(trip.id!, .arrive, at: arrival)
        let notice = try #require(change.notices.first { $0.trip == trip.id })
        #expect(notice.kind == .arrivedLate(minutes: 12))
        // Within the tolerance it is not broken.
        let other = try #require(try world.service.trips(date: monday).first { $0.patient.rawValue == "P003" && $0.direction == .outbound })
        let near = try #require(try world.service.trip(other.id!).promise).latest.adding(minutes: 4)
        world.now = max(world.now, near)
        #expect(try world.service.reportStatus(other.id!, .arrive, at: near).notices.filter { $0.trip == other.id }.isEmpty)
    }
}

@Suite("Answers that hold")
struct AnswerTests {
    @Test func everyAlternativeOfferedIsThenBookedSuccessfully() throws {
        let world = try World()
        _ = try world.plannedMonday()
        // The van's one wheelchair place is taken at 09:00; a second wheelchair journey then is refused.
        _ = try world.service.bookAndPlace(world.request("P007", appointment: "2026-11-23 09:00", back: "2026-11-23 10:30"))
        let request = try world.request("P021", appointment: "2026-11-23 09:00", back: "2026-11-23 10:30")
        let refusal = try #require(world.refusal { _ = try world.service.bookAndPlace(request) })
        #expect(refusal.keyword == "NO_CAPACITY")
        #expect(!refusal.alternatives.isEmpty)
        for alternative in refusal.alternatives {
            var moved = request
            moved.timing = alternative.timing
            if let back = alternative.returnPickup { moved.returnLeg = .at(back) }
            let booked = try world.service.bookAndPlace(moved)
            #expect(booked.trips.count == 2)
            if let placement = booked.placements?[booked.trips[0].id!] {
                #expect(placement.pickupTime == alternative.pickup)
                #expect(placement.vehicle.rawValue == alternative.vehicle)
            }
            // Taken out again so the next alternative meets the day as it was offered.
            _ = try world.service.cancelTrip(booked.trips[0].id!, reason: "test", replan: false)
        }
    }

    @Test func alternativesNeverNameADayWithoutAVehicleThatCanCarryThePatient() throws {
        // Friday 27 Nov: only the van carries wheelchairs; Saturday has only the car; Sunday nothing.
        let world = try World()
        let friday = LocalDate(year: 2026, month: 11, day: 27)!
        _ = try world.service.bookTrip(world.request("P007", appointment: "2026-11-27 09:00"))
        _ = try world.service.planDay(friday, seconds: 600, iterations: 200)
        let request = try world.request("P021", appointment: "2026-11-27 09:00")
        let refusal = try #require(world.refusal { _ = try world.service.bookAndPlace(request) })
        #expect(refusal.keyword == "NO_CAPACITY")
        for alternative in refusal.alternatives {
            guard case .appointment(let at) = alternative.timing else { Issue.record("not an appointment"); continue }
            let day = world.offset.date(of: at)
            #expect(day.weekday != .saturday && day.weekday != .sunday, "\(alternative.label)")
        }
    }

    @Test func aDayOrHourNoCapableVehicleWorksIsRefusedWithThatReason() throws {
        let world = try World()
        let sunday = world.refusal { _ = try world.service.bookTrip(world.request("P002", appointment: "2026-11-29 09:00")) }
        #expect(sunday?.keyword == "NO_SHIFT")
        #expect(sunday?.message.contains("Sunday 2026-11-29") == true)
        let saturday = world.refusal { _ = try world.service.bookTrip(world.request("P004", appointment: "2026-11-28 09:00")) }
        #expect(saturday?.keyword == "NO_CAPABLE_SHIFT")
        #expect(saturday?.field == "mobility")
        let evening = world.refusal { _ = try world.service.bookTrip(world.request("P002", appointment: "2026-11-23 20:00")) }
        #expect(evening?.keyword == "OUTSIDE_SHIFTS")
        // A will-call patient expected ready after every shift could never be brought home.
        let late = world.refusal { _ = try world.service.bookTrip(world.request("P002", appointment: "2026-11-23 15:30", willCall: true)) }
        #expect(late?.keyword == "OUTSIDE_SHIFTS")
        #expect(late?.field == "will-call")
        #expect(try world.service.trips(date: monday).isEmpty)
    }

    @Test func anUnservedWheelchairTripAtLunchNamesTheBreak() throws {
        let world = try World()
        // 12:00-13:00 the van's driver is at the depot; the van is the only wheelchair vehicle.
        _ = try world.service.bookTrip(BookingRequest(
            patient: PatientID(unchecked: "P004"), to: PlaceID(unchecked: "HC-NATHONG"),
            timing: .pickup(try world.at("2026-11-23 12:10"))))
        let plan = try world.service.planDay(monday, seconds: 600, iterations: 200)
        let reason = try #require(plan.unserved.first?.reason.english)
        #expect(reason.contains("VAN1: its driver's break 12:00-13:00 is in the way"), "\(reason)")
        #expect(reason.contains("cannot carry a wheelchair patient"), "\(reason)")
    }

    @Test func aManifestNeverPromisesAReturnThatNoRunCarries() throws {
        let world = try World()
        _ = try world.plannedMonday()
        let outbound = try #require(try world.service.trips(date: monday).first { $0.patient.rawValue == "P002" && $0.direction == .outbound })
        let run = try #require(try world.service.runs(on: monday).first { $0.stops.contains { $0.trip == outbound.id } })
        var stop = try #require(try world.service.manifests(on: monday, vehicle: run.vehicle).flatMap(\.stops).first { $0.trip == outbound.id && $0.action == .dropoff })
        #expect(stop.returnText(offset: world.offset).hasPrefix("trip \(outbound.linkedTrip!) at "))
        stop.linkedCarried = false
        stop.linkedPickup = nil
        #expect(stop.returnText(offset: world.offset) == "trip \(outbound.linkedTrip!): no vehicle yet")
    }
}

@Suite("The day closes; corrections")
struct DayCloseAndCorrectionTests {
    @Test func closingTheDayMarksWhatNobodyReportedAndIsRefusedWhileItRuns() throws {
        let world = try World()
        _ = try world.plannedMonday()
        let trips = try world.service.trips(date: monday)
        // Only the first journey of the day is driven and reported.
        let first = try #require(trips.filter { $0.direction == .outbound }.min { $0.pickupWindow!.earliest < $1.pickupWindow!.earliest })
        let at = try #require(try world.plannedPickup(first.id!)).at
        world.now = at
        _ = try world.service.reportStatus(first.id!, .pickup, at: at)
        world.now = at.adding(minutes: 60)
        _ = try world.service.reportStatus(first.id!, .dropoff, at: at.adding(minutes: 55))
        let running = world.refusal { _ = try world.service.closeDay(monday) }
        #expect(running?.keyword == "DAY_RUNNING")
        world.now = try world.at("2026-11-23 20:00")
        let closed = try world.service.closeDay(monday)
        let after = try world.service.trips(date: monday)
        #expect(after.filter { $0.status.isActive }.isEmpty)
        // Every other outbound is missed; each return of a missed outbound is closed, not missed.
        let missedOutbound = after.filter { $0.direction == .outbound && $0.status == .missedByOperator }
        #expect(missedOutbound.count == trips.filter { $0.direction == .outbound }.count - 1)
        #expect(closed.closedReturns.allSatisfy { $0.cancellationCode == .outboundNotPerformed })
        // The first journey's return was not driven either: it is missed, the patient was at the clinic.
        let firstReturn = try #require(after.first { $0.id == first.linkedTrip })
        #expect(firstReturn.status == .missedByOperator)
        #expect(firstReturn.statusReason?.hasPrefix("not reported by the end of the day") == true)
        let row = try world.service.report(from: monday, to: monday)[0]
        #expect(row.missed == closed.missed.count)
        #expect(row.trips == row.served + row.missed + row.denied + row.open + row.noShows + row.cancelled.values.reduce(0, +))
        #expect(row.cancelled[.outboundNotPerformed] == closed.closedReturns.count)
    }

    @Test func anOdometerReadingMayNotGoBackwardsAlongARun() throws {
        let world = try World()
        _ = try world.plannedMonday()
        let run = try #require(try world.service.runs(on: monday).first { $0.stops.count >= 4 })
        let first = run.stops[0]
        let second = try #require(run.stops.first { $0.trip != first.trip })
        world.now = second.plannedTime.adding(minutes: 1)
        _ = try world.service.reportStatus(first.trip, first.action == .pickup ? .pickup : .dropoff, at: first.plannedTime, odometer: 12_400)
        let refused = world.refusal {
            _ = try world.service.reportStatus(second.trip, second.action == .pickup ? .pickup : .dropoff, at: second.plannedTime, odometer: 12_345)
        }
        #expect(refused?.keyword == "ODOMETER_BACKWARDS")
        #expect(refused?.field == "odometer")
        #expect(try world.service.tripEvents(second.trip).isEmpty, "nothing stored")
        _ = try world.service.reportStatus(second.trip, second.action == .pickup ? .pickup : .dropoff, at: second.plannedTime, odometer: 12_431)
    }

    @Test func movingAJourneyKeepsTheOldBookingWhenTheNewTimeDoesNotFit() throws {
        let world = try World()
        _ = try world.plannedMonday()
        _ = try world.service.bookAndPlace(world.request("P007", appointment: "2026-11-23 09:00", back: "2026-11-23 10:30"))
        let booked = try world.service.bookAndPlace(world.request("P021", appointment: "2026-11-23 15:00", back: "2026-11-23 16:00"))
        let before = try booked.trips.map { try world.service.trip($0.id!) }
        let onRunsBefore = try world.tripsOnRuns()
        let refused = world.refusal { _ = try world.service.moveTrip(booked.trips[1].id!, to: .appointment(try world.at("2026-11-23 09:00"))) }
        #expect(refused?.keyword == "NO_CAPACITY")
        #expect(try booked.trips.map { try world.service.trip($0.id!) } == before)
        #expect(try world.tripsOnRuns() == onRunsBefore)
        // A time that fits moves both legs, the return by as much.
        let moved = try world.service.moveTrip(booked.trips[0].id!, to: .appointment(try world.at("2026-11-23 14:30")))
        #expect(moved.trips.map(\.id) == booked.trips.map(\.id))
        #expect(moved.trips[0].appointment == (try world.at("2026-11-23 14:30")))
        #expect(moved.trips[1].requestedPickup == (try world.at("2026-11-23 15:30")))
        #expect(moved.trips.allSatisfy { $0.status == .scheduled && $0.promisedAt == world.now })
        #expect(try world.service.audit(entity: "trip:\(booked.trips[0].id!)").first?.action == "trip.move")
    }

    @Test func aNewMobilityFollowsIntoUpcomingTripsAndAPhoneChangeDoesNot() throws {
        let world = try World()
        let trips = try world.service.bookTrip(world.request("P002", appointment: "2026-11-23 09:00", back: "2026-11-23 11:00"))
        var phone = PatientChanges()
        phone.phone = "081-234-5678"
        let edited = try world.service.editPatient(PatientID(unchecked: "P002"), phone)
        #expect(edited.changed == ["phone"])
        #expect(edited.trips.isEmpty)
        #expect(try world.service.patient(PatientID(unchecked: "P002")).phone == "081-234-5678")
        var wheelchair = PatientChanges()
        wheelchair.mobility = .wheelchair
        let followed = try world.service.editPatient(PatientID(unchecked: "P002"), wheelchair)
        #expect(followed.trips.map(\.id) == trips.map(\.id))
        #expect(try trips.map { try world.service.trip($0.id!).mobility } == [.wheelchair, .wheelchair])
        let audit = try world.service.audit(entity: "patient:P002", limit: 5)
        #expect(audit.first?.detail == "fields=mobility")
        let empty = world.refusal { _ = try world.service.editPatient(PatientID(unchecked: "P002"), PatientChanges()) }
        #expect(empty?.keyword == "USAGE")
    }

    @Test func endingAStandingOrderCancelsItsTripsFromThatDay() throws {
        let world = try World()
        let (order, made) = try world.service.addStandingOrder(StandingOrder(
            id: nil, patient: PatientID(unchecked: "P005"), pickupPlace: PlaceID(unchecked: "HOME-P005"), destination: PlaceID(unchecked: "H-COMM"),
            weekdays: [.monday, .wednesday, .friday], appointmentTime: LocalTime(minutes: 9 * 60)!, startDate: LocalDate(year: 2026, month: 11, day: 20)!,
            endDate: nil, returnMode: .at(LocalTime(minutes: 13 * 60)!), companions: 1, funding: .tambonHealthFund, notes: nil, active: true))
        #expect(made.created.count > 4)
        let (ended, cancelled) = try world.service.endStandingOrder(order.id!, from: LocalDate(year: 2026, month: 11, day: 30)!)
        #expect(ended.endDate == LocalDate(year: 2026, month: 11, day: 29)!)
        #expect(!cancelled.isEmpty)
        #expect(cancelled.allSatisfy { $0.serviceDate >= LocalDate(year: 2026, month: 11, day: 30)! })
        let kept = try world.service.store.trips(from: LocalDate(year: 2026, month: 11, day: 20)!, to: LocalDate(year: 2026, month: 12, day: 31)!)
            .filter { $0.standingOrder == order.id && $0.status.isActive }
        #expect(kept.allSatisfy { $0.serviceDate < LocalDate(year: 2026, month: 11, day: 30)! })
        #expect(try world.service.standingOrders().first?.endDate == ended.endDate)
        // Materialising again makes nothing after the end.
        #expect(try world.service.materialiseStandingOrders().created.isEmpty)
    }
}
