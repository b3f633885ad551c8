import PhapaiProtocol

/// One request's replies, held until its round commits, and its log line.
struct Answer {
    let connection: Connection
    var replies: [Reply]
    let logLine: String
    let started: Double
    /// Whether the replies may show the round's uncommitted writes (then a failed commit replaces them).
    let touchesStore: Bool
    /// A PING (logged only when the configuration asks).
    var isPing = false
    /// A failed login: counted in its address's window, not logged on its own.
    var isFailedLogin = false
}

extension EventLoop {
    /// One round: takes up to `maxPipelined` requests from each connection in turn, runs them with
    /// their writes in one group, commits the group, and only then sends the replies (a write is
    /// acknowledged after its COMMIT; writes that arrive together share one fsync).
    func runRound(_ open: [Connection]) {
        var answers: [Answer] = []
        var jobs: [(connection: Connection, job: Job, key: String?, lane: Workers.Lane)] = []
        application.beginRound()
        let roundStarted = Server.monotonicSeconds()
        roundOffset = open.isEmpty ? 0 : (roundOffset + 1) % open.count
        for connection in open[roundOffset...] + open[..<roundOffset] where connection.mayHaveMore && !connection.atWorker && isOpen(connection) {
            // Past the budget, leave the rest for the next round: accepting, greeting and deadlines wait for rounds.
            if Server.monotonicSeconds() - roundStarted > Server.roundBudgetSeconds { break }
            var taken = 0
            connection.mayHaveMore = false
            var outOfTime = false
            // A user revoked in this round gives no further request in it; whether they give any
            // at all depends on the round's commit (then their session ends).
            var halted: Bool { connection.principal?.user.map { revokedInRound.contains($0.name) } ?? false }
            while taken < configuration.maxPipelined, !connection.closeAfterFlush, !outOfTime, !halted, let event = connection.framer.next() {
                taken += 1
                switch event {
                case .tooLong:
                    connection.closeAfterFlush = true
                    answers.append(Answer(
                        connection: connection,
                        replies: [Reply(code: 500, keyword: "LINE_TOO_LONG", text: "lines are at most \(connection.framer.limit) bytes")],
                        logLine: "event=request id=\(connection.number)-\(connection.lines + 1) verb=-", started: Server.monotonicSeconds(),
                        touchesStore: false))
                case .line(let line):
                    switch handle(line, on: connection) {
                    case .answer(let answer):
                        answers.append(answer)
                    case .job(let job, let key, let lane):
                        // The connection's later lines wait until the worker has answered.
                        jobs.append((connection, job, key, lane))
                        connection.atWorker = true
                    case .closed:
                        break
                    }
                }
                if !isOpen(connection) || connection.atWorker { break }
                outOfTime = Server.monotonicSeconds() - roundStarted > Server.roundBudgetSeconds
            }
            if (taken == configuration.maxPipelined || outOfTime || halted || connection.atWorker) && !connection.closeAfterFlush {
                connection.mayHaveMore = true
            }
            // (The started line's arrival was stamped when its bytes were read.)
            if !connection.mayHaveMore && !connection.framer.hasPartialLine { connection.lineStartedAt = nil }
        }
        var writes = 0
        let revoked = revokedInRound
        revokedInRound = []
        var committed = false
        do {
            writes = try application.endRound()
            committed = true
            shared.counters.withLock { $0.groupedWrites += writes }
        } catch {
            // Nothing of the round was stored: no reply may claim otherwise, nor show what was rolled back.
            for index in answers.indices where answers[index].touchesStore {
                answers[index].replies = [Reply(code: 451, keyword: "STORAGE", text: "the commit failed; nothing was stored; try again",
                                                tag: answers[index].replies.last?.tag)]
            }
        }
        var touched: [ObjectIdentifier: Connection] = [:]
        for answer in answers {
            for reply in answer.replies { send(reply, to: answer.connection) }
            touched[ObjectIdentifier(answer.connection)] = answer.connection
            if answer.isFailedLogin || (answer.isPing && !configuration.logPings) { continue }
            shared.log(answer.logLine + " code=\(answer.replies.last.map { String($0.code) } ?? "-") "
                + "ms=" + Self.milliseconds(Server.monotonicSeconds() - answer.started))
        }
        let now = shared.now()
        for connection in touched.values where isOpen(connection) {
            // A client that waited for its replies was not idle meanwhile.
            connection.lastActivity = now
            flush(connection)
        }
        // Only a committed revocation ends sessions (a failed commit stored none: the round's
        // halted users go on in the next round). Their replies of this round are sent first.
        if !revoked.isEmpty && committed { endSessions(of: revoked) }
        if writes > 0 { pushChanges() }
        // Jobs go to the workers after the commit, so they see what the round wrote before them.
        for (connection, job, key, lane) in jobs where isOpen(connection) { workers?.submit(job, key: key, lane: lane) }
    }

    /// Milliseconds with one decimal.
    static func milliseconds(_ seconds: Double) -> String {
        let tenths = Int((seconds * 10_000).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
