import Foundation
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

/// The `phapai` dispatcher CLI. Embedded: it runs ``PhapaiService`` in-process on a local SQLite file.
public enum PhapaiCLI {
    /// Runs one invocation against an already open service (the server's), returning its exit code.
    public static func run(_ arguments: [String], service: PhapaiService, environment: [String: String], console: Console) -> Int32 {
        run(arguments, environment: environment, console: console, service: service)
    }

    /// Runs one invocation and returns its exit code. `arguments` excludes the program name.
    /// `failed` hears the error a refused command reported (the server answers with its keyword).
    public static func run(
        _ arguments: [String], environment: [String: String], console: Console = .standard, service: PhapaiService? = nil,
        failed: ((PhapaiError) -> Void)? = nil
    ) -> Int32 {
        let commands = Commands.all
        do {
            let (parsed, command) = try ParsedArguments.parse(arguments, commands: commands)
            guard let command else {
                let wantsHelp = parsed.flags.contains("help") || parsed.commandWords.isEmpty
                console.out(overview(commands, group: parsed.commandWords))
                return wantsHelp && parsed.commandWords.isEmpty ? ExitCode.success.rawValue
                    : (parsed.flags.contains("help") ? ExitCode.success.rawValue : ExitCode.usage.rawValue)
            }
            if parsed.flags.contains("help") {
                console.out(command.help)
                return ExitCode.success.rawValue
            }
            try checkArity(parsed, command)
            if service == nil, let address = parsed.values["server"] ?? environment["PHAPAI_SERVER"] {
                return try RemoteClient.run(
                    remoteArguments(arguments), address: address, token: try token(parsed, environment), console: console)
            }
            let context = try CLIContext(parsed: parsed, environment: environment, console: console, service: service)
            try command.run(Invocation(parsed: parsed, command: command, context: context))
            return ExitCode.success.rawValue
        } catch let error as PhapaiError {
            report(error, console: console)
            failed?(error)
            return ExitCode(error.category).rawValue
        } catch {
            // Any other error comes from below the service (I/O); never print bound values.
            console.err("phapai: error [STORAGE]: \(error)")
            failed?(PhapaiError(.storage, keyword: "STORAGE", field: nil, message: "\(error)"))
            return ExitCode.storage.rawValue
        }
    }

    /// The arguments without the options that only steer where the command runs.
    static func remoteArguments(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var skip = false
        for argument in arguments {
            if skip {
                skip = false
                continue
            }
            if ["--server", "--token-file", "--db", "--config", "--as"].contains(argument) {
                skip = true
                continue
            }
            if ["--server=", "--token-file=", "--db=", "--config=", "--as="].contains(where: argument.hasPrefix) { continue }
            out.append(argument)
        }
        return out
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

    static func report(_ error: PhapaiError, console: Console) {
        let field = error.field.map { "\($0): " } ?? ""
        console.err("phapai: error [\(error.keyword)]: \(field)\(error.message)")
        if error.category == .usage { console.err("Run 'phapai --help' for the commands, or 'phapai COMMAND --help'.") }
    }

    private static func checkArity(_ parsed: ParsedArguments, _ command: CommandSpec) throws {
        let required = command.positionals.filter(\.required).count
        if parsed.positionals.count < required {
            let missing = command.positionals[parsed.positionals.count]
            throw PhapaiError.usage("'\(command.name)' needs \(missing.name) (\(missing.help))", field: missing.name)
        }
        if parsed.positionals.count > command.positionals.count {
            throw PhapaiError.usage("'\(command.name)' takes \(command.positionals.count) argument(s), got \(parsed.positionals.count): unexpected '\(parsed.positionals[command.positionals.count])'")
        }
        for option in command.options where option.required && parsed.values[option.name] == nil {
            throw PhapaiError.usage("'\(command.name)' needs --\(option.name) \(option.valueName ?? "")", field: option.name)
        }
    }

    static func overview(_ commands: [CommandSpec], group: [String]) -> String {
        let shown = commands.filter { $0.path.starts(with: group) }
        let width = shown.map { $0.name.count }.max() ?? 0
        var lines = [
            "phapai: patient transport dispatch for Thai local governments (embedded on a local database).",
            "",
            "Usage: phapai [--db PATH] COMMAND [arguments] [options]",
            "",
            "Commands:",
        ]
        lines += shown.map { "  \($0.name.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.summary)" }
        lines += [
            "",
            "Every command has --help; read commands have --json.",
            "Exit codes: 0 done, 1 usage error, 2 input refused, 3 not found, 4 conflict, 5 storage error.",
        ]
        return lines.joined(separator: "\n")
    }
}

/// What every command needs: where the database is, who acts, what time it is, how to show dates.
final class CLIContext {
    let databasePath: String
    let actor: String
    let era: Era
    let clock: () -> Instant
    let configDirectory: String?
    let areaOption: String?
    let console: Console
    let environment: [String: String]
    private var openService: PhapaiService?

