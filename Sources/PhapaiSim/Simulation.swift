import Foundation
import PhapaiCore
import PhapaiScheduler
import PhapaiService

/// What happened to one trip leg (or to a request refused at booking), for the KPIs and trips.csv.
struct TripRecord: Sendable {
    var area: String
    var tambon: String
    var village: PlaceID
    var type: String
    /// The hospital of the journey, and the patient's mobility.
    var hospital: PlaceID
    var mobility: String
    var day: LocalDate
    /// The time the patient asked for: the appointment, the pickup asked for on the day, or the
    /// return time (for a will-call return, when the clinic was expected to be done).
    var requested: Instant?
    var trip: Int64?
    var direction: String
    var sameDay: Bool
    var willCall: Bool
    /// Final status, or `refused` for a booking the rules or the fleet turned down.
    var status: String
    /// The keyword of a refusal, `UNSERVED` for a leg no plan could take, or the status's reason.
    var reason: String?
    /// The planner's explanation of an unserved leg.
    var detail: String?
    var windowEarliest: Instant?
    var windowLatest: Instant?
    var appointment: Instant?
    /// When a will-call patient was ready (the clinic called).
    var ready: Instant?
    var pickup: Instant?
    var dropoff: Instant?
    var directSeconds: Int
    var passengers: Int
    var vehicle: String?
    /// The other leg of the journey.
    var linkedTrip: Int64?
    /// Why it was cancelled (`advance`, `same_day`, ..., `outbound_not_performed`).
    var cancelCode: String?
    /// The pickup window told to the patient, once the trip had a place on a run.
    var promisedEarliest: Instant?
    var promisedLatest: Instant?
    /// What the service said when it broke the promise (the reply of the command that caused it).
    var announcedCause: String?
}

extension TripRecord {
    /// A keyword for why the planner left a leg without a vehicle, from its explanation (kept
    /// whole in `detail`), so that legs not served can be counted by reason.
    static func unservedKeyword(_ explanation: String?) -> String {
        guard let explanation else { return "UNSERVED" }
        if explanation.contains("its return") && explanation.contains("cannot be served") { return "RETURN_UNSERVABLE" }
        if explanation.contains("cannot carry") { return "NO_VEHICLE_FOR_MOBILITY" }
        if explanation.contains("is full") { return "VEHICLES_FULL" }
        if explanation.contains("within its shift") { return "OUTSIDE_SHIFTS" }
        return "UNSERVED"
    }
}

/// One vehicle's day as driven.
struct VehicleDay: Sendable {
    var area: String
    var vehicle: String
    var day: LocalDate
    var costPerKm: Double
    /// Vehicle and driver costs of a day the vehicle leaves its depot.
    var costPerDay: Double = 0
    var kilometres: Double = 0
    /// Of those, driven with a patient aboard.
    var loadedKilometres: Double = 0
    var leftDepot: Instant?
    var backAtDepot: Instant?
    /// The places visited in order, depot to depot (for the map).
    var path: [PlaceID] = []
}

/// Everything one area's run produced.
struct AreaOutcome: Sendable {
    var trips: [TripRecord]
    var vehicleDays: [VehicleDay]
    /// Service calls the simulation expected to succeed but that were refused (kept for diagnosis).
    var surprises: Int
}

/// Simulates one service area over service days on a virtual clock, with the real service and
/// scheduler on a temporary database. Vehicles follow their runs as stored, stop by stop, and
/// report to the service as a driver would; the service re-plans as it does in production.
final class AreaSimulation {
    private let scenario: Scenario
    private let world: SimArea
    private let days: [LocalDate]
    private var random: SeededGenerator
    private let service: PhapaiService
    private var now: Instant
    private let offset = UTCOffset.bangkok
    /// The roads as the service sees them: the scenario's matrix where it has the pair, the
    /// model otherwise. Vehicles drive these times (with noise); the planner plans with them.
    private var road: TravelTimes
    private let policies: Policies
    private var places: [PlaceID: Place] = [:]
    private var patients: [PatientID: SimPatient] = [:]
    private var patientsByVillageAndType: [String: [SimPatient]] = [:]
    private var records: [Int64: TripRecord] = [:]
    private var refused: [TripRecord] = []
    private var vehicleDays: [VehicleDay] = []
    private var surprises = 0
    /// Outbound trips whose patient will not be there.
    private var noShows: Set<Int64> = []
    /// The fate of each outbound trip booked today.
    private var fates: [Int64: Fate] = [:]
    private var queue = EventQueue()
    private var vehicles: [VehicleID: VehicleState] = [:]
    private var runsCache: [Run]?
    private var day = LocalDate(year: 2026, month: 1, day: 1)!
    /// Patients with a journey booked on the day being simulated.
    private var travellingToday: Set<PatientID> = []
    private var nearestHospital: [PlaceID: PlaceID] = [:]
    /// Each hospital's clinic hours in minutes of the day, and service days a week (read once; validated with the scenario).
    private let clinicHours: [PlaceID: (Int, Int)]
    private let serviceDaysPerWeek: Double

