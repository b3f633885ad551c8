import Foundation
import PhapaiCore
import PhapaiNet
import PhapaiProtocol

/// The CLI's remote mode: the same command as a request to `phapaid`, the reply's lines printed
/// as the embedded CLI would print them, and its exit code.
enum RemoteClient {
    /// Runs `arguments` on the server at `address` (HOST:PORT) with `token`.
    static func run(_ arguments: [String], address: String, token: String, console: Console) throws -> Int32 {
        let parts = address.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]) else {
            throw PhapaiError.invalid("server", "INVALID_ADDRESS", "'\(address)' is not HOST:PORT")
        }
        let request = try CommandLanguage.request(for: arguments)
        let socket: Socket
        do {
            socket = try Socket.connect(host: String(parts[0]), port: port)
            try socket.setReadTimeout(seconds: 120)
        } catch {
            throw PhapaiError(.storage, keyword: "NO_SERVER", field: "server", message: "cannot reach \(address): \(error)")
        }
        var reader = ReplyReader(socket: socket)
        _ = try reader.reply()
        try socket.writeAll(Array((Request(verb: "HELLO", arguments: [.init("proto", "1"), .init("token", token)]).line + "\r\n").utf8))
        let hello = try reader.reply()
        guard hello.last?.hasPrefix("230 ") == true else {
            throw PhapaiError(.usage, keyword: "NOT_LOGGED_IN", field: "token", message: "the server refused the token: \(hello.last ?? "no answer")")
        }
        try socket.writeAll(Array((request.line + "\r\n").utf8))
        let lines = try reader.reply()
        try? socket.writeAll(Array("QUIT\r\n".utf8))
        guard let last = lines.last, let reply = try? ReplyParser.parse(last, data: Array(lines.dropLast())) else {
            throw PhapaiError(.storage, keyword: "NO_REPLY", field: "server", message: "the server closed the connection or sent no reply")
        }
        for line in reply.data { console.out(line) }
        let status = Int32(reply.fields.first { $0.key == "exit" }?.value ?? "") ?? (reply.code < 300 ? 0 : 5)
        if status != 0, let message = reply.text {
            for line in message.split(separator: "\n", omittingEmptySubsequences: false) { console.err(String(line)) }
        }
        return status
    }
}

/// Reads whole replies (data lines up to the final `NNN ` line) from a socket.
struct ReplyReader {
    let socket: Socket
    var buffer: [UInt8] = []

    mutating func reply() throws -> [String] {
        var lines: [String] = []
        while true {
            if let end = buffer.firstIndex(of: 0x0A) {
                var line = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeSubrange(...end)
                if line.hasSuffix("\r") { line.removeLast() }
                lines.append(line)
                if line.utf8.count >= 4, Array(line.utf8)[3] == 0x20 { return lines }
                continue
            }
            guard let bytes = try socket.read(), !bytes.isEmpty else { return lines }
            buffer += bytes
        }
    }
}
