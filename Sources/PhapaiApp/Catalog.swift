import PhapaiCore

/// One option of a command: a value (`--name VALUE` on the command line, `name=VALUE` on the
/// wire), or a flag when `valueName` is nil (`--name`, `name=yes`). Its help is in the catalogues
/// under ``key`` (`help.trip.book.appointment`), in Thai and English.
public struct OptionSpec: Sendable {
    public let name: String
    public let valueName: String?
    public let required: Bool
    /// The catalogue key of its help; nil until its ``CommandSpec`` names it after the command.
    public internal(set) var key: String?

    /// An option that takes a value; `key` names a help shared by several commands.
    public static func value(_ name: String, _ valueName: String, key: String? = nil, required: Bool = false) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, required: required, key: key)
    }

    /// A yes/no option; `key` names a help shared by several commands.
    public static func flag(_ name: String, key: String? = nil) -> OptionSpec {
        OptionSpec(name: name, valueName: nil, required: false, key: key)
    }

    /// Whether the option is a flag.
    public var isFlag: Bool { valueName == nil }

    /// Its help in `words`' language.
    public func help(_ words: Words) -> String { words(key ?? "help.option." + name) }

    /// Its help in English, as error details are written.
    public var help: String { help(Words(.en)) }
}

/// A positional argument of the command line; on the wire it is the key `name` in lower case.
public struct PositionalSpec: Sendable {
    public let name: String
    public let required: Bool
    /// The catalogue key of its help; nil until its ``CommandSpec`` names it after the command.
    public internal(set) var helpKey: String?

    /// Creates a positional argument; `key` names a help shared by several commands.
    public init(name: String, key: String? = nil, required: Bool) {
        self.name = name
        self.required = required
        helpKey = key
    }

    /// Its key on the wire.
    public var key: String { name.lowercased() }

    /// Its help in `words`' language.
    public func help(_ words: Words) -> String { words(helpKey ?? "help.arg." + key) }

    /// Its help in English, as error details are written.
    public var help: String { help(Words(.en)) }
}

/// The words and arguments of a command: what the CLI parses and prints as help, and what the
/// wire accepts as keys. Its texts are in the catalogues under `help.<words>.`: `summary`,
/// `details` (when it has them), each option's name and each argument's `arg.<name>`.
public struct CommandSpec: Sendable {
    /// The command's words: `["trip", "book"]`.
    public let path: [String]
    public let positionals: [PositionalSpec]
    public let options: [OptionSpec]
    /// Whether the help has a paragraph of details after the summary.
    public let hasDetails: Bool

    /// Creates a spec; `words` is the command's words separated by spaces. Options and arguments
    /// without a help key of their own get `help.<words>.<name>` and `help.<words>.arg.<name>`.
    public init(_ words: String, positionals: [PositionalSpec] = [], options: [OptionSpec] = [], details: Bool = false) {
        path = words.split(separator: " ").map(String.init)
        let base = "help." + path.joined(separator: ".")
        self.positionals = positionals.map { positional in
            var positional = positional
            if positional.helpKey == nil { positional.helpKey = base + ".arg." + positional.key }
            return positional
        }
        self.options = options.map { option in
            var option = option
            if option.key == nil { option.key = base + "." + option.name }
            return option
        }
        hasDetails = details
    }

    /// The words joined: `trip book`.
    public var name: String { path.joined(separator: " ") }

    /// The catalogue keys of its texts.
    public var summaryKey: String { "help." + path.joined(separator: ".") + ".summary" }
    public var detailsKey: String { "help." + path.joined(separator: ".") + ".details" }

    /// The one-line summary in `words`' language.
    public func summary(_ words: Words) -> String { words(summaryKey) }
    /// The paragraph of details in `words`' language, if it has one.
    public func details(_ words: Words) -> String? { hasDetails ? words(detailsKey) : nil }

    /// Every catalogue key its help uses.
    public var helpKeys: [String] {
        [summaryKey] + (hasDetails ? [detailsKey] : []) + positionals.compactMap(\.helpKey) + options.compactMap(\.key)
    }
}

/// How a result is shown: text for people, or JSON, CSV, HTML for programs and printing.
public enum OutputFormat: String, Sendable, CaseIterable {
    case text, json, csv, html
}

