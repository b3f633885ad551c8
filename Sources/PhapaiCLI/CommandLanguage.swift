import PhapaiCore
import PhapaiProtocol
import PhapaiService

/// The one command language of the CLI and the server: a CLI invocation becomes a protocol
/// request (`trip book --patient P004 --will-call` is `TRIP BOOK patient=P004 will-call=yes`), and
/// a request becomes the same invocation again, run by the same command code. Output is the
/// command's printed lines, so remote and embedded modes cannot drift apart.
public enum CommandLanguage {
    /// Global options that travel with a request (the database, configuration and actor stay local:
    /// the server has its own, and the actor comes from the login).
    static let travelling: Set<String> = ["area", "era"]

    /// Commands that read or write files where they run, or create databases: never over the
    /// wire, where the file would be the server's (a client could read or overwrite its files).
    static let localOnly: Set<[String]> = [["demo"], ["init"], ["backup"], ["matrix", "import"]]

    /// The request for CLI `arguments` (program name excluded).
    public static func request(for arguments: [String]) throws -> Request {
        let (parsed, found) = try ParsedArguments.parse(arguments, commands: Commands.all)
        guard let command = found else { throw PhapaiError.usage("no command given") }
        guard !localOnly.contains(command.path) else {
            throw PhapaiError.usage("'\(command.name)' works on a local database only")
        }
        var request = Request(verb: command.path[0].uppercased(), subverb: command.path.count > 1 ? command.path[1].uppercased() : nil)
        for (index, value) in parsed.positionals.enumerated() where index < command.positionals.count {
            request.arguments.append(.init(command.positionals[index].name.lowercased(), value))
        }
        for option in command.options + globalOptions where option.valueName != nil {
            guard command.options.contains(where: { $0.name == option.name }) || travelling.contains(option.name),
                let value = parsed.values[option.name]
            else { continue }
            request.arguments.append(.init(option.name, value))
        }
        for flag in parsed.flags.sorted() where command.options.contains(where: { $0.name == flag }) {
            request.arguments.append(.init(flag, "yes"))
        }
        return request
    }

    /// The CLI invocation a request stands for.
    public static func arguments(for request: Request) throws -> [String] {
        let path = [request.verb.lowercased()] + (request.subverb.map { [$0.lowercased()] } ?? [])
        guard !localOnly.contains(path) else {
            throw PhapaiError.usage("'\(path.joined(separator: " "))' works on a local database only; run it with phapai on the server's machine")
        }
        guard let command = Commands.all.first(where: { $0.path == path }) else {
            throw PhapaiError.usage("unknown command '\(path.joined(separator: " "))'")
        }
        var arguments = command.path
        var positionals: [String] = []
        for argument in request.arguments {
            if let position = command.positionals.firstIndex(where: { $0.name.lowercased() == argument.key }) {
                while positionals.count <= position { positionals.append("") }
                positionals[position] = argument.value
            } else if let option = (command.options + globalOptions.filter { travelling.contains($0.name) }).first(where: { $0.name == argument.key }) {
                if option.valueName == nil {
                    guard argument.value == "yes" else { throw PhapaiError.usage("flag \(argument.key) takes only yes", field: argument.key) }
                    arguments.append("--\(argument.key)")
                } else {
                    arguments += ["--\(argument.key)", argument.value]
                }
            } else {
                throw PhapaiError.usage("'\(command.name)' has no argument \(argument.key)", field: argument.key)
            }
        }
        return arguments + positionals
    }

    /// The reply code for each exit code (docs/protocol.md, "Command replies").
    public static func replyCode(exitCode: Int32) -> Int {
        switch ExitCode(rawValue: exitCode) {
        case .success: 200
        case .usage: 501
        case .inputRefused: 553
        case .notFound: 554
        case .conflict: 555
        case .storage, nil: 451
        }
    }

    /// Runs `request` against `service` as `actor` and returns the reply: the printed lines as
    /// data, then `200 DONE exit=0`, or the error's code and keyword with the same message.
    public static func execute(_ request: Request, service: PhapaiService, environment: [String: String] = [:]) -> Reply {
        let output = LineCollector()
        let errors = LineCollector()
        let console = Console(out: { output.append($0) }, err: { errors.append($0) })
        var failure: PhapaiError?
        let status: Int32
        do {
            status = PhapaiCLI.run(
                try arguments(for: request), environment: environment, console: console, service: service, failed: { failure = $0 })
        } catch let error as PhapaiError {
            PhapaiCLI.report(error, console: console)
            failure = error
            status = ExitCode(error.category).rawValue
        } catch {
            status = ExitCode.storage.rawValue
        }
        let data = output.lines.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        guard status != 0 else {
            return Reply(code: 200, keyword: "DONE", fields: [.init("exit", "0")], data: data, tag: request.tag)
        }
        return Reply(
            code: replyCode(exitCode: status), keyword: failure?.keyword ?? "ERROR", fields: [.init("exit", String(status))],
            text: errors.lines.joined(separator: "\n"), data: data, tag: request.tag)
    }
}

/// Collects printed lines (from one request at a time).
final class LineCollector: @unchecked Sendable {
    private(set) var lines: [String] = []
    func append(_ line: String) { lines.append(line) }
}
