/// Where a trip is in its life. Transitions outside ``TripStatus/allowedNext`` are refused.
public enum TripStatus: String, CaseIterable, Sendable, Codable {
    /// Booked, not yet on a vehicle's run.
    case requested
    /// On a vehicle's run.
    case scheduled
    /// The vehicle is driving to the pickup.
    case enRoute = "en_route"
    /// The patient is on board.
    case pickedUp = "picked_up"
    /// Delivered: the trip is complete.
    case droppedOff = "dropped_off"
    /// Called off, with a ``CancellationCode`` and a reason.
    case cancelled
    /// The patient was not there when the driver came and waited.
    case noShow = "no_show"
    /// The operator failed to serve a trip it had accepted.
    case missedByOperator = "missed"
    /// No feasible vehicle or window: recorded, never silently dropped.
    case denied

    /// The statuses a trip may move to from this one.
    public var allowedNext: Set<TripStatus> {
        switch self {
        case .requested: [.scheduled, .cancelled, .denied, .missedByOperator]
        case .scheduled: [.requested, .enRoute, .pickedUp, .cancelled, .noShow, .missedByOperator]
        case .enRoute: [.scheduled, .pickedUp, .cancelled, .noShow, .missedByOperator]
        case .pickedUp: [.droppedOff]
        case .denied: [.requested]
        case .droppedOff, .cancelled, .noShow, .missedByOperator: []
        }
    }

    /// Whether the trip still needs or holds a place on a vehicle.
    public var isActive: Bool {
        switch self {
        case .requested, .scheduled, .enRoute, .pickedUp: true
        case .droppedOff, .cancelled, .noShow, .missedByOperator, .denied: false
        }
    }

    /// Checks that a move to `next` is allowed, explaining why not otherwise.
    public func checkTransition(to next: TripStatus) throws {
        guard allowedNext.contains(next) else {
            let why: Phrase
            switch self {
            case .droppedOff: why = Phrase("error.transition.completed")
            case .pickedUp: why = Phrase("error.transition.on_board")
            case .cancelled, .noShow, .missedByOperator, .denied: why = Phrase("error.transition.closed", ["status": rawValue])
            default: why = Phrase("error.transition.invalid")
            }
            throw PhapaiError.conflict("status", "INVALID_TRANSITION", Phrase("error.transition", ["status": rawValue, "status_next": next.rawValue], parts: [why]))
        }
    }

    /// Parses a status name.
    public static func parse(_ text: String, field: String = "status") throws -> TripStatus {
        try parseEnum(text, field: field)
    }
}

/// Why and how late a trip was called off; decides whether it counts against the patient.
public enum CancellationCode: String, CaseIterable, Sendable, Codable {
    /// Before the day of travel.
    case advance
    /// On the day, but earlier than the late-cancellation limit before pickup.
    case sameDay = "same_day"
    /// Within the late-cancellation limit before pickup (2 h by default).
    case late
    /// At the door, when the vehicle came.
    case atDoor = "at_door"
    /// A return closed by the service because its outbound leg was not performed (the patient did
    /// not come, cancelled it, or no vehicle took it): not the patient's cancellation.
    case outboundNotPerformed = "outbound_not_performed"
    /// Called off by the office, not at the patient's request (a standing order ended or held):
    /// not the patient's cancellation.
    case byOffice = "office"

    /// Whether the patient called it off (as against the service closing it).
    public var byPatient: Bool { self != .outboundNotPerformed && self != .byOffice }

    /// The code for a cancellation made at `now` of a trip whose pickup is expected at `pickup`
    /// on `serviceDate`.
    public static func classify(
        now: Instant, pickup: Instant?, serviceDate: LocalDate, offset: UTCOffset, lateLimitMinutes: Int, atDoor: Bool
    ) -> CancellationCode {
        if atDoor { return .atDoor }
        if now < offset.startOfDay(serviceDate) { return .advance }
        guard let pickup else { return .sameDay }
        return pickup.seconds(since: now) >= lateLimitMinutes * 60 ? .sameDay : .late
    }
}

/// Which leg of a journey a trip is.
public enum TripDirection: String, Sendable, Codable {
    /// From home (or elsewhere) to the appointment.
    case outbound
    /// Back home after the appointment.
    case `return`
}

/// A time window [earliest, latest].
public struct TimeWindow: Hashable, Sendable, Codable {
    /// Earliest moment.
    public var earliest: Instant
    /// Latest moment.
    public var latest: Instant

