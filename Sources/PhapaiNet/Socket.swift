#if canImport(Glibc)
import Glibc
#endif

/// A failed system call, with the call's name and errno's reason.
public struct NetError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The call that failed (`bind`, `connect`, ...).
    public var operation: String
    /// The errno value.
    public var code: Int32

    /// Creates an error for a failed call.
    public init(operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    /// The system's reason for `code`.
    public var reason: String { String(cString: strerror(code)) }
    public var description: String { "\(operation): \(reason) (errno \(code))" }
}

/// Runs a system call, retrying while it is interrupted (EINTR), and turns -1 into a ``NetError``.
@discardableResult
func system<T: BinaryInteger>(_ operation: String, _ call: () -> T) throws -> T {
    while true {
        let result = call()
        if result != -1 { return result }
        if errno == EINTR { continue }
        throw NetError(operation: operation, code: errno)
    }
}

/// TCP keepalive settings: after `idleSeconds` of silence the kernel probes the peer every
/// `intervalSeconds`, and after `probes` unanswered probes the connection fails.
public struct KeepAlive: Sendable, Hashable {
    /// Seconds of silence before the first probe (`TCP_KEEPIDLE`).
    public var idleSeconds: Int32
    /// Seconds between probes (`TCP_KEEPINTVL`).
    public var intervalSeconds: Int32
    /// Unanswered probes before the connection is given up (`TCP_KEEPCNT`).
    public var probes: Int32

    /// Creates keepalive settings.
    public init(idleSeconds: Int32, intervalSeconds: Int32, probes: Int32) {
        self.idleSeconds = idleSeconds
        self.intervalSeconds = intervalSeconds
        self.probes = probes
    }

    /// What accepted sockets get: a peer that vanished (a phone out of coverage, a router that
    /// rebooted) is found within 2 minutes of silence instead of never (Linux's default first probe
    /// comes after 2 hours), and a probe each minute keeps NAT and firewall state on the way alive.
    public static let standard = KeepAlive(idleSeconds: 60, intervalSeconds: 10, probes: 6)
}

/// One TCP socket on IPv4. Owns its descriptor and closes it when released. Not `Sendable`:
/// closing sets the descriptor to -1 unlocked, so a socket stays with the thread that uses it.
public final class Socket {
    /// The file descriptor (-1 once closed).
    public private(set) var descriptor: Int32
    /// The peer's IPv4 address (`203.0.113.7`) of an accepted socket; nil for the others.
    public private(set) var peerAddress: String?

    init(descriptor: Int32, peerAddress: String? = nil) {
        self.descriptor = descriptor
        self.peerAddress = peerAddress
    }

    deinit { close() }

