import Foundation

/// The `phapai-sim` command line.
public enum SimCommand {
    static let usage = """
        Usage:
          phapai-sim check SCENARIO [--seed S]
          phapai-sim run SCENARIO [--days N] [--seed S] [--replications R] [--lang th|en] [--out DIR]
          phapai-sim sweep SCENARIO --fleet A..B [--days N] [--seed S] [--replications R] [--lang th|en] [--out DIR]
          phapai-sim export-darp SCENARIO --day N [--area TAMBON|pooled] [--vehicles K] [--seed S] [--out FILE]
          phapai-sim load --server HOST:PORT --token T [--clients N] [--rate R | --depth D] [--duration S]
                          [--mix ping=1,book=1,show=1,list=1,cancel=1] [--patients N] [--seed N] [--out DIR]
                          [--plan SECONDS [--plan-journeys N]]
          phapai-sim load --server HOST:PORT --token T --idle N [--duration S]
          phapai-sim load --province N [--journeys J] [--plan-iterations I] [--reports-per-second R] [--loop-only yes] [--config DIR] [--out DIR]
          phapai-sim help                     (or --help, -h): this text

        Commands:
          check        check a scenario (simulations/README.md, "Scenario format") without simulating it: prints one
                       line on what it holds, or its first mistake with the field's path in the scenario and the rule
          run          simulate a scenario's service days; writes kpis.csv, differences.csv, groups.csv, denials.csv,
                       trips.csv, villages.csv and report.html to DIR
          sweep        run once per fleet size A..B (vehicles per tambon); writes sweep.csv, sweep-gains.csv and
                       sweep.html to DIR
          export-darp  one service day's requests as a Cordeau-format DARP instance, to FILE or standard output
          load         many protocol clients against a running phapaid (--province N: a province in this process)

        Options:
          --days N             service days to simulate, 1-366 (default 1)
          --seed S             the seed, instead of the scenario's (generated tambons are laid out from it)
          --replications R     run, sweep: R runs of other days from the same world, 1-100 (default 1), side by
                               side on the cores; figures get their mean and 95% interval
          --lang th|en         run, sweep: the report's language (default th, Thai)
          --out DIR|FILE       where to write (run, sweep: simulations/out/NAME by default)
          --fleet A..B         sweep: vehicles per tambon, 1-50 (each tambon's fleet cut, or grown by its kinds in turn)
          --day N              export-darp: the service day, 1 for the scenario's first
          --area TAMBON        export-darp: a tambon's id, or pooled (default: the only tambon, else pooled)
          --vehicles K         export-darp: vehicles in the instance (default: the area's)
          --server HOST:PORT   load: the server (or PHAPAI_SERVER)
          --token T            load: a login token (or PHAPAI_TOKEN)
          --clients N          load: connections sending requests, 1-5000
          --rate R             load: requests per second in all, sent whatever the replies do
          --depth D            load: requests in flight per connection, instead of --rate
          --duration S         load: seconds to send for
          --mix NAME=W,...     load: weights of ping, book, show, list, cancel
          --patients N         load: patients registered for the bookings
          --plan SECONDS       load: one connection also plans a day of --plan-journeys N journeys for this long
          --idle N             load: hold N idle connections open instead
          --province N         load: N tambons in one database behind an in-process phapaid, 2-1000; with
                               --journeys J (each), --plan-iterations I, --reports-per-second R (each driver's),
                               --loop-only yes, --config DIR (policies)

        Exit codes: 0 done; 1 failed while running (a file that cannot be written, a server that stopped
        answering); 2 a mistake in the input: an unknown command or option, a bad value, a scenario that
        breaks a rule (the message names the field and the rule).
        The token may also come from PHAPAI_TOKEN. Build with -c release for meaningful figures.
        """

