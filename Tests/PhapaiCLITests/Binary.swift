import Foundation
import Testing

/// Runs the built `phapai` executable as a separate process, the way a dispatcher would.
enum Phapai {
    /// The repository's root, from this file's location.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The executable sits beside the test bundle in the build products folder.
    static let executable: String = {
        var folder = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("phapai").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return repository.appendingPathComponent(".build/debug/phapai").path
    }()

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `phapai` with `arguments` given as raw bytes (so tests can pass invalid UTF-8).
    static func run(bytes arguments: [[UInt8]], environment: [String: String]) throws -> Result {
        let scratch = NSTemporaryDirectory() + "phapai-cli-" + UUID().uuidString
        let outPath = scratch + ".out"
        let errPath = scratch + ".err"
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let argv: [UnsafeMutablePointer<CChar>?] = ([Array(executable.utf8)] + arguments).map { bytes in
            let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            for (index, byte) in bytes.enumerated() { pointer[index] = CChar(bitPattern: byte) }
            pointer[bytes.count] = 0
            return pointer
        } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { $0?.deallocate() }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Result(
            status: exitStatus,
            stdout: String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self),
            stderr: String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self))
    }
}

/// The widest line of `text` in a terminal's columns: Thai marks above or below a letter take none.
func displayColumns(_ text: String) -> Int {
    text.split(separator: "\n").map { line in
        line.unicodeScalars.filter { ![.nonspacingMark, .enclosingMark, .format].contains($0.properties.generalCategory) }.count
    }.max() ?? 0
}

/// A temporary folder with a database path, and the environment every run gets: a fixed clock
/// (Friday 2026-11-20 10:00, Bangkok), the repository's config folder and a language. Most tests
/// check English wording, so they run with `PHAPAI_LANG=en`; a test of the Thai default gives
/// `language: nil` (the sample area's Thai) or `"th"`.
final class Workspace {
    let folder: String
    var database: String { folder + "/phapai.db" }
    var environment: [String: String]

    init(now: String = "2026-11-20 10:00", language: String? = "en") {
        folder = NSTemporaryDirectory() + "phapai-cli-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        environment = [
            "PHAPAI_NOW": now, "PHAPAI_CONFIG": Phapai.repository.appendingPathComponent("config").path,
            "PHAPAI_ACTOR": "test:dispatcher", "LANG": "C.UTF-8",
            // Plans with an iteration budget are then the same on any machine, whatever its cores.
            "PHAPAI_THREADS": "2",
        ]
        if let language { environment["PHAPAI_LANG"] = language }
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    /// Runs `phapai --db <this database> arguments...`.
    @discardableResult
    func run(_ arguments: String..., extraEnvironment: [String: String] = [:]) throws -> Phapai.Result {
        try run(arguments, extraEnvironment: extraEnvironment)
    }

    func run(_ arguments: [String], extraEnvironment: [String: String] = [:]) throws -> Phapai.Result {
        try Phapai.run(
            bytes: (["--db", database] + arguments).map { Array($0.utf8) },
            environment: environment.merging(extraEnvironment) { $1 })
    }

    /// Runs a command that must succeed, and returns its standard output.
    @discardableResult
    func ok(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(arguments)
        #expect(result.status == 0, "phapai \(arguments.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }

    /// Four journeys booked for Monday 2026-11-23 (P001 to the provincial hospital, the others to
    /// the community hospital, each home at 14:00, with `notes` if given), and the day planned.
    func bookAndPlanMonday(notes: String? = nil) throws {
        for (patient, time) in [("P004", "09:00"), ("P002", "08:30"), ("P006", "10:00"), ("P001", "10:30")] {
            try ok(["trip", "book", "--patient", patient, "--to", patient == "P001" ? "H-PROV" : "H-COMM", "--appointment", "2026-11-23 \(time)",
                    "--return", "14:00"] + (notes.map { ["--notes", $0] } ?? []))
        }
        try ok("plan", "--date", "2026-11-23", "--iterations", "100")
    }

    /// ``ok(_:sourceLocation:)`` with the arguments in an array.
    @discardableResult
    func ok(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(arguments)
        #expect(result.status == 0, "phapai \(arguments.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }

    /// A database initialised with the sample tambon.
    static func initialised(language: String? = "en") throws -> Workspace {
        let workspace = Workspace(language: language)
        try workspace.ok("init")
        return workspace
    }
}
