import PhapaiCore
import PhapaiStore

/// One line of a driver's manifest: a stop with everything the driver needs at the door.
public struct ManifestStop: Sendable {
    public var sequence: Int
    public var trip: TripID
    public var action: RunStop.Action
    public var direction: TripDirection
    public var plannedTime: Instant
    public var locked: Bool
    public var place: Place
    public var patient: Patient
    public var village: Place?
    public var companions: Int
    public var notes: [String]
    public var appointment: Instant?
    /// The other leg: its trip and, when a run carries it, its planned pickup time.
    public var linkedTrip: TripID?
    public var linkedPickup: Instant?
    /// The other leg is a will-call the clinic has not called for yet.
    public var linkedWillCall: Bool
    /// Some run carries the other leg (or keeps a place for it).
    public var linkedCarried: Bool
    /// This stop keeps a place for a will-call return the clinic has not called for: the driver
    /// goes only when the office says so.
    public var awaitingRelease: Bool
    /// When that patient is expected ready.
    public var expected: TimeWindow?
    /// The pickup window told to the patient (or, before it was told, the booked one).
    public var window: TimeWindow?
    /// Where the trip stands now: what the stop still needs.
    public var status: TripStatus

    /// Whether this stop has been done: its pickup reported (or the patient absent), its drop-off reported.
    public var isDone: Bool {
        switch action {
        case .pickup: status == .pickedUp || status == .droppedOff || status == .noShow || !status.isActive
        case .dropoff: status == .droppedOff || !status.isActive
        }
    }
}

/// A run with its stops resolved into manifest lines.
public struct Manifest: Sendable {
    public var run: Run
    public var vehicle: Vehicle
    public var driver: Driver
    public var shift: Shift
    public var stops: [ManifestStop]
}

extension PhapaiService {
    /// The manifests of `vehicle` on `date` (one per shift that has a run): with `driver`, only
    /// that driver's runs (two drivers may share a vehicle on one day); with `areas`, only the
    /// stops of those areas' trips (a pooled vehicle carries several areas' patients).
    public func manifests(on date: LocalDate, vehicle: VehicleID, driver: DriverID? = nil, areas: Set<AreaID>? = nil) throws -> [Manifest] {
        guard let vehicleRecord = try store.vehicle(vehicle) else {
            throw PhapaiError.notFound("vehicle", "UNKNOWN_VEHICLE", "no vehicle \(vehicle)")
        }
        var runs = try store.runs(on: date).filter { $0.vehicle == vehicle && (driver == nil || $0.driver == driver) }
        if let areas {
            var own: Set<TripID> = []
            for trip in try store.trips(date: date) where areas.contains(trip.area) { own.insert(trip.id!) }
            runs = runs.compactMap { run in
                var kept = run
                kept.stops = run.stops.filter { own.contains($0.trip) }
                return kept.stops.isEmpty ? nil : kept
            }
        }
        guard !runs.isEmpty else {
            throw PhapaiError.notFound("vehicle", "NO_RUN", "vehicle \(vehicle) has no planned run on \(date.iso); the day is not planned yet")
        }
        let shifts = try store.shifts(from: date, to: date)
        var plannedPickup: [TripID: Instant] = [:]
        for run in try store.runs(on: date) { for stop in run.stops where stop.action == .pickup { plannedPickup[stop.trip] = stop.plannedTime } }
        return try runs.map { run in
            guard let driver = try store.driver(run.driver), let shift = shifts.first(where: { $0.id == run.shift }) else {
                throw PhapaiError(.storage, keyword: "BROKEN_RUN", field: nil, message: "run \(run.id ?? 0) refers to a missing driver or shift")
            }
            let stops = try run.stops.map { stop -> ManifestStop in
                let trip = try self.trip(stop.trip)
                let patient = try self.patient(trip.patient)
                let placeID = stop.action == .pickup ? trip.pickupPlace : trip.dropoffPlace
                let linked = try trip.linkedTrip.flatMap { try store.trip($0) }
                var notes: [String] = []
                if let note = patient.notes { notes.append(note) }
                if let note = trip.notes { notes.append(note) }
                if let address = patient.address, placeID == patient.home { notes.insert(address, at: 0) }
                return ManifestStop(
                    sequence: stop.sequence, trip: stop.trip, action: stop.action, direction: trip.direction,
                    plannedTime: stop.plannedTime, locked: stop.locked,
                    place: try place(placeID), patient: patient, village: try store.place(patient.village), companions: trip.companions,
                    notes: notes, appointment: trip.appointment, linkedTrip: linked?.id,
                    linkedPickup: linked?.id.flatMap { plannedPickup[$0] }, linkedWillCall: linked?.awaitingRelease ?? false,
                    linkedCarried: linked?.id.map { plannedPickup[$0] != nil } ?? false, awaitingRelease: trip.awaitingRelease,
                    expected: trip.releaseWindow, window: trip.promise ?? trip.pickupWindow, status: trip.status)
            }
            return Manifest(run: run, vehicle: vehicleRecord, driver: driver, shift: shift, stops: stops)
        }
    }
}

/// How a manifest stop's return and will-call are told, in every rendering of a manifest.
extension ManifestStop {
    /// For a drop-off whose return is booked: "trip N at HH:MM" (planned), "trip N: will-call"
    /// (a place kept), or "trip N: no vehicle yet" when no run carries it: never a time no run keeps.
    public func returnText(offset: UTCOffset) -> String {
        guard action == .dropoff, direction == .outbound, let linked = linkedTrip else { return "" }
        guard linkedCarried else { return "trip \(linked): no vehicle yet" }
        if linkedWillCall { return "trip \(linked): will-call" }
        return "trip \(linked)" + (linkedPickup.map { " at \(offset.time(of: $0))" } ?? "")
    }

    /// The note of a stop that keeps a place for a will-call return.
    public func awaitingText(offset: UTCOffset) -> String? {
        guard awaitingRelease else { return nil }
        return "will-call: go only when the office calls" + (expected.map { " (expected \(offset.time(of: $0.earliest))-\(offset.time(of: $0.latest)))" } ?? "")
    }
}
