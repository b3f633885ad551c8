#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import Synchronization
import Testing
import PhapaiCore
import PhapaiNet
import PhapaiProtocol
@testable import PhapaiServer
import PhapaiTestSupport

/// A number any thread may read and move.
final class SharedCount: Sendable {
    private let value = Mutex(0)
    func add(_ amount: Int = 1) { value.withLock { $0 += amount } }
    var current: Int { value.withLock { $0 } }
}

/// An attacker on its own thread until ``stop()``, which waits for it to end.
final class Attacker: Sendable {
    private let stopping = Mutex(false)
    private let done = DispatchSemaphore(value: 0)
    /// Connections it opened.
    let connections = SharedCount()

    init(_ name: String, _ body: @escaping @Sendable (Attacker) -> Void) {
        let thread = Thread { [self] in
            body(self)
            done.signal()
        }
        thread.name = name
        thread.start()
    }

    var running: Bool { !stopping.withLock { $0 } }

    func stop() {
        stopping.withLock { $0 = true }
        done.wait()
    }
}

@Suite("phapaid: the front door")
struct FrontDoorTests {
    let badHello = "HELLO proto=1 token=5ec12e7" + String(repeating: "0", count: 57)

    /// Reads until the connection is closed: the lines of every reply, in order.
    func rest(of client: TestClient) throws -> [String] {
        var lines: [String] = []
        while let reply = try client.receive() { lines += reply.lines }
        return lines
    }

    /// Makes sure the server's loop has gone round at least once since now (its housekeeping
    /// included): the second PONG is sent in a later turn of the loop than the first.
    func letTheLoopGoRound(_ client: TestClient) throws {
        #expect(try client.ask("PING") == ["200 PONG"])
        #expect(try client.ask("PING") == ["200 PONG"])
    }

