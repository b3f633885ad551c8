/// What a dispatcher asks for when booking a ride.
public struct BookingRequest: Hashable, Sendable {
    /// When the outbound leg must happen.
    public enum Timing: Hashable, Sendable {
        /// Arrive in time for an appointment at this moment.
        case appointment(Instant)
        /// Be picked up at this moment.
        case pickup(Instant)
    }

    /// Whether and how the patient comes back.
    public enum ReturnLeg: Hashable, Sendable {
        /// One-way only.
        case none
        /// A return picked up at this moment.
        case at(Instant)
        /// A return released when the clinic calls.
        case willCall
    }

    /// Who travels.
    public var patient: PatientID
    /// Where the outbound leg starts; the patient's home when nil.
    public var from: PlaceID?
    /// Where the outbound leg goes.
    public var to: PlaceID
    /// When.
    public var timing: Timing
    /// The return leg.
    public var returnLeg: ReturnLeg
    /// Relatives travelling along; the patient's usual number when nil.
    public var companions: Int?
    /// Who pays; the patient's entitlement when nil.
    public var funding: Entitlement?
    /// Notes for the driver.
    public var notes: String?
    /// When a will-call patient is expected to be ready; the area's usual clinic time after the
    /// appointment when nil.
    public var willCallReady: Instant?

    /// Creates a request.
    public init(
        patient: PatientID, from: PlaceID? = nil, to: PlaceID, timing: Timing, returnLeg: ReturnLeg = .none,
        companions: Int? = nil, funding: Entitlement? = nil, notes: String? = nil, willCallReady: Instant? = nil
    ) {
        self.patient = patient
        self.from = from
        self.to = to
        self.timing = timing
        self.returnLeg = returnLeg
        self.companions = companions
        self.funding = funding
        self.notes = notes
        self.willCallReady = willCallReady
    }
}

/// Everything the booking rules need to know besides the request; gathered by the service.
public struct BookingContext: Sendable {
    /// The patient, as registered.
    public var patient: Patient
    /// Where the outbound leg starts.
    public var pickupPlace: Place
    /// Where it goes.
    public var dropoffPlace: Place
    /// The area's rules.
    public var policies: Policies
    /// The area's travel model.
    public var travel: TravelModel
    /// The area's offset from UTC.
    public var offset: UTCOffset
    /// The moment of booking.
    public var now: Instant
    /// What each vehicle of the area can carry.
    public var fleet: [Capacity]
    /// The direct driving time from an imported road matrix, when it has the pair.
    public var directSeconds: Int?
    /// The direct driving time of the way back (drop-off to pickup place) from the matrix, when it
    /// has that pair: roads are not the same both ways (one-way streets, a turn across a highway).
    public var returnDirectSeconds: Int?

    /// Creates a context.
    public init(
        patient: Patient, pickupPlace: Place, dropoffPlace: Place, policies: Policies, travel: TravelModel,
        offset: UTCOffset, now: Instant, fleet: [Capacity], directSeconds: Int? = nil, returnDirectSeconds: Int? = nil
    ) {
        self.patient = patient
        self.pickupPlace = pickupPlace
        self.dropoffPlace = dropoffPlace
        self.policies = policies
        self.travel = travel
        self.offset = offset
        self.now = now
        self.fleet = fleet
        self.directSeconds = directSeconds
        self.returnDirectSeconds = returnDirectSeconds
    }
}