    /// Runs the command named by `arguments` (program name excluded) and returns the exit code:
    /// 0 done, 1 a failure while running, 2 a mistake in the input (``InputError``).
    public static func run(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) -> Int32 {
        guard let command = arguments.first else {
            FileHandle.standardError.write(Data((usage + "\n").utf8))
            return 2
        }
        if ["help", "--help", "-h"].contains(command) || arguments.contains("--help") {
            print(usage)
            return 0
        }
        do {
            var options = try SimOptions(Array(arguments.dropFirst()), positionals: command == "load" ? 0 : 1)
            switch command {
            case "check":
                try check(&options)
            case "load":
                try load(&options, environment: environment)
            case "run":
                try coverage(&options, sweep: false)
            case "sweep":
                try coverage(&options, sweep: true)
            case "export-darp":
                try exportDARP(&options)
            default:
                throw InputError("unknown command '\(command)' (phapai-sim --help lists them)")
            }
            return 0
        } catch let error as InputError {
            FileHandle.standardError.write(Data("phapai-sim: \(error)\n".utf8))
            return 2
        } catch {
            FileHandle.standardError.write(Data("phapai-sim: \(error)\n".utf8))
            return 1
        }
    }

    /// The scenario at `path`, read and checked; any mistake in it is the user's (``InputError``).
    static func scenario(_ path: String, seed: Int?) throws -> Scenario {
        do {
            var scenario = try Scenario.load(path)
            if let seed { scenario.seed = UInt64(seed) }
            // The files it names (holiday calendar, road matrix) are read here too, so that a
            // mistake in them is the input's (exit 2) and comes before any output folder.
            _ = try World(scenario)
            return scenario
        } catch {
            throw InputError("\(error)")
        }
    }

    /// `check`: read and check a scenario and build its world as a run would, without simulating
    /// or writing anything; print one line on what it holds.
    static func check(_ options: inout SimOptions) throws {
        guard let path = options.positionals.first else { throw InputError("give the scenario file, e.g. simulations/tambon-baseline.json") }
        let scenario = try scenario(path, seed: try options.int("seed", in: 0...Int.max))
        try options.checkAllUsed()
        do {
            print(try summary(scenario))
        } catch {
            throw InputError("\(error)")
        }
    }

    /// One line on what a valid scenario holds: tambons, villages, vehicles (as the seed lays
    /// generated tambons out), hospitals, demand types and the fleets compared. Builds every area
    /// of every variant, as a run does first.
    static func summary(_ scenario: Scenario) throws -> String {
        let world = try World(scenario)
        let variants = scenario.fleets ?? ["separate"]
        let areas = try variants.map { try world.areas(variant: $0) }
        func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
        let parts = [
            count(world.tambons.count, "tambon"), count(world.tambons.reduce(0) { $0 + $1.villages.count }, "village"),
            count(areas[0].reduce(0) { $0 + $1.area.vehicles.count }, "vehicle"), count(scenario.hospitals.count, "hospital"),
            count(scenario.demand.count, "demand type") + " (" + scenario.demand.map(\.type).joined(separator: ", ") + ")",
            count(areas[0].reduce(0) { $0 + $1.patients.count }, "registered patient"),
        ]
        return "\(scenario.name): valid; " + parts.joined(separator: ", ") + "; fleets " + variants.joined(separator: " and ")
    }

