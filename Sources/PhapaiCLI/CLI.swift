import Foundation
import PhapaiApp
import PhapaiCore
import PhapaiService

/// Where the CLI writes: standard output and standard error, replaceable in tests.
public struct Console: Sendable {
    /// Writes a line to standard output.
    public var out: @Sendable (String) -> Void
    /// Writes a line to standard error.
    public var err: @Sendable (String) -> Void

    /// The process's standard output and error.
    public static let standard = Console(
        out: { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) },
        err: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })

    /// Creates a console from two line writers.
    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void) {
        self.out = out
        self.err = err
    }
}

/// The documented exit codes of `phapai`.
public enum ExitCode: Int32, Sendable {
    /// Done.
    case success = 0
    /// The command line is malformed (unknown command or option, missing argument).
    case usage = 1
    /// The input was refused by a rule (format, range, policy).
    case inputRefused = 2
    /// A referenced object does not exist.
    case notFound = 3
    /// The input clashes with what is stored (double booking, invalid transition, duplicate).
    case conflict = 4
    /// The database could not be opened, read or written (or the server could not be reached).
    case storage = 5
    /// The server's login may not do that (its role or reach).
    case notAllowed = 6

    /// The exit code for an error category.
    public init(_ category: PhapaiError.Category) {
        switch category {
        case .usage: self = .usage
        case .invalidInput: self = .inputRefused
        case .notFound: self = .notFound
        case .conflict: self = .conflict
        case .storage: self = .storage
        case .notAllowed: self = .notAllowed
        }
    }
}

/// The `phapai` dispatcher CLI. Embedded by default: it runs the application in-process on a
/// local SQLite file; with `--server` the same command runs on `phapaid` and prints the same.
public enum PhapaiCLI {
    /// Runs one invocation (`arguments` excludes the program name) and returns its exit code.
    /// What it prints is in the language of `--lang`, `$PHAPAI_LANG` or the area (Thai by default).
    public static func run(_ arguments: [String], environment: [String: String], console: Console = .standard) -> Int32 {
        // The language errors are told in until the area's is known.
        var language = Self.language(asked: arguments, environment: environment) ?? .th
        var era = Self.era(asked: arguments, environment: environment) ?? .usual(for: language)
        do {
            let parsed = try ParsedArguments.parse(arguments)
            guard let command = parsed.command else {
                console.out(Help.overview(group: parsed.commandWords, words: Words(language)))
                let asked = parsed.flags.contains("help") || parsed.commandWords.isEmpty
                return asked ? ExitCode.success.rawValue : ExitCode.usage.rawValue
            }
            if parsed.flags.contains("help") {
                console.out(Help.text(command.spec, words: Words(language)))
                return ExitCode.success.rawValue
            }
            try parsed.checkArity(command.spec)
            switch command {
            case .local(let local):
                let context = try CLIContext(parsed: parsed, environment: environment, console: console)
                defer { (language, era) = (context.knownLanguage ?? language, context.knownEra ?? era) }
                try LocalCommands.run(local, parsed: parsed, context: context)
            case .shared(let shared):
                let commandArguments = parsed.arguments(for: shared.spec, environment: environment)
                if let address = parsed.values["server"] ?? environment["PHAPAI_SERVER"] {
                    let token = try token(parsed, environment)
                    print(try RemoteClient.run(shared, commandArguments, address: address, token: token), of: shared, arguments: commandArguments, console: console)
                } else {
                    let context = try CLIContext(parsed: parsed, environment: environment, console: console)
                    let application = try context.application()
                    (language, era) = (try context.language(), try context.era())
                    // Only the commands that make standing-order trips need the calendar: the others
                    // do not fail for a config folder they do not use.
                    if shared == .standingAdd || shared == .standingMaterialise { application.service.holidays = try context.holidays() }
                    // Rendered inside the run: with --rid the lines are kept in the commit of the write they tell of.
                    let replied = try application.run(shared, commandArguments, as: .local(actor: context.actor), face: .commandLine) { response in
                        var renderer = try Renderer(application: application, era: response.era, language: response.language)
                        return RenderedReply(lines: try renderer.render(response))
                    }
                    print(replied.reply.lines, of: shared, arguments: commandArguments, console: console)
                }
            }
            return ExitCode.success.rawValue
        } catch let error as PhapaiError {
            report(error, console: console, format: LocalFormat(offset: .bangkok, era: era, language: language))
            return ExitCode(error.category).rawValue
        } catch {
            // Any other error comes from below the service (I/O); never print bound values.
            console.err("phapai: error [STORAGE]: \(error)")
            return ExitCode.storage.rawValue
        }
    }

