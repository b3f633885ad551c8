#if canImport(Glibc)
import Glibc
#endif
import PhapaiApp
import PhapaiCore
import PhapaiNet
import PhapaiProtocol

/// The driver web face's loop, on its own thread with its own connection to the database: reads
/// one bounded HTTP/1.1 request per connection, answers it from ``DriverFace`` and closes. The
/// same defences as the line protocol: bounded requests and headers, a deadline to send the
/// request (slowloris), a cap on connections, a rate on drivers' reports, and a log line per
/// request without the link's secret or any patient data.
final class DriverWebLoop {
    let configuration: DriverWebConfiguration
    let shared: Server.Shared
    let listener: Socket
    /// Nil when the database could not be opened for the face: every request gets 503.
    let face: DriverFace?
    let reportsPerMinute: Int
    let limits = HTTPLimits()
    private var connections: [Int32: WebConnection] = [:]
    private var allowances: [DriverID: ReportAllowance] = [:]
    private var served = 0

    init(configuration: DriverWebConfiguration, shared: Server.Shared, listener: Socket, face: DriverFace?, reportsPerMinute: Int) {
        self.configuration = configuration
        self.shared = shared
        self.listener = listener
        self.face = face
        self.reportsPerMinute = reportsPerMinute
    }

    func run() {
        while !shared.stopping.load(ordering: .sequentiallyConsistent) {
            let open = connections.values.sorted { $0.number < $1.number }
            var entries = [Poller.Entry(descriptor: listener.descriptor)]
            entries += open.map { Poller.Entry(descriptor: $0.socket.descriptor, wantsRead: !$0.answered, wantsWrite: !$0.outgoing.isEmpty) }
            do {
                // A quarter second: how soon the loop sees that the server stops.
                try Poller.wait(&entries, milliseconds: 250)
            } catch {
                continue
            }
            for (index, connection) in open.enumerated() {
                let entry = entries[index + 1]
                if (entry.readable || entry.failed) && !connection.answered { receive(connection) }
                if entry.writable || connection.answered { flush(connection) }
            }
            if entries[0].readable { accept() }
            enforceDeadlines()
        }
        listener.close()
        for connection in connections.values { connection.socket.close() }
        connections.removeAll()
    }

    private func accept() {
        for _ in 0..<Server.acceptsPerTurn {
            let next: Socket?
            do {
                next = try listener.accept()
            } catch {
                return
            }
            guard let socket = next else { return }
            do {
                try socket.setNonBlocking()
            } catch {
                socket.close()
                continue
            }
            guard connections.count < configuration.maxConnections else {
                // Best effort: a full face says so before it closes.
                _ = try? socket.write(Self.busy.bytes)
                socket.close()
                shared.log("event=http code=503 reason=full")
                continue
            }
            served += 1
            let connection = WebConnection(socket: socket, number: served, now: shared.now())
            connections[socket.descriptor] = connection
        }
    }

    private func receive(_ connection: WebConnection) {
        let bytes: [UInt8]?
        do {
            bytes = try connection.socket.read(maximum: 16_384)
        } catch {
            close(connection)
            return
        }
        guard let bytes else { return }
        if bytes.isEmpty {
            close(connection)
            return
        }
        connection.input += bytes
        switch HTTPReader.parse(connection.input, limits: limits) {
        case .incomplete:
            return
        case .refused(let status, let reason):
            shared.log("event=http code=\(status) reason=\(reason)")
            answer(connection, Self.refused(status))
        case .request(let request, _):
            let started = shared.now()
            let (response, route, driver) = handle(request)
            let milliseconds = (shared.now() - started) * 1000
            shared.log("event=http method=\(request.method) route=\(route) code=\(response.status)"
                + (driver.map { " driver=\($0)" } ?? "") + " ms=\((milliseconds * 10).rounded() / 10)")
            answer(connection, response)
        }
    }

