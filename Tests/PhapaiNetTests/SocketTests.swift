#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import PhapaiNet

@Suite("Sockets on loopback")
struct SocketTests {
    @Test func aClientAndServerExchangeLinesAndSeeTheEnd() throws {
        let listener = try Socket.listen(port: 0)
        let port = try listener.localPort
        #expect(port > 0)
        let client = try Socket.connect(port: port)
        try client.setReadTimeout(seconds: 5)
        let server = try #require(try listener.accept())
        try server.setReadTimeout(seconds: 5)
        try client.writeAll(Array("PING\r\n".utf8))
        #expect(try server.read() == Array("PING\r\n".utf8))
        try server.writeAll(Array("200 PONG\r\n".utf8))
        #expect(try client.read() == Array("200 PONG\r\n".utf8))
        client.close()
        #expect(try server.read() == [])
        client.close()
        #expect(client.descriptor == -1)
    }

    @Test func nonBlockingAcceptAndPollTellWhatIsReady() throws {
        let listener = try Socket.listen(port: 0)
        try listener.setNonBlocking()
        #expect(try listener.accept() == nil)
        var entries = [Poller.Entry(descriptor: listener.descriptor)]
        try Poller.wait(&entries, milliseconds: 0)
        #expect(!entries[0].readable)
        let client = try Socket.connect(port: try listener.localPort)
        try Poller.wait(&entries, milliseconds: 5_000)
        #expect(entries[0].readable)
        let server = try #require(try listener.accept())
        try server.setNonBlocking()
        #expect(try server.read() == nil)
        try client.writeAll([0x41])
        var ready = [Poller.Entry(descriptor: server.descriptor, wantsRead: true, wantsWrite: true)]
        try Poller.wait(&ready, milliseconds: 5_000)
        #expect(ready[0].readable && ready[0].writable)
        #expect(try server.read() == [0x41])
    }

    @Test func aRefusedConnectionIsATypedError() throws {
        let port = try { () throws -> UInt16 in
            let probe = try Socket.listen(port: 0)
            return try probe.localPort
        }()
        do {
            _ = try Socket.connect(port: port)
            Issue.record("nothing listens on \(port)")
        } catch let error as NetError {
            #expect(error.operation == "connect" && error.code == ECONNREFUSED)
            #expect(error.description.hasPrefix("connect: Connection refused"))
        }
        #expect(throws: NetError.self) { try Socket.connect(host: "not an address", port: 1) }
    }

    @Test func anAcceptedSocketHasKeepaliveOnAndKnowsItsPeer() throws {
        let listener = try Socket.listen(port: 0)
        // Speaking from another loopback address: the server tells clients apart by address.
        let client = try Socket.connect(port: try listener.localPort, from: "127.0.0.2")
        let server = try #require(try listener.accept())
        #expect(server.peerAddress == "127.0.0.2")
        #expect(try server.option(level: SOL_SOCKET, SO_KEEPALIVE) == 1)
        #expect(try server.option(level: Int32(IPPROTO_TCP), TCP_KEEPIDLE) == KeepAlive.standard.idleSeconds)
        #expect(try server.option(level: Int32(IPPROTO_TCP), TCP_KEEPINTVL) == KeepAlive.standard.intervalSeconds)
        #expect(try server.option(level: Int32(IPPROTO_TCP), TCP_KEEPCNT) == KeepAlive.standard.probes)
        // A socket the server did not accept keeps the system's default (off).
        #expect(try client.option(level: SOL_SOCKET, SO_KEEPALIVE) == 0)
        #expect(client.peerAddress == nil)
    }
}
