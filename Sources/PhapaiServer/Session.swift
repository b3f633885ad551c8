import PhapaiApp
import PhapaiCore
import PhapaiProtocol

/// What one connection's requests do: the server's own verbs (PING, QUIT, CAPA, HELLO, WATCH,
/// STATS) and every command of the shared language, run by the application and rendered on the
/// wire: data lines for people (the CLI's text) or one JSON document, then a final line with the
/// result's key fields.
extension EventLoop {
    /// What became of a request line.
    enum Handled {
        /// Answered here; the replies are held until the round commits.
        case answer(Answer)
        /// Handed to a worker once the round has committed; the connection waits for it.
        case job(Job, key: String?, lane: Workers.Lane)
        /// The connection was closed at once (HTTP).
        case closed
    }

    /// Runs one request line, or makes it a job for a worker.
    func handle(_ line: [UInt8], on connection: Connection) -> Handled {
        // Something speaking HTTP to the port is not a client: close at once.
        if connection.lines == 0, let text = String(validating: line.prefix(8), as: UTF8.self),
            ["GET ", "POST ", "HEAD ", "PUT ", "OPTIONS ", "DELETE "].contains(where: text.hasPrefix)
        {
            close(connection)
            return .closed
        }
        connection.lines += 1
        shared.counters.withLock { $0.requests += 1 }
        let started = Server.monotonicSeconds()
        let id = "id=\(connection.number)-\(connection.lines)"
        let request: Request
        switch RequestParser.parse(line) {
        case .failure(let error):
            return .answer(Answer(
                connection: connection, replies: [.error(error)], logLine: "event=request \(id) verb=- keyword=\(error.keyword)",
                started: started, touchesStore: false))
        case .success(let parsed):
            request = parsed
        }
        let verb = request.verb + (request.subverb.map { "." + $0 } ?? "")
        var logLine = "event=request \(id) user=\(connection.principal?.user?.name ?? "-") verb=\(verb) keys=\(request.arguments.map(\.key).joined(separator: ","))"
        var touchesStore = false
        let replies: [Reply]
        switch (request.verb, request.subverb) {
        case ("PING", nil):
            replies = [Reply(code: 200, keyword: "PONG", tag: request.tag)]
        case ("QUIT", nil):
            replies = [Reply(code: 221, keyword: "BYE", tag: request.tag)]
            connection.closeAfterFlush = true
        case ("CAPA", nil):
            replies = [Reply(code: 200, keyword: "CAPA", fields: [.init("proto", String(ProtocolLimits.version))],
                             data: ["HELLO", "PING", "QUIT", "CAPA", "WATCH", "STATS", "COMMANDS"], tag: request.tag)]
        case ("HELLO", nil):
            replies = [hello(request, on: connection)]
        case ("WATCH", nil):
            touchesStore = true
            replies = watch(request, on: connection)
        case ("STATS", nil):
            replies = [stats(request, on: connection)]
        default:
            if let principal = connection.principal, let command = Command(path: CommandRunner.path(of: request)) {
                switch route(request, command: command, principal: principal) {
                case .loop:
                    break
                case .refuse(let reply):
                    return .answer(Answer(connection: connection, replies: [reply], logLine: logLine, started: started, touchesStore: false))
                case .worker(let request, let key, let lane):
                    let job = Job(
                        descriptor: connection.socket.descriptor, connection: connection.number, request: request, command: command,
                        principal: principal, logLine: logLine, started: started)
                    return .job(job, key: key, lane: lane)
                }
            }
            touchesStore = true
            let (reply, replayed) = command(request, on: connection)
            replies = [reply]
            // A valid rid is the client's name for the request, never patient data: it may be logged.
            if let rid = request["rid"].flatMap(RequestID.init) { logLine += " rid=\(rid)" + (replayed ? " replayed=yes" : "") }
        }
        // A failed login has no line of its own: the failed-login windows count them (LoginThrottle).
        let failedLogin = request.verb == "HELLO" && ["BAD_TOKEN", "TOO_MANY_FAILURES"].contains(replies.last?.keyword ?? "")
        return .answer(Answer(
            connection: connection, replies: replies, logLine: logLine, started: started, touchesStore: touchesStore,
            isPing: request.verb == "PING", isFailedLogin: failedLogin))
    }

