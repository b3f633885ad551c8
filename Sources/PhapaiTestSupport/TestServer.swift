import Foundation
import PhapaiApp
import PhapaiCore
import PhapaiNet
import PhapaiProtocol
import PhapaiServer
import PhapaiService
import Synchronization

/// `phapaid` in this process on 127.0.0.1, port 0, over a ``SampleWorld``. Users are made before
/// the server starts; from then on the server's thread owns its application, and tests talk to
/// it over the wire only (or read the database through another connection). Its deadlines run
/// on `time`, which a test moves by hand.
public final class TestServer {
    /// The world the server runs on.
    public let world: SampleWorld
    /// The server.
    public let server: Server
    /// The port it listens on.
    public let port: UInt16
    /// Tokens by user name.
    public let tokens: [String: String]
    /// The monotonic clock of the server's deadlines, in seconds.
    public let time = SettableClock(Instant(rawValue: 1_000_000))
    /// The server's request log lines so far.
    public var logLines: [String] { logged.lines.withLock { $0 } }
    private let logged = LogLines()

    /// Log lines written on the server's thread and read on the test's.
    final class LogLines: Sendable {
        let lines = Mutex<[String]>([])
    }

    /// A user to make before the server starts.
    public struct Login: Sendable {
        public var name: String
        public var role: User.Role
        public var areas: [AreaID]
        public var driver: DriverID?

        /// A login of `role`; a dispatcher works for the sample tambon unless `areas` says otherwise.
        public init(_ name: String, _ role: User.Role, areas: [AreaID]? = nil, driver: DriverID? = nil) {
            self.name = name
            self.role = role
            self.areas = areas ?? (role == .dispatcher ? [AreaID(unchecked: "sample-tambon")] : [])
            self.driver = driver
        }
    }

    /// The logins of most tests: somchai (dispatcher), malee (planner), root (admin), sompong (driver D01).
    public static let standardLogins = [
        Login("somchai", .dispatcher), Login("malee", .planner), Login("root", .admin), Login("sompong", .driver, driver: DriverID(unchecked: "D01")),
    ]

    /// Starts a server over `world` (a fresh sample world by default) after `prepare` has set the
    /// world up (bookings, plans, other areas) and the logins are made. `fault` is called at the
    /// named points of the loop's writes and the workers' (and their plans'); `openWorker`, when
    /// given, opens the workers' applications instead of the usual connection to the world.
    public init(
        world: SampleWorld? = nil, logins: [Login] = TestServer.standardLogins, prepare: (SampleWorld) throws -> Void = { _ in },
        fault: (@Sendable (String) throws -> Void)? = nil, openWorker: (@Sendable () throws -> Application)? = nil,
        configure: (inout ServerConfiguration) -> Void = { _ in }
    ) throws {
        let world = try world ?? SampleWorld()
        self.world = world
        try prepare(world)
        var tokens: [String: String] = [:]
        for login in logins {
            tokens[login.name] = try world.service.addUser(name: login.name, role: login.role, areas: login.areas, driver: login.driver).token
        }
        self.tokens = tokens
        var configuration = ServerConfiguration()
        configuration.port = 0
        configure(&configuration)
        let logged = self.logged
        let time = self.time
        // The server's own connection to the database; the world's stays with the test.
        let service = try PhapaiService.open(path: world.databasePath, create: false, actor: "phapaid", clock: world.clock.read)
        if let fault { service.faultHandler = fault }
        let path = world.databasePath
        let clock = world.clock
        // Each worker its own connection, with the world's clock and the test's faults.
        let standardWorker: @Sendable () throws -> Application = {
            let service = try PhapaiService.open(path: path, create: false, actor: "phapaid", clock: clock.read)
            if let fault { service.faultHandler = fault }
            return Application(service: service)
        }
        server = Server(
            configuration: configuration, application: Application(service: service), openWorker: openWorker ?? standardWorker,
            log: { line in logged.lines.withLock { $0.append(line) } }, now: { Double(time.now.rawValue) })
        port = try server.start()
    }

    deinit { server.stop() }

    /// A new connection (its greeting not yet read), from loopback address `source` (any
    /// 127.x.y.z: the server tells clients apart by address) or the system's choice.
    public func connect(from source: String? = nil, receiveBufferBytes: Int32? = nil) throws -> TestClient {
        try TestClient(port: port, from: source, receiveBufferBytes: receiveBufferBytes)
    }

    /// A new connection, greeted and logged in as `user`.
    public func login(_ user: String, from source: String? = nil) throws -> TestClient {
        let client = try connect(from: source)
        _ = try client.reply()
        let hello = try client.ask("HELLO proto=1 token=\(tokens[user]!)")
        guard hello.last?.hasPrefix("230 ") == true else { throw TestServerError.loginRefused(hello.joined(separator: "\n")) }
        return client
    }
}

/// A login a test expected to work was refused.
public enum TestServerError: Error {
    case loginRefused(String)
}

/// A test's connection: requests out, each reply's lines in exactly as the server wrote them,
/// through the one ``WireClient``; never waits more than 5 s for the server.
public final class TestClient {
    /// The socket, for tests that write raw bytes.
    public let socket: Socket
    private let client: WireClient

    init(port: UInt16, from source: String?, receiveBufferBytes: Int32?) throws {
        let socket = try Socket.connect(port: port, from: source, receiveBufferBytes: receiveBufferBytes)
        try socket.setReadTimeout(seconds: 5)
        self.socket = socket
        client = WireClient(read: { try socket.read() }, write: { try socket.writeAll($0) })
    }

    /// A new connection to a server on this machine's `port`, from loopback address `source`
    /// (for clients on threads of their own, such as a test's attackers).
    public static func connect(port: UInt16, from source: String? = nil) throws -> TestClient {
        try TestClient(port: port, from: source, receiveBufferBytes: nil)
    }

    /// Sends one line (CRLF added).
    public func send(_ line: String) throws { try client.send(line: line) }

    /// The next reply or push, as its lines; empty when the server closed the connection.
    public func reply() throws -> [String] { try client.receive()?.lines ?? [] }

    /// The next reply or push, parsed; nil when the server closed the connection.
    public func receive() throws -> Reply? { try client.receive() }

    /// Sends a line and returns the lines of its reply.
    public func ask(_ line: String) throws -> [String] {
        try send(line)
        return try reply()
    }

    /// Sends a line and returns its reply, parsed.
    public func request(_ line: String) throws -> Reply {
        try send(line)
        return try client.next()
    }

    /// Whether the server has closed the connection (after any replies still to read).
    public func isClosed() throws -> Bool { try client.receive() == nil }
}
