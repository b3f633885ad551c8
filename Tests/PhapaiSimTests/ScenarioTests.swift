import Foundation
import Testing
import PhapaiCore
@testable import PhapaiSim

/// A scenario file must not be able to lie: every mistake is refused before anything runs,
/// naming the field by its path in the scenario and the rule.
@Suite("phapai-sim scenarios: checked before anything runs")
struct ScenarioTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The shipped baseline as a JSON tree.
    static func baseline() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("simulations/tambon-baseline.json")))
    }

    /// `json` with the value at `path` (keys and indices) replaced by `value`, or removed when nil.
    static func setting(_ value: Any?, at path: [Any], in json: Any) -> Any {
        guard let head = path.first else { return value as Any }
        let rest = Array(path.dropFirst())
        if let key = head as? String, var object = json as? [String: Any] {
            if rest.isEmpty && value == nil {
                object.removeValue(forKey: key)
            } else {
                object[key] = setting(value, at: rest, in: object[key] as Any)
            }
            return object
        }
        var array = json as! [Any]
        array[head as! Int] = setting(value, at: rest, in: array[head as! Int])
        return array
    }

    /// The baseline with each change applied, as text.
    static func broken(_ changes: [([Any], Any?)]) throws -> String {
        var json = try baseline()
        for (path, value) in changes { json = setting(value, at: path, in: json) }
        return String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self)
    }

    /// The error the baseline with `changes` is refused with.
    static func refusal(_ changes: [([Any], Any?)], sourceLocation: SourceLocation = #_sourceLocation) throws -> PhapaiError? {
        let text = try broken(changes)
        return #expect(throws: PhapaiError.self, sourceLocation: sourceLocation) { try TestScenarios.decode(text) }
    }

    @Test func theShippedScenariosAreValid() throws {
        let folder = Self.root.appendingPathComponent("simulations")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files == ["dialysis-growth.json", "district.json", "province.json", "tambon-baseline-roads.json", "tambon-baseline.json"])
        for file in files {
            let scenario = try Scenario.load(folder.appendingPathComponent(file).path)
            #expect(!scenario.demand.isEmpty, "\(file)")
        }
    }

    // MARK: 1. unknown keys

    @Test func anUnknownKeyIsRefusedWithItsPathAndTheNearestKnownKey() throws {
        var fleet = try #require(((try Self.baseline() as? [String: Any])?["tambons"] as? [[String: Any]])?[0]["fleet"] as? [[String: Any]])
        fleet[0]["wheelchair"] = fleet[0].removeValue(forKey: "wheelchairs")
        let error = try Self.refusal([(["tambons", 0, "fleet"], fleet)])
        #expect(error?.field == "tambons[0].fleet[0].wheelchair")
        #expect(error?.keyword == "UNKNOWN_KEY")
        #expect(error?.message == #"unknown key; did you mean "wheelchairs"?"#)
        // At the top, deep inside, in the policies (a type of PhapaiCore), and with nothing near.
        let cases: [([Any], String, String)] = [
            (["fixedRequest"], "fixedRequest", #"unknown key; did you mean "fixedRequests"?"#),
            (["demand", 1, "mobilty"], "demand[1].mobilty", #"unknown key; did you mean "mobility"?"#),
            (["tambons", 0, "villages", 2, "Population"], "tambons[0].villages[2].Population", #"unknown key; did you mean "population"?"#),
            (["tambons", 0, "depot", "lom"], "tambons[0].depot.lom", #"unknown key; did you mean "lon"?"#),
            (["policies", "pickupWindowMinute"], "policies.pickupWindowMinute", #"unknown key; did you mean "pickupWindowMinutes"?"#),
            (["behaviour", "colour"], "behaviour.colour", "unknown key"),
        ]
        for (path, field, message) in cases {
            let error = try Self.refusal([(path, 1)])
            #expect(error?.field == field && error?.message == message, "\(String(describing: error))")
        }
    }

    /// Where a value of the decoded scenario and its shape disagree: a struct (or array or map)
    /// under a key the shape takes for a plain value would have its own keys go unchecked.
    /// `visited` collects the types of the objects met.
    static func mismatches(_ value: Any, _ shape: ConfigShape, _ path: String, _ visited: inout Set<String>) -> [String] {
        let mirror = Mirror(reflecting: value)
        switch (mirror.displayStyle, shape) {
        case (.optional, _):
            // Absent here; the test fills each optional object somewhere (see `visited`).
            guard let child = mirror.children.first else { return [] }
            return mismatches(child.value, shape, path, &visited)
        case (.collection, .array(let element)):
            return mirror.children.enumerated().flatMap { mismatches($0.element.value, element, "\(path)[\($0.offset)]", &visited) }
        case (.dictionary, .map(let element)):
            return mirror.children.flatMap { pair in
                let parts = Array(Mirror(reflecting: pair.value).children)
                return mismatches(parts[1].value, element, "\(path)[\(parts[0].value)]", &visited)
            }
        case (.struct, .value) where value is LocalTime:
            return []
        case (.struct, .object(let keys)):
            visited.insert(String(describing: type(of: value)))
            return mirror.children.flatMap { child -> [String] in
                guard let label = child.label, let shape = keys[label] else { return ["\(path).\(child.label ?? "?"): not a key of its shape"] }
                return mismatches(child.value, shape, path.isEmpty ? label : "\(path).\(label)", &visited)
            }
        case (.struct, _), (.collection, _), (.dictionary, _), (_, .object), (_, .array), (_, .map):
            return ["\(path): \(type(of: value)) against \(shape)"]
        default:
            return []
        }
    }

    /// Every nested object of the format has a shape of its own: a field added later is checked
    /// as soon as it is in its type's CodingKeys, and this fails when a nested type's shape is missing.
    @Test func theShapeCoversEveryFieldOfTheFormat() throws {
        let policies = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.root.appendingPathComponent("config/policies.json")))
        var request = Self.fixed
        request["willCall"] = false
        request["companions"] = 1
        let text = try Self.broken([
            (["description"], "all fields"), (["serviceDays"], "mon-fri"), (["policies"], policies), (["generatedTambons"], Self.generated),
            (["fleets"], ["separate"]), (["fixedRequests"], [request]), (["planIterations"], 10), (["hospitals", 0, "level"], "community"),
            (["tambons", 0, "fleet", 0, "count"], 1), (["tambons", 0, "fleet", 0, "stretchers"], 0), (["tambons", 0, "fleet", 0, "breakTime"], "12:00-13:00"),
        ])
        // Decoded without validation: both tambons and generatedTambons are given, to reach every type.
        let scenario = try JSONDecoder().decode(Scenario.self, from: Data(text.utf8))
        var visited = Set<String>()
        #expect(Self.mismatches(scenario, Scenario.shape, "", &visited) == [])
        #expect(visited == ["Scenario", "TravelEntry", "PolicyOverrides", "Tambon", "Point", "Village", "VehicleKind", "GeneratedTambons", "Hospital",
                            "Demand", "Behaviour", "FixedRequest"])
    }

    // MARK: 2. fixed requests naming what does not exist

    static var fixed: [String: Any] { ["day": 0, "village": "V01", "type": "dialysis", "hospital": "H-COMM", "appointment": "09:00", "returnAt": "13:30"] }

    @Test func aFixedRequestNamingAVillageHospitalOrTypeThatDoesNotExistIsRefused() throws {
        var request = Self.fixed
        _ = try TestScenarios.decode(try Self.broken([(["fixedRequests"], [request])]))
        request["village"] = "V99"
        var error = try Self.refusal([(["fixedRequests"], [Self.fixed, request])])
        #expect(error?.field == "fixedRequests[1].village" && error?.keyword == "UNKNOWN_VILLAGE")
        #expect(error?.message == "no village 'V99' in the scenario's tambons")
        request = Self.fixed
        request["hospital"] = "H-NONE"
        error = try Self.refusal([(["fixedRequests"], [request])])
        #expect(error?.field == "fixedRequests[0].hospital" && error?.keyword == "UNKNOWN_HOSPITAL")
        #expect(error?.message == "no hospital 'H-NONE' in hospitals (H-COMM, H-PROV)")
        request = Self.fixed
        request["type"] = "diabetes"
        error = try Self.refusal([(["fixedRequests"], [request])])
        #expect(error?.field == "fixedRequests[0].type" && error?.keyword == "UNKNOWN_PATIENT_TYPE")
        #expect(error?.message == "no patient type 'diabetes' in demand (elderly, bedridden, wheelchair, dialysis, cancer)")
        // A village without a patient of the type would drop the request as surely.
        request = Self.fixed
        request["village"] = "V12"
        error = try Self.refusal([(["fixedRequests"], [request])])
        #expect(error?.field == "fixedRequests[0].village" && error?.keyword == "NO_PATIENT")
        #expect(error?.message == "village V12 has no dialysis patient (population 450 x 0.8 per 1,000 rounds to 0)")
    }

    // MARK: 3. probabilities and weights

    @Test func probabilitiesMustSumToOneAndWeightsMustBeNonNegative() throws {
        var error = try Self.refusal([(["demand", 0, "companions"], [0.3, 0.6, 0.5])])
        #expect(error?.field == "demand[0].companions" && error?.keyword == "INVALID_SCENARIO")
        #expect(error?.message == "probabilities of 0, 1, 2, ... companions must sum to 1, not 1.4")
        error = try Self.refusal([(["demand", 0, "companions"], [1.2, -0.2])])
        #expect(error?.field == "demand[0].companions[0]" && error?.message == "a probability lies in 0...1, not 1.2")
        error = try Self.refusal([(["demand", 2, "mobility", "wheelchair"], -1)])
        #expect(error?.field == #"demand[2].mobility["wheelchair"]"# && error?.message == "a weight is not negative, not -1")
        error = try Self.refusal([(["demand", 1, "hospitals"], ["H-COMM": 0, "H-PROV": 0])])
        #expect(error?.field == "demand[1].hospitals" && error?.message == "the weights must have a positive sum")
        error = try Self.refusal([(["behaviour", "noShowRate"], 1.5)])
        #expect(error?.field == "behaviour.noShowRate" && error?.message == "a rate lies in 0...1, not 1.5")
    }

    // MARK: 4. appointment hours outside clinic hours

    @Test func anAppointmentHourOutsideItsClinicsHoursIsRefused() throws {
        var error = try Self.refusal([(["demand", 3, "appointmentHours"], ["6": 1, "8": 1])])
        #expect(error?.field == #"demand[3].appointmentHours["6"]"# && error?.keyword == "OUTSIDE_CLINIC_HOURS")
        #expect(error?.message == "appointments at 06:00-06:45 fall outside the clinic hours of H-COMM (07:00-16:00)")
        // The provincial hospital opens at 08:00: hour 7 is fine for the community hospital only.
        error = try Self.refusal([(["demand", 0, "appointmentHours"], ["7": 1, "9": 2])])
        #expect(error?.field == #"demand[0].appointmentHours["7"]"#)
        #expect(error?.message == "appointments at 07:00-07:45 fall outside the clinic hours of H-PROV (08:00-16:00)")
        // A weight of 0 draws no appointment, and a hospital of weight 0 gets none.
        _ = try TestScenarios.decode(try Self.broken([(["demand", 0, "appointmentHours"], ["7": 0, "9": 2])]))
        _ = try TestScenarios.decode(try Self.broken([(["demand", 0, "appointmentHours"], ["7": 1]), (["demand", 0, "hospitals"], ["H-COMM": 1, "H-PROV": 0])]))
        // The last hour must end by closing time: 15:45 is the last appointment at a clinic closing at 16:00.
        error = try Self.refusal([(["demand", 4, "appointmentHours"], ["16": 1])])
        #expect(error?.message == "appointments at 16:00-16:45 fall outside the clinic hours of H-PROV (08:00-16:00)")
        // `nearest` goes to every hospital of level community.
        error = try Self.refusal([(["hospitals", 0, "level"], "community"), (["hospitals", 0, "opens"], "07:30"),
                                  (["demand", 3, "hospitals"], ["nearest": 1])])
        #expect(error?.field == #"demand[3].appointmentHours["7"]"#)
        #expect(error?.message == "appointments at 07:00-07:45 fall outside the clinic hours of H-COMM (07:30-16:00)")
        // A fixed request's appointment too.
        var request = Self.fixed
        request["appointment"] = "06:30"
        error = try Self.refusal([(["fixedRequests"], [request])])
        #expect(error?.field == "fixedRequests[0].appointment" && error?.keyword == "OUTSIDE_CLINIC_HOURS")
        #expect(error?.message == "06:30 falls outside the clinic hours of H-COMM (07:00-16:00)")
    }

    // MARK: 5. counts, ranges and times

    @Test func negativeCountsAndBadRangesAreRefusedWithTheirPath() throws {
        let cases: [([([Any], Any?)], String, String)] = [
            ([(["tambons", 0, "fleet", 0, "count"], -1)], "tambons[0].fleet[0].count", "must be between 0 and 100, not -1"),
            ([(["tambons", 0, "villages", 0, "population"], -5)], "tambons[0].villages[0].population", "must be between 0 and 1000000, not -5"),
            ([(["tambons", 0, "fleet", 1, "seats"], -2)], "tambons[0].fleet[1].seats", "must be between 0 and 20"),
            ([(["tambons", 0, "fleet", 1, "stretchers"], 9)], "tambons[0].fleet[1].stretchers", "must be between 0 and 4"),
            ([(["tambons", 0, "fleet", 2, "costPerKm"], -5)], "tambons[0].fleet[2].costPerKm", "must be between 0 and 100 baht per km"),
            ([(["tambons", 0, "fleet", 2, "shift"], "15:00-07:00")], "tambons[0].fleet[2].shift", "'15:00-07:00' ends before it starts"),
            ([(["tambons", 0, "fleet", 2, "shift"], "7-15")], "tambons[0].fleet[2].shift", "'7-15' is not HH:MM-HH:MM"),
            ([(["tambons", 0, "villages", 1, "moo"], 0)], "tambons[0].villages[1].moo", "must be between 1 and 99 (the หมู่ที่ number), not 0"),
            ([(["tambons", 0, "villages", 1, "lat"], 97)], "tambons[0].villages[1].lat", "must be between -90 and 90 degrees, not 97"),
            ([(["demand", 0, "patientsPer1000"], -1)], "demand[0].patientsPer1000", "must be between 0 and 1000, not -1"),
            ([(["demand", 0, "advancePerPatientPerWeek"], 9)], "demand[0].advancePerPatientPerWeek",
             "must be between 0 and 7 (a patient travels at most once a day), not 9"),
            ([(["demand", 0, "clinicMinutes"], -30)], "demand[0].clinicMinutes", "must be between 0 and 720, not -30"),
            ([(["demand", 0, "companions"], [0, 0, 0, 0, 0, 1])], "demand[0].companions", "gives 6 probabilities; a patient brings at most 4 companions"),
            ([(["behaviour", "clinicDelayMinutes"], -1)], "behaviour.clinicDelayMinutes", "must be between 0 and 600, not -1"),
            ([(["planIterations"], 0)], "planIterations", "must be between 1 and 1000000, not 0"),
            ([(["fleets"], [])], "fleets", "name at least one of separate, pooled"),
            ([(["fleets"], ["separate", "separate"])], "fleets", "name each of separate, pooled at most once"),
            ([(["policies", "pickupWindowMinutes"], -10)], "policies.pickupWindowMinutes", "must be between 5 and 180"),
            ([(["tambons", 0, "villages"], [])], "tambons[0].villages", "a tambon has at least one village"),
            ((0..<12).map { (["tambons", 0, "villages", $0, "population"], 1_000_000) }, "tambons", "register 231600 patients; at most 200000 can be simulated"),
            ([(["tambons", 0, "fleet"], [])], "tambons[0].fleet", "has no vehicles; a tambon simulated with its own fleet (fleets: separate) needs at least one"),
            ([(["tambons", 0, "fleet", 0, "count"], 0), (["tambons", 0, "fleet", 1, "count"], 0), (["tambons", 0, "fleet", 2, "count"], 0), (["fleets"], ["pooled"])],
             "tambons", "no tambon has a vehicle; the pooled fleet needs at least one"),
            ([(["name"], "../../etc")], "name", "must be 1-64 characters without '/', not starting with '.' (it names the output folder)"),
        ]
        for (changes, field, message) in cases {
            let error = try Self.refusal(changes)
            #expect(error?.field == field && error?.message == message, "\(field): \(String(describing: error))")
        }
    }

    /// A scenario changed after it was loaded (as code may) is checked again before the run
    /// makes its temporary folder: no trap, and nothing left behind.
    @Test func aRunOfABrokenScenarioLeavesNoTemporaryFolder() throws {
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("phapai-scenario-tests-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporary) }
        var scenario = try TestScenarios.decode(TestScenarios.handComputed)
        let changes: [(String, (inout Scenario) -> Void)] = [
            ("tambons[0].fleet[0].count", { $0.tambons![0].fleet[0].count = -1 }),
            ("tambons[0].villages[0].population", { $0.tambons![0].villages[0].population = -500 }),
            ("generatedTambons.villagesPerTambon", {
                $0.tambons = nil
                $0.fixedRequests = nil
                $0.generatedTambons = Scenario.GeneratedTambons(
                    count: 1, centre: .init(lat: 7, lon: 100), radiusKm: 1, villagesPerTambon: [0, 0], populationPerVillage: [10, 5], fleet: [])
            }),
        ]
        for (field, change) in changes {
            var broken = scenario
            change(&broken)
            let error = #expect(throws: PhapaiError.self) { try CoverageRun.run(broken, days: 1, temporary: temporary.path) }
            #expect(error?.field == field)
            #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path) == [])
        }
        scenario.tambons![0].fleet[0].count = 2
        _ = try CoverageRun.run(scenario, days: 1, temporary: temporary.path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path) == [])
    }

    static var generated: [String: Any] { [
        "count": 3, "centre": ["lat": 7.0, "lon": 100.5], "radiusKm": 10, "villagesPerTambon": [3, 5], "populationPerVillage": [400, 900],
        "fleet": [["name": "รถตู้", "seats": 7, "wheelchairs": 1, "costPerKm": 8, "shift": "06:00-17:00"]],
    ] }

    @Test func generatedTambonsTakeRangesThatRunForward() throws {
        _ = try TestScenarios.decode(try Self.broken([(["tambons"], nil), (["generatedTambons"], Self.generated)]))
        let cases: [(String, Any, String, String)] = [
            ("count", -2, "generatedTambons.count", "must be between 1 and 999, not -2"),
            ("radiusKm", -1, "generatedTambons.radiusKm", "must be between 0 and 500, not -1"),
            ("villagesPerTambon", [5, 2], "generatedTambons.villagesPerTambon", "is [min, max] with 1 <= min <= max <= 99, not [5, 2]"),
            ("villagesPerTambon", [4], "generatedTambons.villagesPerTambon", "is [min, max] with 1 <= min <= max <= 99, not [4]"),
            ("populationPerVillage", [-100, 50], "generatedTambons.populationPerVillage",
             "is [min, max] with 0 <= min <= max <= 1000000, not [-100, 50]"),
            ("populationPerVillage", [400, 1_000_000], "generatedTambons",
             "may register up to 289500 patients (count x most villages x most people x patients per person); at most 200000 can be simulated"),
        ]
        for (key, value, field, message) in cases {
            let error = try Self.refusal([(["tambons"], nil), (["generatedTambons"], Self.generated), (["generatedTambons", key], value)])
            #expect(error?.field == field && error?.message == message, "\(field): \(String(describing: error))")
        }
        // Both, or neither.
        var error = try Self.refusal([(["generatedTambons"], Self.generated)])
        #expect(error?.field == "tambons" && error?.message == "give either tambons (at least one) or generatedTambons, not both")
        error = try Self.refusal([(["tambons"], [])])
        #expect(error?.field == "tambons" && error?.message == "give either tambons (at least one) or generatedTambons, not both")
        // Generated villages have no codes a fixed request could name.
        error = try Self.refusal([(["tambons"], nil), (["generatedTambons"], Self.generated), (["fixedRequests"], [Self.fixed])])
        #expect(error?.field == "fixedRequests" && error?.message == "need tambons written out: generated villages have no codes to name")
    }

    // MARK: 6. breaks

    @Test func aBreakOutsideItsShiftIsRefusedBeforeTheRun() throws {
        var error = try Self.refusal([(["tambons", 0, "fleet", 1, "breakTime"], "18:00-19:00")])
        #expect(error?.field == "tambons[0].fleet[1].breakTime" && error?.keyword == "TIME_ORDER")
        #expect(error?.message == "the break 18:00-19:00 must lie inside the shift 05:30-16:30")
        error = try Self.refusal([(["tambons", 0, "fleet", 1, "breakTime"], "12:00-11:00")])
        #expect(error?.field == "tambons[0].fleet[1].breakTime" && error?.message == "'12:00-11:00' ends before it starts")
        var generated = Self.generated
        generated["fleet"] = [["name": "รถตู้", "seats": 7, "costPerKm": 8, "shift": "06:00-12:00", "breakTime": "12:00-13:00"]]
        error = try Self.refusal([(["tambons"], nil), (["generatedTambons"], generated)])
        #expect(error?.field == "generatedTambons.fleet[0].breakTime" && error?.message == "the break 12:00-13:00 must lie inside the shift 06:00-12:00")
    }

    // MARK: 7. duplicates

    @Test func aDuplicateIdIsReportedByItsPathAndTheFirstOne() throws {
        var error = try Self.refusal([(["tambons", 0, "villages", 3, "id"], "V02")])
        #expect(error?.field == "tambons[0].villages[3].id" && error?.keyword == "DUPLICATE_ID")
        #expect(error?.message == "duplicate village id 'V02' (also tambons[0].villages[1])")
        error = try Self.refusal([(["hospitals", 1, "id"], "H-COMM")])
        #expect(error?.field == "hospitals[1].id" && error?.message == "duplicate hospital id 'H-COMM' (also hospitals[0])")
        error = try Self.refusal([(["demand", 2, "type"], "elderly")])
        #expect(error?.field == "demand[2].type" && error?.message == "duplicate patient type 'elderly' (also demand[0])")
        let tambon = try #require(((try Self.baseline() as? [String: Any])?["tambons"] as? [Any])?[0] as? [String: Any])
        error = try Self.refusal([(["tambons"], [tambon, tambon])])
        #expect(error?.field == "tambons[1].id" && error?.message == "duplicate tambon id 'NATHONG' (also tambons[0])")
        // Village ids are the scenario's, not the tambon's: fixed requests name them alone.
        var second = tambon
        second["id"] = "NAKHAM"
        error = try Self.refusal([(["tambons"], [tambon, second])])
        #expect(error?.field == "tambons[1].villages[0].id" && error?.message == "duplicate village id 'V01' (also tambons[0].villages[0])")
        // A hospital may not take the code the simulator gives a village or a depot.
        error = try Self.refusal([(["hospitals", 1, "id"], "NATHONG-V03")])
        #expect(error?.field == "hospitals[1].id" && error?.message == "duplicate place code 'NATHONG-V03' (also tambons[0].villages[2])")
        error = try Self.refusal([(["tambons"], nil), (["generatedTambons"], Self.generated), (["hospitals", 1, "id"], "T002-V05")])
        #expect(error?.field == "hospitals[1].id" && error?.message == "duplicate place code 'T002-V05' (also a village of generated tambon T002)")
    }
}

