import PhapaiCore
import PhapaiService

/// The words of one language: what `phapai` and the wire's data lines say to people, looked up in
/// the language's catalogue (``Catalogue/thai``, ``Catalogue/english``) by a stable dotted key,
/// with named placeholders (`{trip}`) filled in.
///
/// ```swift
/// let words = Words(.th)
/// words("booked.window", ["window": "07:00-07:30"])   // "รับระหว่าง 07:00-07:30"
/// ```
///
/// Every key the code names exists in both catalogues, with the same placeholders: the catalogue
/// test reads the sources for `words("...")` and checks each key, and checks the keys made from
/// enum values (``mobility(_:)`` and the like) over every case.
public struct Words: Sendable {
    /// The language of the words.
    public let language: Language

    /// The words of `language`.
    public init(_ language: Language) { self.language = language }

    /// The catalogue of `language`.
    public static func catalogue(_ language: Language) -> [String: String] {
        switch language {
        case .th: Catalogue.thai
        case .en: Catalogue.english
        }
    }

    /// The text of `key` with each `{name}` replaced by `values[name]`. A key missing from the
    /// language falls back to English (the catalogue test makes sure none is missing).
    public func callAsFunction(_ key: String, _ values: [String: any CustomStringConvertible] = [:]) -> String {
        guard let template = Self.catalogue(language)[key] ?? Catalogue.english[key] else {
            assertionFailure("no catalogue entry \(key)")
            return key
        }
        return Self.fill(template, values)
    }

    /// The text of `key` if the catalogue has it (keys made from what a server or a newer version
    /// sends, such as an error keyword).
    public func optional(_ key: String, _ values: [String: any CustomStringConvertible] = [:]) -> String? {
        guard let template = Self.catalogue(language)[key] ?? Catalogue.english[key] else { return nil }
        return Self.fill(template, values)
    }

