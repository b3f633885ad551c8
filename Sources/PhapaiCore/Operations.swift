/// Values of the day's operations that the store keeps and every layer above it reads: runs and
/// their stops, drivers' reports, run changes for watchers, users, area settings, audit entries and
/// imported travel times. Plain values, no I/O.

/// One stop of a planned run.
public struct RunStop: Hashable, Sendable {
    /// Pick the patient up, or drop them off.
    public enum Action: String, Sendable, Hashable { case pickup, dropoff }
    /// Position in the run, from 1.
    public var sequence: Int
    /// The trip served.
    public var trip: TripID
    /// What happens at the stop.
    public var action: Action
    /// Planned start of service.
    public var plannedTime: Instant
    /// A locked stop never moves when the day is re-planned.
    public var locked: Bool

    /// Creates a stop.
    public init(sequence: Int, trip: TripID, action: Action, plannedTime: Instant, locked: Bool) {
        self.sequence = sequence
        self.trip = trip
        self.action = action
        self.plannedTime = plannedTime
        self.locked = locked
    }
}

/// A vehicle's plan for one shift: its stops in order.
public struct Run: Hashable, Sendable {
    /// The run's number (nil before it is stored).
    public var id: Int64?
    /// The day.
    public var date: LocalDate
    /// The shift it fills.
    public var shift: ShiftID
    /// The vehicle.
    public var vehicle: VehicleID
    /// The driver.
    public var driver: DriverID
    /// When it was planned.
    public var plannedAt: Instant
    /// Its stops in visiting order.
    public var stops: [RunStop]

    /// Creates a run.
    public init(id: Int64?, date: LocalDate, shift: ShiftID, vehicle: VehicleID, driver: DriverID, plannedAt: Instant, stops: [RunStop]) {
        self.id = id
        self.date = date
        self.shift = shift
        self.vehicle = vehicle
        self.driver = driver
        self.plannedAt = plannedAt
        self.stops = stops
    }
}

/// One numbered change of a run (a run is identified by its shift).
public struct RunChange: Hashable, Sendable {
    public var run: ShiftID
    public var seq: Int64
    public var at: Instant
    /// `planned` (stops replaced), `stop` (a driver's report), ...
    public var kind: String
    /// Identifiers only: never patient data.
    public var detail: String

    public init(run: ShiftID, seq: Int64, at: Instant, kind: String, detail: String) {
        self.run = run
        self.seq = seq
        self.at = at
        self.kind = kind
        self.detail = detail
    }
}

/// What a driver reports about a trip.
public struct TripEvent: Hashable, Sendable {
    /// The kinds of report.
    public enum Kind: String, Sendable, CaseIterable {
        /// Arrived at the pickup.
        case arrive
        /// The patient is on board.
        case pickup
        /// The patient was delivered.
        case dropoff
        /// The patient was not there after the wait.
        case noshow
    }
    public var id: Int64?
    public var trip: TripID
    public var kind: Kind
    /// When it happened (actual time).
    public var at: Instant
    /// Odometer reading, km.
    public var odometer: Double?
    /// When it was recorded.
    public var recordedAt: Instant

    /// Creates an event.
    public init(id: Int64?, trip: TripID, kind: Kind, at: Instant, odometer: Double?, recordedAt: Instant) {
        self.id = id
        self.trip = trip
        self.kind = kind
        self.at = at
        self.odometer = odometer
        self.recordedAt = recordedAt
    }
}

/// An imported road travel time (and distance) between two places.
public struct MatrixEntry: Hashable, Sendable {
    public var from: PlaceID
    public var to: PlaceID
    public var seconds: Double
    public var meters: Double?

    /// Creates an entry.
    public init(from: PlaceID, to: PlaceID, seconds: Double, meters: Double?) {
        self.from = from
        self.to = to
        self.seconds = seconds
        self.meters = meters
    }
}

/// Someone who logs in to the server.
public struct User: Hashable, Sendable {
    /// What a user may do.
    public enum Role: String, Sendable, CaseIterable {
        /// Everything, including users and tokens.
        case admin
        /// Bookings and runs of their areas.
        case dispatcher
        /// Their own runs and the trips on them.
        case driver
        /// Reading only.
        case planner
    }

    public var name: String
    public var role: Role
    /// Areas a dispatcher works for.
    public var areas: [AreaID]
    /// The driver a driver's login stands for.
    public var driver: DriverID?
    public var createdAt: Instant
    public var revokedAt: Instant?

    /// Creates a user.
    public init(name: String, role: Role, areas: [AreaID], driver: DriverID?, createdAt: Instant, revokedAt: Instant?) {
        self.name = name
        self.role = role
        self.areas = areas
        self.driver = driver
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// A stored area's settings.
public struct AreaSettings: Hashable, Sendable {
    public var id: AreaID
    public var name: String
    public var offset: UTCOffset
    public var travel: TravelModel
    public var policies: Policies
    /// What every code of the area begins with (a province gives each tambon its own), if anything.
    public var codePrefix: String?
    /// The pool of areas whose fleets plan together, if the area is in one.
    public var pool: String?
    /// The language its people read when a command names none (`--lang`, `PHAPAI_LANG`, `lang=`).
    public var language: Language

    /// Creates an area's settings.
    public init(
        id: AreaID, name: String, offset: UTCOffset, travel: TravelModel, policies: Policies, codePrefix: String? = nil, pool: String? = nil,
        language: Language = .th
    ) {
        self.id = id
        self.name = name
        self.offset = offset
        self.travel = travel
        self.policies = policies
        self.codePrefix = codePrefix
        self.pool = pool
        self.language = language
    }
}

/// One entry of the append-only audit log.
public struct AuditEvent: Hashable, Sendable, Codable {
    /// Its number, in the order written.
    public var id: Int64
    /// When.
    public var at: Instant
    /// Who (a user name or `cli:<login>`).
    public var actor: String
    /// What, as a dotted verb: `trip.book`, `trip.cancel`, `patient.add`.
    public var action: String
    /// The object, `kind:id`.
    public var entity: String
    /// Identifiers and statuses as `key=value` pairs; never personal data.
    public var detail: String

    /// Creates an entry.
    public init(id: Int64, at: Instant, actor: String, action: String, entity: String, detail: String) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.entity = entity
        self.detail = detail
    }
}
