import Foundation
import Testing
import PhapaiCore
@testable import PhapaiSim

/// Scenarios written out in the tests, so that the hand computation sits next to its input.
enum TestScenarios {
    /// One village beside the depot, a hospital due north, one car, one patient, one request with
    /// a fixed return; nothing random happens.
    static let handComputed = #"""
        {"name": "hand", "seed": 1, "startDate": "2026-12-07",
         "travel": {"circuityFactor": 1.0, "averageSpeedKmh": 60},
         "tambons": [{"id": "T1", "name": "ตำบลทดสอบ", "depot": {"lat": 7.0, "lon": 100.0},
                      "villages": [{"id": "V01", "name": "บ้านทดสอบ", "moo": 1, "lat": 7.0, "lon": 100.0, "population": 1}],
                      "fleet": [{"name": "รถเก๋ง", "seats": 3, "costPerKm": 10, "costPerDay": 300, "driverCostPerDay": 500, "shift": "07:00-17:00"}]}],
         "hospitals": [{"id": "H", "name": "โรงพยาบาลทดสอบ", "lat": 7.09, "lon": 100.0, "opens": "08:00", "closes": "16:00"}],
         "demand": [{"type": "t", "patientsPer1000": 1000, "advancePerPatientPerWeek": 0, "sameDayPerPatientPerWeek": 0,
                     "appointmentHours": {"9": 1}, "hospitals": {"H": 1}, "returnShare": 0, "willCallShare": 0,
                     "clinicMinutes": 60, "companions": [1], "mobility": {"ambulatory": 1}}],
         "behaviour": {"travelTimeNoise": 0, "clinicDelayMinutes": 0, "noShowRate": 0, "advanceCancellationRate": 0, "sameDayCancellationRate": 0},
         "fixedRequests": [{"day": 0, "village": "V01", "type": "t", "hospital": "H", "appointment": "09:00", "returnAt": "11:00"}],
         "planIterations": 200}
        """#

    /// Two generated tambons with random demand, noise, no-shows and cancellations.
    static let small = #"""
        {"name": "small", "seed": 5, "startDate": "2026-12-07",
         "travel": {"circuityFactor": 1.3, "averageSpeedKmh": 50},
         "generatedTambons": {"count": 2, "centre": {"lat": 7.0, "lon": 100.5}, "radiusKm": 6, "villagesPerTambon": [3, 4],
                              "populationPerVillage": [600, 900],
                              "fleet": [{"name": "รถตู้", "seats": 7, "wheelchairs": 1, "foldSeats": 2, "costPerKm": 8, "shift": "06:00-17:00"},
                                        {"name": "รถเก๋ง", "seats": 3, "costPerKm": 5, "shift": "07:00-16:00"}]},
         "hospitals": [{"id": "H-C", "name": "โรงพยาบาลชุมชน", "lat": 7.02, "lon": 100.52, "opens": "07:00", "closes": "16:00", "level": "community"}],
         "fleets": ["separate", "pooled"],
         "demand": [{"type": "elderly", "patientsPer1000": 20, "advancePerPatientPerWeek": 0.3, "sameDayPerPatientPerWeek": 0.05,
                     "appointmentHours": {"8": 2, "9": 3, "10": 2}, "hospitals": {"nearest": 1}, "returnShare": 0.9, "willCallShare": 0.4,
                     "clinicMinutes": 90, "companions": [0.3, 0.7], "mobility": {"ambulatory": 0.8, "wheelchair": 0.2}}],
         "behaviour": {"travelTimeNoise": 0.2, "clinicDelayMinutes": 30, "noShowRate": 0.1, "advanceCancellationRate": 0.1, "sameDayCancellationRate": 0.05},
         "planIterations": 300}
        """#

    /// Two tambons on rough roads (large travel-time noise), will-call returns, no-shows and
    /// cancellations: a day on which promises get broken by delays.
    static let rough = #"""
        {"name": "rough", "seed": 5, "startDate": "2026-12-07",
         "travel": {"circuityFactor": 1.3, "averageSpeedKmh": 50},
         "generatedTambons": {"count": 2, "centre": {"lat": 7.0, "lon": 100.5}, "radiusKm": 8, "villagesPerTambon": [3, 4],
                              "populationPerVillage": [600, 900],
                              "fleet": [{"name": "รถตู้", "seats": 7, "wheelchairs": 1, "foldSeats": 2, "costPerKm": 8, "shift": "06:00-17:00"},
                                        {"name": "รถเก๋ง", "seats": 3, "costPerKm": 5, "shift": "07:00-16:00"}]},
         "hospitals": [{"id": "H-C", "name": "โรงพยาบาลชุมชน", "lat": 7.02, "lon": 100.52, "opens": "07:00", "closes": "16:00", "level": "community"}],
         "fleets": ["separate", "pooled"],
         "demand": [{"type": "elderly", "patientsPer1000": 40, "advancePerPatientPerWeek": 0.4, "sameDayPerPatientPerWeek": 0.05,
                     "appointmentHours": {"8": 2, "9": 3, "10": 2}, "hospitals": {"nearest": 1}, "returnShare": 0.9, "willCallShare": 0.4,
                     "clinicMinutes": 90, "companions": [0.3, 0.7], "mobility": {"ambulatory": 0.8, "wheelchair": 0.2}}],
         "behaviour": {"travelTimeNoise": 0.8, "clinicDelayMinutes": 60, "noShowRate": 0.1, "advanceCancellationRate": 0.1, "sameDayCancellationRate": 0.05},
         "planIterations": 300}
        """#

    /// Decodes and checks a scenario as `phapai-sim` does.
    static func decode(_ text: String) throws -> Scenario {
        try Scenario.decode(Data(text.utf8), file: "test")
    }
}

@Suite("phapai-sim run: coverage")
struct CoverageTests {
    /// By hand: the hospital is 0.09° of latitude north, 6371.0088 km x 0.09 x pi/180 = 10.0075 km
    /// (circuity 1.0), 601 s at 60 km/h (rounded up). The car drives depot = village -> hospital
    /// (10.0075 km), waits there for the 11:00 return, drives back (10.0075 km): 20.015 km, 200.15
    /// baht at 10 baht/km, 100.08 a trip. Each ride is boarding (2 min) plus 601 s: 721 s, 12.0
    /// min, 721/601 = 1.200 of the direct time. Both pickups fall inside their windows and the
    /// patient is at the clinic before 09:00.
    @Test func aHandComputedDayGivesItsKPIsExactly() throws {
        let scenario = try TestScenarios.decode(TestScenarios.handComputed)
        let outcomes = try CoverageRun.run(scenario, days: 1)
        let kpis = KPIs(outcomes[0], days: 1)
        let expected: [(String, String)] = [
            ("days", "1"), ("areas", "1"), ("vehicles", "1"), ("patients_registered", "1"), ("trips_requested", "2"), ("trips_served", "2"),
            ("trips_denied", "0"), ("trips_cancelled", "0"), ("trips_no_show", "0"), ("served_share_pct", "100.0"),
            ("pickup_on_time_pct", "100.0"), ("appointment_on_time_pct", "100.0"), ("return_wait_mean_min", ""), ("ride_mean_min", "12.0"),
            ("ride_ratio_mean", "1.200"), ("ride_ratio_p95", "1.200"), ("kilometres", "20.0"), ("driving_cost_baht", "200"),
            ("village_served_share_min_pct", "100.0"), ("simulation_surprises", "0"),
            // Both rides carry the patient; the depot is the village, so no kilometre is empty.
            ("loaded_km", "20.0"), ("empty_km", "0.0"),
            // One day out: 300 for the car and 500 for its driver, beside 200.15 of distance.
            ("day_cost_baht", "800"), ("cost_per_day_baht", "1000"),
        ]
        for (name, value) in expected { #expect(kpis[name] == value, "\(name)") }
        #expect(abs(try #require(kpis.value("cost_per_trip_baht")) - 1000.15 / 2) < 0.01)
        // The return is picked up at the hospital no earlier than 11:00 and the car is back 12 min later.
        let back = try #require(outcomes[0].trips.first { $0.direction == "return" })
        // Mon 7 Dec 2026 is a public holiday (the substitution day for Sat 5 Dec): the run starts on Tue 8.
        #expect(back.day.iso == "2026-12-08" && outcomes[0].holidaysSkipped.map(\.date.iso) == ["2026-12-07"])
        let eleven = try UTCOffset.bangkok.parseDateTime("2026-12-08 11:00", field: "t")
        #expect(back.pickup! >= eleven)
        #expect(back.dropoff!.rawValue - back.pickup!.rawValue == 721)
        #expect(outcomes[0].vehicleDays[0].path.map(\.rawValue) == ["T1-DEPOT", "T1-V01", "H", "H", "T1-V01", "T1-DEPOT"])
    }

    @Test func theSameScenarioAndSeedGiveTheSameBytes() throws {
        let scenario = try TestScenarios.decode(TestScenarios.small)
        func files(_ scenario: Scenario) throws -> (String, String) {
            let outcomes = try CoverageRun.run(scenario, days: 2)
            return (CoverageFiles.kpis(outcomes.map { ($0.variant, [KPIs($0, days: 2)]) }), CoverageFiles.trips(outcomes))
        }
        let first = try files(scenario)
        let second = try files(scenario)
        #expect(first.0 == second.0)
        #expect(first.1 == second.1)
        var reseeded = scenario
        reseeded.seed = 6
        #expect(try files(reseeded).1 != first.1)
    }

    /// Pooled and separate fleets meet the same patients making the same requests.
    @Test func variantsShareTheirDemand() throws {
        let scenario = try TestScenarios.decode(TestScenarios.small)
        let outcomes = try CoverageRun.run(scenario, days: 1)
        #expect(outcomes.map(\.variant) == ["separate", "pooled"])
        let kpis = outcomes.map { KPIs($0, days: 1) }
        #expect(kpis[0]["trips_requested"] == kpis[1]["trips_requested"])
        #expect(Int(kpis[0]["trips_requested"]!)! > 0)
        #expect(kpis[0]["patients_registered"] == kpis[1]["patients_registered"])
        #expect(kpis[0]["areas"] == "2" && kpis[1]["areas"] == "1")
        #expect(kpis.allSatisfy { $0["simulation_surprises"] == "0" })
    }

    /// A variant's random streams hang on the scenario, the seed and the variant's name, not on
    /// which other variants are listed before it.
    @Test func aVariantGivesTheSameResultsWhateverIsListedBeforeIt() throws {
        let scenario = try TestScenarios.decode(TestScenarios.rough)
        let alone = try CoverageRun.run(scenario, days: 2, variants: ["pooled"])
        let after = try CoverageRun.run(scenario, days: 2, variants: ["separate", "pooled"])
        #expect(alone.count == 1 && after.count == 2 && after[1].variant == "pooled")
        #expect(CoverageFiles.trips([alone[0]]) == CoverageFiles.trips([after[1]]))
        #expect(CoverageFiles.kpis([("pooled", [KPIs(alone[0], days: 2)])]) == CoverageFiles.kpis([("pooled", [KPIs(after[1], days: 2)])]))
    }

    /// On days of delays, no-shows and will-calls: nobody is left at the clinic, every promise
    /// that broke was told in the reply of the command that broke it, with a disruption as its
    /// cause, and the KPIs count what trips.csv shows.
    @Test func everyBrokenPromiseWasToldAndNobodyIsStranded() throws {
        let scenario = try TestScenarios.decode(TestScenarios.rough)
        let outcomes = try CoverageRun.run(scenario, days: 2)
        let csv = CoverageFiles.trips(outcomes).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = csv[0]
        let column = { (name: String) in header.firstIndex(of: name)! }
        var broken = 0
        for outcome in outcomes {
            let kpis = KPIs(outcome, days: 2)
            #expect(kpis["stranded_patients"] == "0", "\(outcome.variant)")
            #expect(kpis["promises_broken_unannounced"] == "0", "\(outcome.variant)")
            #expect(kpis["simulation_surprises"] == "0", "\(outcome.variant)")
            let rows = csv.dropFirst().filter { $0[column("variant")] == outcome.variant && $0[column("promise_broken")] == "yes" }
            #expect(String(rows.count) == kpis["promises_broken"], "\(outcome.variant)")
            for row in rows {
                // A delay, a late arrival, the clinic's call: never the planner's own choice.
                #expect(["late_report", "late_arrival", "release", "no_show", "cancellation", "undo"].contains(row[column("announced_cause")]), "\(row)")
            }
            broken += rows.count
            // Stranded, counted again from the rows: an outbound dropped off whose return was not.
            let byTrip = Dictionary(csv.dropFirst().filter { $0[column("variant")] == outcome.variant && !$0[column("trip")].isEmpty }.map { ($0[column("area")] + "/" + $0[column("trip")], $0) },
                                    uniquingKeysWith: { a, _ in a })
            for row in byTrip.values where row[column("direction")] == "outbound" && row[column("status")] == "dropped_off" {
                guard let back = byTrip[row[column("area")] + "/" + row[column("linked_trip")]] else { continue }
                #expect(back[column("status")] == "dropped_off", "\(back)")
            }
        }
        // The day is rough enough that some promises do break.
        #expect(broken > 0)
    }

    @Test func aBadScenarioNamesTheFieldAndTheRule() throws {
        let unknownHospital = TestScenarios.handComputed.replacingOccurrences(of: #""hospitals": {"H": 1}"#, with: #""hospitals": {"X": 1}"#)
        let error = #expect(throws: PhapaiError.self) { try TestScenarios.decode(unknownHospital) }
        #expect(error?.field == #"demand[0].hospitals["X"]"# && error?.keyword == "UNKNOWN_HOSPITAL")
        let badShare = TestScenarios.handComputed.replacingOccurrences(of: #""noShowRate": 0"#, with: #""noShowRate": 2"#)
        #expect((#expect(throws: PhapaiError.self) { try TestScenarios.decode(badShare) })?.field == "behaviour.noShowRate")
        let missing = TestScenarios.handComputed.replacingOccurrences(of: #""startDate": "2026-12-07","#, with: "")
        let absent = #expect(throws: PhapaiError.self) { try TestScenarios.decode(missing) }
        #expect(absent?.field == "startDate" && absent?.message == "is required")
    }

    @Test func theReportHasItsChartsAndTheSweepOneRowPerFleetSize() throws {
        let scenario = try TestScenarios.decode(TestScenarios.handComputed)
        let outcomes = try CoverageRun.run(scenario, days: 1)
        let html = Report.html(scenario, variants: outcomes.map { ($0.variant, [$0]) }, days: 1)
        // Delay histogram, served share by hour asked for and by hour of the pickup window, passengers aboard, map.
        #expect(html.components(separatedBy: "<svg").count - 1 == 5)
        #expect(html.contains("บ้านทดสอบ") && html.contains("โรงพยาบาลทดสอบ") && html.contains("<meta charset=\"utf-8\">"))
        var points: [SweepPoint] = []
        for size in 1...2 {
            for outcome in try CoverageRun.run(scenario, days: 1, fleetSize: size) {
                points.append(SweepPoint(fleet: size, variant: outcome.variant, kpis: [KPIs(outcome, days: 1)]))
            }
        }
        let csv = Sweep.csv(points).split(separator: "\n").map(String.init)
        #expect(csv.count == 1 + 2 * KPIDefinition.all.count)
        #expect(csv.contains("1,separate,served_share_pct,%,100.0,,,1") && csv.contains("2,separate,served_share_pct,%,100.0,,,1"))
        #expect(Report.sweep(scenario, points: points, days: 1).components(separatedBy: "<svg").count - 1 == 4)
    }
}

@Suite("phapai-sim: replications, intervals and who is served")
struct ReplicationTests {
    /// By hand: 1, 2, 3 have mean 2 and standard deviation 1; t(0.975, 2) = 4.303, so the half
    /// width is 4.303 / sqrt(3) = 2.4843.
    @Test func anIntervalIsStudentsT() throws {
        let interval = try #require(Statistics.interval([1, 2, 3]))
        #expect(interval.mean == 2 && interval.count == 3)
        #expect(abs(try #require(interval.halfWidth) - 4.303 / 3.0.squareRoot()) < 1e-9)
        #expect(Statistics.interval([5])?.halfWidth == nil)
        #expect(Statistics.interval([4, 4])?.isExact == true)
        // Far beyond the table, t tends to the normal quantile.
        #expect(abs(Statistics.t975(1000) - 1.962) < 0.001)
        #expect(Statistics.t975(30) == 2.042 && Statistics.t975(31) < 2.042)
    }

    /// Replications run in parallel and still give the same bytes; replication 1 is the plain
    /// run; with three, every KPI that varies has an interval around its mean.
    @Test func replicationsAreDeterministicAndGiveIntervals() throws {
        let scenario = try TestScenarios.decode(TestScenarios.small)
        let first = try CoverageRun.replicate(scenario, days: 1, variants: ["separate"], replications: 3)
        let second = try CoverageRun.replicate(scenario, days: 1, variants: ["separate"], replications: 3)
        let single = try CoverageRun.run(scenario, days: 1, variants: ["separate"])
        #expect(CoverageFiles.trips(first.enumerated().map { ($0.offset + 1, $0.element) })
                == CoverageFiles.trips(second.enumerated().map { ($0.offset + 1, $0.element) }))
        #expect(CoverageFiles.trips(first[0]) == CoverageFiles.trips(single))
        // Each replication draws other requests from the same patients.
        let requested = first.map { KPIs($0[0], days: 1).value("trips_requested")! }
        #expect(Set(requested).count > 1)
        #expect(Set(first.map { KPIs($0[0], days: 1).value("patients_registered")! }).count == 1)
        let csv = CoverageFiles.kpis([("separate", first.map { KPIs($0[0], days: 1) })]).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(csv[0] == ["variant", "metric", "unit", "mean", "ci95_low", "ci95_high", "replications", "basis_trips", "small_sample"])
        let row = try #require(csv.first { $0[1] == "trips_requested" })
        let mean = Double(requested.reduce(0, +)) / 3
        // A mean of counts over replications shows one decimal.
        #expect(row[3] == KPIs.format(mean, 1) && row[6] == "3")
        let low = try #require(Double(row[4])), high = try #require(Double(row[5]))
        #expect(low < mean && mean < high)
        // Two villages' worth of trips a day: the delay figures rest on fewer than 20 trips.
        let delay = try #require(csv.first { $0[1] == "pickup_delay_p95_min" })
        #expect(delay[8] == (Double(delay[7])! < 20 ? "yes" : "no"))
    }

    /// Paired differences: a variant against itself differs by exactly nothing; pooled against
    /// separate has the same requests, so the difference in legs asked is exactly 0.
    @Test func variantsCompareAsPairs() throws {
        let scenario = try TestScenarios.decode(TestScenarios.small)
        let runs = try CoverageRun.replicate(scenario, days: 1, replications: 2)
        let separate = runs.map { KPIs($0[0], days: 1) }, pooled = runs.map { KPIs($0[1], days: 1) }
        let same = KPISummary.differences(separate, minus: separate)
        #expect(same.allSatisfy { $0.interval == nil || ($0.interval!.mean == 0 && $0.interval!.isExact) })
        let lines = CoverageFiles.differences([("separate", separate), ("pooled", pooled)]).split(separator: "\n").map(String.init)
        #expect(lines.contains("pooled,separate,trips_requested,legs,0,0,0,2,no"))
        let served = try #require(KPISummary.differences(pooled, minus: separate).first { $0.definition.key == "trips_served" }?.interval)
        #expect(served.mean == (0..<2).map { pooled[$0].value("trips_served")! - separate[$0].value("trips_served")! }.reduce(0, +) / 2)
    }

    /// Every leg lands in exactly one group of each kind; villages carry their หมู่ and tambon;
    /// refused and unserved legs have their time, hospital, mobility and reason.
    @Test func whoIsServedAddsUpAndRowsAreComplete() throws {
        let scenario = try TestScenarios.decode(TestScenarios.rough)
        let outcome = try CoverageRun.run(scenario, days: 2, variants: ["separate"])[0]
        let kpis = KPIs(outcome, days: 2)
        for dimension in GroupDimension.allCases {
            let groups = KPIs.groups(dimension, [outcome], scenario: scenario, language: .thai)
            #expect(groups.reduce(0) { $0 + $1.requested } == Int(kpis.value("trips_requested")!), "\(dimension)")
            #expect(groups.reduce(0) { $0 + $1.served } == Int(kpis.value("trips_served")!), "\(dimension)")
            #expect(groups.reduce(0) { $0 + $1.denied } == Int(kpis.value("trips_denied")!), "\(dimension)")
        }
        let villages = KPIs.groups(.village, [outcome], scenario: scenario, language: .thai)
        #expect(villages.count == outcome.areas.reduce(0) { $0 + $1.villagePlaces.count })
        #expect(villages.allSatisfy { $0.label.contains(" หมู่ ") })
        let english = KPIs.groups(.village, [outcome], scenario: scenario, language: .english)
        #expect(english.allSatisfy { $0.label.contains(", Moo ") })
        for trip in outcome.trips where KPIs.deniedStatuses.contains(trip.status) {
            #expect(trip.requested != nil && !trip.mobility.isEmpty && !trip.hospital.rawValue.isEmpty, "\(trip.status)")
            #expect(trip.reason?.isEmpty == false, "\(trip.status)")
        }
        let reasons = KPIs.denialReasons([outcome])
        #expect(reasons.reduce(0) { $0 + $1.legs } == Int(kpis.value("trips_denied")!))
    }

    /// The planner's explanations, as the simulator meets them, sort into a few keywords.
    @Test func unservedLegsAreCountedByAKeyword() {
        #expect(TripRecord.unservedKeyword("no vehicle took it: no vehicle can take it: T-V2: cannot carry a wheelchair patient; T-V1: cannot be there in time within its shift (05:00-17:00)") == "NO_VEHICLE_FOR_MOBILITY")
        #expect(TripRecord.unservedKeyword("no vehicle took it: no vehicle can take it: T-V1: cannot be there in time within its shift (05:00-17:00)") == "OUTSIDE_SHIFTS")
        #expect(TripRecord.unservedKeyword("no vehicle took it: its return (trip 2) cannot be served: no vehicle can take it: T-V1: cannot carry a stretcher patient") == "RETURN_UNSERVABLE")
        #expect(TripRecord.unservedKeyword("no vehicle took it: T-V1: is full at that time with other passengers") == "VEHICLES_FULL")
        #expect(TripRecord.unservedKeyword(nil) == "UNSERVED" && TripRecord.unservedKeyword("something else") == "UNSERVED")
    }

    /// A journey whose outbound no vehicle took is denied whole, as one refused at booking is;
    /// one whose patient did not come is the patient's doing, both legs.
    @Test func aReturnClosedWithItsDeniedOutboundIsDeniedToo() throws {
        func leg(_ id: Int64, _ direction: String, _ status: String, linked: Int64, cancel: String? = nil) -> TripRecord {
            TripRecord(area: "A", tambon: "T", village: PlaceID(unchecked: "T-V01"), type: "elderly", hospital: PlaceID(unchecked: "H"),
                       mobility: "ambulatory", day: try! LocalDate.parse("2026-12-08", field: "day"), requested: nil, trip: id, direction: direction,
                       sameDay: false, willCall: false, status: status, reason: nil, detail: nil, windowEarliest: nil, windowLatest: nil,
                       appointment: nil, ready: nil, pickup: nil, dropoff: nil, directSeconds: 600, passengers: 1, vehicle: nil, linkedTrip: linked,
                       cancelCode: cancel)
        }
        let trips = [
            leg(1, "outbound", "missed", linked: 2), leg(2, "return", "cancelled", linked: 1, cancel: "outbound_not_performed"),
            leg(3, "outbound", "no_show", linked: 4), leg(4, "return", "cancelled", linked: 3, cancel: "outbound_not_performed"),
            leg(5, "outbound", "cancelled", linked: 6, cancel: "advance"), leg(6, "return", "cancelled", linked: 5, cancel: "outbound_not_performed"),
        ]
        #expect(KPIs.deniedLegs(trips) == [true, true, false, false, false, false])
    }

    /// Twice the dialysis patients leave every other type's people as they were (their mobility
    /// and companions too), so that scenarios compare type by type.
    @Test func oneTypesNumbersLeaveTheOtherTypesPeopleAlone() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let baseline = try Scenario.load(root.appendingPathComponent("simulations/tambon-baseline.json").path)
        var doubled = baseline
        let dialysis = try #require(doubled.demand.firstIndex { $0.type == "dialysis" })
        doubled.demand[dialysis].patientsPer1000 *= 2
        func people(_ scenario: Scenario) throws -> [String: [String]] {
            let patients = try World(scenario).areas(variant: "separate")[0].patients
            return Dictionary(grouping: patients, by: \.type).mapValues { group in
                group.map { "\($0.patient.id.rawValue) \($0.patient.mobility.rawValue) \($0.patient.companions)" }
            }
        }
        let before = try people(baseline), after = try people(doubled)
        #expect(after["dialysis"]!.count > before["dialysis"]!.count)
        for type in ["elderly", "bedridden", "wheelchair", "cancer"] { #expect(before[type] == after[type], "\(type)") }
    }

    /// A day cost is baht, never negative.
    @Test func aNegativeDayCostIsRefusedByItsPath() throws {
        let negative = TestScenarios.handComputed.replacingOccurrences(of: #""driverCostPerDay": 500"#, with: #""driverCostPerDay": -500"#)
        let error = #expect(throws: PhapaiError.self) { try TestScenarios.decode(negative) }
        #expect(error?.field == "tambons[0].fleet[0].driverCostPerDay" && error?.message == "baht a day lie in 0...1000000, not -500")
    }

    /// The report reads in Thai by default and in English on request; a village without requests
    /// is grey; the sweep's legend names each variant in its own colour, with a swatch.
    @Test func theReportSpeaksThaiOrEnglishAndShowsItsColours() throws {
        let scenario = try TestScenarios.decode(TestScenarios.small)
        let runs = try CoverageRun.replicate(scenario, days: 1, replications: 2)
        let variants = runs[0].indices.map { index in (variant: runs[0][index].variant, outcomes: runs.map { $0[index] }) }
        let thai = Report.html(scenario, variants: variants, days: 1)
        #expect(thai.contains("<html lang=\"th\">") && thai.contains("สัดส่วนที่ได้รับบริการ") && thai.contains("ใช้รถร่วมกัน − แยกรถรายตำบล"))
        #expect(thai.contains("ช่วงความเชื่อมั่น 95%"))
        let english = Report.html(scenario, variants: variants, days: 1, language: .english)
        #expect(english.contains("<html lang=\"en\">") && english.contains("Served share") && !english.contains("สัดส่วนที่ได้รับบริการ"))
        var points: [SweepPoint] = []
        for size in 1...2 {
            let sized = try CoverageRun.replicate(scenario, days: 1, fleetSize: size, replications: 2)
            for index in sized[0].indices { points.append(SweepPoint(fleet: size, variant: sized[0][index].variant, kpis: sized.map { KPIs($0[index], days: 1) })) }
        }
        let sweep = Report.sweep(scenario, points: points, days: 1)
        for (index, name) in ["แยกรถรายตำบล", "ใช้รถร่วมกัน"].enumerated() {
            #expect(sweep.contains("fill=\"\(Report.palette[index])\" font-weight=\"bold\">\(name)</text>"), "\(name)")
        }
        // Intervals are drawn: a vertical line per point with two replications.
        #expect(sweep.components(separatedBy: "stroke-width=\"1.5\"/>").count > 8)
        #expect(!Report.style.contains("fill:"), "no stylesheet rule overrides a label's colour")
        // Without requests a village is grey, not green; with its legs served it is green.
        let outcome = runs[0][0]
        let grey = Report.map(outcome, groups: [:], words: Report.Words(language: .thai))
        #expect(grey.contains("fill=\"#b0b0b0\" fill-opacity") && !grey.contains("fill=\"#2ca02c\" fill-opacity"))
        let village = outcome.areas[0].villagePlaces[0].rawValue
        let green = Report.map(outcome, groups: [village: GroupRow(key: village, label: "", served: 3)], words: Report.Words(language: .thai))
        #expect(green.components(separatedBy: "fill=\"#2ca02c\" fill-opacity").count == 2)
        #expect(Sweep.gains(points).count == 2)
    }
}
