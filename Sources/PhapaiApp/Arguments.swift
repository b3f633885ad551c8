import PhapaiCore

/// The arguments of one command as given (`key=value` on the wire, options and positionals on the
/// command line), with typed accessors whose errors name the field and the rule.
public struct Arguments: Sendable, Equatable {
    /// Values by key; a flag's value is `yes`.
    public private(set) var values: [String: String]

    /// Arguments from values by key.
    public init(_ values: [String: String] = [:]) { self.values = values }

    /// The raw value of `key`.
    public subscript(key: String) -> String? {
        get { values[key] }
        set { values[key] = newValue }
    }

    /// Checks that every key is one `command` takes, that every required one is given and that
    /// flags say `yes`. The command line checks the same in its own words before it gets here.
    func check(for command: Command) throws {
        let spec = command.spec
        let options = spec.options + Command.sharedOptions
        for key in values.keys.sorted() {
            if key == "rid", let refusal = command.requestIDRefusal { throw refusal }
            if let option = options.first(where: { $0.name == key }) {
                if option.isFlag, values[key] != "yes" {
                    throw PhapaiError.usage("\(key) is a flag: it takes only yes", field: key)
                }
            } else if !spec.positionals.contains(where: { $0.key == key }) {
                throw PhapaiError.usage("'\(spec.name)' has no argument \(key)", field: key)
            }
        }
        for positional in spec.positionals where positional.required && values[positional.key] == nil {
            throw PhapaiError.usage("'\(spec.name)' needs \(positional.key) (\(positional.help))", field: positional.key)
        }
        for option in spec.options where option.required && values[option.name] == nil {
            throw PhapaiError.usage("'\(spec.name)' needs \(option.name) (\(option.help))", field: option.name)
        }
    }

    /// Whether the flag `name` is set.
    public func flag(_ name: String) -> Bool { values[name] == "yes" }

    /// A value that must be there (the catalogue marks it required, so `check` has seen it).
    func required(_ name: String) throws -> String {
        guard let value = values[name] else { throw PhapaiError.usage("\(name) is needed", field: name) }
        return value
    }

    /// A whole number.
    func int(_ name: String) throws -> Int? {
        guard let text = values[name] else { return nil }
        guard let number = Int(text) else { throw PhapaiError.invalid(name, "NOT_A_NUMBER", "'\(text)' is not a whole number") }
        return number
    }

    /// A finite number.
    func double(_ name: String) throws -> Double? {
        guard let text = values[name] else { return nil }
        guard let number = Double(text), number.isFinite else {
            throw PhapaiError.invalid(name, "NOT_A_NUMBER", "'\(text)' is not a number")
        }
        return number
    }

    /// A calendar day (`YYYY-MM-DD`, Buddhist-era years accepted).
    func date(_ name: String) throws -> LocalDate? {
        try values[name].map { try LocalDate.parse($0, field: name) }
    }

    /// A time of day (`HH:MM`).
    func time(_ name: String) throws -> LocalTime? {
        try values[name].map { try LocalTime.parse($0, field: name) }
    }

    /// A moment in the area's local time (`YYYY-MM-DD HH:MM`, or `HH:MM` on `day`).
    func instant(_ name: String, offset: UTCOffset, day: LocalDate? = nil) throws -> Instant? {
        try values[name].map { try offset.parseDateTime($0, field: name, defaultDate: day) }
    }

    /// A code (patient, place, vehicle, driver, area).
    func code<T: CodeIdentifier>(_ name: String, as type: T.Type = T.self) throws -> T? {
        try values[name].map { try T.parse($0, field: name) }
    }

    /// A number (trip, standing order).
    func serial<T: SerialIdentifier>(_ name: String, as type: T.Type = T.self) throws -> T? {
        try values[name].map { try T.parse($0, field: name) }
    }

    /// The output format asked for: at most one of json, csv and html, each only where the command has it.
    func format(for command: Command) throws -> OutputFormat {
        let asked = OutputFormat.allCases.filter { $0 != .text && flag($0.rawValue) }
        guard asked.count <= 1 else {
            throw PhapaiError.usage("give at most one of \(asked.map(\.rawValue).joined(separator: ", "))", field: asked.last!.rawValue)
        }
        return asked.first ?? .text
    }
}