/// The pure rules that turn a booking request into trips: windows from the policies, and refusals
/// for what can never be served. Checks that need the store (double booking) live in the service.
public enum BookingRules {
    /// Builds the outbound trip and, when asked for, its return (not yet linked or stored).
    public static func makeTrips(_ request: BookingRequest, context: BookingContext) throws -> [Trip] {
        let policies = context.policies
        let companions = request.companions ?? context.patient.companions
        guard (0...Patient.maxCompanions).contains(companions) else {
            throw PhapaiError.invalid("companions", "OUT_OF_RANGE", Phrase("error.companions_range", ["max": "\(Patient.maxCompanions)"]))
        }
        guard request.from != request.to, context.pickupPlace.id != context.dropoffPlace.id else {
            throw PhapaiError.invalid("to", "SAME_PLACE", Phrase("error.same_place"))
        }
        try checkFleetCanCarry(mobility: context.patient.mobility, companions: companions, fleet: context.fleet)
        let notes = try request.notes.map { try TextRules.line($0, field: "notes", maxLength: TextRules.Limit.notes, required: false) }
            .flatMap { $0.isEmpty ? nil : $0 }

        let mobility = context.patient.mobility
        let boarding = policies.boardingSeconds(mobility)
        let direct = context.directSeconds ?? context.travel.seconds(context.pickupPlace.coordinate, context.dropoffPlace.coordinate)
        let maxRide = policies.maxRideSeconds(direct: direct)

        var outbound = Trip(
            id: nil, area: context.patient.area, patient: context.patient.id, direction: .outbound,
            pickupPlace: context.pickupPlace.id, dropoffPlace: context.dropoffPlace.id,
            serviceDate: context.offset.date(of: context.now), appointment: nil, requestedPickup: nil,
            pickupWindow: nil, dropoffWindow: nil, directSeconds: direct, maxRideSeconds: maxRide, mobility: mobility,
            companions: companions, funding: request.funding ?? context.patient.entitlement, status: .requested,
            willCall: false, linkedTrip: nil, standingOrder: nil, cancellationCode: nil, statusReason: nil, notes: notes,
            createdAt: context.now)

        let arrival: Instant
        switch request.timing {
        case .appointment(let appointment):
            try checkBookable(appointment, field: "appointment", context: context)
            let latestDropoff = appointment.adding(minutes: -policies.arriveBeforeAppointmentMinMinutes)
            let earliestDropoff = appointment.adding(minutes: -policies.arriveBeforeAppointmentMaxMinutes)
            // A promise to a patient is in whole minutes; rounding down keeps it on the safe side.
            let latestPickup = latestDropoff.adding(seconds: -(direct + boarding)).roundedDownToMinute
            let earliestPickup = latestPickup.adding(minutes: -policies.pickupWindowMinutes)
            guard latestPickup >= context.now else {
                throw PhapaiError.invalid(
                    "appointment", "TOO_SOON", Phrase("error.too_soon", ["latest": context.offset.format(latestPickup)]))
            }
            guard earliestPickup >= context.offset.startOfDay(context.offset.date(of: appointment)) else {
                throw PhapaiError.invalid(
                    "appointment", "CROSSES_MIDNIGHT", Phrase("error.crosses_midnight"))
            }
            outbound.appointment = appointment
            outbound.serviceDate = context.offset.date(of: appointment)
            outbound.pickupWindow = TimeWindow(earliest: earliestPickup, latest: latestPickup)
            outbound.dropoffWindow = TimeWindow(earliest: min(earliestDropoff, latestDropoff), latest: latestDropoff)
            arrival = appointment
        case .pickup(let pickup):
            try checkBookable(pickup, field: "pickup", context: context)
            let windows = pickupWindows(at: pickup, direct: direct, boarding: boarding, maxRide: maxRide, policies: policies)
            outbound.requestedPickup = pickup
            outbound.serviceDate = context.offset.date(of: pickup)
            outbound.pickupWindow = windows.pickup
            outbound.dropoffWindow = windows.dropoff
            arrival = windows.dropoff.latest
        }

        var trips = [outbound]
        var back = outbound
        back.direction = .return
        back.pickupPlace = outbound.dropoffPlace
        back.dropoffPlace = outbound.pickupPlace
        let backDirect = context.returnDirectSeconds ?? context.travel.seconds(context.dropoffPlace.coordinate, context.pickupPlace.coordinate)
        back.directSeconds = backDirect
        back.maxRideSeconds = policies.maxRideSeconds(direct: backDirect)
        back.appointment = nil
        back.requestedPickup = nil
        back.pickupWindow = nil
        back.dropoffWindow = nil
        switch request.returnLeg {
        case .none:
            break
        case .willCall:
            back.willCall = true
            let ready = request.willCallReady ?? arrival.adding(minutes: policies.willCallReadyMinutes)
            guard ready >= arrival else {
                throw PhapaiError.invalid(
                    "ready", "RETURN_BEFORE_ARRIVAL",
                    Phrase("error.ready_before_arrival", ["ready": context.offset.format(ready), "arrival": context.offset.format(arrival)]))
            }
            guard context.offset.date(of: ready) == outbound.serviceDate else {
                throw PhapaiError.invalid("ready", "RETURN_OTHER_DAY", Phrase("error.ready_next_day"))
            }
            // Expected from when the patient should be ready until the clinic closes (at least one
            // pickup window, and never past midnight).
            let lastMoment = context.offset.startOfDay(outbound.serviceDate.adding(days: 1)).adding(seconds: -1)
            let closing = context.offset.startOfDay(outbound.serviceDate).adding(minutes: policies.clinicClosingMinute)
            let latest = max(ready, min(max(closing, ready.adding(minutes: policies.pickupWindowMinutes)), lastMoment))
            back.releaseWindow = TimeWindow(earliest: ready, latest: latest)
            trips.append(back)
        case .at(let pickup):
            guard pickup >= arrival else {
                throw PhapaiError.invalid(
                    "return", "RETURN_BEFORE_ARRIVAL",
                    Phrase("error.return_before_arrival", ["pickup": context.offset.format(pickup), "arrival": context.offset.format(arrival)]))
            }
            guard context.offset.date(of: pickup) == outbound.serviceDate else {
                throw PhapaiError.invalid("return", "RETURN_OTHER_DAY", Phrase("error.return_other_day"))
            }
            let windows = pickupWindows(at: pickup, direct: backDirect, boarding: boarding, maxRide: back.maxRideSeconds, policies: policies)
            back.requestedPickup = pickup
            back.pickupWindow = windows.pickup
            back.dropoffWindow = windows.dropoff
            trips.append(back)
        }
        return trips
    }

