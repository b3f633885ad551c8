import Foundation
import PhapaiCore
import PhapaiService

/// The files a scenario names (its holiday calendar, its road matrix), read and checked before
/// anything runs.
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

    /// The entries of the scenario's road matrix (`travel.matrix`), read by the rules production
    /// imports a matrix with, against `known`: every place of the scenario, by the id the
    /// simulator gives it. Empty without a matrix. Errors name `travel.matrix`, the file and the
    /// line (`travel.matrix: roads.csv line 3: UNKNOWN_PLACE`).
    func travelMatrix(known: [PlaceID: Place]) throws -> [MatrixEntry] {
        guard let path = travel.matrix?.trimmingCharacters(in: .whitespaces) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PhapaiError.notFound("travel.matrix", "NO_FILE", "cannot read \(path) (a path relative to the working directory)")
        }
        let format = travel.matrixFormat ?? (path.lowercased().hasSuffix(".json") ? "osrm" : "csv")
        let order = try travel.matrixPlaces?.enumerated().map { index, id in
            let place = try PlaceID.parse(id, field: "travel.matrixPlaces[\(index)]")
            guard known[place] != nil else {
                throw PhapaiError.notFound("travel.matrixPlaces[\(index)]", "UNKNOWN_PLACE", "no place \(id) in the scenario (hospital ids, TAMBON-DEPOT, TAMBON-VILLAGE)")
            }
            return place
        }
        do {
            return try PhapaiService.readMatrix(data, format: format, places: order, known: known)
        } catch var error as PhapaiError {
            // The service names the file FILE (the CLI's argument); here the file is the scenario's field.
            let at = error.field.map { $0 == "FILE" ? path : "\(path) \($0)" } ?? path
            error.field = "travel.matrix: \(at)"
            if error.keyword == "UNKNOWN_PLACE" { error.message += " in the scenario (hospital ids, TAMBON-DEPOT, TAMBON-VILLAGE)" }
            throw error
        }
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
