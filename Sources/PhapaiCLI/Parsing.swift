import PhapaiApp
import PhapaiCore

/// A command of the CLI: one of the shared language, or one that works on a local file only
/// (it creates a database, or reads or writes files where it runs).
enum CLICommand: Equatable {
    case shared(Command)
    case local(LocalCommand)

    var spec: CommandSpec {
        switch self {
        case .shared(let command): command.spec
        case .local(let command): command.spec
        }
    }

    /// Every command, in the order of the help.
    static let all: [CLICommand] = [.local(.initialise)] + Command.allCases.map(CLICommand.shared) + [.local(.backup), .local(.matrixImport), .local(.demo)]
}

/// Commands that never go over the wire: on a server they would touch the server's files.
enum LocalCommand: CaseIterable {
    case initialise, backup, matrixImport, demo

    var spec: CommandSpec {
        switch self {
        case .initialise:
            CommandSpec(
                "init",
                positionals: [PositionalSpec(name: "AREA_FILE", required: false)],
                options: [
                    .value("policies", "FILE"),
                    .value("prefix", "PREFIX"),
                    .value("pool", "NAME"),
                ])
        case .backup:
            CommandSpec(
                "backup",
                positionals: [PositionalSpec(name: "PATH", required: true)])
        case .matrixImport:
            CommandSpec(
                "matrix import",
                positionals: [PositionalSpec(name: "FILE", required: true)],
                options: [
                    .value("format", "csv|osrm"),
                    .value("places", "ID,ID,..."),
                ])
        case .demo:
            CommandSpec(
                "demo",
                options: [.value("dir", "DIR")])
        }
    }
}

/// Options of the command line itself: where the command runs, as whom, with which files.
let localOptions: [OptionSpec] = [
    .value("db", "PATH", key: "help.option.db"),
    .value("as", "NAME", key: "help.option.as"),
    .value("config", "DIR", key: "help.option.config"),
    .value("server", "HOST:PORT", key: "help.option.server"),
    .value("token-file", "FILE", key: "help.option.token-file"),
    .flag("help", key: "help.option.help"),
]

/// Options every command accepts: the shared ones (area, era) and the command line's own.
let globalOptions: [OptionSpec] = Command.sharedOptions + localOptions

/// The parsed words of one invocation.
struct ParsedArguments {
    var commandWords: [String] = []
    var command: CLICommand?
    var positionals: [String] = []
    var values: [String: String] = [:]
    var flags: Set<String> = []

