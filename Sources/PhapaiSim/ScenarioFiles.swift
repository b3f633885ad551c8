import Foundation
import PhapaiCore
import PhapaiService

/// The files a scenario names (its holiday calendar), read and checked before anything runs.
extension Scenario {
    /// The calendar read when a scenario names none: the one production reads.
    static let defaultHolidays = "config/" + HolidayCalendar.fileName

    /// The holiday calendar of the scenario: `holidays` (a path relative to the working
    /// directory), `none`, or config/holidays-th.csv. Errors name `holidays`, the file, the line
    /// and the rule.
    func holidayCalendar() throws -> HolidayCalendar {
        let named = holidays?.trimmingCharacters(in: .whitespaces) ?? Self.defaultHolidays
        if named == "none" { return .none }
        // The default is also looked for in the checkout the simulator was built in, so that a run
        // from another folder (or a test) reads the same calendar; a path the scenario names is not.
        let path = holidays == nil && !FileManager.default.fileExists(atPath: named) ? Self.inCheckout(named) ?? named : named
        return try HolidayCalendar.load(path: path, field: "holidays")
    }

    /// `relative` in the checkout holding the running executable (it sits in .build/CONFIG/), if there.
    static func inCheckout(_ relative: String) -> String? {
        let executable = Bundle.main.executablePath ?? CommandLine.arguments.first ?? "."
        var folder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent(relative).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return nil
    }
}
