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

@Suite("phapaid: the front door")
struct FrontDoorTests {
    /// Reads until the connection is closed: the lines of every reply, in order.
    func rest(of client: TestClient) throws -> [String] {
        var lines: [String] = []
        while let reply = try client.receive() { lines += reply.lines }
        return lines
    }

    @Test func theOldestWaitingConnectionGoesOfItsAddressThenOfAllAndLoggedInOnesStay() throws {
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
        let a3 = try greeted("127.0.0.11")
        // A third from one address: that address's oldest goes.
        #expect(try rest(of: a1) == [fromAddress])
        let b1 = try greeted("127.0.0.12")
        let c1 = try greeted("127.0.0.13")
        // Four waiting in all: the oldest of all goes.
        #expect(try rest(of: a2) == [fromAll])
        let member = try greeted("127.0.0.14")
        #expect(try rest(of: a3) == [fromAll])
        #expect(try member.ask("HELLO proto=1 token=\(running.tokens["somchai"]!)") == ["230 HELLO user=somchai role=dispatcher"])
        // Logged in: out of the waiting room. b1 and c1 wait; the server holds 3 of its 5.
        let others = try (0..<2).map { _ in try running.login("malee", from: "127.0.0.15") }
        // Full (5): the newcomer takes the place of the oldest still waiting.
        let d1 = try greeted("127.0.0.16")
        #expect(try rest(of: b1) == [#"421 TOO_MANY_UNAUTHENTICATED "the server is full""#])
        let d2 = try greeted("127.0.0.16")
        #expect(try rest(of: c1) == [#"421 TOO_MANY_UNAUTHENTICATED "the server is full""#])
        // Full of logged-in clients and newcomers only: no logged-in client is sent away.
        #expect(try d1.ask("HELLO proto=1 token=\(running.tokens["root"]!)") == ["230 HELLO user=root role=admin"])
        #expect(try d2.ask("HELLO proto=1 token=\(running.tokens["root"]!)") == ["230 HELLO user=root role=admin"])
        let late = try running.connect(from: "127.0.0.17")
        #expect(try rest(of: late) == [#"421 TOO_MANY_CONNECTIONS "try again later""#])
        for client in [member, d1, d2] + others { #expect(try client.ask("PING") == ["200 PONG"]) }
        #expect(running.server.counters.evicted == 5)
        let stats = try #require(try d1.ask("STATS").first)
        #expect(stats.hasSuffix(" evicted=5"), "\(stats)")
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
        let defaults = try read("{}")
        #expect(defaults.maxUnauthenticated == 256 && defaults.maxUnauthenticatedPerAddress == 32 && !defaults.allowNonLoopback)
        let set = try read(#"{"maxUnauthenticated": 10, "maxUnauthenticatedPerAddress": 4}"#)
        #expect(set.maxUnauthenticated == 10 && set.maxUnauthenticatedPerAddress == 4)
        for (json, field) in [
            (#"{"maxUnauthenticated": 0}"#, "maxUnauthenticated"), (#"{"maxUnauthenticatedPerAddress": 300}"#, "maxUnauthenticatedPerAddress"),
            (#"{"listen": "localhost:7878"}"#, "listen"), (#"{"allowNonLoopback": "yes"}"#, "test.json: allowNonLoopback"),
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
    }
}