    static func notLoggedIn(_ tag: String?) -> Reply {
        Reply(code: 530, keyword: "NOT_LOGGED_IN", text: "say HELLO proto=1 token=... first", tag: tag)
    }

    private func hello(_ request: Request, on connection: Connection) -> Reply {
        guard connection.principal == nil else {
            // One login per connection: another user means another connection.
            return Reply(code: 503, keyword: "ALREADY_LOGGED_IN", text: "this connection is logged in already", tag: request.tag)
        }
        guard request["proto"] == String(ProtocolLimits.version) else {
            return Reply(code: 501, keyword: "PROTOCOL_VERSION", text: "this server speaks proto=\(ProtocolLimits.version)", tag: request.tag)
        }
        let token = request["token"]
        let user: User?
        do {
            user = try token.flatMap { try application.authenticate(token: $0) }
        } catch {
            return Reply(code: 451, keyword: "STORAGE", text: "the logins could not be read; try again", tag: request.tag)
        }
        if let user {
            // A valid token gets in even from a locked address: behind one router or one SSH tunnel,
            // a client that keeps failing must not lock the office's other clients out. Guessing a
            // token (256 random bits) is hopeless; what the lock bounds is the work and the log.
            connection.principal = .user(user)
            connection.framer.limit = ProtocolLimits.maxLineBytes
            waiting.leave(connection)
            return Reply(code: 230, keyword: "HELLO", fields: [.init("user", user.name), .init("role", user.role.rawValue)], tag: request.tag)
        }
        let now = shared.now()
        var owner: String?
        if throttle.lockedFor(address: connection.address, now: now) == nil, let token {
            do {
                owner = try application.revokedTokenOwner(token: token)
            } catch {
                // The name is unknown for now: this failure counts against the address only.
                owner = nil
            }
        }
        if let wait = throttle.lockedFor(address: connection.address, user: owner, now: now) {
            throttle.refuse(address: connection.address, user: owner, now: now)
            shared.counters.withLock { $0.refusedLogins += 1 }
            connection.closeAfterFlush = true
            return Reply(
                code: 421, keyword: "TOO_MANY_FAILURES", fields: [.init("retry-after", String(Int(wait.rounded(.up))))],
                text: "too many failed logins; try again later", tag: request.tag)
        }
        throttle.fail(address: connection.address, user: owner, now: now)
        shared.counters.withLock { $0.failedLogins += 1 }
        return Reply(code: 535, keyword: "BAD_TOKEN", text: "the token is not valid", tag: request.tag)
    }

    /// A command of the shared language, run for the connection's user on the loop, and whether
    /// its answer is the one kept for its rid (the command was not run again).
    private func command(_ request: Request, on connection: Connection) -> (Reply, replayed: Bool) {
        guard let command = Command(path: CommandRunner.path(of: request)) else { return (CommandRunner.unknown(request), false) }
        guard let principal = connection.principal else { return (Self.notLoggedIn(request.tag), false) }
        return CommandRunner.reply(request, command: command, principal: principal, application: application) { name in
            // The revoked user's sessions end once this round has committed (Rounds.swift).
            revokedInRound.insert(name)
        }
    }

    /// A refusal on the wire: the code of its category, its keyword, the field at fault and the
    /// times offered instead (for a booking without room), and the rule as the text.
    static func refusal(_ error: PhapaiError, data: [String] = [], tag: String?, offset: UTCOffset = .bangkok) -> Reply {
        let code =
            switch error.category {
            case .usage: 501
            case .invalidInput: 553
            case .notFound: 554
            case .conflict: 555
            case .storage: 451
            case .notAllowed: 550
            }
        var fields: [Request.Argument] = error.field.map { [.init("field", $0)] } ?? []
        if !error.alternatives.isEmpty {
            // Each alternative: its time, and after a slash its return moved by as much, when the booking has one.
            fields.append(.init("alternatives", error.alternatives.map { alternative in
                WireResult.timingText(alternative.timing, offset: offset) + (alternative.returnPickup.map { "/" + offset.iso8601($0) } ?? "")
            }.joined(separator: ",")))
        }
        return Reply(code: code, keyword: error.keyword, fields: fields, text: error.message, data: data, tag: tag)
    }