/// `phapai-sim --help`, `check`, and the exit codes: 0 done, 1 failed while running, 2 a mistake in the input.
@Suite("phapai-sim help, check and exit codes")
struct SimCommandTests {
    static func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("phapai-command-tests-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func helpListsEveryCommandAndOptionAndExitsZero() throws {
        for arguments in [["--help"], ["-h"], ["help"], ["run", "--help"]] {
            #expect(SimCommand.run(arguments) == 0, "\(arguments)")
        }
        let usage = SimCommand.usage
        for word in ["check SCENARIO", "run SCENARIO", "sweep SCENARIO", "export-darp SCENARIO", "load --server", "load --province", "help",
                     "Exit codes: 0 done; 1 failed while running", "2 a mistake in the input"] {
            #expect(usage.contains(word), "\(word)")
        }
        // Every option the commands read is in the usage.
        let source = try String(contentsOf: ScenarioTests.root.appendingPathComponent("Sources/PhapaiSim/SimCommand.swift"), encoding: .utf8)
        let read = source.matches(of: /(?:take|int|has)\("([a-z-]+)"/).map { String($0.output.1) }
        #expect(!read.isEmpty)
        for option in Set(read) { #expect(usage.contains("--\(option)"), "--\(option)") }
    }

    @Test func checkValidatesOnlyAndMistakesInTheInputExitWithTwo() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let baseline = ScenarioTests.root.appendingPathComponent("simulations/tambon-baseline.json").path
        #expect(SimCommand.run(["check", baseline]) == 0)
        #expect(try SimCommand.summary(try Scenario.load(baseline))
            == "tambon-baseline: valid; 1 tambon, 12 villages, 3 vehicles, 2 hospitals, 5 demand types (elderly, bedridden, wheelchair, dialysis, cancer), "
            + "173 registered patients; fleets separate")
        let broken = folder.appendingPathComponent("broken.json")
        try ScenarioTests.broken([(["tambons", 0, "fleet", 0, "count"], -1)]).write(to: broken, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("out").path
        for arguments in [
            [], ["simulate"], ["check"], ["check", broken.path], ["check", folder.appendingPathComponent("none.json").path], ["check", baseline, "--colour", "red"],
            ["run", broken.path, "--out", out], ["sweep", baseline, "--fleet", "3..1", "--out", out], ["run", baseline, "--days", "0", "--out", out],
            ["load", "--server", "nowhere"], ["load", "--server", "127.0.0.1:1", "--token", "t", "--mix", "ping=0"],
        ] {
            #expect(SimCommand.run(arguments) == 2, "\(arguments)")
        }
        // A calendar or a road matrix the scenario names but that is not there is the input's
        // mistake too, found before any folder is made.
        for (index, change) in [(["holidays"] as [Any], "/nonexistent/holidays.csv"), (["travel", "matrix"], "/nonexistent/roads.csv")].enumerated() {
            let missing = folder.appendingPathComponent("missing-\(index).json")
            try ScenarioTests.broken([(change.0, change.1)]).write(to: missing, atomically: true, encoding: .utf8)
            #expect(SimCommand.run(["check", missing.path]) == 2, "\(change.0)")
            #expect(SimCommand.run(["run", missing.path, "--out", out]) == 2, "\(change.0)")
            #expect(SimCommand.run(["sweep", missing.path, "--fleet", "1..2", "--out", out]) == 2, "\(change.0)")
        }
        // Nothing was written for a refused scenario.
        #expect(!FileManager.default.fileExists(atPath: out))
        // A failure while running: the output folder cannot be made (a file is in the way).
        let blocked = folder.appendingPathComponent("file").path
        try "x".write(toFile: blocked, atomically: true, encoding: .utf8)
        #expect(SimCommand.run(["run", baseline, "--out", blocked + "/out"]) == 1)
    }
}
