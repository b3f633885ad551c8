import PhapaiCore

/// One option of a command: a value (`--name VALUE` on the command line, `name=VALUE` on the
/// wire), or a flag when `valueName` is nil (`--name`, `name=yes`).
public struct OptionSpec: Sendable {
    public let name: String
    public let valueName: String?
    public let help: String
    public let required: Bool

    /// An option that takes a value.
    public static func value(_ name: String, _ valueName: String, _ help: String, required: Bool = false) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help, required: required)
    }

    /// A yes/no option.
    public static func flag(_ name: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: nil, help: help, required: false)
    }

    /// Whether the option is a flag.
    public var isFlag: Bool { valueName == nil }
}

/// A positional argument of the command line; on the wire it is the key `name` in lower case.
public struct PositionalSpec: Sendable {
    public let name: String
    public let help: String
    public let required: Bool

    /// Creates a positional argument.
    public init(name: String, help: String, required: Bool) {
        self.name = name
        self.help = help
        self.required = required
    }

    /// Its key on the wire.
    public var key: String { name.lowercased() }
}

/// The words, help and arguments of a command: what the CLI parses and prints as help, and what
/// the wire accepts as keys.
public struct CommandSpec: Sendable {
    /// The command's words: `["trip", "book"]`.
    public let path: [String]
    public let summary: String
    public let positionals: [PositionalSpec]
    public let options: [OptionSpec]
    public let details: String?

    /// Creates a spec; `words` is the command's words separated by spaces.
    public init(_ words: String, _ summary: String, positionals: [PositionalSpec] = [], options: [OptionSpec] = [], details: String? = nil) {
        path = words.split(separator: " ").map(String.init)
        self.summary = summary
        self.positionals = positionals
        self.options = options
        self.details = details
    }

    /// The words joined: `trip book`.
    public var name: String { path.joined(separator: " ") }
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
    static let json = OptionSpec.flag("json", "print the result as JSON (see docs/cli.md)")
    static let csv = OptionSpec.flag("csv", "print CSV (UTF-8 with BOM, for spreadsheets)")
    static let rid = OptionSpec.value(
        "rid", "ID", "request id (1-64 of A-Z a-z 0-9 . _ : -): a retry with the same id prints the first answer and does nothing more")
    static let tripID = PositionalSpec(name: "ID", help: "trip number", required: true)

    static let specs: [Command: CommandSpec] = {
        var all: [Command: CommandSpec] = [:]
        for command in Command.allCases {
            let base = spec(command)
            // Every write can be retried safely, and every command can answer in JSON, writes included.
            let options = base.options + (command.takesRequestID ? [rid] : []) + [json]
            all[command] = CommandSpec(base.name, base.summary, positionals: base.positionals, options: options, details: base.details)
        }
        return all
    }()