    private struct VehicleState {
        var position: PlaceID
        var freeAt: Instant
        /// Driving, or at a stop waiting for a patient: not free to take a changed plan.
        var busy = false
        var version = 0
        var done: Set<String> = []
        /// Legs picked up and not yet dropped off.
        var aboard = 0
        var record: VehicleDay
    }

    init(scenario: Scenario, area: SimArea, days: [LocalDate], seed: UInt64, folder: String) throws {
        self.scenario = scenario
        world = area
        self.days = days
        random = SeededGenerator(seed: seed)
        road = TravelTimes(model: area.area.travel, matrix: [:])
        policies = area.area.policies
        let start = UTCOffset.bangkok.instant(days[0].adding(days: -1), LocalTime(minutes: 8 * 60)!)
        now = start
        let clock = SettableClock(start)
        service = try PhapaiService.open(path: folder + "/\(area.area.id.rawValue).db", create: true, actor: "sim", clock: clock.read)
        // One search thread: a simulation's figures must not depend on the machine's cores.
        service.searchThreads = 1
        self.clock = clock
        clinicHours = Dictionary(uniqueKeysWithValues: try scenario.hospitals.map { hospital in
            (PlaceID(unchecked: hospital.id),
             (try LocalTime.parse(hospital.opens, field: "opens").minutes, try LocalTime.parse(hospital.closes, field: "closes").minutes))
        })
        serviceDaysPerWeek = Double(try Weekday.parseSet(scenario.serviceDays ?? "mon-fri", field: "serviceDays").count)
        _ = try service.importArea(area.area)
        // Imported as an office imports a matrix, so the simulated service plans with it as production does.
        if !area.matrix.isEmpty { _ = try service.importMatrix(entries: area.matrix, format: "scenario") }
        road = try service.travelTimes(area: area.area.id)
        for place in area.area.places { places[place.id] = place }
        for patient in area.patients {
            patients[patient.patient.id] = patient
            patientsByVillageAndType["\(patient.village.rawValue)|\(patient.type)", default: []].append(patient)
        }
    }

    /// The virtual clock the service reads.
    private let clock: SettableClock

    private func setClock(_ instant: Instant) {
        now = instant
        clock.set(instant)
    }

    /// Runs every day and returns what happened.
    func run() throws -> AreaOutcome {
        for (index, date) in days.enumerated() { try simulate(date, index: index) }
        return AreaOutcome(trips: records.keys.sorted().map { records[$0]! } + refused, vehicleDays: vehicleDays, surprises: surprises)
    }

    /// Service day `index` of the run as a static problem: the evening before, its shifts are added
    /// and every request the day will bring, advance and same-day alike, is booked at once (with the
    /// normal rules; refusals are counted) and nothing is planned. Returns the day's active trips
    /// (``DayExport`` turns them into a Cordeau instance) and the number of requests refused.
    func bookedDay(_ index: Int) throws -> (trips: [Trip], refused: Int) {
        day = days[index]
        setClock(offset.instant(day.adding(days: -1), LocalTime(minutes: 20 * 60)!))
        try addShifts(on: day)
        travellingToday = []
        // Drawn in the order the run draws them: advance bookings first, then the day's own calls.
        let requests = generateRequests(dayIndex: index, sameDay: false) + generateRequests(dayIndex: index, sameDay: true)
        var refusals = 0
        for request in requests where book(request, sameDay: false) == nil { refusals += 1 }
        let trips = try service.trips(date: day).filter { $0.status == .requested || $0.status == .scheduled }
        return (trips, refusals)
    }

    // MARK: one day

    /// Every vehicle's usual shift on `date`, added through the service as an office would.
    private func addShifts(on date: LocalDate) throws {
        for vehicle in world.area.vehicles.sorted(by: { $0.id.rawValue < $1.id.rawValue }) {
            let shift = world.shifts[vehicle.id]!
            _ = try service.addShift(try Shift(
                driver: shift.driver, vehicle: vehicle.id, date: date, start: shift.start, end: shift.end,
                breakStart: shift.breakStart, breakEnd: shift.breakEnd))
        }
    }

