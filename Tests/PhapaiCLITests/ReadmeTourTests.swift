import Foundation
import Testing

/// The README's tour of the CLI, run as a reader would run it: its block of commands in bash, in
/// an empty folder, with `phapai` on the PATH. It fixes its own clock (`PHAPAI_NOW`), so it works
/// on any day; the first round's tour used dates that had passed (`IN_PAST`, `NO_SHIFTS`).
@Suite("README: the tour runs")
struct ReadmeTourTests {
    /// The lines of the README's tour block.
    static func tour() throws -> String {
        let readme = try String(contentsOf: Phapai.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## A short tour of the CLI"))
        let rest = readme[section.upperBound...]
        let open = try #require(rest.range(of: "```sh\n"))
        let close = try #require(rest[open.upperBound...].range(of: "\n```"))
        return String(rest[open.upperBound..<close.lowerBound])
    }

    @Test func everyCommandOfTheTourSucceedsOnAFreshDatabase() throws {
        let script = try Self.tour()
        #expect(script.contains("export PHAPAI_NOW="), "the tour fixes its clock")
        let folder = NSTemporaryDirectory() + "phapai-tour-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer {
            // Best effort: a temporary folder left behind is not a test failure.
            try? FileManager.default.removeItem(atPath: folder)
        }
        try (script + "\n").write(toFile: folder + "/tour.sh", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        // Every command must succeed; the one that does not is named.
        process.arguments = ["-c", #"set -e; trap 'echo "FAILED: $BASH_COMMAND" >&2' ERR; source ./tour.sh"#]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let binaries = URL(fileURLWithPath: Phapai.executable).deletingLastPathComponent().path
        process.environment = [
            "PATH": binaries + ":/usr/bin:/bin", "PHAPAI_CONFIG": Phapai.repository.appendingPathComponent("config").path,
            "LANG": "C.UTF-8", "HOME": folder,
        ]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let failed = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(failed)")
        let text = String(decoding: printed, as: UTF8.self)
        // In Thai, the sample area's language.
        #expect(text.contains("สำรอง phapai.db ไปที่ phapai-backup-2026-11-23.db แล้ว (ตรวจความถูกต้องผ่าน)"))
        #expect(FileManager.default.fileExists(atPath: folder + "/van1.html"))
    }
}