    /// `template` with its placeholders filled.
    static func fill(_ template: String, _ values: [String: any CustomStringConvertible]) -> String {
        guard template.contains("{") else { return template }
        var text = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            text += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = String(rest[rest.index(after: open)..<close])
            if let value = values[name] {
                text += value.description
            } else {
                assertionFailure("no value for {\(name)}")
                text += "{\(name)}"
            }
            rest = rest[rest.index(after: close)...]
        }
        return text + rest
    }

    /// The placeholder names of a template: `{trip}` gives `trip`.
    public static func placeholders(_ template: String) -> Set<String> {
        var names = Set<String>()
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.insert(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    // MARK: Names of values

    /// How a patient moves.
    public func mobility(_ value: Mobility) -> String { self("mobility." + value.rawValue) }
    /// Where a trip is in its life.
    public func status(_ value: TripStatus) -> String { self("status." + value.rawValue) }
    /// Why a trip was cancelled.
    public func cancellation(_ value: CancellationCode) -> String { self("cancellation." + value.rawValue) }
    /// Who pays.
    public func entitlement(_ value: Entitlement) -> String { self("entitlement." + value.rawValue) }
    /// What a place is.
    public func placeKind(_ value: PlaceKind) -> String { self("place.kind." + value.rawValue) }
    /// Out or back.
    public func direction(_ value: TripDirection) -> String { self("direction." + value.rawValue) }
    /// Out or back, in a table's narrow column.
    public func directionShort(_ value: TripDirection) -> String { self("direction.short." + value.rawValue) }
    /// Pick up or drop off.
    public func stopAction(_ value: RunStop.Action) -> String { self("stop." + value.rawValue) }
    /// Why a trip needs a call.
    public func attention(_ value: AttentionItem.Kind) -> String { self("attention.kind." + value.rawValue) }
    /// What a user may do.
    public func role(_ value: User.Role) -> String { self("role." + value.rawValue) }
    /// A weekday's short name.
    public func weekday(_ value: Weekday) -> String { self("weekday." + value.shortName) }
    /// Weekdays, short names joined by commas.
    public func weekdays(_ values: [Weekday]) -> String { values.map(weekday).joined(separator: ",") }

    /// A status with its cancellation code, if any: `cancelled (late)`.
    public func status(of trip: Trip) -> String {
        status(trip.status) + (trip.cancellationCode.map { " (\(cancellation($0)))" } ?? "")
    }

    /// A reason the service gave (``Phrase``) in the language: each template from the catalogue's
    /// `phrase.<key>`, codes and times as they are, values named after a kind (`status`) in
    /// words; text a person typed, or an old reason stored as English, as written.
    public func phrase(_ phrase: Phrase) -> String {
        phrase.render(template: { Self.catalogue(language)["phrase." + $0] ?? Phrase.englishTemplates[$0] }) { name, code in
            switch Phrase.kind(of: name) {
            case "status": TripStatus(rawValue: code).map(status) ?? code
            case "mobility" where language != .en: Mobility(rawValue: code).map(mobility) ?? code
            case "weekday" where language != .en: Weekday.allCases.first { $0.shortName == code }.map(weekday) ?? code
            default: Phrase.englishValue(name, code)
            }
        }
    }

    /// A reason in the language, or `fallback` when there is none.
    public func phrase(_ phrase: Phrase?, or fallback: String = "") -> String { phrase.map(self.phrase) ?? fallback }

    /// An error's detail in the language, for any face (the command line, the driver's page): its
    /// ``PhapaiError/phrase`` when it has one, else its English ``PhapaiError/message`` (in
    /// English always the message, word for word as the wire and JSON carry it). Dates in it are
    /// ISO (common era): ``LocalFormat/text(_:)`` shows them in an output's era.
    public func detail(of error: PhapaiError) -> String {
        language == .en ? error.message : phrase(error.phrase, or: error.message)
    }

    /// Why a plan changed.
    public func cause(_ cause: PlanCause) -> String {
        switch cause {
        case .plan: self("cause.plan")
        case .lateReport(let trip, let minutes): self("cause.late_report", ["trip": trip, "minutes": minutes])
        case .lateArrival(let trip, let minutes): self("cause.late_arrival", ["trip": trip, "minutes": minutes])
        case .noShow(let trip): self("cause.no_show", ["trip": trip])
        case .cancellation(let trip): self("cause.cancellation", ["trip": trip])
        case .booking: self("cause.booking")
        case .release(let trip): self("cause.release", ["trip": trip])
        case .undo(let trip): self("cause.undo", ["trip": trip])
        case .assignment(let trip): self("cause.assignment", ["trip": trip])
        case .move(let trip): self("cause.move", ["trip": trip])
        case .patientEdit(let patient): self("cause.patient_edit", ["patient": patient])
        }
    }

    /// The keys made from values rather than written in the code, for the catalogue test.
    public static var derivedKeys: [String] {
        Mobility.allCases.map { "mobility." + $0.rawValue } + TripStatus.allCases.map { "status." + $0.rawValue }
            + CancellationCode.allCases.map { "cancellation." + $0.rawValue } + Entitlement.allCases.map { "entitlement." + $0.rawValue }
            + PlaceKind.allCases.map { "place.kind." + $0.rawValue }
            + ["outbound", "return"].flatMap { ["direction." + $0, "direction.short." + $0] }
            + ["pickup", "dropoff"].map { "stop." + $0 } + AttentionItem.Kind.allCases.map { "attention.kind." + $0.rawValue }
            + User.Role.allCases.map { "role." + $0.rawValue }
            + Weekday.allCases.map { "weekday." + $0.shortName }
            + ["plan", "late_report", "late_arrival", "no_show", "cancellation", "booking", "release", "undo", "assignment", "move", "patient_edit"]
                .map { "cause." + $0 }
            + AttentionItem.Kind.allCases.map { "attention.say." + $0.rawValue }
            + ManifestFormat.csvColumns.map { "csv.manifest." + $0 } + CallsFormat.csvColumns.map { "csv.calls." + $0 }
            + (ReportGrouping.allCases.map(\.rawValue) + ["none"]).map { "report.col.by." + $0 }
            + Renderer.reportColumns.map { "report.col." + $0 }
            + ReportPageText.derivedKeys
            + Phrase.englishTemplates.keys.map { "phrase." + $0 }
    }
}

/// The catalogues: one per language, each a dictionary from key to text (Strings/Thai.swift,
/// Strings/English.swift).
public enum Catalogue {}