    @Test func aClientReconnectingInALoopAndAHelloFloodDoNotKeepALoggedInClientOut() throws {
        let running = try TestServer(configure: {
            $0.maxConnections = 64
            $0.maxUnauthenticated = 16
            $0.maxUnauthenticatedPerAddress = 8
        })
        let port = running.port
        let badHello = self.badHello
        // Reconnects in a loop and never logs in, keeping up to 200 connections open.
        let looper = Attacker("reconnect-loop") { me in
            var open: [TestClient] = []
            while me.running {
                do {
                    let client = try TestClient.connect(port: port, from: "127.0.0.1")
                    _ = try client.reply()
                    open.append(client)
                    me.connections.add()
                    if open.count > 200 { open.removeFirst() }
                } catch {
                    continue  // reset by the server: it does not matter to an attacker
                }
            }
        }
        // Floods bad HELLOs down one connection after another.
        let flooder = Attacker("hello-flood") { me in
            while me.running {
                do {
                    let client = try TestClient.connect(port: port, from: "127.0.0.1")
                    me.connections.add()
                    try client.socket.writeAll(Array(String(repeating: badHello + "\r\n", count: 50).utf8))
                    while try client.receive() != nil {}
                } catch {
                    continue
                }
            }
        }
        // Let both get going: past the caps, well into sending each other away.
        for _ in 0..<10_000 where looper.connections.current < 100 || flooder.connections.current < 3 { usleep(1000) }
        var admitted: [TestClient] = []
        for _ in 0..<20 {
            let client = try running.connect(from: "127.0.0.2")
            #expect(try client.reply().first?.hasPrefix("220 READY") == true)
            #expect(try client.ask("HELLO proto=1 token=\(running.tokens["somchai"]!)") == ["230 HELLO user=somchai role=dispatcher"])
            admitted.append(client)
        }
        let (loops, floods) = (looper.connections.current, flooder.connections.current)
        looper.stop()
        flooder.stop()
        #expect(loops >= 100 && floods >= 3)
        // Logged-in clients are never sent away to make room.
        for client in admitted { #expect(try client.ask("PING") == ["200 PONG"]) }
        let counters = running.server.counters
        #expect(counters.evicted > 0 && counters.refusedLogins > 0)
    }

    @Test func theOldestWaitingConnectionGoesOfItsAddressThenOfAllOnceItHadItsChanceAndLoggedInOnesStay() throws {
        let running = try TestServer(configure: {
            $0.maxConnections = 5
            $0.maxUnauthenticated = 3
            $0.maxUnauthenticatedPerAddress = 2
        })
        func greeted(_ source: String) throws -> TestClient {
            let client = try running.connect(from: source)
            #expect(try client.reply().first?.hasPrefix("220 READY") == true)
            return client
        }
        let fromAddress = #"421 TOO_MANY_UNAUTHENTICATED "too many connections from your address are waiting to log in""#
        let fromAll = #"421 TOO_MANY_UNAUTHENTICATED "too many connections are waiting to log in""#
        let a1 = try greeted("127.0.0.11")
        let a2 = try greeted("127.0.0.11")
        // A third from one address while the others are within their 2 s to log in: all three stay.
        let a3 = try greeted("127.0.0.11")
        #expect(try a1.ask("PING") == ["200 PONG"])
        running.time.advance(seconds: 2)
        // Past it, a newcomer sends away that address's oldest.
        let a4 = try greeted("127.0.0.11")
        #expect(try rest(of: a1) == [fromAddress])
        let b1 = try greeted("127.0.0.12")
        // Three waiting in all: the oldest of all goes.
        #expect(try rest(of: a2) == [fromAll])
        let member = try greeted("127.0.0.14")
        #expect(try rest(of: a3) == [fromAll])
        #expect(try member.ask("HELLO proto=1 token=\(running.tokens["somchai"]!)") == ["230 HELLO user=somchai role=dispatcher"])
        // Logged in: out of the waiting room. a4 and b1 wait; the server holds 3 of its 5.
        let others = try (0..<2).map { _ in try running.login("malee", from: "127.0.0.15") }
        // Full (5): the newcomer takes the place of the oldest waiting of the busiest address
        // (a tie of one each: the one waiting longest).
        let d1 = try greeted("127.0.0.16")
        #expect(try rest(of: a4) == [#"421 TOO_MANY_UNAUTHENTICATED "the server is full""#])
        #expect(try d1.ask("HELLO proto=1 token=\(running.tokens["root"]!)") == ["230 HELLO user=root role=admin"])
        let d2 = try greeted("127.0.0.16")
        #expect(try rest(of: b1) == [#"421 TOO_MANY_UNAUTHENTICATED "the server is full""#])
        // Full of logged-in clients and newcomers only: no logged-in client is sent away.
        #expect(try d2.ask("HELLO proto=1 token=\(running.tokens["root"]!)") == ["230 HELLO user=root role=admin"])
        let late = try running.connect(from: "127.0.0.17")
        #expect(try rest(of: late) == [#"421 TOO_MANY_CONNECTIONS "try again later""#])
        for client in [member, d1, d2] + others { #expect(try client.ask("PING") == ["200 PONG"]) }
        #expect(running.server.counters.evicted == 5)
        let stats = try #require(try d1.ask("STATS").first)
        #expect(stats.contains(" evicted=5 failed-logins=0 refused-logins=0 revoked-sessions=0 "), "\(stats)")
    }

    @Test func aFullServerSendsAwayTheBusiestAddressesOldestHoweverYoung() throws {
        let running = try TestServer(configure: { $0.maxConnections = 4 })
        let flood = try (0..<3).map { _ in try running.connect(from: "127.0.0.31") }
        for client in flood { _ = try client.reply() }
        let member = try running.connect(from: "127.0.0.32")
        #expect(try member.reply().first?.hasPrefix("220 READY") == true)
        // The server is full of connections within their grace: the busiest address pays.
        let more = try running.connect(from: "127.0.0.31")
        #expect(try more.reply().first?.hasPrefix("220 READY") == true)
        #expect(try rest(of: flood[0]) == [#"421 TOO_MANY_UNAUTHENTICATED "the server is full""#])
        #expect(try member.ask("HELLO proto=1 token=\(running.tokens["somchai"]!)") == ["230 HELLO user=somchai role=dispatcher"])
    }

    @Test func aBurstOfLoginsFromOneAddressAllGetIn() throws {
        // 64 clients behind one address (a tunnel, an office router) connect at the same moment,
        // twice the cap of one address: each gets its grace to log in, none is sent away.
        let running = try TestServer()
        let (port, token) = (running.port, running.tokens["somchai"]!)
        let admitted = SharedCount()
        let ready = DispatchSemaphore(value: 0)
        let go = DispatchSemaphore(value: 0)
        let finished = DispatchGroup()
        for _ in 0..<64 {
            finished.enter()
            Thread {
                defer { finished.leave() }
                ready.signal()
                go.wait()
                do {
                    let client = try TestClient.connect(port: port)
                    let greeting = try client.reply()
                    if greeting.first?.hasPrefix("220 ") == true,
                        try client.ask("HELLO proto=1 token=\(token)") == ["230 HELLO user=somchai role=dispatcher"]
                    {
                        admitted.add()
                    }
                } catch {
                    return
                }
            }.start()
        }
        for _ in 0..<64 { ready.wait() }
        for _ in 0..<64 { go.signal() }
        finished.wait()
        #expect(admitted.current == 64 && running.server.counters.evicted == 0)
    }

    @Test func failedLoginsAreLockedOutWithADoublingDelayAndLoggedOncePerWindow() throws {
        let running = try TestServer()
        let refused = { (seconds: Int) in [#"421 TOO_MANY_FAILURES retry-after=\#(seconds) "too many failed logins; try again later""#] }
        let badToken = [#"535 BAD_TOKEN "the token is not valid""#]
        let flood = try running.connect()
        _ = try flood.reply()
        for _ in 0..<5 { #expect(try flood.ask(badHello) == badToken) }
        // The sixth failure from this address within the window: refused, and the connection closed.
        #expect(try flood.ask(badHello) == refused(10))
        #expect(try flood.isClosed())
        let again = try running.connect()
        _ = try again.reply()
        #expect(try again.ask(badHello) == refused(10))
        #expect(try again.isClosed())
        // A valid token still gets in from the locked address (an office behind one router, a tunnel).
        let member = try running.login("somchai")
        running.time.advance(seconds: 4)
        let later = try running.connect()
        _ = try later.reply()
        #expect(try later.ask(badHello) == refused(6))
        // Once the lock is over, five more failures lock it again, for twice as long.
        running.time.advance(seconds: 6)
        let next = try running.connect()
        _ = try next.reply()
        for _ in 0..<5 { #expect(try next.ask(badHello) == badToken) }
        #expect(try next.ask(badHello) == refused(20))
        #expect(try next.isClosed())
        // No line per failure, no token: one line when the window is over.
        try letTheLoopGoRound(member)
        #expect(!running.logLines.contains { $0.contains("login-failures") || $0.contains("BAD_TOKEN") || $0.contains("code=535") })
        running.time.advance(seconds: 51)
        try letTheLoopGoRound(member)
        running.time.advance(seconds: 120)
        try letTheLoopGoRound(member)
        let logged = running.logLines.filter { $0.contains("login") }
        #expect(logged == ["event=login-failures addr=127.0.0.1 failures=10 refused=4 window-s=60 lockouts=2"])
        #expect(!running.logLines.contains { $0.contains("5ec12e7") || $0.contains(running.tokens["somchai"]!) })
        let counters = running.server.counters
        #expect(counters.failedLogins == 10 && counters.refusedLogins == 4)
    }

    @Test func aRevokedTokenIsCountedByItsUsersNameFromEveryAddress() throws {
        var revoked = ""
        let running = try TestServer(prepare: { world in
            revoked = try world.service.addUser(name: "nid", role: .planner).token
            try world.service.revokeUser("nid")
        })
        // A revoked token is refused like any bad one, whatever the address ...
        for source in ["127.0.0.21", "127.0.0.21", "127.0.0.22", "127.0.0.23", "127.0.0.24"] {
            let client = try running.connect(from: source)
            _ = try client.reply()
            #expect(try client.ask("HELLO proto=1 token=\(revoked)") == [#"535 BAD_TOKEN "the token is not valid""#])
        }
        // ... and the sixth use of it is refused by name, from an address with no failures.
        let fresh = try running.connect(from: "127.0.0.25")
        _ = try fresh.reply()
        #expect(try fresh.ask("HELLO proto=1 token=\(revoked)").first?.hasPrefix("421 TOO_MANY_FAILURES retry-after=10 ") == true)
        // That address is not locked: another bad token there is just a bad token.
        let other = try running.connect(from: "127.0.0.25")
        _ = try other.reply()
        #expect(try other.ask(badHello) == [#"535 BAD_TOKEN "the token is not valid""#])
        running.time.advance(seconds: 61)
        try letTheLoopGoRound(try running.login("root"))
        let logged = running.logLines.filter { $0.hasPrefix("event=login-failures") }.sorted()
        #expect(logged == [
            "event=login-failures addr=127.0.0.21 failures=2 refused=0 window-s=60 lockouts=0",
            "event=login-failures addr=127.0.0.22 failures=1 refused=0 window-s=60 lockouts=0",
            "event=login-failures addr=127.0.0.23 failures=1 refused=0 window-s=60 lockouts=0",
            "event=login-failures addr=127.0.0.24 failures=1 refused=0 window-s=60 lockouts=0",
            "event=login-failures addr=127.0.0.25 failures=1 refused=1 window-s=60 lockouts=0",
            "event=login-failures user=nid failures=5 refused=1 window-s=60 lockouts=1",
        ])
    }

    @Test func revokingAUserOverTheWireEndsTheirOpenSessionsOnceTheRevocationIsCommitted() throws {
        let failNext = FailOnce()
        let running = try TestServer(fault: { name in
            if name == "store.before-commit", failNext.take() { throw PhapaiError(.storage, keyword: "STORAGE", field: nil, message: "injected") }
        })
        let session = try running.login("somchai")
        let admin = try running.login("root")
        // A revocation whose commit failed was not made: the session goes on.
        failNext.arm()
        #expect(try admin.ask("USER REVOKE name=somchai") == [#"451 STORAGE "the commit failed; nothing was stored; try again""#])
        #expect(try session.ask("TRIP LIST date=2026-11-23").last == "200 TRIPS count=0")
        #expect(try admin.ask("USER REVOKE name=somchai") == ["200-เพิกถอนสิทธิ์ somchai แล้ว", "200 REVOKED user=somchai"])
        #expect(try rest(of: session) == [#"421 REVOKED "the token of somchai was revoked; closing""#])
        let retry = try running.connect()
        _ = try retry.reply()
        #expect(try retry.ask("HELLO proto=1 token=\(running.tokens["somchai"]!)") == [#"535 BAD_TOKEN "the token is not valid""#])
        #expect(try admin.ask("PING") == ["200 PONG"])
        // Requests sent in one go with the revocation: none of the revoked user's runs after it.
        let own = try running.login("root")
        try own.socket.writeAll(Array("USER REVOKE name=root\r\nTRIP LIST date=2026-11-23\r\n".utf8))
        #expect(try rest(of: own) == ["200-เพิกถอนสิทธิ์ root แล้ว", "200 REVOKED user=root", #"421 REVOKED "the token of root was revoked; closing""#])
        #expect(try rest(of: admin) == [#"421 REVOKED "the token of root was revoked; closing""#])
        #expect(running.server.counters.revokedSessions == 3)
    }

    @Test func aRevocationByAnotherProcessEndsTheSessionsWithinFiveSeconds() throws {
        let running = try TestServer()
        let session = try running.login("malee")
        // `phapai user revoke malee` on the database file: another connection to it, not the server's.
        try running.world.service.revokeUser("malee")
        #expect(try session.ask("PING") == ["200 PONG"])
        running.time.advance(seconds: 5)
        #expect(try rest(of: session) == [#"421 REVOKED "the token of malee was revoked; closing""#])
    }

    @Test(arguments: ["0.0.0.0", "192.168.1.10"])
    func theServerListensBeyondLoopbackOnlyWhenTheConfigurationSaysSo(host: String) throws {
        do {
            _ = try TestServer(configure: { $0.host = host })
            Issue.record("\(host) was taken without allowNonLoopback")
        } catch let error as PhapaiError {
            #expect(error.keyword == "NOT_LOOPBACK" && error.field == "listen")
            #expect(error.message.hasPrefix("\(host) is not a loopback address (127.0.0.0/8)") && error.message.contains(#""allowNonLoopback": true"#))
        }
        for loopback in ["127.0.0.1", "127.1.2.3"] {
            var configuration = ServerConfiguration()
            configuration.host = loopback
            try configuration.checkListenAddress()
        }
        var named = ServerConfiguration()
        named.host = "localhost"
        #expect(throws: PhapaiError.invalid("listen", "INVALID_ADDRESS", "localhost is not an IPv4 address; use HOST:PORT, e.g. 127.0.0.1:7878")) {
            try named.checkListenAddress()
        }
    }

    @Test func allowNonLoopbackLetsItListenOnEveryAddress() throws {
        let running = try TestServer(configure: {
            $0.host = "0.0.0.0"
            $0.allowNonLoopback = true
        })
        let client = try running.connect()
        #expect(try client.reply().first?.hasPrefix("220 READY") == true)
    }

    @Test func theConfigurationFileIsCheckedFieldByField() throws {
        func read(_ json: String) throws -> ServerConfiguration { try Daemon.configuration(from: Data(json.utf8), file: "test.json").0 }
        do {
            _ = try read(#"{"listen": "0.0.0.0:7878"}"#)
            Issue.record("0.0.0.0 was taken without allowNonLoopback")
        } catch let error as PhapaiError {
            #expect(error.keyword == "NOT_LOOPBACK" && error.field == "listen")
        }
        let open = try read(#"{"listen": "0.0.0.0:7878", "allowNonLoopback": true}"#)
        #expect(open.host == "0.0.0.0" && open.allowNonLoopback)
        #expect(try read(#"{"driverWeb": {"enabled": false, "listen": "127.0.0.1:7880"}}"#).driverWeb == nil)
        let web = try #require(try read(#"{"driverWeb": {"listen": "127.0.0.1:8080", "maxConnections": 8, "requestDeadlineSeconds": 5}}"#).driverWeb)
        #expect(web.host == "127.0.0.1" && web.port == 8080 && web.maxConnections == 8 && web.requestDeadline == 5)
        let defaults = try read("{}")
        #expect(defaults.driverWeb == nil)
        #expect(defaults.maxUnauthenticated == 256 && defaults.maxUnauthenticatedPerAddress == 32 && defaults.unauthenticatedGrace == 2)
        #expect(defaults.maxLoginFailures == 5)
        #expect(defaults.loginFailureWindow == 60 && defaults.loginLockout == 10 && defaults.loginLockoutMax == 600 && !defaults.allowNonLoopback)
        let set = try read(#"{"maxUnauthenticated": 10, "maxUnauthenticatedPerAddress": 4, "unauthenticatedGraceSeconds": 0.5, "maxLoginFailures": 3, "loginFailureWindowSeconds": 30, "loginLockoutSeconds": 2, "loginLockoutMaxSeconds": 60}"#)
        #expect(set.maxUnauthenticated == 10 && set.maxUnauthenticatedPerAddress == 4 && set.unauthenticatedGrace == 0.5 && set.maxLoginFailures == 3)
        #expect(set.loginFailureWindow == 30 && set.loginLockout == 2 && set.loginLockoutMax == 60)
        for (json, field) in [
            (#"{"maxUnauthenticated": 0}"#, "maxUnauthenticated"), (#"{"maxUnauthenticatedPerAddress": 300}"#, "maxUnauthenticatedPerAddress"),
            (#"{"unauthenticatedGraceSeconds": -1}"#, "unauthenticatedGraceSeconds"),
            (#"{"maxLoginFailures": -1}"#, "maxLoginFailures"), (#"{"loginFailureWindowSeconds": 0}"#, "loginFailureWindowSeconds"),
            (#"{"loginLockoutSeconds": 100000}"#, "loginLockoutSeconds"), (#"{"loginLockoutSeconds": 60, "loginLockoutMaxSeconds": 30}"#, "loginLockoutMaxSeconds"),
            (#"{"listen": "localhost:7878"}"#, "listen"), (#"{"allowNonLoopback": "yes"}"#, "test.json: allowNonLoopback"),
            (#"{"driverWeb": {"listen": "0.0.0.0:7880"}}"#, "driverWeb.listen"), (#"{"driverWeb": {"listen": "x"}}"#, "driverWeb.listen"),
            (#"{"driverWeb": {"maxConnections": 0}}"#, "driverWeb.maxConnections"),
            (#"{"driverWeb": {"requestDeadlineSeconds": 0.5}}"#, "driverWeb.requestDeadlineSeconds"),
        ] {
            do {
                _ = try read(json)
                Issue.record("\(json) was taken")
            } catch let error as PhapaiError {
                #expect(error.field == field, "\(json): \(error)")
            }
        }
    }
}

@Suite("The front door's bookkeeping")
struct FrontDoorBookkeepingTests {
    @Test func locksDoubleUpToTheLongestAndAreForgottenAfterQuiet() {
        var throttle = LoginThrottle(policy: .init(limit: 2, window: 60, lockout: 10, maxLockout: 35))
        var now = 0.0
        var locks: [Double?] = []
        for _ in 0..<4 {
            throttle.fail(address: "a", now: now)
            locks.append(throttle.fail(address: "a", now: now))
            #expect(throttle.lockedFor(address: "a", now: now) == locks.last!)
            now += locks.last!! + 1
        }
        #expect(locks == [10, 20, 35, 35])
        #expect(throttle.lockedFor(address: "b", now: now) == nil)
        // Quiet for the longest lock: forgotten, and the next lock is the first again.
        now += 35
        throttle.sweep(now: now)
        #expect(throttle.records.isEmpty)
        throttle.fail(address: "a", now: now)
        #expect(throttle.fail(address: "a", now: now) == 10)
    }

    @Test func theWaitingRoomKeepsOrderByAddress() {
        final class Member {}
        var room = WaitingRoom<Member>()
        let (a, b, c) = (Member(), Member(), Member())
        room.enter(a, from: "x")
        room.enter(b, from: "y")
        room.enter(c, from: "x")
        #expect(room.count == 3 && room.count(from: "x") == 2 && room.oldest() === a && room.oldest(from: "y") === b)
        room.leave(a)
        room.leave(a)
        #expect(room.count == 2 && room.oldest() === b && room.oldest(from: "x") === c && !room.contains(a))
        room.leave(b)
        #expect(room.count(from: "y") == 0 && room.oldest(from: "y") == nil)
        // The busiest address: the most waiting, and of a tie the one whose oldest came first.
        let (d, e) = (Member(), Member())
        room.enter(d, from: "y")
        #expect(room.busiestAddress == "x")
        room.enter(e, from: "y")
        #expect(room.busiestAddress == "y")
    }
}