    /// Every catalogue key of the CLI's help (for the catalogue test): each command's summary,
    /// details, arguments and options, and the global options.
    public static var helpKeys: [String] { Help.keys }

    /// The language named by `--lang` or `$PHAPAI_LANG`, when it is one (a wrong one is refused
    /// later, naming the field).
    static func language(asked arguments: [String], environment: [String: String]) -> Language? {
        option("lang", in: arguments).flatMap(Language.init(rawValue:)) ?? environment["PHAPAI_LANG"].flatMap(Language.init(rawValue:))
    }

    /// The era named by `--era` or `$PHAPAI_ERA`, when it is one.
    static func era(asked arguments: [String], environment: [String: String]) -> Era? {
        option("era", in: arguments).flatMap(Era.init(rawValue:)) ?? environment["PHAPAI_ERA"].flatMap(Era.init(rawValue:))
    }

    /// The value of `--name VALUE` or `--name=VALUE` among raw arguments (before `--`).
    static func option(_ name: String, in arguments: [String]) -> String? {
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { return nil }
            if argument == "--\(name)" { return index + 1 < arguments.count ? arguments[index + 1] : nil }
            if argument.hasPrefix("--\(name)=") { return String(argument.dropFirst(name.count + 3)) }
        }
        return nil
    }

    static func token(_ parsed: ParsedArguments, _ environment: [String: String]) throws -> String {
        if let file = parsed.values["token-file"] {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw PhapaiError.notFound("token-file", "NO_FILE", "cannot read \(file)")
            }
            return try TextRules.decodeUTF8(data, field: "token-file").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let token = environment["PHAPAI_TOKEN"], !token.isEmpty else {
            throw PhapaiError.usage("give the login token in $PHAPAI_TOKEN or --token-file", field: "token")
        }
        return token
    }

    /// Prints a command's lines. A new user's token (or a driver's link) goes alone to standard
    /// output and the words around it to standard error, so that `phapai user add NAME > token`
    /// writes a file that `--token-file` reads.
    static func print(_ lines: [String], of command: Command, arguments: Arguments, console: Console) {
        if command == .userAdd || command == .driverLink, arguments["json"] == nil, let token = lines.last {
            for line in lines.dropLast() { console.err(line) }
            console.out(token)
            return
        }
        for line in lines { console.out(line) }
    }

    /// Prints an error in the CLI's form, with advice in the CLI's words where it helps: the same
    /// for an error raised here and one that came back from a server. In Thai: the keyword, the
    /// field by its Thai name, the rule in a Thai sentence, then the detail with its values (in
    /// Thai when the error carries it as a phrase, else in English) indented on a line of its own,
    /// and any times a refused booking could have instead.
    static func report(_ error: PhapaiError, console: Console, format: LocalFormat = LocalFormat(offset: .bangkok, era: .common, language: .en)) {
        let words = format.words
        let detail = format.text(words.detail(of: error))
        if words.language == .en {
            let field = error.field.map { "\($0): " } ?? ""
            console.err("phapai: error [\(error.keyword)]: \(field)\(detail)")
        } else {
            let sentence = words.optional("error." + error.keyword)
            let message = sentence ?? detail
            if let field = error.field {
                if let name = fieldName(field, words: words) {
                    console.err(words("error.line.named", ["keyword": error.keyword, "name": name, "field": field, "message": message]))
                } else {
                    console.err(words("error.line.field", ["keyword": error.keyword, "field": field, "message": message]))
                }
            } else {
                console.err(words("error.line", ["keyword": error.keyword, "message": message]))
            }
            if sentence != nil && !detail.isEmpty { console.err("    " + detail) }
            if !error.alternatives.isEmpty {
                console.err(words("error.alternatives"))
                for alternative in error.alternatives { console.err(alternativeText(alternative, format: format)) }
            }
        }
        if error.field == "area" && error.category == .usage {
            console.err(words("error.advice.area"))
            return
        }
        switch error.keyword {
        case "USAGE": console.err(words("error.advice.usage"))
        case "NO_AREA": console.err(words("error.advice.noArea"))
        default: break
        }
    }

    /// A field's name as a dispatcher calls it: the field's own, or the last part of a path
    /// (`patients[3].phone`), when the catalogue has it.
    static func fieldName(_ field: String, words: Words) -> String? {
        if let name = words.optional("field." + field) { return name }
        let last = field.split(whereSeparator: { ".: ".contains($0) }).last.map(String.init) ?? field
        return last == field ? nil : words.optional("field." + last)
    }

    /// A time a refused booking could have instead, in words.
    static func alternativeText(_ alternative: BookingAlternative, format: LocalFormat) -> String {
        let (key, at): (String, Instant) =
            switch alternative.timing {
            case .appointment(let at): ("error.alternative.appointment", at)
            case .pickup(let at): ("error.alternative.pickup", at)
            }
        var values: [String: any CustomStringConvertible] = ["time": format.dateTime(at), "pickup": format.time(alternative.pickup)]
        guard let vehicle = alternative.vehicle else { return format.words(key, values) }
        values["vehicle"] = vehicle
        return format.words(key + ".vehicle", values)
    }
}