    /// A socket listening on `host:port` (port 0: any free port; see ``localPort``).
    public static func listen(host: String = "127.0.0.1", port: UInt16, backlog: Int32 = 128) throws -> Socket {
        let socket = Socket(descriptor: try system("socket") { Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0) })
        var yes: Int32 = 1
        try system("setsockopt") { setsockopt(socket.descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size)) }
        var address = try Socket.address(host: host, port: port)
        try system("bind") {
            withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket.descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        try system("listen") { Glibc.listen(socket.descriptor, backlog) }
        return socket
    }

    /// A socket connected to `host:port`. `receiveBufferBytes` fixes the kernel's receive buffer
    /// (set before connecting, so that the window never grows past it). `source` binds the local
    /// end to that address first (on Linux every 127.x.y.z is this machine, so tests can speak
    /// from several "hosts").
    public static func connect(
        host: String = "127.0.0.1", port: UInt16, from source: String? = nil, receiveBufferBytes: Int32? = nil
    ) throws -> Socket {
        let socket = Socket(descriptor: try system("socket") { Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0) })
        if var bytes = receiveBufferBytes {
            try system("setsockopt") { setsockopt(socket.descriptor, SOL_SOCKET, SO_RCVBUF, &bytes, socklen_t(MemoryLayout<Int32>.size)) }
        }
        if let source {
            var local = try Socket.address(host: source, port: 0)
            try system("bind") {
                withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket.descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            }
        }
        var address = try Socket.address(host: host, port: port)
        try system("connect") {
            withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket.descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        return socket
    }

    /// The port the socket is bound to.
    public var localPort: UInt16 {
        get throws {
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            try system("getsockname") {
                withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
            }
            return UInt16(bigEndian: address.sin_port)
        }
    }

    /// Accepts one connection, with its peer's address and TCP keepalive on (`keepAlive`, nil
    /// for none); nil when none is waiting on a non-blocking socket.
    public func accept(keepAlive: KeepAlive? = .standard) throws -> Socket? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let accepted: Int32
        do {
            accepted = try system("accept") {
                withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.accept(descriptor, $0, &length) } }
            }
        } catch let error as NetError where error.code == EAGAIN || error.code == EWOULDBLOCK {
            return nil
        }
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        let peer = inet_ntop(AF_INET, &address.sin_addr, &text, socklen_t(text.count)) != nil
            ? String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
        // Owned at once: a failure below closes the descriptor as the socket is released.
        let socket = Socket(descriptor: accepted, peerAddress: peer)
        if let keepAlive { try socket.setKeepAlive(keepAlive) }
        return socket
    }

    /// Turns on TCP keepalive with `settings` (SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT).
    public func setKeepAlive(_ settings: KeepAlive) throws {
        for (level, option, value) in [
            (SOL_SOCKET, SO_KEEPALIVE, 1), (Int32(IPPROTO_TCP), TCP_KEEPIDLE, settings.idleSeconds),
            (Int32(IPPROTO_TCP), TCP_KEEPINTVL, settings.intervalSeconds), (Int32(IPPROTO_TCP), TCP_KEEPCNT, settings.probes),
        ] {
            var value = Int32(value)
            try system("setsockopt") { setsockopt(descriptor, level, option, &value, socklen_t(MemoryLayout<Int32>.size)) }
        }
    }

    /// An integer socket option as the kernel holds it (`SOL_SOCKET`/`SO_KEEPALIVE`, ...).
    public func option(level: Int32, _ name: Int32) throws -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        try system("getsockopt") { getsockopt(descriptor, level, name, &value, &length) }
        return value
    }

    /// Reads up to `maximum` bytes: empty at end of stream, nil when nothing is ready on a
    /// non-blocking socket.
    public func read(maximum: Int = 16_384) throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: maximum)
        do {
            let count = try system("read") { buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, maximum) } }
            return Array(buffer.prefix(count))
        } catch let error as NetError where error.code == EAGAIN || error.code == EWOULDBLOCK {
            return nil
        }
    }

    /// Writes as much of `bytes` as the kernel takes now; returns how many.
    public func write(_ bytes: some Collection<UInt8>) throws -> Int {
        let array = Array(bytes)
        do {
            // MSG_NOSIGNAL: a peer that went away is an error, not a SIGPIPE.
            return try system("send") { array.withUnsafeBytes { send(descriptor, $0.baseAddress, array.count, Int32(MSG_NOSIGNAL)) } }
        } catch let error as NetError where error.code == EAGAIN || error.code == EWOULDBLOCK {
            return 0
        }
    }

    /// Writes all of `bytes` on a blocking socket.
    public func writeAll(_ bytes: some Collection<UInt8>) throws {
        var rest = Array(bytes)[...]
        while !rest.isEmpty {
            let written = try write(rest)
            rest = rest.dropFirst(written)
        }
    }

    /// Makes reads, writes and accepts return at once instead of waiting.
    public func setNonBlocking() throws {
        let flags = try system("fcntl") { fcntl(descriptor, F_GETFL) }
        try system("fcntl") { fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) }
    }

    /// Makes reads and writes wait again.
    public func setBlocking() throws {
        let flags = try system("fcntl") { fcntl(descriptor, F_GETFL) }
        try system("fcntl") { fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) }
    }

    /// Sends small writes at once (no Nagle delay): request and reply lines are small and each
    /// one is waited for.
    public func setNoDelay() throws {
        var yes: Int32 = 1
        try system("setsockopt") { setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size)) }
    }

    /// Bounds how long a blocking read waits (then it fails with EAGAIN).
    public func setReadTimeout(seconds: Double) throws {
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        try system("setsockopt") { setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) }
    }

    /// Closes the descriptor (again: nothing).
    public func close() {
        guard descriptor >= 0 else { return }
        _ = Glibc.close(descriptor)
        descriptor = -1
    }

    static func address(host: String, port: UInt16) throws -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw NetError(operation: "inet_pton \(host)", code: EINVAL) }
        return address
    }
}

/// Waits until some descriptors are ready (poll(2)).
public enum Poller {
    /// What to wait for, and what happened.
    public struct Entry: Sendable {
        public var descriptor: Int32
        public var wantsRead: Bool
        public var wantsWrite: Bool
        public var readable = false
        public var writable = false
        /// The peer hung up or the socket failed.
        public var failed = false

        public init(descriptor: Int32, wantsRead: Bool = true, wantsWrite: Bool = false) {
            self.descriptor = descriptor
            self.wantsRead = wantsRead
            self.wantsWrite = wantsWrite
        }
    }

    /// Waits up to `milliseconds` (-1: forever) and marks what is ready.
    public static func wait(_ entries: inout [Entry], milliseconds: Int32) throws {
        var fds = entries.map { entry in
            pollfd(fd: entry.descriptor, events: Int16((entry.wantsRead ? POLLIN : 0) | (entry.wantsWrite ? POLLOUT : 0)), revents: 0)
        }
        try system("poll") { poll(&fds, nfds_t(fds.count), milliseconds) }
        for index in entries.indices {
            let events = Int32(fds[index].revents)
            entries[index].readable = events & Int32(POLLIN) != 0
            entries[index].writable = events & Int32(POLLOUT) != 0
            entries[index].failed = events & Int32(POLLERR | POLLHUP | POLLNVAL) != 0
        }
    }
}
