/// Service rules of an area. Defaults are those of DESIGN §2; each is configurable per area.
public struct Policies: Hashable, Sendable, Codable {
    /// Width of the pickup window promised to a patient, minutes.
    public var pickupWindowMinutes: Int
    /// Earliest arrival before an appointment, minutes (the window opens this long before).
    public var arriveBeforeAppointmentMaxMinutes: Int
    /// Latest arrival before an appointment, minutes.
    public var arriveBeforeAppointmentMinMinutes: Int
    /// Boarding or alighting time for a walking patient, minutes.
    public var boardingMinutesAmbulatory: Int
    /// Boarding or alighting time for a wheelchair user, minutes.
    public var boardingMinutesWheelchair: Int
    /// Boarding or alighting time for a stretcher patient, minutes.
    public var boardingMinutesStretcher: Int
    /// Maximum ride time = factor x direct time + added minutes.
    public var maxRideFactor: Double
    /// See ``maxRideFactor``.
    public var maxRideAddMinutes: Int
    /// How long a driver waits at the door before a no-show, minutes.
    public var noShowWaitMinutes: Int
    /// A cancellation later than this before pickup counts as late, minutes.
    public var lateCancellationMinutes: Int
    /// How far ahead bookings are accepted, days.
    public var bookingHorizonDays: Int
    /// How long after the appointment a will-call patient is expected to be ready, minutes: the
    /// start of the window in which the plan keeps a place for the return.
    public var willCallReadyMinutes: Int
    /// When clinics close, minutes after midnight: the end of that window.
    public var clinicClosingMinute: Int
    /// A pickup more than this far outside its promised window breaks the promise, minutes.
    public var promiseToleranceMinutes: Int
    /// How long past the end of a shift a driver may be asked to stay to bring home a patient who
    /// would otherwise be left at the hospital, minutes.
    public var maxOvertimeMinutes: Int

    /// The defaults of DESIGN §2.
    public static let defaults = Policies(
        pickupWindowMinutes: 30, arriveBeforeAppointmentMaxMinutes: 60, arriveBeforeAppointmentMinMinutes: 15,
        boardingMinutesAmbulatory: 2, boardingMinutesWheelchair: 5, boardingMinutesStretcher: 10,
        maxRideFactor: 1.5, maxRideAddMinutes: 20, noShowWaitMinutes: 5, lateCancellationMinutes: 120,
        bookingHorizonDays: 21, willCallReadyMinutes: 120, clinicClosingMinute: 16 * 60, promiseToleranceMinutes: 5,
        maxOvertimeMinutes: 180)

    /// Creates policies from every value.
    public init(
        pickupWindowMinutes: Int, arriveBeforeAppointmentMaxMinutes: Int, arriveBeforeAppointmentMinMinutes: Int,
        boardingMinutesAmbulatory: Int, boardingMinutesWheelchair: Int, boardingMinutesStretcher: Int, maxRideFactor: Double,
        maxRideAddMinutes: Int, noShowWaitMinutes: Int, lateCancellationMinutes: Int, bookingHorizonDays: Int,
        willCallReadyMinutes: Int, clinicClosingMinute: Int, promiseToleranceMinutes: Int, maxOvertimeMinutes: Int
    ) {
        self.pickupWindowMinutes = pickupWindowMinutes
        self.arriveBeforeAppointmentMaxMinutes = arriveBeforeAppointmentMaxMinutes
        self.arriveBeforeAppointmentMinMinutes = arriveBeforeAppointmentMinMinutes
        self.boardingMinutesAmbulatory = boardingMinutesAmbulatory
        self.boardingMinutesWheelchair = boardingMinutesWheelchair
        self.boardingMinutesStretcher = boardingMinutesStretcher
        self.maxRideFactor = maxRideFactor
        self.maxRideAddMinutes = maxRideAddMinutes
        self.noShowWaitMinutes = noShowWaitMinutes
        self.lateCancellationMinutes = lateCancellationMinutes
        self.bookingHorizonDays = bookingHorizonDays
        self.willCallReadyMinutes = willCallReadyMinutes
        self.clinicClosingMinute = clinicClosingMinute
        self.promiseToleranceMinutes = promiseToleranceMinutes
        self.maxOvertimeMinutes = maxOvertimeMinutes
    }

    private enum CodingKeys: String, CodingKey {
        case pickupWindowMinutes, arriveBeforeAppointmentMaxMinutes, arriveBeforeAppointmentMinMinutes, boardingMinutesAmbulatory,
            boardingMinutesWheelchair, boardingMinutesStretcher, maxRideFactor, maxRideAddMinutes, noShowWaitMinutes,
            lateCancellationMinutes, bookingHorizonDays, willCallReadyMinutes, clinicClosesAt, promiseToleranceMinutes, maxOvertimeMinutes
    }