/// Every command of the shared language, the same on the command line and on the wire. Its
/// identity is what roles are granted (``AccessPolicy``); its spec is what is parsed.
public enum Command: String, CaseIterable, Sendable {
    case placeAdd = "place add"
    case placeList = "place list"
    case patientAdd = "patient add"
    case patientShow = "patient show"
    case patientList = "patient list"
    case patientFind = "patient find"
    case patientEdit = "patient edit"
    case vehicleAdd = "vehicle add"
    case vehicleList = "vehicle list"
    case driverAdd = "driver add"
    case driverList = "driver list"
    case driverLink = "driver link"
    case driverUnlink = "driver unlink"
    case shiftAdd = "shift add"
    case shiftList = "shift list"
    case tripBook = "trip book"
    case tripShow = "trip show"
    case tripList = "trip list"
    case tripCancel = "trip cancel"
    case tripStatus = "trip status"
    case tripReady = "trip ready"
    case tripAssign = "trip assign"
    case tripLock = "trip lock"
    case tripUnlock = "trip unlock"
    case tripMove = "trip move"
    case standingAdd = "standing add"
    case standingList = "standing list"
    case standingHold = "standing hold"
    case standingEnd = "standing end"
    case standingMaterialise = "standing materialise"
    case audit
    case plan
    case runs
    case runShow = "run show"
    case report
    case reportFunder = "report funder"
    case userAdd = "user add"
    case userList = "user list"
    case userRevoke = "user revoke"
    case attention
    case dayClose = "day close"
    case calls
    case areaList = "area list"
    case areaPool = "area pool"

    /// The command whose words are `path`.
    public init?(path: [String]) {
        self.init(rawValue: path.joined(separator: " "))
    }

    /// The command's words.
    public var path: [String] { rawValue.split(separator: " ").map(String.init) }

    /// Whether the command only reads.
    public var isRead: Bool {
        switch self {
        case .placeList, .patientShow, .patientList, .patientFind, .vehicleList, .driverList, .shiftList, .tripShow, .tripList,
             .standingList, .audit, .runs, .runShow, .report, .reportFunder, .userList, .attention, .areaList:
            true
        default:
            false
        }
    }

    /// Whether the command takes a client's request id (`rid`): every write but `user add`, whose
    /// answer holds a token that is shown once and never stored, and `plan`, which searches for
    /// seconds off the server's loop and must not hold the database meanwhile (as keeping its
    /// answer with its write would); planning a day again is itself safe.
    public var takesRequestID: Bool { !isRead && self != .userAdd && self != .driverLink && self != .plan }

    /// Why the command takes no `rid` (nil when it takes one), naming the field and the rule.
    public var requestIDRefusal: PhapaiError? {
        if takesRequestID { return nil }
        if self == .userAdd || self == .driverLink {
            return PhapaiError.usage("'\(rawValue)' takes no rid: its reply holds a secret, which is never stored", field: "rid")
        }
        if self == .plan {
            return PhapaiError.usage(
                "'plan' takes no rid: a plan starts from the day's runs and keeps its promises, so a retry may simply plan again", field: "rid")
        }
        return PhapaiError.usage("'\(rawValue)' only reads and takes no rid: a read may simply be repeated", field: "rid")
    }

    /// The formats the command can render besides text and JSON.
    public var extraFormats: [OutputFormat] {
        switch self {
        case .runShow, .calls: [.csv, .html]
        case .report: [.csv, .html]
        case .reportFunder: [.csv]
        default: []
        }
    }

    /// Its words, help and arguments.
    public var spec: CommandSpec { Catalog.specs[self]! }
}

/// The specs of every ``Command``.
enum Catalog {
    static let json = OptionSpec.flag("json", key: "help.option.json")
    static let csv = OptionSpec.flag("csv", key: "help.option.csv")
    /// Every column on one line, where the default fits a 100-column terminal.
    static let wide = OptionSpec.flag("wide", key: "help.option.wide")
    static let rid = OptionSpec.value("rid", "ID", key: "help.option.rid")
    static let tripID = PositionalSpec(name: "ID", key: "help.arg.trip", required: true)

    static let specs: [Command: CommandSpec] = {
        var all: [Command: CommandSpec] = [:]
        for command in Command.allCases {
            let base = spec(command)
            // Every write can be retried safely, and every command can answer in JSON, writes included.
            let options = base.options + (command.takesRequestID ? [rid] : []) + [json]
            all[command] = CommandSpec(base.name, positionals: base.positionals, options: options, details: base.hasDetails)
        }
        return all
    }()