    /// `run` and `sweep`: simulate a scenario and write its tables and report.
    static func coverage(_ options: inout SimOptions, sweep: Bool) throws {
        guard let path = options.positionals.first else { throw InputError("give the scenario file, e.g. simulations/tambon-baseline.json") }
        let days = try options.int("days", in: 1...366) ?? 1
        let scenario = try scenario(path, seed: try options.int("seed", in: 0...Int.max))
        let replications = try options.int("replications", in: 1...100) ?? 1
        let languageText = options.take("lang") ?? "th"
        guard let language = ReportLanguage(rawValue: languageText) else { throw InputError("--lang must be th (Thai, the default) or en, not '\(languageText)'") }
        var fleets: ClosedRange<Int>?
        if sweep {
            guard let text = options.take("fleet"), let range = SimOptions.range(text) else {
                throw InputError("--fleet A..B gives the fleet sizes to try, e.g. 1..5 (vehicles per tambon)")
            }
            fleets = range
        }
        let out = options.take("out") ?? "simulations/out/\(scenario.name)" + (sweep ? "-sweep" : "")
        try options.checkAllUsed()
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw LoadError("--out: cannot make the folder \(out) (is a file in the way, or may it not be written?)")
        }
        let started = LoadTest.now()
        let progress: @Sendable (Int, Int) -> Void = { done, total in
            FileHandle.standardError.write(Data("\r  \(done)/\(total) area runs simulated".utf8))
        }
        if let fleets {
            var points: [SweepPoint] = []
            for size in fleets {
                FileHandle.standardError.write(Data("fleet \(size):".utf8))
                let runs = try CoverageRun.replicate(scenario, days: days, fleetSize: size, replications: replications, progress: progress)
                FileHandle.standardError.write(Data("\n".utf8))
                if size == fleets.lowerBound { for note in runs[0].first?.calendarNotes ?? [] { print(note) } }
                for (index, variant) in runs[0].map(\.variant).enumerated() {
                    points.append(SweepPoint(fleet: size, variant: variant, kpis: runs.map { KPIs($0[index], days: days) }))
                }
            }
            try Sweep.csv(points).write(toFile: out + "/sweep.csv", atomically: true, encoding: .utf8)
            try Sweep.gainsCSV(points).write(toFile: out + "/sweep-gains.csv", atomically: true, encoding: .utf8)
            try Report.sweep(scenario, points: points, days: days, language: language).write(toFile: out + "/sweep.html", atomically: true, encoding: .utf8)
            for point in points {
                let summary = KPISummary.summarize(point.kpis)
                func text(_ key: String) -> String {
                    let figure = summary.first { $0.definition.key == key }!
                    return Report.figure(figure.interval, decimals: figure.decimals)
                }
                print("fleet \(point.fleet) \(point.variant): served \(text("served_share_pct"))%, p95 pickup delay "
                      + "\(text("pickup_delay_p95_min")) min, \(text("cost_per_trip_baht")) baht a trip")
            }
            print(String(format: "wrote %@/sweep.csv, sweep-gains.csv and sweep.html (%.1f s)", out, LoadTest.now() - started))
            return
        }
        let runs = try CoverageRun.replicate(scenario, days: days, replications: replications, progress: progress)
        FileHandle.standardError.write(Data("\n".utf8))
        let variants = runs[0].indices.map { index in (variant: runs[0][index].variant, outcomes: runs.map { $0[index] }) }
        let kpis = variants.map { (variant: $0.variant, kpis: $0.outcomes.map { KPIs($0, days: days) }) }
        try CoverageFiles.kpis(kpis).write(toFile: out + "/kpis.csv", atomically: true, encoding: .utf8)
        try CoverageFiles.differences(kpis).write(toFile: out + "/differences.csv", atomically: true, encoding: .utf8)
        try CoverageFiles.groups(variants, scenario: scenario, language: language).write(toFile: out + "/groups.csv", atomically: true, encoding: .utf8)
        try CoverageFiles.denials(variants).write(toFile: out + "/denials.csv", atomically: true, encoding: .utf8)
        try CoverageFiles.trips(runs.enumerated().map { ($0.offset + 1, $0.element) }).write(toFile: out + "/trips.csv", atomically: true, encoding: .utf8)
        try CoverageFiles.villages(variants, scenario: scenario).write(toFile: out + "/villages.csv", atomically: true, encoding: .utf8)
        try Report.html(scenario, variants: variants, days: days, language: language).write(toFile: out + "/report.html", atomically: true, encoding: .utf8)
        print(summaryTable(kpis), terminator: "")
        for note in runs[0].first?.calendarNotes ?? [] { print(note) }
        print(String(format: "wrote %@/kpis.csv, differences.csv, groups.csv, denials.csv, trips.csv, villages.csv and report.html (%.1f s)",
                     out, LoadTest.now() - started))
    }

    /// The KPIs for a terminal: one line per figure, a column per variant, mean (95% interval).
    static func summaryTable(_ kpis: [(variant: String, kpis: [KPIs])]) -> String {
        let summaries = kpis.map { KPISummary.summarize($0.kpis) }
        var rows = [["metric"] + kpis.map(\.variant)]
        for (index, definition) in KPIDefinition.all.enumerated() {
            rows.append([definition.key] + summaries.map { Report.figure($0[index].interval, decimals: $0[index].decimals, small: $0[index].isSmallSample) })
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max()! }
        return rows.map { row in
            row.enumerated().map { $0.offset == 0 ? $0.element.padding(toLength: widths[0], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[$0.offset] - $0.element.count) + $0.element }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// `export-darp`: one service day's requests (advance and same-day, booked at once) as a
    /// Cordeau-format instance (``DayExport``), to a file or to standard output.
    static func exportDARP(_ options: inout SimOptions) throws {
        guard let path = options.positionals.first else { throw InputError("give the scenario file, e.g. simulations/tambon-baseline.json") }
        guard let day = try options.int("day", in: 1...366) else { throw InputError("--day N is required: the service day to export, 1 for the scenario's first") }
        let scenario = try scenario(path, seed: try options.int("seed", in: 0...Int.max))
        let world = try World(scenario)
        let tambons = world.tambons.map(\.id)
        let chosen = options.take("area") ?? (tambons.count == 1 ? tambons[0] : "pooled")
        let vehicles = try options.int("vehicles", in: 1...1000)
        let out = options.take("out")
        try options.checkAllUsed()
        let pooled = chosen == "pooled"
        let areas = try world.areas(variant: pooled ? "pooled" : "separate")
        guard let index = pooled ? 0 : areas.firstIndex(where: { $0.area.id.rawValue == chosen }) else {
            throw InputError("--area must be one of the scenario's tambons (\(tambons.prefix(10).joined(separator: ", "))\(tambons.count > 10 ? ", ..." : "")) or pooled, not '\(chosen)'")
        }
        // Only the patients' fates hang on this seed, and an export has none: any seed gives the same day.
        let export = try DayExport.export(scenario: scenario, area: areas[index], dayIndex: day - 1, seed: World.areaSeed(scenario.seed, variant: pooled ? "pooled" : "separate", area: areas[index]), vehicles: vehicles)
        var summary = ["\(scenario.name) day \(day), \(areas[index].area.id): \(export.requests) requests on \(export.vehicles) vehicles"
            + (vehicles.map { _ in " (the area has \(areas[index].area.vehicles.count))" } ?? "")
            + " (\(export.refused) refused at booking); distances within \(String(format: "%.1f", export.largestTravelDifference)) s of the simulator's travel times"]
        summary += export.dropped.map { "  dropped: " + $0 }
        guard let out else {
            print(export.text, terminator: "")
            FileHandle.standardError.write(Data((summary.joined(separator: "\n") + "\n").utf8))
            return
        }
        do {
            try export.text.write(toFile: out, atomically: true, encoding: .utf8)
        } catch {
            throw LoadError("--out: cannot write \(out) (does its folder exist?)")
        }
        print(summary.joined(separator: "\n"))
        print("wrote \(out)")
    }

    /// `load --province N`: a province in one database behind an in-process phapaid (ProvinceLoad).
    static func province(_ options: inout SimOptions) throws {
        var province = ProvinceLoadOptions()
        province.areas = try options.int("province", in: 2...1000) ?? province.areas
        province.journeysPerArea = try options.int("journeys", in: 1...40) ?? province.journeysPerArea
        province.planIterations = try options.int("plan-iterations", in: 1...100_000) ?? province.planIterations
        province.loopOnly = options.take("loop-only") == "yes"
        if let text = options.take("reports-per-second") {
            guard let value = Double(text), value > 0, value <= 100 else { throw InputError("--reports-per-second must be a number in 0..100 (each driver's)") }
            province.reportsPerSecond = value
        }
        province.configFolder = options.take("config") ?? province.configFolder
        let out = options.take("out")
        try options.checkAllUsed()
        print("province: \(province.areas) tambons in one database, \(province.journeysPerArea) journeys each for the next day, "
              + "plans of \(province.planIterations) iterations")
        let result = try ProvinceLoad.run(province, progress: { print($0) })
        let table = result.table
        let widths = table[0].indices.map { column in table.map { $0[column].count }.max()! }
        for row in table {
            print(row.enumerated().map { $0.offset < 2 ? $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[$0.offset] - $0.element.count) + $0.element }.joined(separator: "  "))
        }
        let booked = result.figures.first { $0.phase == "book next day" }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        print(String(format: "bookings: %d in %.2f s, %.0f per second", booked?.succeeded ?? 0, result.bookingSeconds,
                     Double(booked?.succeeded ?? 0) / max(result.bookingSeconds, 1e-9)))
        print(String(format: "plans: %d at once in %.2f s; one alone %.2f s; (sum of plan times) / cores = %.2f s on %d cores",
                     result.plans, result.allPlansSeconds, result.onePlanSeconds, Double(result.plans) * result.onePlanSeconds / Double(cores), cores))
        print("connections cut: \(result.connectionsCut)")
        print("one tambon's dispatcher gave \(result.sweepCommands) commands: \(result.sweepFailures.count) failed, "
              + "\(result.sweepLeaks.count) showed another tambon's codes")
        for line in result.sweepFailures + result.sweepLeaks { print("  " + line) }
        let keys = ["connections", "requests", "errors", "commits", "commit-p50-ms", "commit-p99-ms", "rss-kb", "rss-peak-kb"]
        print("server: " + keys.compactMap { key in result.serverStats[key].map { "\(key)=\($0)" } }.joined(separator: " "))
        if let out {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try (table.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n").write(toFile: out + "/province.csv", atomically: true, encoding: .utf8)
        }
    }

    static func load(_ options: inout SimOptions, environment: [String: String]) throws {
        if options.has("province") { return try province(&options) }
        var load = LoadOptions()
        guard let server = options.take("server") ?? environment["PHAPAI_SERVER"] else { throw InputError("--server HOST:PORT is required") }
        let parts = server.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]) else { throw InputError("--server must be HOST:PORT, not '\(server)'") }
        load.host = String(parts[0])
        load.port = port
        guard let token = options.take("token") ?? environment["PHAPAI_TOKEN"] else { throw InputError("--token (or PHAPAI_TOKEN) is required") }
        load.token = token
        load.clients = try options.int("clients", in: 1...5000) ?? load.clients
        if let rate = options.take("rate") {
            guard let value = Double(rate), value > 0, value <= 1_000_000 else { throw InputError("--rate must be a number of requests per second in 0..1000000") }
            load.rate = value
        }
        load.depth = try options.int("depth", in: 1...10_000) ?? load.depth
        if let duration = options.take("duration") {
            guard let value = Double(duration), value > 0, value <= 86_400 else { throw InputError("--duration must be seconds in 0..86400") }
            load.duration = value
        }
        if let mix = options.take("mix") {
            load.mix = [:]
            for part in mix.split(separator: ",") {
                let pair = part.split(separator: "=")
                let mixable = LoadOperation.allCases.filter { $0 != .plan }
                guard pair.count == 2, let operation = LoadOperation(rawValue: String(pair[0])), mixable.contains(operation),
                    let weight = Double(pair[1]), weight >= 0
                else {
                    throw InputError("--mix takes NAME=WEIGHT pairs with NAME one of \(mixable.map(\.rawValue).joined(separator: ", ")), not '\(part)'")
                }
                load.mix[operation] = weight
            }
            guard load.mix.values.contains(where: { $0 > 0 }) else { throw InputError("--mix needs at least one operation with a positive weight") }
        }
        load.patients = try options.int("patients", in: 1...1_000_000) ?? load.patients
        load.idleConnections = try options.int("idle", in: 1...100_000)
        load.planSeconds = try options.int("plan", in: 1...600).map(Double.init)
        load.planJourneys = try options.int("plan-journeys", in: 1...10_000) ?? load.planJourneys
        load.seed = UInt64(try options.int("seed", in: 0...Int.max) ?? 1)
        let out = options.take("out")
        try options.checkAllUsed()

        let describe = load.idleConnections.map { "\($0) idle connections" }
            ?? "\(load.clients) clients, " + (load.rate.map { String(format: "%.0f requests/s", $0) } ?? "\(load.depth) in flight each")
        print("load: \(server), \(describe), \(String(format: "%.0f", load.duration)) s")
        let result = try LoadTest(options: load).run(progress: { print($0) })
        let table = result.table
        let widths = table[0].indices.map { column in table.map { $0[column].count }.max()! }
        for row in table {
            print(row.enumerated().map { $0.offset == 0 ? $0.element.padding(toLength: widths[0], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[$0.offset] - $0.element.count) + $0.element }.joined(separator: "  "))
        }
        print(String(format: "elapsed %.2f s", result.seconds))
        if !result.serverStats.isEmpty {
            let keys = ["connections", "accepted", "requests", "errors", "slow-consumers", "writes", "commits", "commit-p50-ms", "commit-p99-ms",
                        "rss-kb", "rss-peak-kb", "workers"]
            print("server: " + keys.compactMap { key in result.serverStats[key].map { "\(key)=\($0)" } }.joined(separator: " "))
        }
        if let out {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try (table.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n").write(toFile: out + "/load.csv", atomically: true, encoding: .utf8)
            let server = result.serverStats.keys.sorted().map { "\($0),\(result.serverStats[$0]!)" }.joined(separator: "\n")
            try ("key,value\n" + server + "\n").write(toFile: out + "/server.csv", atomically: true, encoding: .utf8)
            print("wrote \(out)/load.csv and \(out)/server.csv")
        }
    }
}

