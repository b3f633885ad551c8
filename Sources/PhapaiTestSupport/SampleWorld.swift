import Foundation
import PhapaiCore
import PhapaiService

/// A fresh temporary database holding the repository's sample tambon (config/areas), with a
/// settable clock at Friday 2026-11-20 10:00 Bangkok unless told otherwise. The one test world
/// of the suites: services, servers and simulations start from it. The folder goes with it.
public final class SampleWorld {
    /// The temporary folder holding the database.
    public let folder: String
    /// The database file.
    public var databasePath: String { folder + "/phapai.db" }
    /// The clock every service of this world reads.
    public let clock: SettableClock
    /// Local time of the sample area.
    public let offset = UTCOffset.bangkok
    /// A service on the database (for setting a world up, and for tests of the service itself).
    public let service: PhapaiService

    /// The repository's root, found from this file's location.
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// The repository's config folder.
    public static let configFolder = repository.appendingPathComponent("config").path

    /// What the clock shows; setting it moves the clock.
    public var now: Instant {
        get { clock.now }
        set { clock.set(newValue) }
    }

    /// Creates the database and loads the sample area, with the clock at `now` (local time) and
    /// the area's people reading `language` (the sample file says Thai).
    public init(now text: String = "2026-11-20 10:00", actor: String = "test:dispatcher", language: Language? = nil) throws {
        folder = NSTemporaryDirectory() + "phapai-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        clock = SettableClock(try UTCOffset.bangkok.parseDateTime(text, field: "now"))
        service = try PhapaiService.open(path: folder + "/phapai.db", create: true, actor: actor, clock: clock.read)
        // Plans with an iteration budget are then the same on any machine, whatever its cores.
        service.searchThreads = 2
        var area = try Self.sampleArea()
        if let language { area.language = language }
        _ = try service.importArea(area)
    }

    deinit {
        // Best effort: a temporary folder left behind is not a test failure.
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// The sample area with the repository's default policies.
    public static func sampleArea() throws -> Area {
        let policies = try ConfigDecoding.decode(
            Policies.self, from: Data(contentsOf: URL(fileURLWithPath: configFolder + "/policies.json")), file: "policies.json")
        return try AreaFile.decode(
            Data(contentsOf: URL(fileURLWithPath: configFolder + "/areas/sample-tambon.json")), file: "sample-tambon.json"
        ).build(defaults: policies)
    }

    /// A local time (`YYYY-MM-DD HH:MM`) as an instant.
    public func at(_ text: String) throws -> Instant { try offset.parseDateTime(text, field: "t") }

    /// Sets the clock to a local time.
    public func setNow(_ text: String) throws { now = try at(text) }

    /// Another service on the same database file, with the world's clock: a second connection,
    /// like a second process (SQLite in WAL mode lets it read while a server writes).
    public func openService(actor: String = "test") throws -> PhapaiService {
        let service = try PhapaiService.open(path: databasePath, create: false, actor: actor, clock: clock.read)
        service.searchThreads = 2
        return service
    }
}
