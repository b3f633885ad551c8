/// A sentence the service says about a trip (why no vehicle can take it, why a return was closed,
/// why a promise broke) as a typed value: a template key, the values of its placeholders and the
/// sub-phrases it lists. Text in a language is a rendering of it: ``english`` here (what the
/// database's `status_reason`, JSON and wire fields carry), any other language through the
/// catalogue of the app layer, under `phrase.<key>`.
///
/// ```swift
/// let reason = Phrase("unserved.obstacles", parts: [Phrase("obstacle.vehicles", ["vehicles": "VAN1"], parts: [Phrase("obstacle.full")])])
/// reason.english   // "no vehicle can take it: VAN1: is full at that time with other passengers"
/// ```
///
/// Templates name values in braces: `{trip}`; `{parts}` is every sub-phrase joined by
/// ``separator``; `{part1}`, `{part2}` one sub-phrase each. Values are codes, numbers and times,
/// shown as they are, except those named after a kind of value (``namedKinds``: `status`,
/// `status_left`...), which hold the value's code and are shown in the reader's words.
/// Text someone typed, or an old reason stored as plain English, is a ``text(_:)`` phrase: shown
/// as written in every language.
public struct Phrase: Hashable, Sendable, Codable {
    /// The template's key (`unserved.obstacles`); ``textKey`` for text shown as written.
    public var key: String
    /// The placeholders' values by name.
    public var values: [String: String]
    /// The sub-phrases: listed by `{parts}`, or one each by `{part1}`, `{part2}`.
    public var parts: [Phrase]

    /// A phrase of template `key`.
    public init(_ key: String, _ values: [String: String] = [:], parts: [Phrase] = []) {
        self.key = key
        self.values = values
        self.parts = parts
    }

    /// The key of text shown as written.
    public static let textKey = "text"

    /// Text shown as written in every language: what a person typed, or a reason stored before
    /// reasons were phrases.
    public static func text(_ text: String) -> Phrase { Phrase(textKey, ["text": text]) }

    /// The text itself when the phrase is text shown as written.
    public var writtenText: String? { key == Self.textKey ? values["text"] ?? "" : nil }

    /// What joins the sub-phrases of `{parts}`.
    public static let separator = "; "

    /// The kinds of value whose code a placeholder may hold to be shown in the reader's words: a
    /// value named `status` or `status_<anything>` holds a ``TripStatus`` code, one named
    /// `weekday` a ``Weekday``'s short name (`tue`, in English `Tuesday`), one named `mobility` a
    /// ``Mobility`` code.
    public static let namedKinds = ["status", "weekday", "mobility"]

    /// The kind of value a placeholder holds, if it is named after one.
    public static func kind(of name: String) -> String? {
        namedKinds.first { name == $0 || name.hasPrefix($0 + "_") }
    }

    /// The phrase in English, as stored and sent.
    public var english: String {
        render(template: { Self.englishTemplates[$0] }, value: Self.englishValue)
    }

    /// How a named value reads in English: a status as its code, a weekday by its full name.
    public static func englishValue(_ name: String, _ code: String) -> String {
        switch kind(of: name) {
        case "weekday": Weekday.allCases.first { $0.shortName == code }.map { $0.fullName.capitalized } ?? code
        default: code
        }
    }

