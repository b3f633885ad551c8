import Foundation
import PhapaiApp
import PhapaiCore
import PhapaiNet
import PhapaiProtocol

/// The CLI's remote mode: the command as a request to `phapaid`; the reply's data lines are the
/// text the embedded CLI would print (the server renders with the same renderer), and a refusal
/// comes back as the same error (keyword, field, rule), so it prints and exits the same.
enum RemoteClient {
    /// The request line for a command of the shared language.
    static func request(_ command: Command, _ arguments: Arguments) -> Request {
        let path = command.path
        var request = Request(verb: path[0].uppercased(), subverb: path.count > 1 ? path[1].uppercased() : nil)
        let spec = command.spec
        var keys = spec.positionals.map(\.key) + spec.options.map(\.name) + Command.sharedOptions.map(\.name)
        keys += arguments.values.keys.filter { !keys.contains($0) }.sorted()
        for key in keys { if let value = arguments[key] { request.arguments.append(.init(key, value)) } }
        return request
    }

    /// Runs `command` on the server at `address` (HOST:PORT) with `token`; returns the lines to print.
    static func run(_ command: Command, _ arguments: Arguments, address: String, token: String) throws -> [String] {
        let parts = address.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]) else {
            throw PhapaiError.invalid("server", "INVALID_ADDRESS", "'\(address)' is not HOST:PORT")
        }
        let socket: Socket
        do {
            socket = try Socket.connect(host: String(parts[0]), port: port)
            try socket.setReadTimeout(seconds: 120)
        } catch {
            throw PhapaiError(.storage, keyword: "NO_SERVER", field: "server", message: "cannot reach \(address): \(error)")
        }
        let client = WireClient(read: { try socket.read() }, write: { try socket.writeAll($0) })
        do {
            _ = try client.greeting()
            let hello = try client.hello(token: token)
            guard hello.code == 230 else {
                throw PhapaiError(.usage, keyword: "NOT_LOGGED_IN", field: "token", message: "the server refused the token: \(hello.text ?? hello.keyword)")
            }
            let reply = try client.request(request(command, arguments))
            // Saying goodbye is a courtesy: the answer is in hand whatever happens to it.
            try? client.send(Request(verb: "QUIT"))
            guard reply.code < 300 else { throw error(from: reply) }
            return reply.data
        } catch let error as ProtocolError {
            throw PhapaiError(.storage, keyword: "NO_REPLY", field: "server", message: "the server's reply could not be read: \(error.message)")
        } catch let error as WireClientError {
            throw PhapaiError(.storage, keyword: "NO_REPLY", field: "server", message: "\(error)")
        }
    }

    /// The error a refusal stands for: its category from the reply code, its keyword, field and rule.
    static func error(from reply: Reply) -> PhapaiError {
        let category: PhapaiError.Category =
            switch reply.code {
            case 500, 501: .usage
            case 553: .invalidInput
            case 554: .notFound
            case 555: .conflict
            case 530, 535, 550: .notAllowed
            default: .storage
            }
        return PhapaiError(category, keyword: reply.keyword, field: reply.fields.first { $0.key == "field" }?.value, message: reply.text ?? "")
    }
}
