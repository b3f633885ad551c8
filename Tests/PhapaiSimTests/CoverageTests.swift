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
                      "fleet": [{"name": "รถเก๋ง", "seats": 3, "costPerKm": 10, "shift": "07:00-17:00"}]}],
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

    static func decode(_ text: String) throws -> Scenario {
        let scenario = try ConfigDecoding.decode(Scenario.self, from: Data(text.utf8), file: "test")
        try scenario.validate()
        return scenario
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
            ("cost_per_trip_baht", "100.1"), ("village_served_share_min_pct", "100.0"), ("simulation_surprises", "0"),
        ]
        for (name, value) in expected { #expect(kpis[name] == value, "\(name)") }
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
            return (CoverageFiles.kpis(outcomes.map { ($0.variant, KPIs($0, days: 2)) }), CoverageFiles.trips(outcomes))
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
            let rows = csv.dropFirst().filter { $0[0] == outcome.variant && $0[column("promise_broken")] == "yes" }
            #expect(String(rows.count) == kpis["promises_broken"], "\(outcome.variant)")
            for row in rows {
                // A delay, a late arrival, the clinic's call: never the planner's own choice.
                #expect(["late_report", "late_arrival", "release", "no_show", "cancellation", "undo"].contains(row[column("announced_cause")]), "\(row)")
            }
            broken += rows.count
            // Stranded, counted again from the rows: an outbound dropped off whose return was not.
            let byTrip = Dictionary(csv.dropFirst().filter { $0[0] == outcome.variant && !$0[column("trip")].isEmpty }.map { ($0[column("area")] + "/" + $0[column("trip")], $0) },
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
        #expect(error?.field == "demand[0].hospitals" && error?.keyword == "INVALID_SCENARIO")
        let badShare = TestScenarios.handComputed.replacingOccurrences(of: #""noShowRate": 0"#, with: #""noShowRate": 2"#)
        #expect((#expect(throws: PhapaiError.self) { try TestScenarios.decode(badShare) })?.field == "behaviour")
        let missing = TestScenarios.handComputed.replacingOccurrences(of: #""startDate": "2026-12-07","#, with: "")
        #expect((#expect(throws: PhapaiError.self) { try TestScenarios.decode(missing) })?.field == "test: startDate")
    }

    @Test func theReportHasItsChartsAndTheSweepOneRowPerFleetSize() throws {
        let scenario = try TestScenarios.decode(TestScenarios.handComputed)
        let outcomes = try CoverageRun.run(scenario, days: 1)
        let html = Report.html(scenario, outcomes: outcomes, kpis: outcomes.map { ($0.variant, KPIs($0, days: 1)) }, days: 1)
        #expect(html.components(separatedBy: "<svg").count - 1 == 5)
        #expect(html.contains("บ้านทดสอบ") && html.contains("โรงพยาบาลทดสอบ") && html.contains("<meta charset=\"utf-8\">"))
        var points: [SweepPoint] = []
        for size in 1...2 {
            for outcome in try CoverageRun.run(scenario, days: 1, fleetSize: size) {
                points.append(SweepPoint(fleet: size, variant: outcome.variant, kpis: KPIs(outcome, days: 1)))
            }
        }
        let csv = Sweep.csv(points).split(separator: "\n")
        #expect(csv.count == 3)
        #expect(csv[1].hasPrefix("1,separate,100.0,") && csv[2].hasPrefix("2,separate,100.0,"))
        #expect(Report.sweep(scenario, points: points, days: 1).components(separatedBy: "<svg").count - 1 == 3)
    }
}