    private func simulate(_ date: LocalDate, index: Int) throws {
        day = date
        runsCache = nil
        travellingToday = []
        // Driving noise: the only draws that depend on the routes (demand and fates are drawn per village).
        // All 64 bits of the area's stream: with 16, two of a hundred tambons could drive alike.
        var dayRandom = SeededGenerator(seed: World.seed(scenario.seed, 2, index, Int(truncatingIfNeeded: random.next())))
        fates = [:]
        // The evening before: shifts, advance bookings, cancellations, the plan.
        setClock(offset.instant(date.adding(days: -1), LocalTime(minutes: 20 * 60)!))
        try addShifts(on: date)
        let requests = generateRequests(dayIndex: index, sameDay: false)
        var booked: [Trip] = []
        for request in requests {
            if let trips = book(request, sameDay: false) { booked += trips }
        }
        setClock(now.adding(minutes: 30))
        for trip in booked where trip.direction == .outbound && fates[trip.id!.rawValue]?.cancelsAhead == true {
            cancel(trip.id!.rawValue, reason: "ผู้ป่วยแจ้งยกเลิกล่วงหน้า", replan: false)
        }
        setClock(now.adding(minutes: 30))
        // The budget is per tambon, so a pooled fleet plans with as much search as the separate ones together.
        let iterations = (scenario.planIterations ?? 2000) * max(1, Set(world.villageTambon.values).count)
        let plan = try service.planDay(date, seconds: 600, iterations: iterations, seed: World.seed(scenario.seed, 3, index))
        heard(plan.notices)
        runsCache = nil

        // The day: vehicles leave at the start of their shifts; same-day requests, clinic calls
        // and cancellations arrive on the clock.
        vehicles = [:]
        for vehicle in world.area.vehicles.sorted(by: { $0.id.rawValue < $1.id.rawValue }) {
            let shift = world.shifts[vehicle.id]!
            let start = offset.instant(date, shift.start)
            vehicles[vehicle.id] = VehicleState(
                position: vehicle.depot, freeAt: start,
                record: VehicleDay(area: world.area.id.rawValue, vehicle: vehicle.id.rawValue, day: date, costPerKm: vehicle.costPerKm,
                                   costPerDay: world.costPerDay[vehicle.id] ?? 0,
                                   path: [vehicle.depot]))
            queue.push(start, .decide(vehicle.id, 0))
        }
        for request in generateRequests(dayIndex: index, sameDay: true) {
            queue.push(request.asked, .request(request))
        }
        for trip in try service.trips(date: date) where trip.status == .scheduled || trip.status == .requested {
            try scheduleFollowUps(trip)
        }
        // Vehicles may work late to bring patients home: the day runs to its last minute.
        let end = offset.instant(date, LocalTime(minutes: 23 * 60 + 59)!)
        var handled = 0
        while let (time, event) = queue.pop() {
            guard time <= end else { continue }
            handled += 1
            // A day of a tambon takes hundreds of events; this many means the model went round in circles.
            guard handled < 2_000_000 else { throw PhapaiError.conflict("scenario", "DID_NOT_SETTLE", "day \(date.iso) of \(world.area.id) did not settle") }
            setClock(max(now, time))
            try handle(event, &dayRandom)
        }
        // The day is over: it is closed (trips nobody served become missed), then each trip's
        // outcome and each vehicle's driving are recorded.
        setClock(end)
        do {
            _ = try service.closeDay(date)
        } catch {
            surprise(error)
        }
        for trip in try service.trips(date: date) { updateRecord(trip) }
        for id in vehicles.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            var state = vehicles[id]!
            let depot = world.area.vehicles.first { $0.id == id }!.depot
            if state.position != depot {
                drive(&state, to: depot)
                state.record.backAtDepot = state.freeAt
            }
            vehicleDays.append(state.record)
        }
        queue = EventQueue()
    }

    /// No-shows, same-day cancellations and clinic calls that follow from a booked trip.
    private func scheduleFollowUps(_ trip: Trip) throws {
        guard let id = trip.id?.rawValue, trip.direction == .outbound, let fate = fates[id] else { return }
        if fate.noShow { noShows.insert(id) }
        if fate.cancelsOnTheDay, let window = trip.pickupWindow {
            queue.push(max(now, window.earliest.adding(minutes: -90)), .cancel(trip.id!))
        }
        // A will-call patient is ready when expected at booking, plus the clinic's delay; then the clinic calls.
        if let linked = trip.linkedTrip, case let back = try service.trip(linked), back.awaitingRelease, let expected = back.releaseWindow {
            queue.push(max(now, expected.earliest.adding(minutes: fate.clinicDelayMinutes)), .clinicDone(linked, outbound: trip.id!))
        }
    }

    // MARK: events

    private enum Event {
        case decide(VehicleID, Int)
        case arrive(VehicleID, Int, stop: String, trip: TripID, action: RunStop.Action, place: PlaceID)
        case board(VehicleID, Int, trip: TripID)
        case noShow(VehicleID, trip: TripID)
        case request(GeneratedRequest)
        case cancel(TripID)
        case clinicDone(TripID, outbound: TripID)
    }

    private struct EventQueue {
        private var heap: [(time: Instant, sequence: Int, event: Event)] = []
        private var sequence = 0

        mutating func push(_ time: Instant, _ event: Event) {
            sequence += 1
            heap.append((time, sequence, event))
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.before(heap[child], heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }

        mutating func pop() -> (Instant, Event)? {
            guard !heap.isEmpty else { return nil }
            heap.swapAt(0, heap.count - 1)
            let top = heap.removeLast()
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var first = parent
                if left < heap.count && Self.before(heap[left], heap[first]) { first = left }
                if right < heap.count && Self.before(heap[right], heap[first]) { first = right }
                if first == parent { break }
                heap.swapAt(parent, first)
                parent = first
            }
            return (top.time, top.event)
        }

        private static func before(_ a: (time: Instant, sequence: Int, event: Event), _ b: (time: Instant, sequence: Int, event: Event)) -> Bool {
            a.time != b.time ? a.time < b.time : a.sequence < b.sequence
        }
    }

    private func handle(_ event: Event, _ random: inout SeededGenerator) throws {
        switch event {
        case .decide(let vehicle, let version):
            guard vehicles[vehicle]?.version == version else { return }
            try decide(vehicle, &random)
        case .arrive(let vehicle, let version, let stop, let trip, let action, let place):
            guard vehicles[vehicle]?.version == version else { return }
            try arrive(vehicle, stop: stop, trip: trip, action: action, place: place, &random)
        case .board(let vehicle, let version, let trip):
            guard vehicles[vehicle]?.version == version else { return }
            try pickUp(vehicle, trip)
        case .noShow(let vehicle, let trip):
            vehicles[vehicle]!.busy = false
            if report(trip, .noshow, at: now) { records[trip.rawValue]?.status = TripStatus.noShow.rawValue }
            vehicles[vehicle]!.done.insert(stopKey(trip, .pickup))
            vehicles[vehicle]!.freeAt = now
            changed()
            try decide(vehicle, &random)
        case .request(let request):
            if let trips = book(request, sameDay: true) {
                for trip in trips where trip.direction == .outbound { try scheduleFollowUps(trip) }
            }
            changed()
        case .cancel(let trip):
            let current = try service.trip(trip)
            guard current.status == .scheduled || current.status == .requested else { return }
            cancel(trip.rawValue, reason: "ผู้ป่วยแจ้งยกเลิกวันนี้", replan: true)
            changed()
        case .clinicDone(let ret, let outbound):
            let back = try service.trip(ret)
            guard back.awaitingRelease, back.status == .requested || back.status == .scheduled else { return }
            let there = try service.trip(outbound)
            switch there.status {
            case .droppedOff:
                records[ret.rawValue]?.ready = now
                do {
                    let result = try service.releaseWillCall(ret, at: now)
                    heard(result.notices)
                    if let failure = result.replanFailure { surprise(failure) }
                    improveInBackground()
                } catch {
                    surprise(error)
                }
                changed()
            case .requested, .scheduled, .enRoute, .pickedUp:
                // The patient has not reached the clinic yet (a late vehicle): the clinic calls later.
                queue.push(now.adding(minutes: 30), .clinicDone(ret, outbound: outbound))
            default:
                // The outbound did not happen: the service closed the return with it.
                break
            }
        }
    }

    /// Something in the plan changed: waiting vehicles look again at their runs.
    private func changed() {
        runsCache = nil
        for id in vehicles.keys.sorted(by: { $0.rawValue < $1.rawValue }) where !vehicles[id]!.busy {
            vehicles[id]!.version += 1
            queue.push(max(now, vehicles[id]!.freeAt), .decide(id, vehicles[id]!.version))
        }
    }

    private func runs() throws -> [Run] {
        if let runsCache { return runsCache }
        let runs = try service.runs(on: day)
        runsCache = runs
        return runs
    }

    private func stopKey(_ trip: TripID, _ action: RunStop.Action) -> String { "\(trip.rawValue)|\(action.rawValue)" }

    /// The vehicle picks its next stop: it leaves so as to arrive at the planned time, or now if late.
    /// The first stop of the vehicle's run as it stands that is still to do.
    private func nextStop(of id: VehicleID) throws -> RunStop? {
        let done = vehicles[id]!.done
        return try runs().first { $0.vehicle == id }?.stops.first { stop in
            guard !done.contains(stopKey(stop.trip, stop.action)) else { return false }
            let trip = try service.trip(stop.trip)
            // A place kept for a will-call is not a task until the clinic calls.
            guard !trip.awaitingRelease else { return false }
            return stop.action == .pickup ? (trip.status == .scheduled || trip.status == .enRoute) : trip.status == .pickedUp
        }
    }

    private func decide(_ id: VehicleID, _ random: inout SeededGenerator) throws {
        var state = vehicles[id]!
        guard let next = try nextStop(of: id) else { return }
        let target = try place(of: next)
        let planned = seconds(from: state.position, to: target)
        let depart = max(now, state.freeAt, next.plannedTime.adding(seconds: -planned))
        if depart > now {
            state.version += 1
            queue.push(depart, .decide(id, state.version))
            vehicles[id] = state
            return
        }
        let noise = max(0.5, 1 + scenario.behaviour.travelTimeNoise * World.normal(&random))
        let actual = Int((Double(planned) * noise).rounded())
        if state.record.leftDepot == nil { state.record.leftDepot = now }
        let kilometres = road.kilometres(places[state.position]!, places[target]!)
        state.record.kilometres += kilometres
        if state.aboard > 0 { state.record.loadedKilometres += kilometres }
        state.busy = true
        state.version += 1
        queue.push(now.adding(seconds: actual), .arrive(id, state.version, stop: stopKey(next.trip, next.action), trip: next.trip,
                                                        action: next.action, place: target))
        vehicles[id] = state
    }

    private func place(of stop: RunStop) throws -> PlaceID {
        let trip = try service.trip(stop.trip)
        return stop.action == .pickup ? trip.pickupPlace : trip.dropoffPlace
    }

    private func arrive(_ id: VehicleID, stop: String, trip: TripID, action: RunStop.Action, place: PlaceID, _ random: inout SeededGenerator) throws {
        vehicles[id]!.busy = false
        vehicles[id]!.position = place
        vehicles[id]!.freeAt = now
        vehicles[id]!.record.path.append(place)
        // The plan may have moved on while the vehicle drove (the office calls the driver): only
        // the stop that is still next on its run is done; otherwise the vehicle goes where it is sent.
        guard let next = try nextStop(of: id), stopKey(next.trip, next.action) == stop else { return try decide(id, &random) }
        let current = try service.trip(trip)
        // Cancelled while the vehicle was on its way (the driver finds out at the door).
        guard action == .dropoff || current.status == .scheduled || current.status == .enRoute else {
            vehicles[id]!.done.insert(stop)
            return try decide(id, &random)
        }
        let boarding = policies.boardingSeconds(current.mobility)
        switch action {
        case .pickup:
            guard report(trip, .arrive, at: now) else {
                // Refused (the trip changed under the vehicle): leave the stop, or it would come back forever.
                vehicles[id]!.done.insert(stop)
                return try decide(id, &random)
            }
            // Waiting at the door: the vehicle does not take a new plan until the patient boards or does not come.
            vehicles[id]!.busy = true
            changed()
            if noShows.contains(trip.rawValue) {
                vehicles[id]!.version += 1
                queue.push(now.adding(minutes: policies.noShowWaitMinutes), .noShow(id, trip: trip))
                return
            }
            let ready = current.pickupWindow?.earliest ?? now
            if ready > now {
                vehicles[id]!.version += 1
                queue.push(ready, .board(id, vehicles[id]!.version, trip: trip))
                return
            }
            try pickUp(id, trip, boarding: boarding)
        case .dropoff:
            if report(trip, .dropoff, at: now) {
                records[trip.rawValue]?.dropoff = now
                records[trip.rawValue]?.vehicle = id.rawValue
                vehicles[id]!.aboard = max(0, vehicles[id]!.aboard - 1)
            }
            vehicles[id]!.done.insert(stop)
            vehicles[id]!.freeAt = now.adding(seconds: boarding)
            changed()
        }
    }

    private func pickUp(_ id: VehicleID, _ trip: TripID, boarding: Int? = nil) throws {
        vehicles[id]!.busy = false
        if report(trip, .pickup, at: now) {
            records[trip.rawValue]?.pickup = now
            vehicles[id]!.aboard += 1
        }
        vehicles[id]!.done.insert(stopKey(trip, .pickup))
        let seconds = try boarding ?? policies.boardingSeconds(service.trip(trip).mobility)
        vehicles[id]!.freeAt = now.adding(seconds: seconds)
        changed()
    }

    /// The drive home at the end of the day, from where and when the last stop was done.
    private func drive(_ state: inout VehicleState, to target: PlaceID) {
        state.record.kilometres += road.kilometres(places[state.position]!, places[target]!)
        state.freeAt = state.freeAt.adding(seconds: seconds(from: state.position, to: target))
        state.position = target
        state.record.path.append(target)
    }

    /// Planned seconds of driving between two places, rounded up as a trip's direct time is.
    private func seconds(from: PlaceID, to: PlaceID) -> Int {
        Int(road.seconds(places[from]!, places[to]!).rounded(.up))
    }

    private func report(_ trip: TripID, _ report: DriverReport, at time: Instant) -> Bool {
        do {
            let change = try service.reportStatus(trip, report, at: time)
            heard(change.notices)
            if let failure = change.replanFailure { surprise(failure) }
            if change.replanned { improveInBackground() }
            return true
        } catch {
            surprise(error)
            return false
        }
    }

    private func cancel(_ trip: Int64, reason: String, replan: Bool) {
        do {
            let result = try service.cancelTrip(TripID(trip), reason: reason, replan: replan)
            heard(result.replan?.notices ?? [])
            if let failure = result.replanFailure { surprise(failure) }
            if result.replan != nil { improveInBackground() }
        } catch {
            surprise(error)
        }
    }

    /// What follows a change between requests: the command re-planned the day with the small
    /// budget a dispatcher or driver waits for; the plan is then improved from its runs, two more
    /// iterations per trip still to do (so every area gets the same budget per trip).
    private func improveInBackground() {
        do {
            heard(try service.improveDay(day)?.notices ?? [])
        } catch {
            surprise(error)
        }
    }

    /// A service call the simulation expected to pass was refused: counted, and shown with
    /// PHAPAI_SIM_DEBUG=1 (never patient data: keywords and trip numbers).
    private func surprise(_ error: any Error) {
        surprises += 1
        if ProcessInfo.processInfo.environment["PHAPAI_SIM_DEBUG"] == "1" {
            FileHandle.standardError.write(Data("surprise on \(day.iso) at \(UTCOffset.bangkok.time(of: now)): \(error)\n".utf8))
        }
    }

    /// Keeps what the service said about broken promises, as a dispatcher would hear it in the
    /// reply of the command: the KPIs check every broken promise was told.
    private func heard(_ notices: [PromiseNotice]) {
        for notice in notices where records[notice.trip.rawValue]?.announcedCause == nil {
            records[notice.trip.rawValue]?.announcedCause = notice.cause.keyword
        }
    }

    // MARK: demand

    /// A request as the simulation makes it, with what will become of it drawn at once: every
    /// variant of a scenario then meets the same patients doing the same things (common random numbers).
    struct GeneratedRequest {
        var patient: SimPatient
        var hospital: PlaceID
        var asked: Instant
        var timing: BookingRequest.Timing
        var returnLeg: BookingRequest.ReturnLeg
        var fate = Fate()
        /// Relatives travelling along when not the patient's usual number (a fixed request's).
        var companions: Int?

        /// The appointment, or the pickup asked for.
        var outboundTime: Instant {
            switch timing {
            case .appointment(let time), .pickup(let time): return time
            }
        }

        /// The return asked for; for a will-call, when the clinic is expected to be done.
        func returnTime(clinicMinutes: Int) -> Instant? {
            switch returnLeg {
            case .none: return nil
            case .at(let time): return time
            case .willCall: return outboundTime.adding(minutes: clinicMinutes)
            }
        }
    }

    private func clinicMinutes(_ request: GeneratedRequest) -> Int {
        scenario.demand.first { $0.type == request.patient.type }?.clinicMinutes ?? 0
    }

    /// What the patient will do.
    struct Fate {
        var noShow = false
        var cancelsAhead = false
        var cancelsOnTheDay = false
        var clinicDelayMinutes = 0
    }

    private func drawFate(_ random: inout SeededGenerator) -> Fate {
        let behaviour = scenario.behaviour
        return Fate(
            noShow: random.unit() < behaviour.noShowRate, cancelsAhead: random.unit() < behaviour.advanceCancellationRate,
            cancelsOnTheDay: random.unit() < behaviour.sameDayCancellationRate,
            clinicDelayMinutes: Int((-log(max(random.unit(), 1e-12)) * behaviour.clinicDelayMinutes).rounded()))
    }

    private func generateRequests(dayIndex: Int, sameDay: Bool) -> [GeneratedRequest] {
        var requests: [GeneratedRequest] = []
        if !sameDay {
            var random = SeededGenerator(seed: World.seed(scenario.seed, 6, dayIndex))
            for fixed in scenario.fixedRequests ?? [] where fixed.day == dayIndex {
                // Requests for villages of other areas are theirs.
                guard let index = world.villages.firstIndex(where: { $0.id == fixed.village }) else { continue }
                guard var request = fixedRequest(fixed, village: world.villagePlaces[index]) else {
                    // Validation makes this impossible; were it to happen, the KPIs show it rather than drop it unseen.
                    surprise(PhapaiError.notFound("fixedRequests", "NO_PATIENT", "no \(fixed.type) patient in \(fixed.village)"))
                    continue
                }
                request.fate = drawFate(&random)
                requests.append(request)
            }
        }
        for village in world.villagePlaces {
            for (typeIndex, demand) in scenario.demand.enumerated() {
                // Seeded by day, village and type: the same requests whichever area the village is in.
                var random = SeededGenerator(seed: World.seed(scenario.seed, 7, dayIndex, sameDay ? 1 : 0, World.stableHash(village.rawValue), typeIndex))
                let pool = patientsByVillageAndType["\(village.rawValue)|\(demand.type)"] ?? []
                guard !pool.isEmpty else { continue }
                let perWeek = sameDay ? demand.sameDayPerPatientPerWeek : demand.advancePerPatientPerWeek
                let count = World.poisson(Double(pool.count) * perWeek / serviceDaysPerWeek, &random)
                for _ in 0..<count {
                    // One journey a day per patient: someone already travelling today is not asked again.
                    var candidate: SimPatient?
                    for _ in 0..<8 {
                        let drawn = pool[random.below(pool.count)]
                        if !travellingToday.contains(drawn.patient.id) {
                            candidate = drawn
                            break
                        }
                    }
                    guard let patient = candidate else { continue }
                    travellingToday.insert(patient.patient.id)
                    let named = World.pick(demand.hospitals, &random)
                    let hospital = named == "nearest" ? nearestCommunityHospital(to: village) : PlaceID(unchecked: named)
                    let (opens, closes) = clinicHours[hospital]!
                    let hour = Int(World.pick(demand.appointmentHours, &random)) ?? 9
                    let minutes = min(max(hour * 60 + 15 * random.below(4), opens), closes - 15)
                    let hasReturn = random.unit() < demand.returnShare
                    let willCall = hasReturn && random.unit() < demand.willCallShare
                    if sameDay {
                        // Asked for during the morning, to be taken in an hour or two.
                        let asked = offset.instant(day, LocalTime(minutes: 6 * 60 + random.below(7 * 60))!)
                        let pickup = asked.adding(minutes: 60 + 15 * random.below(5))
                        let back = pickup.adding(minutes: 150 + demand.clinicMinutes)
                        requests.append(GeneratedRequest(
                            patient: patient, hospital: hospital, asked: asked, timing: .pickup(pickup),
                            returnLeg: !hasReturn ? .none : willCall ? .willCall : .at(back), fate: drawFate(&random)))
                    } else {
                        let appointment = offset.instant(day, LocalTime(minutes: minutes)!)
                        let back = appointment.adding(minutes: (demand.clinicMinutes + 4) / 5 * 5)
                        requests.append(GeneratedRequest(
                            patient: patient, hospital: hospital, asked: now, timing: .appointment(appointment),
                            returnLeg: !hasReturn ? .none : willCall ? .willCall : .at(back), fate: drawFate(&random)))
                    }
                }
            }
        }
        return requests
    }

    /// The community hospital closest to a village by road (the matrix's kilometres where it has them).
    private func nearestCommunityHospital(to village: PlaceID) -> PlaceID {
        if let known = nearestHospital[village] { return known }
        let from = places[village]!
        let nearest = scenario.hospitals.filter { $0.level == "community" }
            .min { a, b in
                let da = road.kilometres(from, places[PlaceID(unchecked: a.id)]!)
                let db = road.kilometres(from, places[PlaceID(unchecked: b.id)]!)
                return (da, a.id) < (db, b.id)
            }.map { PlaceID(unchecked: $0.id) }!
        nearestHospital[village] = nearest
        return nearest
    }

    private func fixedRequest(_ fixed: Scenario.FixedRequest, village: PlaceID) -> GeneratedRequest? {
        guard let pool = patientsByVillageAndType["\(village.rawValue)|\(fixed.type)"], let patient = pool.first,
            let appointment = try? offset.parseDateTime("\(day.iso) \(fixed.appointment)", field: "appointment")
        else { return nil }
        let back = fixed.returnAt.flatMap { try? offset.parseDateTime("\(day.iso) \($0)", field: "returnAt") }
        return GeneratedRequest(
            patient: patient, hospital: PlaceID(unchecked: fixed.hospital), asked: now, timing: .appointment(appointment),
            returnLeg: fixed.willCall == true ? .willCall : back.map { .at($0) } ?? .none, companions: fixed.companions)
    }

    /// Books a request; a refusal is recorded with its keyword.
    private func book(_ request: GeneratedRequest, sameDay: Bool) -> [Trip]? {
        var booking = BookingRequest(
            patient: request.patient.patient.id, to: request.hospital, timing: request.timing, returnLeg: request.returnLeg, companions: request.companions)
        if request.returnLeg == .willCall, case .appointment(let appointment) = request.timing,
            let demand = scenario.demand.first(where: { $0.type == request.patient.type })
        {
            // The office knows how long a clinic of this kind takes.
            booking.willCallReady = appointment.adding(minutes: demand.clinicMinutes)
        }
        do {
            let booked = try service.bookAndPlace(booking)
            heard(booked.notices)
            if booked.placements != nil { improveInBackground() }
            let trips = booked.trips
            if let outbound = trips.first(where: { $0.direction == .outbound })?.id?.rawValue { fates[outbound] = request.fate }
            for trip in trips {
                records[trip.id!.rawValue] = TripRecord(
                    area: world.area.id.rawValue, tambon: request.patient.tambon, village: request.patient.village, type: request.patient.type,
                    hospital: request.hospital, mobility: trip.mobility.rawValue, day: day,
                    requested: trip.direction == .outbound ? request.outboundTime : request.returnTime(clinicMinutes: clinicMinutes(request)),
                    trip: trip.id!.rawValue, direction: trip.direction.rawValue, sameDay: sameDay, willCall: trip.willCall,
                    status: trip.status.rawValue, reason: nil, windowEarliest: trip.pickupWindow?.earliest, windowLatest: trip.pickupWindow?.latest,
                    appointment: trip.appointment, ready: nil, pickup: nil, dropoff: nil, directSeconds: trip.directSeconds,
                    passengers: 1 + trip.companions, vehicle: nil, linkedTrip: trip.linkedTrip?.rawValue)
            }
            return trips
        } catch let error as PhapaiError {
            let legs = request.returnLeg == .none ? ["outbound"] : ["outbound", "return"]
            for leg in legs {
                refused.append(TripRecord(
                    area: world.area.id.rawValue, tambon: request.patient.tambon, village: request.patient.village, type: request.patient.type,
                    hospital: request.hospital, mobility: request.patient.patient.mobility.rawValue, day: day,
                    requested: leg == "outbound" ? request.outboundTime : request.returnTime(clinicMinutes: clinicMinutes(request)),
                    trip: nil, direction: leg, sameDay: sameDay, willCall: leg == "return" && request.returnLeg == .willCall,
                    status: "refused", reason: error.keyword, windowEarliest: nil, windowLatest: nil, appointment: nil, ready: nil, pickup: nil,
                    dropoff: nil, directSeconds: 0, passengers: 1 + request.patient.patient.companions, vehicle: nil))
            }
            return nil
        } catch {
            surprise(error)
            return nil
        }
    }

    private func updateRecord(_ trip: Trip) {
        guard let id = trip.id?.rawValue, var record = records[id] else { return }
        record.status = trip.status.rawValue
        if trip.status == .requested || trip.status == .missedByOperator {
            record.reason = TripRecord.unservedKeyword(trip.statusReason)
            record.detail = trip.statusReason
        } else {
            record.reason = trip.statusReason
        }
        record.cancelCode = trip.cancellationCode?.rawValue
        record.linkedTrip = trip.linkedTrip?.rawValue
        if let window = trip.pickupWindow {
            record.windowEarliest = window.earliest
            record.windowLatest = window.latest
        }
        if let promise = trip.promise {
            record.promisedEarliest = promise.earliest
            record.promisedLatest = promise.latest
        }
        records[id] = record
    }
}