    /// The phrase rendered with `template` (a key's template, nil when unknown: the key is shown)
    /// and `value` (how a named value reads: name and code in, words out).
    public func render(template: (String) -> String?, value: (String, String) -> String) -> String {
        if let writtenText { return writtenText }
        guard let text = template(key) else { return key }
        let rendered = parts.map { $0.render(template: template, value: value) }
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            if name == "parts" {
                out += rendered.joined(separator: Self.separator)
            } else if name.hasPrefix("part"), let index = Int(name.dropFirst(4)), index >= 1 {
                out += index <= rendered.count ? rendered[index - 1] : ""
            } else if let raw = values[name] {
                out += Self.kind(of: name) == nil ? raw : value(name, raw)
            } else {
                out += "{\(name)}"
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    // MARK: Codable: the empty values and parts are left out (a trip's reason is stored as JSON)

    enum CodingKeys: String, CodingKey { case key, values, parts }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(String.self, forKey: .key)
        values = try container.decodeIfPresent([String: String].self, forKey: .values) ?? [:]
        parts = try container.decodeIfPresent([Phrase].self, forKey: .parts) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
        if !values.isEmpty { try container.encode(values, forKey: .values) }
        if !parts.isEmpty { try container.encode(parts, forKey: .parts) }
    }
}

extension Phrase {
    /// The English templates by key: the words the service has always used. The app's English
    /// catalogue holds them under `phrase.<key>`, the Thai one holds their Thai.
    public static let englishTemplates: [String: String] = [
        // Why no vehicle can take a trip (the planner's explanation, per vehicle).
        "unserved.no_vehicle": "no vehicle can take it",
        "unserved.promise_first": "no vehicle can take it without breaking a promise to another patient",
        "unserved.no_shift_for_assigned": "the vehicle it is assigned to has no shift that day",
        "unserved.no_shift": "no vehicle is on shift",
        "unserved.all_full": "no vehicle has room at that time ({vehicles} are full)",
        "unserved.obstacles": "no vehicle can take it: {parts}",
        "unserved.leg.outbound": "its outbound trip (trip {trip}) cannot be served: {parts}",
        "unserved.leg.return": "its return (trip {trip}) cannot be served: {parts}",
        "unserved.leg_and_own": "{part1}; and on its own, {part2}",
        "obstacle.vehicles": "{vehicles}: {parts}",
        "obstacle.vehicles.more": "{vehicles} and {more} more: {parts}",
        "obstacle.capacity": "cannot carry {parts}",
        "obstacle.shift": "cannot be there in time within its shift ({start}-{end})",
        "obstacle.ride_time": "cannot keep within the ride-time limit of {minutes} min",
        "obstacle.break": "its driver's break {from}-{to} is in the way",
        "obstacle.under_way": "its stops already under way leave no time",
        "obstacle.full": "is full at that time with other passengers",
        "load.ambulatory": "an ambulatory patient",
        "load.wheelchair": "a wheelchair patient",
        "load.stretcher": "a stretcher patient",
        "load.ambulatory.companions": "an ambulatory patient with {companions} companion(s)",
        "load.wheelchair.companions": "a wheelchair patient with {companions} companion(s)",
        "load.stretcher.companions": "a stretcher patient with {companions} companion(s)",
        // Promises broken.
        "promise.late": "no vehicle can reach the pickup by {latest}; {vehicle} comes at {at}",
        "promise.arrived_late": "the vehicle came at {at}; the patient was told {earliest}-{latest}",
        // Trips closed or cancelled by the service.
        "return.closed": "the outbound trip {trip} was not performed ({status})",
        "return.closed.no_show": "the outbound trip {trip} was not performed (no-show)",
        "standing.on_hold": "standing order on hold: {reason}",
        "standing.ended": "standing order ended",
        "standing.holiday": "public holiday {name_th} ({name_en}): no trip made",
        "standing.holiday.made_before": "public holiday {name_th} ({name_en}): its trips were made before the holiday was in the calendar; check them",
        "release.not_planned": "the day is not planned yet",
        // Trips that need a call.
        "attention.return_at_risk": "the patient is at the clinic and has no ride home: {parts}",
        "attention.return_at_risk.kept": "the patient is at the clinic and no place is kept for the ride home: {parts}",
        "attention.no_vehicle": "no vehicle",
        "attention.lost_place": "lost its vehicle: {parts}",
        "attention.late": "{vehicle} comes at {at}, {minutes} min after the window told ({earliest}-{latest})",
        "attention.overdue": "no report from {vehicle} since the planned pickup at {at}",
        "attention.not_called": "the clinic has not called; the patient was expected ready by {latest}",
        "attention.unserved": "no vehicle: {parts}",
        "attention.not_placed": "not placed yet",
        "attention.late_for_appointment": "{vehicle} drops the patient off at {at}, {minutes} min after the appointment at {appointment}: tell the clinic",
        "attention.replan_failed": "re-planning failed at {at} ({detail}); the runs may be out of date: plan the day again",
        // Trips closed at the end of the day.
        "closed.left_over": "its outbound trip {trip} was not performed ({status}); the return was left {status_left}",
        "closed.never_called": "the clinic never called for the return",
        "closed.no_vehicle": "no vehicle took it: {parts}",
        "closed.not_planned": "not planned",
        "closed.not_reported": "not reported by the end of the day",
        "closed.not_reported.run": "not reported by the end of the day (on {vehicle}'s run)",
        // What a dispatcher should check on a day (`plan`, `runs`).
        "warning.patient_overlap": "patient {patient} is double-booked: trips {trip} and {other} overlap",
        "warning.driver_overlap": "driver {driver} is double-booked: shifts {shift} and {other} overlap",
        "warning.cannot_carry": "trip {trip} is assigned to {vehicle}, which cannot carry {parts}",
        // Why the service refused (an error's detail; the catalogue's error.KEYWORD is the rule).
        "error.in_past": "{moment} is in the past (now {now})",
        "error.beyond_horizon": "bookings are taken up to {days} days ahead (until {until})",
        "error.too_soon": "the patient would have to be picked up by {latest}, which has passed",
        "error.crosses_midnight": "the pickup would start on the day before the appointment; book a pickup time on that day instead",
        "error.companions_range": "must be between 0 and {max}",
        "error.same_place": "the drop-off must differ from the pickup place",
        "error.ready_before_arrival": "the patient cannot be ready at {ready}, before the outbound arrival {arrival}",
        "error.ready_next_day": "the patient would be ready only on the next day; book a return for that day instead",
        "error.return_before_arrival": "the return pickup {pickup} is before the outbound arrival {arrival}",
        "error.return_time_before_appointment": "the return time {time} is not after the appointment {appointment}",
        "error.return_other_day": "the return must be on the same day as the outbound trip; book another trip for a later day",
        "error.no_room_with_companions": "no vehicle of the area has room for a {mobility} patient with {companions} companion(s)",
        "error.cannot_carry_mobility": "no vehicle of the area can carry a {mobility} patient",
        "error.no_shift": "no vehicle is on shift on {weekday} {date}",
        "error.no_capable_shift": "no vehicle on shift on {weekday} {date} can carry {parts}",
        "error.outside_shifts": "no vehicle that can carry {parts} works at {time} on {weekday} {date} (shifts: {shifts})",
        "error.outside_shifts.ready": "the patient is expected ready at {time}, after every vehicle that can carry {parts} stops (shifts: {shifts}); book a return time or another day",
        "error.double_booking": "patient {patient} already has trip {trip} at {at} overlapping this booking",
        "error.double_booking.will_call": "patient {patient} already has trip {trip} at {date} (will-call) overlapping this booking",
        "error.no_capacity": "the planned day has no room for this journey: {parts}",
        "error.no_capacity.none_near": "{parts}; no nearby time fits either",
        "error.unknown_trip": "no trip {trip}",
        "error.unknown_patient": "no registered patient {patient}",
        "error.unknown_place": "no place {place}",
        "error.unknown_place.area": "no place {place} in the area",
        "error.unknown_vehicle": "no vehicle {vehicle}",
        "error.not_a_village": "{place} is not a village",
        "error.not_a_village.area": "{place} is not a village of the area",
        "error.report_in_future": "a report cannot be dated after now",
        "error.not_released": "trip {trip} is a will-call return the clinic has not called for yet; the clinic's call comes first (trip ready {trip})",
        "error.cannot_arrive": "cannot arrive for a trip that is {status}",
        "error.cannot_arrive.reported": "cannot arrive for a trip that is {status} (already reported)",
        "error.cannot_pick_up": "cannot pick up a trip that is {status}",
        "error.outbound_not_done": "the patient has not been brought to the clinic yet: trip {trip} is {status}",
        "error.not_picked_up": "no drop-off before pick-up: the trip is {status}",
        "error.not_arrived": "a no-show needs the driver's arrival first (trip is {status})",
        "error.too_early_for_no_show": "the driver waits {minutes} min after arriving at {arrived}: not before {earliest}",
        "error.nothing_to_undo": "trip {trip} has no report to undo",
        "error.day_closed": "{date} was closed at {at}; its trips' reports are final",
        "error.day_closed.missed": "trip {trip} was marked missed when its day was closed; its reports are final",
        "error.return_under_way": "the return trip {trip} already has reports (it is {status}); undo those first",
        "error.not_reassignable": "trip {trip} is {status}: only a trip not yet under way can be reassigned",
        "error.vehicle_cannot_carry": "{vehicle} cannot carry {parts}",
        "error.not_planned": "trip {trip} is on no run; plan its day first",
        "error.not_planned.unlock": "trip {trip} is on no run",
        "error.already_under_way": "trip {trip} has driver reports; its stops stay locked",
        "error.not_will_call": "trip {trip} is not a will-call return",
        "error.already_released": "trip {trip} was already released",
        "error.return_booked_for": "the return is booked for {date}",
        "error.transition": "cannot go from {status} to {status_next}: {parts}",
        "error.transition.completed": "the trip is already completed",
        "error.transition.on_board": "the patient is already on board",
        "error.transition.closed": "the trip is already closed as {status}",
        "error.transition.invalid": "that is not a valid next step",
        "error.cannot_follow": "trip {trip} on {date} cannot follow the change: {parts}; move or cancel it first",
        "error.invalid_date": "'{text}' is not a date in the form YYYY-MM-DD",
        "error.invalid_date.calendar": "'{text}' is not a day of the calendar",
        "error.invalid_month": "'{text}' is not a month in the form YYYY-MM",
        "error.invalid_time": "'{text}' is not a time in the form HH:MM",
        "error.invalid_time.of_day": "'{text}' is not a time of day (00:00-23:59)",
        "error.invalid_time.range": "'{text}' is not HH:MM-HH:MM",
        "error.invalid_datetime": "'{text}' is not a local date and time in the form 'YYYY-MM-DD HH:MM'",
        "error.required.weekday": "give at least one weekday",
        "error.required.moo": "a village needs its หมู่ที่ number",
        "error.required.break": "give both the break start and the break end",
        "error.required.dispatcher_area": "a dispatcher works for at least one area",
        "error.required.driver": "a driver's login names the driver it stands for",
    ]
}