    /// Refuses a patient whose space (plus companions' seats) no vehicle of the area can ever carry.
    public static func checkFleetCanCarry(mobility: Mobility, companions: Int, fleet: [Capacity]) throws {
        if fleet.contains(where: { $0.canCarry(Load(mobility: mobility, companions: companions)) }) { return }
        if fleet.contains(where: { $0.canCarry(Load(mobility: mobility, companions: 0)) }) {
            throw PhapaiError.invalid(
                "companions", "NO_CAPABLE_VEHICLE",
                Phrase("error.no_room_with_companions", ["mobility": mobility.rawValue, "companions": "\(companions)"]))
        }
        throw PhapaiError.invalid("mobility", "NO_CAPABLE_VEHICLE", Phrase("error.cannot_carry_mobility", ["mobility": mobility.rawValue]))
    }

    /// The windows of a trip asked for at a pickup moment: pickup in [t, t + window], drop-off
    /// between the direct arrival from the earliest pickup and the longest ride from the latest.
    static func pickupWindows(at pickup: Instant, direct: Int, boarding: Int, maxRide: Int, policies: Policies)
        -> (pickup: TimeWindow, dropoff: TimeWindow)
    {
        let latestPickup = pickup.adding(minutes: policies.pickupWindowMinutes)
        return (
            TimeWindow(earliest: pickup, latest: latestPickup),
            TimeWindow(earliest: pickup.adding(seconds: boarding + direct), latest: latestPickup.adding(seconds: boarding + maxRide))
        )
    }

    static func checkBookable(_ moment: Instant, field: String, context: BookingContext) throws {
        guard moment > context.now else {
            throw PhapaiError.invalid(field, "IN_PAST", Phrase("error.in_past", ["moment": context.offset.format(moment), "now": context.offset.format(context.now)]))
        }
        let today = context.offset.date(of: context.now)
        let lastDay = today.adding(days: context.policies.bookingHorizonDays)
        guard context.offset.date(of: moment) <= lastDay else {
            throw PhapaiError.invalid(
                field, "BEYOND_HORIZON", Phrase("error.beyond_horizon", ["days": "\(context.policies.bookingHorizonDays)", "until": lastDay.iso]))
        }
    }
}

/// A nearby time at which a refused booking would be accepted: checked by booking the whole journey
/// (both legs) in a trial that is then undone.
public struct BookingAlternative: Hashable, Sendable, CustomStringConvertible {
    /// The booking's timing moved (an appointment or a pickup at another moment).
    public var timing: BookingRequest.Timing
    /// The fixed return, moved by as much, when the booking has one.
    public var returnPickup: Instant?
    /// When the vehicle would come: the planned pickup on a planned day, else the window's start.
    public var pickup: Instant
    /// The vehicle that would take it, on a planned day.
    public var vehicle: String?
    /// The same in words, with local times.
    public var label: String

    /// Creates an alternative.
    public init(timing: BookingRequest.Timing, returnPickup: Instant?, pickup: Instant, vehicle: String?, label: String) {
        self.timing = timing
        self.returnPickup = returnPickup
        self.pickup = pickup
        self.vehicle = vehicle
        self.label = label
    }

    public var description: String { label }
}