    /// Splits `arguments` into command words, positionals and options, checking every option
    /// against the command's once the command is known.
    static func parse(_ arguments: [String]) throws -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        var optionsEnded = false
        func spec(named name: String) -> OptionSpec? {
            (parsed.command?.spec.options ?? []).first { $0.name == name } ?? globalOptions.first { $0.name == name }
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
                    if name == "rid", case .shared(let command)? = parsed.command, let refusal = command.requestIDRefusal { throw refusal }
                    let scope = parsed.command.map { "'\($0.spec.name)'" } ?? "phapai"
                    throw PhapaiError.usage("unknown option --\(name) for \(scope); see --help", field: name)
                }
                if option.isFlag {
                    guard inlineValue == nil else { throw PhapaiError.usage("--\(name) takes no value", field: name) }
                    parsed.flags.insert(name)
                    continue
                }
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count, !isKnownOption(arguments[index], command: parsed.command) else {
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
            if parsed.command == nil {
                parsed.commandWords.append(token)
                parsed.command = CLICommand.all.first { $0.spec.path == parsed.commandWords }
                let isPrefix = CLICommand.all.contains { $0.spec.path.starts(with: parsed.commandWords) && $0.spec.path.count > parsed.commandWords.count }
                if parsed.command == nil && !isPrefix {
                    throw PhapaiError.usage("unknown command '\(parsed.commandWords.joined(separator: " "))'; run 'phapai --help'")
                }
            } else if parsed.positionals.isEmpty, let longer = CLICommand.all.first(where: { $0.spec.path == parsed.commandWords + [token] }) {
                // "report funder" rather than "report" with an argument.
                parsed.commandWords.append(token)
                parsed.command = longer
            } else {
                parsed.positionals.append(token)
            }
        }
        return parsed
    }

    private static func isKnownOption(_ token: String, command: CLICommand?) -> Bool {
        guard token.hasPrefix("--"), token.count > 2 else { return false }
        let name = String(token.dropFirst(2).prefix { $0 != "=" })
        return (command?.spec.options ?? []).contains { $0.name == name } || globalOptions.contains { $0.name == name }
    }

    /// Checks the number of positionals and the required options, in the command line's words.
    func checkArity(_ spec: CommandSpec) throws {
        let required = spec.positionals.filter(\.required).count
        if positionals.count < required {
            let missing = spec.positionals[positionals.count]
            throw PhapaiError.usage("'\(spec.name)' needs \(missing.name) (\(missing.help))", field: missing.name)
        }
        if positionals.count > spec.positionals.count {
            throw PhapaiError.usage("'\(spec.name)' takes \(spec.positionals.count) argument(s), got \(positionals.count): unexpected '\(positionals[spec.positionals.count])'")
        }
        for option in spec.options where option.required && values[option.name] == nil {
            throw PhapaiError.usage("'\(spec.name)' needs --\(option.name) \(option.valueName ?? "")", field: option.name)
        }
    }

    /// The command's arguments as the application takes them: positionals by their key, options
    /// by name, flags as `yes`; the command line's own options (db, server, ...) stay here. The
    /// era comes from `--era` or `$PHAPAI_ERA`, the language from `--lang` or `$PHAPAI_LANG`.
    func arguments(for spec: CommandSpec, environment: [String: String]) -> Arguments {
        var arguments = Arguments()
        for (index, value) in positionals.enumerated() where index < spec.positionals.count {
            arguments[spec.positionals[index].key] = value
        }
        let own = Set((spec.options + Command.sharedOptions).map(\.name))
        for (name, value) in values where own.contains(name) { arguments[name] = value }
        for flag in flags where own.contains(flag) { arguments[flag] = "yes" }
        if arguments["era"] == nil, let era = environment["PHAPAI_ERA"] { arguments["era"] = era }
        if spec.name == "driver link", arguments["base"] == nil, let base = environment["PHAPAI_DRIVER_URL"], !base.isEmpty { arguments["base"] = base }
        if arguments["lang"] == nil, let language = environment["PHAPAI_LANG"], !language.isEmpty { arguments["lang"] = language }
        return arguments
    }
}

/// Help texts, in the language of the invocation.
enum Help {
    /// The `--help` text of a command.
    static func text(_ spec: CommandSpec, words: Words) -> String {
        let usage = "phapai \(spec.name)\(spec.positionals.map { $0.required ? " \($0.name)" : " [\($0.name)]" }.joined())"
            + (spec.options.isEmpty ? "" : words("help.ui.options.placeholder"))
        var lines = [words("help.ui.usage", ["usage": usage]), "", spec.summary(words)]
        if let details = spec.details(words) { lines += ["", details] }
        if !spec.positionals.isEmpty {
            lines += ["", words("help.ui.arguments")] + spec.positionals.map { "  \(pad($0.name, 24)) \($0.help(words))" }
        }
        if !spec.options.isEmpty {
            lines += ["", words("help.ui.options")] + spec.options.map { describe($0, words: words) }
        }
        lines += ["", words("help.ui.global")] + globalOptions.map { describe($0, words: words) }
        return lines.joined(separator: "\n")
    }

    private static func describe(_ option: OptionSpec, words: Words) -> String {
        let left = "--\(option.name)" + (option.valueName.map { " \($0)" } ?? "")
        return "  \(pad(left, 24)) \(option.help(words))\(option.required ? words("help.ui.required") : "")"
    }

    /// The list of commands (under `group`, when given).
    static func overview(group: [String], words: Words) -> String {
        let shown = CLICommand.all.map(\.spec).filter { $0.path.starts(with: group) }
        let width = shown.map { $0.name.count }.max() ?? 0
        var lines = [words("help.ui.title"), "", words("help.ui.overview.usage"), "", words("help.ui.commands")]
        lines += shown.map { "  \($0.name.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.summary(words))" }
        lines += ["", words("help.ui.every"), words("help.ui.exitCodes")]
        return lines.joined(separator: "\n")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        let shortfall = width - TextRules.displayWidth(text)
        return shortfall > 0 ? text + String(repeating: " ", count: shortfall) : text
    }

    /// Every catalogue key the help of every command uses.
    static var keys: [String] {
        CLICommand.all.flatMap(\.spec.helpKeys) + globalOptions.compactMap(\.key)
    }
}