    /// Creates a window; `earliest` must not be after `latest`.
    public init(earliest: Instant, latest: Instant) {
        precondition(earliest <= latest, "a time window must not end before it starts")
        self.earliest = earliest
        self.latest = latest
    }

    /// Whether two windows share a moment.
    public func overlaps(_ other: TimeWindow) -> Bool { earliest < other.latest && other.earliest < latest }
}

/// One one-way leg for one patient and their companions.
public struct Trip: Hashable, Sendable, Codable {
    /// The trip's number (nil before it is stored).
    public var id: TripID?
    /// The area that serves it.
    public var area: AreaID
    /// Who travels.
    public var patient: PatientID
    /// Outbound or return.
    public var direction: TripDirection
    /// Where the patient is picked up.
    public var pickupPlace: PlaceID
    /// Where the patient is dropped off.
    public var dropoffPlace: PlaceID
    /// The local day of travel.
    public var serviceDate: LocalDate
    /// The appointment the patient must arrive for, when booked that way.
    public var appointment: Instant?
    /// The pickup time asked for, when booked that way (or a fixed return time).
    public var requestedPickup: Instant?
    /// The pickup window promised to the patient (nil for a will-call return not yet released).
    public var pickupWindow: TimeWindow?
    /// When the patient must be dropped off (nil while will-call).
    public var dropoffWindow: TimeWindow?
    /// Direct driving time, seconds.
    public var directSeconds: Int
    /// Longest ride allowed, seconds.
    public var maxRideSeconds: Int
    /// How the patient travels on this trip.
    public var mobility: Mobility
    /// Relatives travelling along.
    public var companions: Int
    /// Who pays.
    public var funding: Entitlement
    /// Where the trip is in its life.
    public var status: TripStatus
    /// True for a return that waits for the clinic to call.
    public var willCall: Bool
    /// The other leg of the journey, if any.
    public var linkedTrip: TripID?
    /// The standing order that produced this trip, if any.
    public var standingOrder: StandingOrderID?
    /// Set when cancelled.
    public var cancellationCode: CancellationCode?
    /// Why it was cancelled, denied or marked missed, as a phrase each reader reads in their
    /// language (a reason stored before reasons were phrases, or typed by a person, is text).
    public var statusPhrase: Phrase?
    /// ``statusPhrase`` in English, as stored in `status_reason` and sent in JSON; setting it
    /// makes the reason text shown as written.
    public var statusReason: String? {
        get { statusPhrase?.english }
        set { statusPhrase = newValue.map(Phrase.text) }
    }
    /// Notes for the driver about this trip.
    public var notes: String?
    /// When it was booked.
    public var createdAt: Instant
    /// When its pickup window was first told to the patient: the trip was placed on a run. From
    /// then on the window is a promise that re-planning keeps (nil: not promised yet).
    public var promisedAt: Instant?
    /// A will-call return not yet released: when the patient is expected to be ready, from the
    /// appointment plus the clinic time to the clinic's closing. The plan keeps a place for the
    /// return in it.
    public var releaseWindow: TimeWindow?

    /// Creates a value from all its fields.
    public init(
        id: TripID?, area: AreaID, patient: PatientID, direction: TripDirection, pickupPlace: PlaceID, dropoffPlace: PlaceID, serviceDate: LocalDate, appointment: Instant?, requestedPickup: Instant?, pickupWindow: TimeWindow?, dropoffWindow: TimeWindow?, directSeconds: Int, maxRideSeconds: Int, mobility: Mobility, companions: Int, funding: Entitlement, status: TripStatus, willCall: Bool, linkedTrip: TripID?, standingOrder: StandingOrderID?, cancellationCode: CancellationCode?, statusReason: String?, notes: String?, createdAt: Instant,
        promisedAt: Instant? = nil, releaseWindow: TimeWindow? = nil
    ) {
        self.id = id
        self.area = area
        self.patient = patient
        self.direction = direction
        self.pickupPlace = pickupPlace
        self.dropoffPlace = dropoffPlace
        self.serviceDate = serviceDate
        self.appointment = appointment
        self.requestedPickup = requestedPickup
        self.pickupWindow = pickupWindow
        self.dropoffWindow = dropoffWindow
        self.directSeconds = directSeconds
        self.maxRideSeconds = maxRideSeconds
        self.mobility = mobility
        self.companions = companions
        self.funding = funding
        self.status = status
        self.willCall = willCall
        self.linkedTrip = linkedTrip
        self.standingOrder = standingOrder
        self.cancellationCode = cancellationCode
        self.statusPhrase = statusReason.map(Phrase.text)
        self.notes = notes
        self.createdAt = createdAt
        self.promisedAt = promisedAt
        self.releaseWindow = releaseWindow
    }