    // Help texts are the CLI's; the wire shows the same keys without the dashes.
    static func spec(_ command: Command) -> CommandSpec {
        switch command {
        case .placeAdd:
            CommandSpec(
                "place add", "Add a place (village, hospital, health centre, depot, landmark, home)",
                options: [
                    .value("id", "ID", "place code", required: true),
                    .value("kind", "KIND", "village, hospital, health_centre, depot, landmark or home", required: true),
                    .value("name", "TEXT", "name", required: true),
                    .value("moo", "N", "หมู่ที่ number (villages)"),
                    .value("lat", "DEGREES", "latitude", required: true),
                    .value("lon", "DEGREES", "longitude", required: true),
                    .value("address", "TEXT", "address"),
                ])
        case .placeList:
            CommandSpec("place list", "List places", options: [.value("kind", "KIND", "only this kind")])
        case .patientAdd:
            CommandSpec(
                "patient add", "Register a patient",
                options: [
                    .value("id", "ID", "patient code", required: true),
                    .value("name", "TEXT", "full name", required: true),
                    .value("phone", "PHONE", "phone number", required: true),
                    .value("village", "PLACE", "village place code", required: true),
                    .value("home", "PLACE", "home place code (default: the village)"),
                    .value("address", "TEXT", "directions to the house"),
                    .value("mobility", "MOBILITY", "ambulatory, wheelchair or stretcher", required: true),
                    .value("companions", "N", "usual number of relatives travelling along (0-4, default 1)"),
                    .value("entitlement", "E", "tambon_health_fund, disability, ltc_dependency, self_pay or community_copay", required: true),
                    .value("registered", "DATE", "registration date (default today)"),
                    .value("notes", "TEXT", "notes for drivers"),
                ])
        case .patientShow:
            CommandSpec(
                "patient show", "Show a patient and their upcoming trips",
                positionals: [PositionalSpec(name: "ID", help: "patient code", required: true)])
        case .patientList:
            CommandSpec("patient list", "List registered patients", options: [.value("village", "PLACE", "only this village")])
        case .patientFind:
            CommandSpec(
                "patient find", "Find patients by name, code or phone digits",
                positionals: [PositionalSpec(name: "TEXT", help: "part of a name, code or phone number", required: true)])
        case .patientEdit:
            CommandSpec(
                "patient edit", "Correct a patient's details; a new mobility or home follows into their upcoming trips",
                positionals: [PositionalSpec(name: "ID", help: "patient code", required: true)],
                options: [
                    .value("name", "TEXT", "full name"), .value("phone", "PHONE", "phone number"),
                    .value("address", "TEXT", "directions to the house (empty to clear)"), .value("home", "PLACE", "home place code"),
                    .value("village", "PLACE", "village place code"), .value("mobility", "MOBILITY", "ambulatory, wheelchair or stretcher"),
                    .value("companions", "N", "usual number of relatives travelling along (0-4)"),
                    .value("notes", "TEXT", "notes for drivers (empty to clear)"),
                    .value("entitlement", "E", "tambon_health_fund, disability, ltc_dependency, self_pay or community_copay"),
                ])
        case .vehicleAdd:
            CommandSpec(
                "vehicle add", "Add a vehicle",
                options: [
                    .value("id", "ID", "vehicle code", required: true),
                    .value("name", "TEXT", "name", required: true),
                    .value("plate", "TEXT", "registration plate"),
                    .value("seats", "N", "passenger seats", required: true),
                    .value("wheelchairs", "N", "wheelchair positions (default 0)"),
                    .value("stretchers", "N", "stretcher positions (default 0)"),
                    .value("fold-seats", "N", "seats gained by folding an unused wheelchair position (default 0)"),
                    .value("depot", "PLACE", "depot place code", required: true),
                    .value("cost-per-km", "BAHT", "operating cost per km", required: true),
                ])
        case .vehicleList:
            CommandSpec("vehicle list", "List vehicles")
        case .driverAdd:
            CommandSpec(
                "driver add", "Add a driver",
                options: [
                    .value("id", "ID", "driver code", required: true), .value("name", "TEXT", "full name", required: true),
                    .value("phone", "PHONE", "phone number", required: true),
                ])
        case .driverList:
            CommandSpec("driver list", "List drivers")
        case .driverLink:
            CommandSpec(
                "driver link", "Give a driver a personal link that opens their run of the day on a phone; prints it once",
                positionals: [PositionalSpec(name: "ID", help: "driver code", required: true)],
                options: [
                    .value("base", "URL", "where drivers reach the driver web face, e.g. https://phapai.example.go.th (default $PHAPAI_DRIVER_URL; without it the path alone)"),
                ],
                details: """
                    The link opens phapaid's driver web face ("driverWeb" in config/phapaid.json; docs/deployment.md): the
                    driver's run for the day with buttons for arrive, picked up, dropped off and no-show. Only a hash of it is
                    stored. A new link replaces the driver's old one; 'driver unlink' revokes it.
                    """)
        case .driverUnlink:
            CommandSpec(
                "driver unlink", "Revoke a driver's link: it opens nothing any more",
                positionals: [PositionalSpec(name: "ID", help: "driver code", required: true)])
        case .shiftAdd:
            CommandSpec(
                "shift add", "Add a shift: a driver on a vehicle for a day",
                options: [
                    .value("driver", "ID", "driver code", required: true), .value("vehicle", "ID", "vehicle code", required: true),
                    .value("date", "DATE", "day (YYYY-MM-DD)", required: true), .value("start", "HH:MM", "start", required: true),
                    .value("end", "HH:MM", "end", required: true), .value("break", "HH:MM-HH:MM", "break inside the shift"),
                ])
        case .shiftList:
            CommandSpec(
                "shift list", "List shifts (default: today and the next 6 days)",
                options: [.value("date", "DATE", "one day"), .value("from", "DATE", "first day"), .value("to", "DATE", "last day")])
        case .tripBook:
            CommandSpec(
                "trip book", "Book a ride (and its return)",
                options: [
                    .value("patient", "ID", "patient code", required: true),
                    .value("from", "PLACE", "pickup place (default: the patient's home)"),
                    .value("to", "PLACE", "destination", required: true),
                    .value("appointment", "'DATE HH:MM'", "appointment to arrive for"),
                    .value("pickup", "'DATE HH:MM'", "requested pickup time (instead of --appointment)"),
                    .value("return", "HH:MM|'DATE HH:MM'", "return pickup time, the same day"),
                    .flag("will-call", "return when the clinic calls (time unknown)"),
                    .value("ready", "HH:MM", "will-call: when the patient is expected ready (default: the area's clinic time after the appointment)"),
                    .value("companions", "N", "relatives travelling along (default: the patient's usual)"),
                    .value("funding", "E", "who pays (default: the patient's entitlement)"),
                    .value("notes", "TEXT", "notes for the driver"),
                ],
                details: "Exactly one of --appointment and --pickup. The pickup window follows the area's policies. "
                    + "On a planned day both legs are placed at once, or the booking is refused with times that would fit.")
        case .tripShow:
            CommandSpec("trip show", "Show one trip", positionals: [tripID])
        case .tripList:
            CommandSpec(
                "trip list", "List trips (default: today)",
                options: [
                    .value("date", "DATE", "day of travel"), .value("status", "STATUS", "only this status"),
                    .value("patient", "ID", "only this patient (all days unless --date)"),
                    .flag("wide", "every column (the default fits a 100-column terminal)"),
                ])
        case .tripCancel:
            CommandSpec(
                "trip cancel", "Cancel a trip (and its pending return)", positionals: [tripID],
                options: [
                    .value("reason", "TEXT", "why (required)", required: true),
                    .flag("at-door", "cancelled at the door when the vehicle came"),
                ])
        case .tripStatus:
            CommandSpec(
                "trip status", "Record what the driver reports: arrive, pickup, dropoff, noshow, or undo the last report",
                positionals: [tripID, PositionalSpec(name: "ACTION", help: "arrive, pickup, dropoff, noshow or undo", required: true)],
                options: [.value("at", "HH:MM|'DATE HH:MM'", "when it happened (default now)"), .value("odometer", "KM", "odometer reading")])
        case .tripReady:
            CommandSpec(
                "trip ready", "The clinic called: release a will-call return and place it in the day's runs",
                positionals: [PositionalSpec(name: "ID", help: "trip number of the return", required: true)],
                options: [.value("at", "HH:MM", "ready from (default now)")])
        case .tripAssign:
            CommandSpec(
                "trip assign", "Pin a trip to a vehicle; planning keeps it there", positionals: [tripID],
                options: [.value("vehicle", "ID", "the vehicle", required: true)])
        case .tripLock:
            CommandSpec("trip lock", "Lock a trip on its run: it and the stops before it keep their order when re-planning", positionals: [tripID])
        case .tripUnlock:
            CommandSpec("trip unlock", "Unlock a trip and the stops after it on its run", positionals: [tripID])
        case .tripMove:
            CommandSpec(
                "trip move", "Move a journey (both legs) to another time; the old booking stays if the new time does not fit",
                positionals: [PositionalSpec(name: "ID", help: "trip number (either leg)", required: true)],
                options: [
                    .value("appointment", "'DATE HH:MM'", "the new appointment"), .value("pickup", "'DATE HH:MM'", "the new pickup time"),
                    .value("return", "HH:MM", "the return's new pickup time (default: moved by as much)"),
                    .flag("will-call", "the return becomes will-call"),
                ])
        case .standingAdd:
            CommandSpec(
                "standing add", "Add a standing order (a recurring trip) and materialise its trips",
                options: [
                    .value("patient", "ID", "patient code", required: true),
                    .value("from", "PLACE", "pickup place (default: home)"),
                    .value("to", "PLACE", "destination", required: true),
                    .value("days", "DAYS", "weekdays, e.g. mon,wed,fri or mon-fri", required: true),
                    .value("appointment", "HH:MM", "appointment time on those days", required: true),
                    .value("start", "DATE", "first day (default today)"),
                    .value("until", "DATE", "last day (default: open-ended)"),
                    .value("return", "HH:MM", "return pickup time"),
                    .flag("will-call", "return when the clinic calls"),
                    .value("companions", "N", "relatives travelling along (default: the patient's usual)"),
                    .value("funding", "E", "who pays (default: the patient's entitlement)"),
                    .value("notes", "TEXT", "notes for the driver"),
                ])
        case .standingList:
            CommandSpec("standing list", "List standing orders and their holds")
        case .standingHold:
            CommandSpec(
                "standing hold", "Pause a standing order (e.g. patient admitted) and cancel its trips in that span",
                positionals: [PositionalSpec(name: "ID", help: "standing order number", required: true)],
                options: [
                    .value("from", "DATE", "first day paused", required: true), .value("to", "DATE", "last day paused", required: true),
                    .value("reason", "TEXT", "why", required: true),
                ])
        case .standingEnd:
            CommandSpec(
                "standing end", "End a standing order from a day on; its trips from then on are cancelled",
                positionals: [PositionalSpec(name: "ID", help: "standing order number", required: true)],
                options: [.value("from", "DATE", "the first day without trips", required: true)])
        case .standingMaterialise:
            CommandSpec("standing materialise", "Create the trips of every standing order over the booking horizon")
        case .audit:
            CommandSpec(
                "audit", "Show the audit log, newest first",
                options: [.value("entity", "KIND:ID", "only this object, e.g. trip:12"), .value("limit", "N", "how many (default 50)")])
        case .plan:
            CommandSpec(
                "plan", "Plan a day: assign the booked trips to the vehicles on shift, with routes and times",
                options: [
                    .value("date", "DATE", "the day to plan", required: true),
                    .value("time", "SECONDS", "how long to search (default 5)"),
                    .value("iterations", "N", "stop after N search iterations: the same plan on any machine"),
                ])
        case .runs:
            CommandSpec(
                "runs", "Overview of the day's runs, one line per vehicle and shift",
                options: [.value("date", "DATE", "the day", required: true), .value("driver", "ID", "only this driver's runs")])
        case .runShow:
            CommandSpec(
                "run show", "A driver's manifest: stops in order with times, patients, places and notes",
                options: [
                    .value("date", "DATE", "the day", required: true), .value("vehicle", "ID", "the vehicle", required: true), csv,
                    .flag("html", "print a printable A4 HTML page"),
                ])
        case .report:
            CommandSpec(
                "report", "Service figures over days: served, denied, cancelled, no-shows, punctuality, ride times, vehicle use",
                options: [
                    .value("from", "DATE", "first day", required: true), .value("to", "DATE", "last day", required: true),
                    .value("by", "village|funding|vehicle|area", "one row per group (area: the province table, one row per area and the total)"), .flag("csv", "print CSV"),
                    .flag("wide", "every column (the default fits a 100-column terminal)"),
                    .flag("meeting", "the meeting report: in total, by village, by funding, by vehicle and by month at once (text or JSON)"),
                    .flag("html", "the meeting report as a page in Thai with charts (A4, or a phone)"),
                ],
                details: "--html (and --meeting) report one area with every grouping at once, so they take no --by.")
        case .reportFunder:
            CommandSpec(
                "report funder", "Patients and trips served per entitlement in a month, for the funder",
                options: [.value("month", "YYYY-MM", "the month", required: true), .flag("csv", "print CSV")])
        case .userAdd:
            CommandSpec(
                "user add", "Add a user who logs in to the server; prints their token once",
                positionals: [PositionalSpec(name: "NAME", help: "login name", required: true)],
                options: [
                    .value("role", "ROLE", "admin, dispatcher, driver or planner", required: true),
                    .value("area", "ID,ID,...", "areas of a dispatcher"), .value("driver", "ID", "the driver a driver's login stands for"),
                ])
        case .userList:
            CommandSpec("user list", "List users (never their tokens)")
        case .userRevoke:
            CommandSpec("user revoke", "Revoke a user's token", positionals: [PositionalSpec(name: "NAME", help: "login name", required: true)])
        case .attention:
            CommandSpec(
                "attention", "Trips that need a call: lost or late promises, patients without a ride home, overdue stops, unserved bookings",
                options: [.value("date", "DATE", "the day (default today)")])
        case .dayClose:
            CommandSpec(
                "day close", "Close a day that is over: trips nobody reported become 'missed', returns of trips not performed are closed",
                options: [.value("date", "DATE", "the day", required: true)])
        case .calls:
            CommandSpec(
                "calls", "The night-before call list: each patient's pickup window, vehicle and driver, return; what changed since the last list, what needs attention",
                options: [.value("date", "DATE", "the day to call about (default tomorrow)"), csv, .flag("html", "print a page (A4, or a phone)")])
        case .areaList:
            CommandSpec("area list", "List the areas of the database: their code prefix and pool")
        case .areaPool:
            CommandSpec(
                "area pool", "Put an area in a pool whose fleets plan as one (from its next plan on), or take it out",
                positionals: [PositionalSpec(name: "AREA", help: "the area", required: true)],
                options: [.value("pool", "NAME", "the pool to join"), .flag("none", "take the area out of its pool")])
        }
    }

    /// Options every command takes, on the command line and on the wire.
    static let shared: [OptionSpec] = [
        .value("area", "ID", "the area to act on when the database holds several"),
        .value("era", "common|buddhist", "how years are shown (default common, or $PHAPAI_ERA); input accepts both"),
    ]
}

extension Command {
    /// Options every command takes besides its own: `area` and `era`.
    public static var sharedOptions: [OptionSpec] { Catalog.shared }
}
