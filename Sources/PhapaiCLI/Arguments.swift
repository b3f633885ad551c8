import PhapaiCore

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
    /// The database could not be opened, read or written.
    case storage = 5

    /// The exit code for an error category.
    init(_ category: PhapaiError.Category) {
        switch category {
        case .usage: self = .usage
        case .invalidInput: self = .inputRefused
        case .notFound: self = .notFound
        case .conflict: self = .conflict
        case .storage: self = .storage
        }
    }
}

/// One option of a command: `--name VALUE`, or a flag `--name` when `valueName` is nil.
struct OptionSpec: Sendable {
    let name: String
    let valueName: String?
    let help: String
    let required: Bool

    static func value(_ name: String, _ valueName: String, _ help: String, required: Bool = false) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help, required: required)
    }

    static func flag(_ name: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: nil, help: help, required: false)
    }
}

/// A positional argument.
struct PositionalSpec: Sendable {
    let name: String
    let help: String
    let required: Bool
}

/// Options every command accepts.
let globalOptions: [OptionSpec] = [
    .value("db", "PATH", "database file (default ./phapai.db, or $PHAPAI_DB)"),
    .value("area", "ID", "the area to act on when the database holds several"),
    .value("as", "NAME", "who is acting, for the audit log (default $PHAPAI_ACTOR or cli:$USER)"),
    .value("era", "common|buddhist", "how years are shown (default common, or $PHAPAI_ERA); input accepts both"),
    .value("config", "DIR", "configuration folder (default ./config, or $PHAPAI_CONFIG)"),
    .value("server", "HOST:PORT", "run the command on a phapaid server (or $PHAPAI_SERVER)"),
    .value("token-file", "FILE", "file holding the login token (default $PHAPAI_TOKEN)"),
    .flag("help", "show help for the command"),
]

/// The parsed words of one invocation.
struct ParsedArguments {
    var commandWords: [String] = []
    var positionals: [String] = []
    var values: [String: String] = [:]
    var flags: Set<String> = []

    /// Splits `arguments` into command words, positionals and options, checking every option
    /// against `options(for:)` once the command is known.
    static func parse(_ arguments: [String], commands: [CommandSpec]) throws -> (ParsedArguments, CommandSpec?) {
        var parsed = ParsedArguments()
        var command: CommandSpec?
        var index = 0
        var optionsEnded = false
        func spec(named name: String) -> OptionSpec? {
            (command?.options ?? []).first { $0.name == name } ?? globalOptions.first { $0.name == name }
        }
        while index < arguments.count {
            let token = arguments[index]
            index += 1
            if !optionsEnded && token == "--" {
                optionsEnded = true
                continue
            }
            if !optionsEnded && token.hasPrefix("--") && token.count > 2 {
                var name = String(token.dropFirst(2))
                var inlineValue: String?
                if let equals = name.firstIndex(of: "=") {
                    inlineValue = String(name[name.index(after: equals)...])
                    name = String(name[..<equals])
                }
                guard let option = spec(named: name) else {
                    let scope = command.map { "'\($0.name)'" } ?? "phapai"
                    throw PhapaiError.usage("unknown option --\(name) for \(scope); see --help", field: name)
                }
                if option.valueName == nil {
                    guard inlineValue == nil else { throw PhapaiError.usage("--\(name) takes no value", field: name) }
                    parsed.flags.insert(name)
                    continue
                }
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count, !isKnownOption(arguments[index], command: command) else {
                        throw PhapaiError.usage("--\(name) needs a value (\(option.valueName!))", field: name)
                    }
                    value = arguments[index]
                    index += 1
                }
                guard parsed.values.updateValue(value, forKey: name) == nil else {
                    throw PhapaiError.usage("--\(name) is given twice", field: name)
                }
                continue
            }
            if command == nil {
                parsed.commandWords.append(token)
                command = commands.first { $0.path == parsed.commandWords }
                let isPrefix = commands.contains { $0.path.starts(with: parsed.commandWords) && $0.path.count > parsed.commandWords.count }
                if command == nil && !isPrefix {
                    throw PhapaiError.usage("unknown command '\(parsed.commandWords.joined(separator: " "))'; run 'phapai --help'")
                }
            } else if parsed.positionals.isEmpty, let longer = commands.first(where: { $0.path == parsed.commandWords + [token] }) {
                // "report funder" rather than "report" with an argument.
                parsed.commandWords.append(token)
                command = longer
            } else {
                parsed.positionals.append(token)
            }
        }
        return (parsed, command)
    }

    private static func isKnownOption(_ token: String, command: CommandSpec?) -> Bool {
        guard token.hasPrefix("--"), token.count > 2 else { return false }
        let name = String(token.dropFirst(2).prefix { $0 != "=" })
        return (command?.options ?? []).contains { $0.name == name } || globalOptions.contains { $0.name == name }
    }
}

/// A command: its words, its help, its arguments and what it does.
struct CommandSpec: Sendable {
    let path: [String]
    let summary: String
    let positionals: [PositionalSpec]
    let options: [OptionSpec]
    let details: String?
    let run: @Sendable (Invocation) throws -> Void

    init(
        _ path: String, _ summary: String, positionals: [PositionalSpec] = [], options: [OptionSpec] = [],
        details: String? = nil, run: @escaping @Sendable (Invocation) throws -> Void
    ) {
        self.path = path.split(separator: " ").map(String.init)
        self.summary = summary
        self.positionals = positionals
        self.options = options
        self.details = details
        self.run = run
    }

    var name: String { path.joined(separator: " ") }

    /// The `--help` text.
    var help: String {
        var lines = ["Usage: phapai \(name)\(positionals.map { $0.required ? " \($0.name)" : " [\($0.name)]" }.joined())\(options.isEmpty ? "" : " [options]")", "", summary]
        if let details { lines += ["", details] }
        if !positionals.isEmpty {
            lines += ["", "Arguments:"] + positionals.map { "  \(pad($0.name, 24)) \($0.help)" }
        }
        if !options.isEmpty {
            lines += ["", "Options:"] + options.map(describe)
        }
        lines += ["", "Global options:"] + globalOptions.map(describe)
        return lines.joined(separator: "\n")
    }

    private func describe(_ option: OptionSpec) -> String {
        let left = "--\(option.name)" + (option.valueName.map { " \($0)" } ?? "")
        return "  \(pad(left, 24)) \(option.help)\(option.required ? " (required)" : "")"
    }
}

func pad(_ text: String, _ width: Int) -> String {
    let shortfall = width - TextRules.displayWidth(text)
    return shortfall > 0 ? text + String(repeating: " ", count: shortfall) : text
}