/// `--name value` options.
struct SimOptions {
    private var values: [String: String] = [:]
    private var used = Set<String>()

    var positionals: [String] = []

    init(_ arguments: [String], positionals count: Int = 0) throws {
        var index = 0
        while index < arguments.count {
            let token = arguments[index]
            if !token.hasPrefix("--") && positionals.count < count {
                positionals.append(token)
                index += 1
                continue
            }
            guard token.hasPrefix("--"), index + 1 < arguments.count else { throw InputError("expected --option value, got '\(token)'") }
            values[String(token.dropFirst(2))] = arguments[index + 1]
            index += 2
        }
    }

    /// `A..B`.
    static func range(_ text: String) -> ClosedRange<Int>? {
        let parts = text.components(separatedBy: "..")
        guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), 1 <= low, low <= high, high <= 50 else { return nil }
        return low...high
    }

    /// Whether `--name` was given.
    func has(_ name: String) -> Bool { values[name] != nil }

    mutating func take(_ name: String) -> String? {
        used.insert(name)
        return values[name]
    }

    mutating func int(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = take(name) else { return nil }
        guard let value = Int(text), range.contains(value) else { throw InputError("--\(name) must be a whole number in \(range.lowerBound)...\(range.upperBound)") }
        return value
    }

    func checkAllUsed() throws {
        if let unknown = values.keys.sorted().first(where: { !used.contains($0) }) { throw InputError("unknown option --\(unknown)") }
    }
}

/// A mistake in what the user gave (an unknown command or option, a bad value, a scenario that
/// breaks a rule): `phapai-sim` exits with 2, apart from a failure while running (1).
struct InputError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