/// What a local command needs: where the database is, who acts, what time it is, how to show
/// dates and in which language.
final class CLIContext {
    let databasePath: String
    let actor: String
    /// The era of `--era` or `$PHAPAI_ERA`, if given.
    let askedEra: Era?
    /// The language of `--lang` or `$PHAPAI_LANG`, if given.
    let askedLanguage: Language?
    let clock: @Sendable () -> Instant
    let configDirectory: String?
    let console: Console
    let environment: [String: String]
    private var openApplication: Application?

    init(parsed: ParsedArguments, environment: [String: String], console: Console) throws {
        self.environment = environment
        self.console = console
        databasePath = parsed.values["db"] ?? environment["PHAPAI_DB"] ?? "phapai.db"
        guard !databasePath.isEmpty else { throw PhapaiError.invalid("db", "EMPTY", "the database path must not be empty") }
        let login = environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
        actor = try TextRules.line(parsed.values["as"] ?? environment["PHAPAI_ACTOR"] ?? "cli:\(login)", field: "as", maxLength: 64)
        askedEra = try (parsed.values["era"] ?? environment["PHAPAI_ERA"].flatMap { $0.isEmpty ? nil : $0 }).map { try Era.parse($0, field: "era") }
        askedLanguage = try (parsed.values["lang"] ?? environment["PHAPAI_LANG"].flatMap { $0.isEmpty ? nil : $0 })
            .map { try Language.parse($0, field: "lang") }
        // PHAPAI_NOW fixes the clock (local time) for tests, demos and replays.
        if let now = environment["PHAPAI_NOW"] {
            let fixed = try UTCOffset.bangkok.parseDateTime(now, field: "PHAPAI_NOW")
            clock = { fixed }
        } else {
            clock = PhapaiService.systemClock
        }
        configDirectory = parsed.values["config"] ?? environment["PHAPAI_CONFIG"]
    }

    /// The language of the output: the one asked for, else the area's (Thai when there is no
    /// database yet).
    func language() throws -> Language {
        if let askedLanguage { return askedLanguage }
        return try openApplication?.language(Arguments()) ?? .th
    }

    /// The words of the output's language.
    func words() throws -> Words { Words(try language()) }

    /// The era of the output: the one asked for, else the one readers of the language expect.
    func era() throws -> Era { try askedEra ?? .usual(for: language()) }

    /// The language and era as far as they are known without failing (for printing an error).
    var knownLanguage: Language? { try? language() }
    var knownEra: Era? { try? era() }

    /// The application on the database, opened on first use. Only `init` and `demo` create a file.
    func application(create: Bool = false) throws -> Application {
        if let openApplication { return openApplication }
        let service = try PhapaiService.open(path: databasePath, create: create, actor: actor, clock: clock)
        let application = Application(service: service)
        openApplication = application
        return application
    }

    /// The configuration folder: --config, $PHAPAI_CONFIG, ./config, or the `config` folder of the
    /// checkout the executable was built in (so `swift run phapai demo` works from anywhere inside it).
    func configFolder() throws -> String {
        if let configDirectory { return configDirectory }
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: "config/policies.json") { return "config" }
        // The executable's own path (/proc/self/exe): argv[0] is a bare name when it came from $PATH.
        let executable = Bundle.main.executablePath ?? CommandLine.arguments.first ?? "."
        var folder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent("config")
            if fileManager.fileExists(atPath: candidate.appendingPathComponent("policies.json").path) { return candidate.path }
            folder.deleteLastPathComponent()
        }
        throw PhapaiError.notFound("config", "NO_CONFIG", "no config folder with policies.json found; give --config DIR")
    }

    /// The holiday calendar of the configuration folder (`holidays-th.csv` beside
    /// `policies.json`, the file phapaid reads by default): standing orders make no trips on its days.
    func holidays() throws -> HolidayCalendar {
        try HolidayCalendar.load(path: configFolder() + "/" + HolidayCalendar.fileName, field: "holidays")
    }

    /// Reads a whole file that must be UTF-8.
    func readFile(_ path: String, field: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PhapaiError.notFound(field, "NO_FILE", "cannot read \(path)")
        }
        _ = try TextRules.decodeUTF8(data, field: field)
        return data
    }
}