    /// The pickup window promised to the patient, once told (see ``promisedAt``).
    public var promise: TimeWindow? { promisedAt == nil ? nil : pickupWindow }

    /// A will-call return the clinic has not released yet.
    public var awaitingRelease: Bool { willCall && pickupWindow == nil }

    /// Space it takes on board.
    public var load: Load { Load(mobility: mobility, companions: companions) }

    /// The span during which this trip holds the patient: from the earliest pickup to the latest
    /// drop-off; a will-call return holds the rest of its day after `notBefore`.
    public func occupiedSpan(offset: UTCOffset, notBefore: Instant?) -> TimeWindow {
        if let pickupWindow, let dropoffWindow {
            return TimeWindow(earliest: pickupWindow.earliest, latest: dropoffWindow.latest)
        }
        let dayEnd = offset.startOfDay(serviceDate.adding(days: 1))
        let start = min(notBefore ?? offset.startOfDay(serviceDate), dayEnd)
        return TimeWindow(earliest: start, latest: dayEnd)
    }
}

/// A recurring trip (dialysis on Mon/Wed/Fri) that materialises trips ahead of time.
public struct StandingOrder: Hashable, Sendable, Codable {
    /// How the patient comes home from a standing appointment.
    public enum ReturnMode: Hashable, Sendable, Codable {
        /// One-way only.
        case none
        /// A return picked up at this local time.
        case at(LocalTime)
        /// A return released when the clinic calls.
        case willCall
    }

    /// The order's number (nil before it is stored).
    public var id: StandingOrderID?
    /// Who travels.
    public var patient: PatientID
    /// Where the outbound trip starts (usually home).
    public var pickupPlace: PlaceID
    /// The clinic.
    public var destination: PlaceID
    /// Days of the week it recurs.
    public var weekdays: [Weekday]
    /// Appointment time on each of those days.
    public var appointmentTime: LocalTime
    /// First day it applies.
    public var startDate: LocalDate
    /// Last day it applies, if it ends.
    public var endDate: LocalDate?
    /// How the patient returns.
    public var returnMode: ReturnMode
    /// Relatives travelling along.
    public var companions: Int
    /// Who pays.
    public var funding: Entitlement
    /// Notes copied to every trip.
    public var notes: String?
    /// Whether it still materialises trips.
    public var active: Bool

    /// Creates a value from all its fields.
    public init(
        id: StandingOrderID?, patient: PatientID, pickupPlace: PlaceID, destination: PlaceID, weekdays: [Weekday], appointmentTime: LocalTime, startDate: LocalDate, endDate: LocalDate?, returnMode: ReturnMode, companions: Int, funding: Entitlement, notes: String?, active: Bool
    ) {
        self.id = id
        self.patient = patient
        self.pickupPlace = pickupPlace
        self.destination = destination
        self.weekdays = weekdays
        self.appointmentTime = appointmentTime
        self.startDate = startDate
        self.endDate = endDate
        self.returnMode = returnMode
        self.companions = companions
        self.funding = funding
        self.notes = notes
        self.active = active
    }

    /// Whether the order produces a trip on `date`.
    public func recurs(on date: LocalDate) -> Bool {
        active && date >= startDate && (endDate.map { date <= $0 } ?? true) && weekdays.contains(date.weekday)
    }
}

/// A pause in a standing order, e.g. while the patient is admitted to hospital.
public struct StandingHold: Hashable, Sendable, Codable {
    /// The hold's number (nil before it is stored).
    public var id: Int64?
    /// The order it pauses.
    public var order: StandingOrderID
    /// First day paused.
    public var from: LocalDate
    /// Last day paused.
    public var to: LocalDate
    /// Why.
    public var reason: String

    /// Creates a value from all its fields.
    public init(
        id: Int64?, order: StandingOrderID, from: LocalDate, to: LocalDate, reason: String
    ) {
        self.id = id
        self.order = order
        self.from = from
        self.to = to
        self.reason = reason
    }

    /// Whether `date` falls in the hold.
    public func covers(_ date: LocalDate) -> Bool { from <= date && date <= to }
}