    /// `WATCH run=<id> [since=<seq>]`: replays the run's changes after `since` as `600 EVENT` lines,
    /// answers `200 WATCHING`, then pushes each later change as it is committed. A replay holds at
    /// most `maxWatchReplay` changes: past it the reply says `more=yes` with the `seq` of the last
    /// one sent, and the run is not watched until the client has asked for the rest (so a long
    /// history neither stalls the loop nor fills memory, however many ask for it at once).
    private func watch(_ request: Request, on connection: Connection) -> [Reply] {
        guard let principal = connection.principal else { return [Self.notLoggedIn(request.tag)] }
        guard let runText = request["run"], let runNumber = Int64(runText), let since = Int64(request["since"] ?? "0"), since >= 0 else {
            return [Reply(code: 500, keyword: "SYNTAX", text: "WATCH run=<id> [since=<seq>]", tag: request.tag)]
        }
        let run = ShiftID(runNumber)
        do {
            let (changes, latest, more) = try application.watch(run: run, since: since, limit: configuration.maxWatchReplay, as: principal)
            // Pushes start once the replay is whole; until then the client pages with since=.
            connection.watching[run] = more ? nil : latest
            let fields: [Request.Argument] = [.init("run", runText), .init("seq", String(latest))] + (more ? [.init("more", "yes")] : [])
            return changes.map(WireResult.event) + [Reply(code: 200, keyword: "WATCHING", fields: fields, tag: request.tag)]
        } catch let error as PhapaiError {
            return [Self.refusal(error, tag: request.tag)]
        } catch {
            return [Reply(code: 451, keyword: "STORAGE", text: "the run could not be read; try again", tag: request.tag)]
        }
    }

    /// Sends every watcher the changes committed since it last heard.
    func pushChanges() {
        for connection in connections.values where !connection.watching.isEmpty {
            for (run, seen) in connection.watching {
                let changes: [RunChange]
                do {
                    changes = try application.changes(of: run, since: seen)
                } catch {
                    // The watcher hears these changes with the next commit's push.
                    continue
                }
                guard let last = changes.last else { continue }
                for change in changes { send(WireResult.event(change), to: connection) }
                connection.watching[run] = last.seq
            }
            flush(connection)
        }
    }

    /// `STATS`: counters and commit latency percentiles (milliseconds, nearest rank over recent commits), for admins.
    private func stats(_ request: Request, on connection: Connection) -> Reply {
        guard let principal = connection.principal else { return Self.notLoggedIn(request.tag) }
        guard principal.user?.role == .admin else {
            return Reply(code: 550, keyword: "NOT_ALLOWED", text: "STATS is for admins", tag: request.tag)
        }
        let statistics = application.commitStatistics
        let commits = statistics.recentSeconds.sorted()
        func percentile(_ q: Double) -> String {
            guard !commits.isEmpty else { return "0" }
            let rank = min(max(Int((q * Double(commits.count)).rounded(.up)) - 1, 0), commits.count - 1)
            let microseconds = Int((commits[rank] * 1_000_000).rounded())
            return "\(microseconds / 1000)." + String(String(microseconds % 1000 + 1000).dropFirst())
        }
        let counters = shared.counters.withLock { $0 }
        let load = workers?.load ?? (queued: 0, running: 0)
        let jobs: [Request.Argument] = [
            .init("workers", String(workers?.threads ?? 0)), .init("jobs-running", String(load.running)),
            .init("jobs-queued", String(load.queued)),
        ]
        let fields: [Request.Argument] = [
                .init("connections", String(connections.count)), .init("accepted", String(counters.accepted)),
                .init("requests", String(counters.requests)), .init("errors", String(counters.errors)),
                .init("slow-consumers", String(counters.slowConsumers)), .init("writes", String(counters.groupedWrites)),
                .init("commits", String(statistics.commits)), .init("commit-p50-ms", percentile(0.5)),
                .init("commit-p99-ms", percentile(0.99)), .init("commit-max-ms", percentile(1)),
                .init("rss-kb", MemoryStatus.kilobytes("VmRSS")), .init("rss-peak-kb", MemoryStatus.kilobytes("VmHWM")),
                .init("evicted", String(counters.evicted)), .init("failed-logins", String(counters.failedLogins)),
                .init("refused-logins", String(counters.refusedLogins)), .init("revoked-sessions", String(counters.revokedSessions)),
            ]
        return Reply(code: 200, keyword: "STATS", fields: fields + jobs, tag: request.tag)
    }
}

