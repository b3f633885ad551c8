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

    /// The defaults of DESIGN §2.
    public static let defaults = Policies(
        pickupWindowMinutes: 30, arriveBeforeAppointmentMaxMinutes: 60, arriveBeforeAppointmentMinMinutes: 15,
        boardingMinutesAmbulatory: 2, boardingMinutesWheelchair: 5, boardingMinutesStretcher: 10,
        maxRideFactor: 1.5, maxRideAddMinutes: 20, noShowWaitMinutes: 5, lateCancellationMinutes: 120,
        bookingHorizonDays: 21)

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
}
