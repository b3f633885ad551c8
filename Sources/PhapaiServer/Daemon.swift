#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import PhapaiApp
import PhapaiCore
import PhapaiService
import Synchronization

/// `phapaid [--config FILE]`: opens the database and serves until SIGTERM or SIGINT.
public enum Daemon {
    struct File: Decodable {
        var listen: String?
        var database: String?
        var maxConnections: Int?
        var helloDeadlineSeconds: Double?
        var lineDeadlineSeconds: Double?
        var idleTimeoutSeconds: Double?
        var maxOutgoingBytes: Int?
        var maxPipelined: Int?
        var logPings: Bool?
        var maxUnauthenticated: Int?
        var maxUnauthenticatedPerAddress: Int?
        var unauthenticatedGraceSeconds: Double?
        var maxLoginFailures: Int?
        var loginFailureWindowSeconds: Double?
        var loginLockoutSeconds: Double?
        var loginLockoutMaxSeconds: Double?
        var allowNonLoopback: Bool?
        var workers: Int?
        var maxPlanSeconds: Double?
        var maxPlanIterations: Int?
        var planThreads: Int?
        var maxWatchReplay: Int?
        var maxStatusReportsPerMinute: Int?
        var driverWeb: DriverWebFile?
        /// The holiday calendar: a path (relative to the configuration file's folder), or `none`.
        var holidays: String?
    }

    /// The driver web face's part of the file.
    struct DriverWebFile: Decodable {
        var enabled: Bool?
        var listen: String?
        var maxConnections: Int?
        var requestDeadlineSeconds: Double?
    }