    init(parsed: ParsedArguments, environment: [String: String], console: Console, service: PhapaiService? = nil) throws {
        self.environment = environment
        self.console = console
        openService = service
        databasePath = parsed.values["db"] ?? environment["PHAPAI_DB"] ?? "phapai.db"
        guard !databasePath.isEmpty else { throw PhapaiError.invalid("db", "EMPTY", "the database path must not be empty") }
        let login = environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
        actor = try TextRules.line(parsed.values["as"] ?? environment["PHAPAI_ACTOR"] ?? "cli:\(login)", field: "as", maxLength: 64)
        let eraText = parsed.values["era"] ?? environment["PHAPAI_ERA"] ?? "common"
        guard let era = Era(rawValue: eraText) else {
            throw PhapaiError.invalid("era", "INVALID_VALUE", "'\(eraText)' is not one of: common, buddhist")
        }
        self.era = era
        // PHAPAI_NOW fixes the clock (local time) for tests, demos and replays.
        if let service {
            // A service handed in (the server's) keeps its own clock.
            clock = { service.clock() }
        } else if let now = environment["PHAPAI_NOW"] {
            let fixed = try UTCOffset.bangkok.parseDateTime(now, field: "PHAPAI_NOW")
            clock = { fixed }
        } else {
            clock = PhapaiService.systemClock
        }
        configDirectory = parsed.values["config"] ?? environment["PHAPAI_CONFIG"]
        areaOption = parsed.values["area"]
    }

    /// The service on the database, opened on first use. Only `init` and `demo` create a file.
    func service(create: Bool = false) throws -> PhapaiService {
        if let openService { return openService }
        let service = try PhapaiService.open(path: databasePath, create: create, actor: actor, clock: clock)
        openService = service
        return service
    }

    /// The area to act on.
    func area() throws -> AreaSettings {
        try service().area(areaID())
    }

    /// The area named with --area, if any.
    func areaID() throws -> AreaID? {
        try areaOption.map { try AreaID.parse($0, field: "area") }
    }

    /// The formatter for the current area and era.
    func formatter() throws -> Formatter {
        Formatter(offset: (try? area().offset) ?? .bangkok, era: era)
    }

    /// The configuration folder: --config, $PHAPAI_CONFIG, ./config, or the `config` folder of the
    /// checkout the executable was built in (so `swift run phapai demo` works from anywhere inside it).
    func configFolder() throws -> String {
        if let configDirectory { return configDirectory }
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: "config/policies.json") { return "config" }
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent("config")
            if fileManager.fileExists(atPath: candidate.appendingPathComponent("policies.json").path) { return candidate.path }
            folder.deleteLastPathComponent()
        }
        throw PhapaiError.notFound("config", "NO_CONFIG", "no config folder with policies.json found; give --config DIR")
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

/// One parsed invocation, with typed accessors that name the option in their errors.
struct Invocation {
    let parsed: ParsedArguments
    let command: CommandSpec
    let context: CLIContext

    var console: Console { context.console }
    var wantsJSON: Bool { parsed.flags.contains("json") }

    func flag(_ name: String) -> Bool { parsed.flags.contains(name) }
    func value(_ name: String) -> String? { parsed.values[name] }
    func positional(_ index: Int) -> String? { index < parsed.positionals.count ? parsed.positionals[index] : nil }

    func required(_ name: String) throws -> String {
        guard let value = parsed.values[name] else { throw PhapaiError.usage("'\(command.name)' needs --\(name)", field: name) }
        return value
    }

    func int(_ name: String) throws -> Int? {
        guard let text = parsed.values[name] else { return nil }
        guard let number = Int(text) else { throw PhapaiError.invalid(name, "NOT_A_NUMBER", "'\(text)' is not a whole number") }
        return number
    }

    func double(_ name: String) throws -> Double? {
        guard let text = parsed.values[name] else { return nil }
        guard let number = Double(text), number.isFinite else {
            throw PhapaiError.invalid(name, "NOT_A_NUMBER", "'\(text)' is not a number")
        }
        return number
    }

    func date(_ name: String) throws -> LocalDate? {
        try parsed.values[name].map { try LocalDate.parse($0, field: name) }
    }

    func time(_ name: String) throws -> LocalTime? {
        try parsed.values[name].map { try LocalTime.parse($0, field: name) }
    }

    func printJSON(_ value: JSONValue) { console.out(value.serialized()) }
}