    /// Decodes policies; the values added after the first release may be absent (areas stored
    /// before them, older policy files) and then take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = Policies.defaults
        pickupWindowMinutes = try c.decode(Int.self, forKey: .pickupWindowMinutes)
        arriveBeforeAppointmentMaxMinutes = try c.decode(Int.self, forKey: .arriveBeforeAppointmentMaxMinutes)
        arriveBeforeAppointmentMinMinutes = try c.decode(Int.self, forKey: .arriveBeforeAppointmentMinMinutes)
        boardingMinutesAmbulatory = try c.decode(Int.self, forKey: .boardingMinutesAmbulatory)
        boardingMinutesWheelchair = try c.decode(Int.self, forKey: .boardingMinutesWheelchair)
        boardingMinutesStretcher = try c.decode(Int.self, forKey: .boardingMinutesStretcher)
        maxRideFactor = try c.decode(Double.self, forKey: .maxRideFactor)
        maxRideAddMinutes = try c.decode(Int.self, forKey: .maxRideAddMinutes)
        noShowWaitMinutes = try c.decode(Int.self, forKey: .noShowWaitMinutes)
        lateCancellationMinutes = try c.decode(Int.self, forKey: .lateCancellationMinutes)
        bookingHorizonDays = try c.decode(Int.self, forKey: .bookingHorizonDays)
        willCallReadyMinutes = try c.decodeIfPresent(Int.self, forKey: .willCallReadyMinutes) ?? defaults.willCallReadyMinutes
        clinicClosingMinute = try c.decodeIfPresent(LocalTime.self, forKey: .clinicClosesAt)?.minutes ?? defaults.clinicClosingMinute
        promiseToleranceMinutes = try c.decodeIfPresent(Int.self, forKey: .promiseToleranceMinutes) ?? defaults.promiseToleranceMinutes
        maxOvertimeMinutes = try c.decodeIfPresent(Int.self, forKey: .maxOvertimeMinutes) ?? defaults.maxOvertimeMinutes
    }

    /// Encodes every value (the clinic's closing as `HH:MM`).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(pickupWindowMinutes, forKey: .pickupWindowMinutes)
        try c.encode(arriveBeforeAppointmentMaxMinutes, forKey: .arriveBeforeAppointmentMaxMinutes)
        try c.encode(arriveBeforeAppointmentMinMinutes, forKey: .arriveBeforeAppointmentMinMinutes)
        try c.encode(boardingMinutesAmbulatory, forKey: .boardingMinutesAmbulatory)
        try c.encode(boardingMinutesWheelchair, forKey: .boardingMinutesWheelchair)
        try c.encode(boardingMinutesStretcher, forKey: .boardingMinutesStretcher)
        try c.encode(maxRideFactor, forKey: .maxRideFactor)
        try c.encode(maxRideAddMinutes, forKey: .maxRideAddMinutes)
        try c.encode(noShowWaitMinutes, forKey: .noShowWaitMinutes)
        try c.encode(lateCancellationMinutes, forKey: .lateCancellationMinutes)
        try c.encode(bookingHorizonDays, forKey: .bookingHorizonDays)
        try c.encode(willCallReadyMinutes, forKey: .willCallReadyMinutes)
        try c.encode(LocalTime(minutes: clinicClosingMinute) ?? LocalTime(minutes: 16 * 60)!, forKey: .clinicClosesAt)
        try c.encode(promiseToleranceMinutes, forKey: .promiseToleranceMinutes)
        try c.encode(maxOvertimeMinutes, forKey: .maxOvertimeMinutes)
    }

    /// Boarding time for `mobility`, seconds.
    public func boardingSeconds(_ mobility: Mobility) -> Int {
        switch mobility {
        case .ambulatory: boardingMinutesAmbulatory * 60
        case .wheelchair: boardingMinutesWheelchair * 60
        case .stretcher: boardingMinutesStretcher * 60
        }
    }

    /// The longest ride allowed for a trip whose direct time is `directSeconds`, rounded up to a minute.
    public func maxRideSeconds(direct directSeconds: Int) -> Int {
        let seconds = maxRideFactor * Double(directSeconds) + Double(maxRideAddMinutes * 60)
        return Int((seconds / 60).rounded(.up)) * 60
    }

    /// Checks every value is in a sensible range, naming the first that is not.
    public func validate() throws {
        let ranges: [(String, Int, ClosedRange<Int>)] = [
            ("pickupWindowMinutes", pickupWindowMinutes, 5...180),
            ("arriveBeforeAppointmentMaxMinutes", arriveBeforeAppointmentMaxMinutes, 0...240),
            ("arriveBeforeAppointmentMinMinutes", arriveBeforeAppointmentMinMinutes, 0...240),
            ("boardingMinutesAmbulatory", boardingMinutesAmbulatory, 0...60),
            ("boardingMinutesWheelchair", boardingMinutesWheelchair, 0...60),
            ("boardingMinutesStretcher", boardingMinutesStretcher, 0...60),
            ("maxRideAddMinutes", maxRideAddMinutes, 0...240),
            ("noShowWaitMinutes", noShowWaitMinutes, 0...60),
            ("lateCancellationMinutes", lateCancellationMinutes, 0...2880),
            ("bookingHorizonDays", bookingHorizonDays, 1...366),
            ("willCallReadyMinutes", willCallReadyMinutes, 0...720),
            ("clinicClosesAt", clinicClosingMinute, 0...1439),
            ("promiseToleranceMinutes", promiseToleranceMinutes, 0...60),
            ("maxOvertimeMinutes", maxOvertimeMinutes, 0...600),
        ]
        for (field, value, range) in ranges where !range.contains(value) {
            throw PhapaiError.invalid(field, "OUT_OF_RANGE", "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        guard arriveBeforeAppointmentMinMinutes <= arriveBeforeAppointmentMaxMinutes else {
            throw PhapaiError.invalid("arriveBeforeAppointmentMinMinutes", "OUT_OF_RANGE", "must not exceed arriveBeforeAppointmentMaxMinutes")
        }
        guard maxRideFactor.isFinite, (1.0...5.0).contains(maxRideFactor) else {
            throw PhapaiError.invalid("maxRideFactor", "OUT_OF_RANGE", "must be between 1.0 and 5.0")
        }
    }

    /// The same policies with the values present in `overrides` replaced.
    public func merging(_ overrides: PolicyOverrides?) -> Policies {
        guard let o = overrides else { return self }
        var p = self
        p.pickupWindowMinutes = o.pickupWindowMinutes ?? p.pickupWindowMinutes
        p.arriveBeforeAppointmentMaxMinutes = o.arriveBeforeAppointmentMaxMinutes ?? p.arriveBeforeAppointmentMaxMinutes
        p.arriveBeforeAppointmentMinMinutes = o.arriveBeforeAppointmentMinMinutes ?? p.arriveBeforeAppointmentMinMinutes
        p.boardingMinutesAmbulatory = o.boardingMinutesAmbulatory ?? p.boardingMinutesAmbulatory
        p.boardingMinutesWheelchair = o.boardingMinutesWheelchair ?? p.boardingMinutesWheelchair
        p.boardingMinutesStretcher = o.boardingMinutesStretcher ?? p.boardingMinutesStretcher
        p.maxRideFactor = o.maxRideFactor ?? p.maxRideFactor
        p.maxRideAddMinutes = o.maxRideAddMinutes ?? p.maxRideAddMinutes
        p.noShowWaitMinutes = o.noShowWaitMinutes ?? p.noShowWaitMinutes
        p.lateCancellationMinutes = o.lateCancellationMinutes ?? p.lateCancellationMinutes
        p.bookingHorizonDays = o.bookingHorizonDays ?? p.bookingHorizonDays
        p.willCallReadyMinutes = o.willCallReadyMinutes ?? p.willCallReadyMinutes
        p.clinicClosingMinute = o.clinicClosesAt?.minutes ?? p.clinicClosingMinute
        p.promiseToleranceMinutes = o.promiseToleranceMinutes ?? p.promiseToleranceMinutes
        p.maxOvertimeMinutes = o.maxOvertimeMinutes ?? p.maxOvertimeMinutes
        return p
    }
}