    /// The answer to a whole request, the route's name for the log, and the driver it was for.
    private func handle(_ request: HTTPRequest) -> (HTTPResponse, route: String, driver: DriverID?) {
        let missing = (Self.missing, "missing", DriverID?.none)
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        guard parts.count >= 2, parts[0] == "d" else { return missing }
        guard let face else { return (Self.busy, "unavailable", nil) }
        let secret = parts[1]
        do {
            let answer: DriverFaceAnswer
            let route: String
            switch (request.method, parts.count) {
            case ("GET", 2):
                route = "page"
                answer = try face.page(secret: secret, shownReply: request.query["r"])
            case ("POST", 3) where parts[2] == "status":
                route = "status"
                guard let form = HTTPReader.formFields(request.body) else { return (Self.refused(400), route, nil) }
                // The rate is per driver; a refusal over it is shown on the page.
                answer = try face.report(secret: secret, form: form, overRate: { driver in spend(driver) ? nil : reportsPerMinute })
            default:
                return missing
            }
            switch answer {
            case .notFound:
                return missing
            case .page(let html, let driver):
                return (HTTPResponse(status: 200, body: Array(html.utf8)), route, driver)
            case .redirect(let location, let driver):
                // Watchers on the line protocol hear of the report with the server's next turn.
                shared.externalWrites.store(true, ordering: .sequentiallyConsistent)
                return (HTTPResponse(status: 303, headers: [("Location", location)]), route, driver)
            }
        } catch {
            // Only the keyword: an error's text may name what it was about.
            shared.log("event=http route=error code=503 keyword=\((error as? PhapaiError)?.keyword ?? "STORAGE")")
            return (Self.busy, "error", nil)
        }
    }

    /// Takes one report from the driver's allowance; false when it is spent. Keyed by driver
    /// (known only for a link that opens), so made-up links cannot grow the table.
    private func spend(_ driver: DriverID) -> Bool {
        let now = shared.now()
        let rate = Double(reportsPerMinute) / 60
        var allowance = allowances[driver] ?? ReportAllowance(tokens: Double(reportsPerMinute), at: now)
        allowance.tokens = min(Double(reportsPerMinute), allowance.tokens + (now - allowance.at) * rate)
        allowance.at = now
        guard allowance.tokens >= 1 else {
            allowances[driver] = allowance
            return false
        }
        allowance.tokens -= 1
        allowances[driver] = allowance
        // Full allowances are forgotten, so the table stays as small as the links in use.
        if allowances.count > 4 * configuration.maxConnections {
            allowances = allowances.filter { $0.value.tokens + (now - $0.value.at) * rate < Double(reportsPerMinute) }
        }
        return true
    }

    private func answer(_ connection: WebConnection, _ response: HTTPResponse) {
        connection.answered = true
        connection.answeredAt = shared.now()
        connection.outgoing = response.bytes
        flush(connection)
    }

    private func flush(_ connection: WebConnection) {
        guard connections[connection.socket.descriptor] === connection else { return }
        while !connection.outgoing.isEmpty {
            let written: Int
            do {
                written = try connection.socket.write(connection.outgoing)
            } catch {
                close(connection)
                return
            }
            guard written > 0 else { return }
            connection.outgoing.removeFirst(written)
        }
        if connection.answered { close(connection) }
    }

    /// A request not whole within the deadline gets 408; an answer not taken within it is dropped.
    private func enforceDeadlines() {
        let now = shared.now()
        for connection in Array(connections.values) {
            if let answeredAt = connection.answeredAt {
                if now - answeredAt > configuration.requestDeadline { close(connection) }
            } else if now - connection.openedAt > configuration.requestDeadline {
                shared.log("event=http code=408 reason=deadline")
                answer(connection, Self.refused(408))
            }
        }
    }

    private func close(_ connection: WebConnection) {
        guard connections[connection.socket.descriptor] === connection else { return }
        connections[connection.socket.descriptor] = nil
        connection.socket.close()
    }

    /// One page for every link that opens nothing: missing, wrong, revoked, or a path that is no link.
    static let missing = HTTPResponse(status: 404, body: Array(missingPage.utf8))
    static let busy = HTTPResponse(status: 503, body: Array(busyPage.utf8))
    static func refused(_ status: Int) -> HTTPResponse { HTTPResponse(status: status, body: Array(refusedPage.utf8)) }

    /// In Thai (before a link is known there is no area to take a language from), the same for all.
    static let missingPage = smallPage(words("driverpage.missing_title"), words("driverpage.missing_text"))
    static let refusedPage = smallPage(words("driverpage.refused_title"), words("driverpage.refused_text"))
    static let busyPage = smallPage(words("driverpage.busy_title"), words("driverpage.busy_text"))
    private static let words = Words(.th)

    private static func smallPage(_ title: String, _ text: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="th"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title)</title></head>
        <body style="font-family: sans-serif; font-size: 18px; margin: 16px"><h1 style="font-size: 22px">\(title)</h1><p>\(text)</p></body></html>

        """
    }
}

/// One connection of the driver web face.
final class WebConnection {
    let socket: Socket
    let number: Int
    let openedAt: Double
    var input: [UInt8] = []
    var outgoing: [UInt8] = []
    /// Whether the answer is written (then nothing more is read).
    var answered = false
    var answeredAt: Double?

    init(socket: Socket, number: Int, now: Double) {
        self.socket = socket
        self.number = number
        openedAt = now
    }
}