/// Runs a command of the shared language and renders its reply: on the loop with the loop's
/// application, or on a worker with the worker's own.
enum CommandRunner {
    /// The command path of a request: its verb and sub-verb, lower case.
    static func path(of request: Request) -> [String] {
        [request.verb.lowercased()] + (request.subverb.map { [$0.lowercased()] } ?? [])
    }

    /// The answer to a request that names no command of the shared language.
    static func unknown(_ request: Request) -> Reply {
        let path = path(of: request).joined(separator: " ")
        let local = ["init", "demo", "backup", "matrix import"].contains(path)
        let message = local ? "'\(path)' works on a local database only" : "unknown command '\(path)'"
        return Reply(code: 501, keyword: "USAGE", text: message, tag: request.tag)
    }

    /// Runs `command` for `principal` on `application`: data lines for people (or JSON), the
    /// final line with the result's key fields; a refusal with its keyword, field and rule. With a
    /// `rid`, the answer is kept with the write in one unit (in the loop's round, with its commit;
    /// on a worker, in a transaction of its own) and a retry gets it back (`replayed`).
    /// `revoked` hears the user a `USER REVOKE` revoked.
    static func reply(
        _ request: Request, command: Command, principal: Principal, application: Application, revoked: (String) -> Void = { _ in }
    ) -> (Reply, replayed: Bool) {
        var arguments = Arguments()
        for argument in request.arguments { arguments[argument.key] = argument.value }
        let wantsJSON = arguments["json"] == "yes"
        do {
            // Rendered inside the application's run, so that with a rid the answer is kept in the
            // same commit as the write it tells of; the tag is the retry's own, so it is not kept.
            let replied = try application.run(command, arguments, as: principal, face: .wire) { response in
                if case .userRevoked(let name) = response.result { revoked(name) }
                var renderer = try Renderer(application: application, era: response.era, language: response.language)
                let data = try renderer.render(response)
                let result = WireResult(response.result, offset: renderer.offset)
                return RenderedReply(keyword: result.keyword, fields: result.fields.map { .init($0.key, $0.value) }, lines: data)
            }
            let reply = replied.reply
            return (Reply(code: 200, keyword: reply.keyword, fields: reply.fields.map { .init($0.key, $0.value) }, data: reply.lines, tag: request.tag),
                    replied.replayed)
        } catch let error as PhapaiError {
            do {
                let renderer = try Renderer(application: application, era: .common)
                let data = wantsJSON
                    ? renderer.errorJSON(error).serialized().split(separator: "\n", omittingEmptySubsequences: false).map(String.init) : []
                return (EventLoop.refusal(error, data: data, tag: request.tag, offset: renderer.offset), false)
            } catch {
                return (Reply(code: 451, keyword: "STORAGE", text: "the database could not be read or written; try again", tag: request.tag), false)
            }
        } catch {
            return (Reply(code: 451, keyword: "STORAGE", text: "the database could not be read or written; try again", tag: request.tag), false)
        }
    }
}