/// Per-area changes to ``Policies``; absent values keep the defaults.
public struct PolicyOverrides: Hashable, Sendable, Codable {
    public var pickupWindowMinutes: Int?
    public var arriveBeforeAppointmentMaxMinutes: Int?
    public var arriveBeforeAppointmentMinMinutes: Int?
    public var boardingMinutesAmbulatory: Int?
    public var boardingMinutesWheelchair: Int?
    public var boardingMinutesStretcher: Int?
    public var maxRideFactor: Double?
    public var maxRideAddMinutes: Int?
    public var noShowWaitMinutes: Int?
    public var lateCancellationMinutes: Int?
    public var bookingHorizonDays: Int?
    public var willCallReadyMinutes: Int?
    public var clinicClosesAt: LocalTime?
    public var promiseToleranceMinutes: Int?
    public var maxOvertimeMinutes: Int?

    /// The keys of a policies file, listed so that strict decoding (``ConfigShape``) knows them.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case pickupWindowMinutes, arriveBeforeAppointmentMaxMinutes, arriveBeforeAppointmentMinMinutes, boardingMinutesAmbulatory,
            boardingMinutesWheelchair, boardingMinutesStretcher, maxRideFactor, maxRideAddMinutes, noShowWaitMinutes,
            lateCancellationMinutes, bookingHorizonDays, willCallReadyMinutes, clinicClosesAt, promiseToleranceMinutes, maxOvertimeMinutes
    }

    /// The shape of its JSON object, for strict decoding.
    public static let shape = ConfigShape.object(CodingKeys.self)
}