    /// Writes a log line at once (unbuffered).
    static func log(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    /// Request log lines, collected during a round of the server's loop and written together after it.
    final class LogBuffer: Sendable {
        private let bytes = Mutex<[UInt8]>([])

        func add(_ line: String) {
            let full = bytes.withLock { bytes in
                bytes += Array((line + "\n").utf8)
                return bytes.count >= 1 << 16
            }
            if full { flush() }
        }

        func flush() {
            bytes.withLock { bytes in
                var rest = bytes[...]
                while !rest.isEmpty {
                    let written = rest.withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { break }
                    rest = rest.dropFirst(written)
                }
                bytes.removeAll(keepingCapacity: true)
            }
        }
    }

    /// The server's configuration and the database path from the JSON of a configuration file
    /// (`file` names it in errors). Every value is checked; an error names the field and the rule.
    public static func configuration(from data: Data, file path: String) throws -> (ServerConfiguration, database: String) {
        let file = try ConfigDecoding.decode(File.self, from: data, file: path)
        var configuration = ServerConfiguration()
        if let listen = file.listen { (configuration.host, configuration.port) = try address(listen, field: "listen", example: "127.0.0.1:7878") }
        if let maxConnections = file.maxConnections {
            guard (1...100_000).contains(maxConnections) else {
                throw PhapaiError.invalid("maxConnections", "OUT_OF_RANGE", "must be between 1 and 100000")
            }
            configuration.maxConnections = maxConnections
        }
        try checkSeconds([("helloDeadlineSeconds", file.helloDeadlineSeconds), ("lineDeadlineSeconds", file.lineDeadlineSeconds),
                          ("idleTimeoutSeconds", file.idleTimeoutSeconds)])
        configuration.helloDeadline = file.helloDeadlineSeconds ?? configuration.helloDeadline
        configuration.lineDeadline = file.lineDeadlineSeconds ?? configuration.lineDeadline
        configuration.idleTimeout = file.idleTimeoutSeconds ?? configuration.idleTimeout
        if let bytes = file.maxOutgoingBytes {
            guard (4096...(1 << 30)).contains(bytes) else {
                throw PhapaiError.invalid("maxOutgoingBytes", "OUT_OF_RANGE", "must be between 4096 and 1073741824")
            }
            configuration.maxOutgoingBytes = bytes
        }
        if let maxPipelined = file.maxPipelined {
            guard (1...10_000).contains(maxPipelined) else {
                throw PhapaiError.invalid("maxPipelined", "OUT_OF_RANGE", "must be between 1 and 10000")
            }
            configuration.maxPipelined = maxPipelined
        }
        configuration.logPings = file.logPings ?? configuration.logPings
        try checkFrontDoor(file, into: &configuration)
        try readWorkLimits(file, into: &configuration)
        if let web = file.driverWeb, web.enabled ?? true { configuration.driverWeb = try driverWeb(web) }
        configuration.allowNonLoopback = file.allowNonLoopback ?? configuration.allowNonLoopback
        try configuration.checkListenAddress()
        return (configuration, file.database ?? "phapai.db")
    }

    /// The holiday calendar a configuration file names, read and checked: `"holidays"` is a path
    /// relative to the configuration file's folder (so /etc/phapai/phapaid.json reads
    /// /etc/phapai/holidays-th.csv by default), or `"none"` for standing orders that run on
    /// public holidays too. A missing or bad calendar stops the start, naming `holidays`.
    public static func holidays(from data: Data, file path: String) throws -> HolidayCalendar {
        let named = try ConfigDecoding.decode(File.self, from: data, file: path).holidays ?? HolidayCalendar.fileName
        if named == "none" { return .none }
        guard !named.isEmpty else {
            throw PhapaiError.invalid("holidays", "EMPTY", "name the holiday calendar file, or \"none\"")
        }
        let calendar = named.hasPrefix("/") ? named : URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(named).path
        return try HolidayCalendar.load(path: calendar, field: "holidays")
    }

    /// HOST:PORT.
    private static func address(_ text: String, field: String, example: String) throws -> (String, UInt16) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]) else {
            throw PhapaiError.invalid(field, "INVALID_ADDRESS", "must be HOST:PORT, e.g. \(example)")
        }
        return (String(parts[0]), port)
    }

    /// The driver web face's settings, checked.
    private static func driverWeb(_ file: DriverWebFile) throws -> DriverWebConfiguration {
        var web = DriverWebConfiguration()
        if let listen = file.listen { (web.host, web.port) = try address(listen, field: "driverWeb.listen", example: "127.0.0.1:7880") }
        if let connections = file.maxConnections {
            guard (1...10_000).contains(connections) else {
                throw PhapaiError.invalid("driverWeb.maxConnections", "OUT_OF_RANGE", "must be between 1 and 10000")
            }
            web.maxConnections = connections
        }
        if let seconds = file.requestDeadlineSeconds {
            guard seconds >= 1 && seconds <= 300 else {
                throw PhapaiError.invalid("driverWeb.requestDeadlineSeconds", "OUT_OF_RANGE", "must be between 1 and 300 seconds")
            }
            web.requestDeadline = seconds
        }
        return web
    }

    /// Durations given in seconds: more than 0, at most a day.
    private static func checkSeconds(_ fields: [(String, Double?)]) throws {
        for (field, value) in fields {
            if let value, !(value > 0 && value <= 86_400) {
                throw PhapaiError.invalid(field, "OUT_OF_RANGE", "must be between 0 and 86400 seconds")
            }
        }
    }

    /// The caps on connections not logged in yet and the failed-login rule.
    private static func checkFrontDoor(_ file: File, into configuration: inout ServerConfiguration) throws {
        for (field, value) in [("maxUnauthenticated", file.maxUnauthenticated), ("maxUnauthenticatedPerAddress", file.maxUnauthenticatedPerAddress),
                               ("maxLoginFailures", file.maxLoginFailures)] {
            if let value, !(1...100_000).contains(value) {
                throw PhapaiError.invalid(field, "OUT_OF_RANGE", "must be between 1 and 100000")
            }
        }
        configuration.maxUnauthenticated = file.maxUnauthenticated ?? configuration.maxUnauthenticated
        configuration.maxUnauthenticatedPerAddress = file.maxUnauthenticatedPerAddress ?? configuration.maxUnauthenticatedPerAddress
        configuration.maxLoginFailures = file.maxLoginFailures ?? configuration.maxLoginFailures
        guard configuration.maxUnauthenticatedPerAddress <= configuration.maxUnauthenticated else {
            throw PhapaiError.invalid(
                "maxUnauthenticatedPerAddress", "OUT_OF_RANGE",
                "must be at most maxUnauthenticated (\(configuration.maxUnauthenticated)): one address cannot wait for more than everyone")
        }
        if let grace = file.unauthenticatedGraceSeconds {
            guard grace >= 0 && grace <= 60 else {
                throw PhapaiError.invalid("unauthenticatedGraceSeconds", "OUT_OF_RANGE", "must be between 0 and 60 seconds")
            }
            configuration.unauthenticatedGrace = grace
        }
        try checkSeconds([("loginFailureWindowSeconds", file.loginFailureWindowSeconds), ("loginLockoutSeconds", file.loginLockoutSeconds),
                          ("loginLockoutMaxSeconds", file.loginLockoutMaxSeconds)])
        configuration.loginFailureWindow = file.loginFailureWindowSeconds ?? configuration.loginFailureWindow
        configuration.loginLockout = file.loginLockoutSeconds ?? configuration.loginLockout
        configuration.loginLockoutMax = file.loginLockoutMaxSeconds ?? configuration.loginLockoutMax
        guard configuration.loginLockout <= configuration.loginLockoutMax else {
            throw PhapaiError.invalid(
                "loginLockoutMaxSeconds", "OUT_OF_RANGE",
                "must be at least loginLockoutSeconds (\(configuration.loginLockout)): the longest lock cannot be shorter than the first")
        }
    }

    /// The workers and the limits of the work a client may ask for, checked.
    static func readWorkLimits(_ file: File, into configuration: inout ServerConfiguration) throws {
        if let workers = file.workers {
            guard (0...256).contains(workers) else { throw PhapaiError.invalid("workers", "OUT_OF_RANGE", "must be between 0 (one per core) and 256") }
            configuration.workers = workers
        }
        if let seconds = file.maxPlanSeconds {
            // 5 s at least: a plan without a budget searches 5 s.
            guard seconds >= 5 && seconds <= 600 else { throw PhapaiError.invalid("maxPlanSeconds", "OUT_OF_RANGE", "must be between 5 and 600 seconds") }
            configuration.maxPlanSeconds = seconds
        }
        if let iterations = file.maxPlanIterations {
            guard (1...1_000_000).contains(iterations) else {
                throw PhapaiError.invalid("maxPlanIterations", "OUT_OF_RANGE", "must be between 1 and 1000000")
            }
            configuration.maxPlanIterations = iterations
        }
        if let threads = file.planThreads {
            guard (0...256).contains(threads) else { throw PhapaiError.invalid("planThreads", "OUT_OF_RANGE", "must be between 0 (one per core) and 256") }
            configuration.planThreads = threads
        }
        if let replay = file.maxWatchReplay {
            guard (1...100_000).contains(replay) else { throw PhapaiError.invalid("maxWatchReplay", "OUT_OF_RANGE", "must be between 1 and 100000") }
            configuration.maxWatchReplay = replay
        }
        if let reports = file.maxStatusReportsPerMinute {
            guard (1...100_000).contains(reports) else {
                throw PhapaiError.invalid("maxStatusReportsPerMinute", "OUT_OF_RANGE", "must be between 1 and 100000")
            }
            configuration.maxStatusReportsPerMinute = reports
        }
    }

    /// Runs the server; returns an exit code on failure (never returns on success).
    public static func main(_ arguments: [String]) -> Int32 {
        var path = "config/phapaid.json"
        if arguments.count == 2 && arguments[0] == "--config" {
            path = arguments[1]
        } else if !arguments.isEmpty {
            FileHandle.standardError.write(Data("Usage: phapaid [--config FILE]\n".utf8))
            return 1
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let (configuration, database) = try Self.configuration(from: data, file: path)
            let holidays = try Self.holidays(from: data, file: path)
            let service = try PhapaiService.open(path: database, create: false, actor: "phapaid")
            service.holidays = holidays
            let requestLog = LogBuffer()
            let server = Server(
                configuration: configuration, application: Application(service: service),
                // Each worker its own connection to the same file, opened on its own thread.
                openWorker: {
                    let worker = try PhapaiService.open(path: database, create: false, actor: "phapaid")
                    worker.holidays = holidays
                    return Application(service: worker)
                },
                log: { line in requestLog.add("ts=\(Int(Date().timeIntervalSince1970)) " + line) }, afterRound: { requestLog.flush() })
            let port = try server.start()
            // Logs carry no patient data.
            log("phapaid: listening on \(configuration.host):\(port)")
            // Said at the start, so that a calendar that ends before the booking horizon is seen.
            let years = holidays.years.sorted().map(String.init).joined(separator: ", ")
            log("phapaid: holiday calendar: \(holidays.holidays.count) day(s)" + (years.isEmpty ? " (none)" : " in \(years)"))
            if let web = configuration.driverWeb, let webPort = server.driverWebPort { log("phapaid: driver web face on \(web.host):\(webPort)") }
            signal(SIGTERM, SIG_IGN)
            signal(SIGINT, SIG_IGN)
            var sources: [any DispatchSourceSignal] = []
            for number in [SIGTERM, SIGINT] {
                let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
                source.setEventHandler {
                    server.stop()
                    log("phapaid: stopped")
                    exit(0)
                }
                source.resume()
                sources.append(source)
            }
            withExtendedLifetime(sources) { dispatchMain() }
        } catch {
            FileHandle.standardError.write(Data("phapaid: \(error)\n".utf8))
            return 5
        }
    }
}
