import Foundation
import PhapaiApp
import PhapaiCore
import PhapaiService

/// The commands that work on a local database file only.
enum LocalCommands {
    static func run(_ command: LocalCommand, parsed: ParsedArguments, context: CLIContext) throws {
        // The database may not exist yet: the words are looked up once the command has opened it.
        var words: Words { get throws { try context.words() } }
        switch command {
        case .initialise:
            let areaPath = try parsed.positionals.first ?? "\(context.configFolder())/areas/sample-tambon.json"
            let policiesPath = try parsed.values["policies"] ?? "\(context.configFolder())/policies.json"
            let summary = try initialise(
                context: context, areaPath: areaPath, policiesPath: policiesPath, prefix: parsed.values["prefix"], pool: parsed.values["pool"])
            context.console.out(try words("init.done", [
                "db": context.databasePath, "schema": PhapaiService.schemaVersion, "area": summary.area, "places": summary.places,
                "patients": summary.patients, "vehicles": summary.vehicles, "drivers": summary.drivers, "shifts": summary.shifts,
            ]))
        case .backup:
            let path = parsed.positionals[0]
            try context.application().service.backup(to: path)
            context.console.out(try words("backup.done", ["db": context.databasePath, "path": path]))
        case .matrixImport:
            let path = parsed.positionals[0]
            let format = parsed.values["format"] ?? (path.lowercased().hasSuffix(".json") ? "osrm" : "csv")
            let places = try parsed.values["places"].map { try $0.split(separator: ",").map { try PlaceID.parse(String($0), field: "places") } }
            let count = try context.application().service.importMatrix(context.readFile(path, field: "FILE"), format: format, places: places)
            context.console.out(try words("matrix.done", ["count": count]))
        case .demo:
            try Demo.run(folder: parsed.values["dir"], context: context)
        }
    }

    /// Loads the policies and an area file and stores the area; shared by `init` and `demo`.
    static func initialise(context: CLIContext, areaPath: String, policiesPath: String, prefix: String? = nil, pool: String? = nil) throws -> ImportSummary {
        let policies = try ConfigDecoding.decode(Policies.self, from: context.readFile(policiesPath, field: "policies"), file: policiesPath)
        do {
            try policies.validate()
        } catch var error as PhapaiError {
            error.field = "\(policiesPath): \(error.field ?? "")"
            throw error
        }
        var file = try AreaFile.decode(context.readFile(areaPath, field: "AREA_FILE"), file: areaPath)
        if let pool { file.pool = pool }
        let area = try file.build(defaults: policies, prefix: prefix)
        return try context.application(create: true).service.importArea(area)
    }
}