    // The help texts are in the catalogues (help.<words>.summary, .<option>, .arg.<name>, .details),
    // in Thai and English; the wire shows the same keys without the dashes.
    static func spec(_ command: Command) -> CommandSpec {
        switch command {
        case .placeAdd:
            CommandSpec(
                "place add",
                options: [
                    .value("id", "ID", required: true),
                    .value("kind", "KIND", required: true),
                    .value("name", "TEXT", required: true),
                    .value("moo", "N"),
                    .value("lat", "DEGREES", required: true),
                    .value("lon", "DEGREES", required: true),
                    .value("address", "TEXT"),
                ])
        case .placeList:
            CommandSpec("place list", options: [.value("kind", "KIND")])
        case .patientAdd:
            CommandSpec(
                "patient add",
                options: [
                    .value("id", "ID", required: true),
                    .value("name", "TEXT", required: true),
                    .value("phone", "PHONE", required: true),
                    .value("village", "PLACE", required: true),
                    .value("home", "PLACE"),
                    .value("address", "TEXT"),
                    .value("mobility", "MOBILITY", required: true),
                    .value("companions", "N"),
                    .value("entitlement", "E", required: true),
                    .value("registered", "DATE"),
                    .value("notes", "TEXT"),
                ])
        case .patientShow:
            CommandSpec(
                "patient show",
                positionals: [PositionalSpec(name: "ID", required: true)], options: [wide])
        case .patientList:
            CommandSpec("patient list", options: [.value("village", "PLACE")])
        case .patientFind:
            CommandSpec(
                "patient find",
                positionals: [PositionalSpec(name: "TEXT", required: true)])
        case .patientEdit:
            CommandSpec(
                "patient edit",
                positionals: [PositionalSpec(name: "ID", required: true)],
                options: [
                    .value("name", "TEXT"), .value("phone", "PHONE"),
                    .value("address", "TEXT"), .value("home", "PLACE"),
                    .value("village", "PLACE"), .value("mobility", "MOBILITY"),
                    .value("companions", "N"),
                    .value("notes", "TEXT"),
                    .value("entitlement", "E"),
                ])
        case .vehicleAdd:
            CommandSpec(
                "vehicle add",
                options: [
                    .value("id", "ID", required: true),
                    .value("name", "TEXT", required: true),
                    .value("plate", "TEXT"),
                    .value("seats", "N", required: true),
                    .value("wheelchairs", "N"),
                    .value("stretchers", "N"),
                    .value("fold-seats", "N"),
                    .value("depot", "PLACE", required: true),
                    .value("cost-per-km", "BAHT", required: true),
                ])
        case .vehicleList:
            CommandSpec("vehicle list")
        case .driverAdd:
            CommandSpec(
                "driver add",
                options: [
                    .value("id", "ID", required: true), .value("name", "TEXT", required: true),
                    .value("phone", "PHONE", required: true),
                ])
        case .driverList:
            CommandSpec("driver list")
        case .driverLink:
            CommandSpec("driver link", positionals: [PositionalSpec(name: "ID", required: true)], options: [.value("base", "URL")], details: true)
        case .driverUnlink:
            CommandSpec("driver unlink", positionals: [PositionalSpec(name: "ID", required: true)])
        case .shiftAdd:
            CommandSpec(
                "shift add",
                options: [
                    .value("driver", "ID", required: true), .value("vehicle", "ID", required: true),
                    .value("date", "DATE", required: true), .value("start", "HH:MM", required: true),
                    .value("end", "HH:MM", required: true), .value("break", "HH:MM-HH:MM"),
                ])
        case .shiftList:
            CommandSpec(
                "shift list",
                options: [.value("date", "DATE"), .value("from", "DATE"), .value("to", "DATE")])
        case .tripBook:
            CommandSpec(
                "trip book",
                options: [
                    .value("patient", "ID", required: true),
                    .value("from", "PLACE"),
                    .value("to", "PLACE", required: true),
                    .value("appointment", "'DATE HH:MM'"),
                    .value("pickup", "'DATE HH:MM'"),
                    .value("return", "HH:MM|'DATE HH:MM'"),
                    .flag("will-call"),
                    .value("ready", "HH:MM"),
                    .value("companions", "N"),
                    .value("funding", "E"),
                    .value("notes", "TEXT"),
                ],
                details: true)
        case .tripShow:
            CommandSpec("trip show", positionals: [tripID], options: [wide])
        case .tripList:
            CommandSpec(
                "trip list",
                options: [
                    .value("date", "DATE"), .value("status", "STATUS"),
                    .value("patient", "ID"),
                    .flag("wide"),
                ])
        case .tripCancel:
            CommandSpec("trip cancel", positionals: [tripID],
                options: [
                    .value("reason", "TEXT", required: true),
                    .flag("at-door"),
                ])
        case .tripStatus:
            CommandSpec(
                "trip status",
                positionals: [tripID, PositionalSpec(name: "ACTION", required: true)],
                options: [.value("at", "HH:MM|'DATE HH:MM'"), .value("odometer", "KM")])
        case .tripReady:
            CommandSpec(
                "trip ready",
                positionals: [PositionalSpec(name: "ID", required: true)],
                options: [.value("at", "HH:MM")])
        case .tripAssign:
            CommandSpec("trip assign", positionals: [tripID],
                options: [.value("vehicle", "ID", required: true)])
        case .tripLock:
            CommandSpec("trip lock", positionals: [tripID])
        case .tripUnlock:
            CommandSpec("trip unlock", positionals: [tripID])
        case .tripMove:
            CommandSpec(
                "trip move",
                positionals: [PositionalSpec(name: "ID", required: true)],
                options: [
                    .value("appointment", "'DATE HH:MM'"), .value("pickup", "'DATE HH:MM'"),
                    .value("return", "HH:MM"),
                    .flag("will-call"),
                ])
        case .standingAdd:
            CommandSpec(
                "standing add",
                options: [
                    .value("patient", "ID", required: true),
                    .value("from", "PLACE"),
                    .value("to", "PLACE", required: true),
                    .value("days", "DAYS", required: true),
                    .value("appointment", "HH:MM", required: true),
                    .value("start", "DATE"),
                    .value("until", "DATE"),
                    .value("return", "HH:MM"),
                    .flag("will-call"),
                    .value("companions", "N"),
                    .value("funding", "E"),
                    .value("notes", "TEXT"),
                ])
        case .standingList:
            CommandSpec("standing list")
        case .standingHold:
            CommandSpec(
                "standing hold",
                positionals: [PositionalSpec(name: "ID", required: true)],
                options: [
                    .value("from", "DATE", required: true), .value("to", "DATE", required: true),
                    .value("reason", "TEXT", required: true),
                ])
        case .standingEnd:
            CommandSpec(
                "standing end",
                positionals: [PositionalSpec(name: "ID", required: true)],
                options: [.value("from", "DATE", required: true)])
        case .standingMaterialise:
            CommandSpec("standing materialise")
        case .audit:
            CommandSpec(
                "audit",
                options: [.value("entity", "KIND:ID"), .value("limit", "N"), wide])
        case .plan:
            CommandSpec(
                "plan",
                options: [
                    .value("date", "DATE", required: true),
                    .value("time", "SECONDS"),
                    .value("iterations", "N"),
                    .value("threads", "N"),
                ])
        case .runs:
            CommandSpec(
                "runs",
                options: [.value("date", "DATE", required: true), .value("driver", "ID")])
        case .runShow:
            CommandSpec(
                "run show",
                options: [
                    .value("date", "DATE", required: true), .value("vehicle", "ID", required: true), csv,
                    .flag("html"), wide,
                ])
        case .report:
            CommandSpec(
                "report",
                options: [
                    .value("from", "DATE", required: true), .value("to", "DATE", required: true),
                    .value("by", "village|funding|vehicle|area"), .flag("csv"),
                    .flag("wide"), .flag("meeting"), .flag("html"),
                ],
                details: true)
        case .reportFunder:
            CommandSpec(
                "report funder",
                options: [.value("month", "YYYY-MM", required: true), .flag("csv")])
        case .userAdd:
            CommandSpec(
                "user add",
                positionals: [PositionalSpec(name: "NAME", required: true)],
                options: [
                    .value("role", "ROLE", required: true),
                    .value("area", "ID,ID,..."), .value("driver", "ID"),
                ])
        case .userList:
            CommandSpec("user list")
        case .userRevoke:
            CommandSpec("user revoke", positionals: [PositionalSpec(name: "NAME", required: true)])
        case .attention:
            CommandSpec(
                "attention",
                options: [.value("date", "DATE"), wide])
        case .dayClose:
            CommandSpec(
                "day close",
                options: [.value("date", "DATE", required: true)])
        case .calls:
            CommandSpec(
                "calls",
                options: [.value("date", "DATE"), csv, .flag("html"), wide])
        case .areaList:
            CommandSpec("area list")
        case .areaPool:
            CommandSpec(
                "area pool",
                positionals: [PositionalSpec(name: "AREA", required: true)],
                options: [.value("pool", "NAME"), .flag("none")])
        }
    }

    /// Options every command takes, on the command line and on the wire.
    static let shared: [OptionSpec] = [
        .value("area", "ID", key: "help.option.area"),
        .value("era", "common|buddhist", key: "help.option.era"),
        .value("lang", "th|en", key: "help.option.lang"),
    ]
}

extension Command {
    /// Options every command takes besides its own: `area` and `era`.
    public static var sharedOptions: [OptionSpec] { Catalog.shared }
}
