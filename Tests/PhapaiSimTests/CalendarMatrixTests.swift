import Foundation
import Testing
import PhapaiCore
import PhapaiTestSupport
@testable import PhapaiSim

/// Scenario text with some of its top-level values changed.
private func scenario(_ text: String = TestScenarios.handComputed, startDate: String? = nil, adding extra: String = "") throws -> Scenario {
    var text = text
    if let startDate { text = text.replacingOccurrences(of: #""startDate": "2026-12-07""#, with: #""startDate": "\#(startDate)""#) }
    if !extra.isEmpty { text = text.replacingOccurrences(of: #"{"name": "hand","#, with: #"{"name": "hand", \#(extra),"#) }
    return try TestScenarios.decode(text)
}

/// A temporary file holding `text`, removed by the caller.
private func temporaryFile(_ text: String, suffix: String) throws -> String {
    let path = NSTemporaryDirectory() + "phapai-sim-test-" + UUID().uuidString + suffix
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
}

@Suite("phapai-sim: the holiday calendar")
struct SimHolidayTests {
    /// With the calendar of config/ (the default), New Year's Eve and Day are not service days.
    @Test func theYearEndIsNotSimulatedWithTheDefaultCalendar() throws {
        let yearEnd = try scenario(startDate: "2026-12-28")
        let world = try World(yearEnd)
        let (days, skipped) = try CoverageRun.serviceDays(yearEnd, count: 5, holidays: world.holidays)
        #expect(days.map(\.iso) == ["2026-12-28", "2026-12-29", "2026-12-30", "2027-01-04", "2027-01-05"])
        #expect(skipped.map(\.date.iso) == ["2026-12-31", "2027-01-01"])
        #expect(skipped.map(\.nameTH) == ["วันสิ้นปี", "วันขึ้นปีใหม่"])
        // Without a calendar they were simulated like any weekday.
        let none = try scenario(startDate: "2026-12-28", adding: #""holidays": "none""#)
        let plain = try CoverageRun.serviceDays(none, count: 5, holidays: World(none).holidays)
        #expect(plain.days.map(\.iso) == ["2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01"] && plain.skipped.isEmpty)
    }

    /// A run across the year end drives on 30 Dec and 4 Jan, and says what it left out.
    @Test func aRunSaysWhichHolidaysItLeftOut() throws {
        let yearEnd = try scenario(startDate: "2026-12-30")
        let outcome = try CoverageRun.run(yearEnd, days: 2)[0]
        #expect(outcome.vehicleDays.map(\.day.iso) == ["2026-12-30", "2027-01-04"])
        #expect(outcome.trips.map(\.day.iso) == ["2026-12-30", "2026-12-30"])
        #expect(KPIs(outcome, days: 2)["holidays_skipped"] == "2")
        #expect(outcome.calendarNotes == ["public holidays not simulated: 2026-12-31 วันสิ้นปี, 2027-01-01 วันขึ้นปีใหม่"])
        let html = Report.html(yearEnd, variants: [(outcome.variant, [outcome])], days: 2)
        #expect(html.contains("วันหยุดราชการที่ไม่ได้จำลอง: 2026-12-31 วันสิ้นปี, 2027-01-01 วันขึ้นปีใหม่</p>"))
        let english = Report.html(yearEnd, variants: [(outcome.variant, [outcome])], days: 2, language: .english)
        #expect(english.contains("Public holidays not simulated: 2026-12-31 New Year's Eve, 2027-01-01 New Year's Day</p>"))
        // A year the calendar has no day in is simulated as working days, and said so.
        let later = try CoverageRun.run(try scenario(startDate: "2028-01-03"), days: 1)[0]
        #expect(later.holidaysSkipped.isEmpty && later.yearsWithoutHolidays == [2028])
        #expect(later.calendarNotes == ["warning: the holiday calendar has no day in 2028: its holidays were simulated as service days"])
    }

    /// A scenario's own calendar is read relative to the working directory; a missing or bad one
    /// stops the run before it starts, naming `holidays`, the file, the line and the rule.
    @Test func aMissingOrBadCalendarNamesTheField() throws {
        let own = try temporaryFile("date,name_th,name_en\n2026-12-08,วันหยุดท้องถิ่น,Local holiday\n", suffix: ".csv")
        defer { try? FileManager.default.removeItem(atPath: own) }
        let local = try scenario(adding: #""holidays": "\#(own)""#)
        let days = try CoverageRun.serviceDays(local, count: 2, holidays: World(local).holidays)
        #expect(days.days.map(\.iso) == ["2026-12-07", "2026-12-09"] && days.skipped.map(\.nameEN) == ["Local holiday"])

        let missing = #expect(throws: PhapaiError.self) { try CoverageRun.run(try scenario(adding: #""holidays": "no/such/file.csv""#), days: 1) }
        #expect(missing?.keyword == "NO_FILE" && missing?.field == "holidays")
        let bad = try temporaryFile("date,name_th,name_en\n2026-12-08,วันหยุด,Holiday\n2026-12-08,ซ้ำ,Again\n", suffix: ".csv")
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let duplicate = #expect(throws: PhapaiError.self) { try CoverageRun.run(try scenario(adding: #""holidays": "\#(bad)""#), days: 1) }
        #expect(duplicate?.keyword == "DUPLICATE_DATE" && duplicate?.field == "holidays: \(bad) line 3: date")
        let empty = #expect(throws: PhapaiError.self) { try scenario(adding: #""holidays": " ""#) }
        #expect(empty?.keyword == "INVALID_SCENARIO" && empty?.field == "holidays")
    }
}

/// The hand-computed scenario with its `travel` object replaced.
private func withTravel(_ travel: String) throws -> Scenario {
    let text = TestScenarios.handComputed.replacingOccurrences(
        of: #""travel": {"circuityFactor": 1.0, "averageSpeedKmh": 60}"#, with: #""travel": {"circuityFactor": 1.0, "averageSpeedKmh": 60, \#(travel)}"#)
    return try TestScenarios.decode(text)
}

@Suite("phapai-sim: a road matrix")
struct SimMatrixTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The hand-computed day (aHandComputedDayGivesItsKPIsExactly) with a matrix that has the
    /// village-to-hospital pair only: 900 s and 15 km there, the model's 601 s and 10.0075 km
    /// back. The outbound's direct time is the matrix's, the return's the model's; each ride is
    /// 2 min boarding + the drive, and the car drives 15 + 10.0075 km.
    @Test func theMatrixTimesAreUsedWhereItHasThePairAndTheModelElsewhere() throws {
        let csv = try temporaryFile("from,to,seconds,meters\nT1-V01,H,900,15000\n", suffix: ".csv")
        defer { try? FileManager.default.removeItem(atPath: csv) }
        let outcome = try CoverageRun.run(try withTravel(#""matrix": "\#(csv)""#), days: 1)[0]
        let there = try #require(outcome.trips.first { $0.direction == "outbound" })
        let back = try #require(outcome.trips.first { $0.direction == "return" })
        #expect(there.directSeconds == 900 && back.directSeconds == 601)
        #expect(there.status == "dropped_off" && there.dropoff!.rawValue - there.pickup!.rawValue == 120 + 900)
        #expect(back.dropoff!.rawValue - back.pickup!.rawValue == 120 + 601)
        let kpis = KPIs(outcome, days: 1)
        #expect(kpis["kilometres"] == "25.0" && kpis["driving_cost_baht"] == "250" && kpis["trips_served"] == "2")
        #expect(abs(outcome.vehicleDays[0].kilometres - 25.0075) < 0.001)
    }

    /// An OSRM table with the order of its places given: both directions from the table.
    @Test func anOSRMTableIsReadWithItsPlaces() throws {
        let json = try temporaryFile(#"{"code": "Ok", "durations": [[0, 900], [600, 0]], "distances": [[0, 15000], [9000, 0]]}"#, suffix: ".json")
        defer { try? FileManager.default.removeItem(atPath: json) }
        let outcome = try CoverageRun.run(try withTravel(#""matrix": "\#(json)", "matrixPlaces": ["T1-V01", "H"]"#), days: 1)[0]
        #expect(outcome.trips.map(\.directSeconds) == [900, 600])
        #expect(KPIs(outcome, days: 1)["kilometres"] == "24.0")
    }

    /// A bad path, a place the scenario does not have, a bad value: refused before anything
    /// runs, naming `travel.matrix`, the file and the line.
    @Test func aBadMatrixNamesTheFieldTheFileAndTheLine() throws {
        let missing = #expect(throws: PhapaiError.self) { try CoverageRun.run(try withTravel(#""matrix": "no/such/roads.csv""#), days: 1) }
        #expect(missing?.keyword == "NO_FILE" && missing?.field == "travel.matrix")
        let unknown = try temporaryFile("from,to,seconds\nT1-V01,H,900\nT1-V09,H,100\n", suffix: ".csv")
        defer { try? FileManager.default.removeItem(atPath: unknown) }
        let place = #expect(throws: PhapaiError.self) { try CoverageRun.run(try withTravel(#""matrix": "\#(unknown)""#), days: 1) }
        #expect(place?.keyword == "UNKNOWN_PLACE" && place?.field == "travel.matrix: \(unknown) line 3")
        #expect(place?.message == "no place T1-V09 in the scenario (hospital ids, TAMBON-DEPOT, TAMBON-VILLAGE)")
        let negative = try temporaryFile("from,to,seconds\nT1-V01,H,-5\n", suffix: ".csv")
        defer { try? FileManager.default.removeItem(atPath: negative) }
        let value = #expect(throws: PhapaiError.self) { try CoverageRun.run(try withTravel(#""matrix": "\#(negative)""#), days: 1) }
        #expect(value?.keyword == "OUT_OF_RANGE" && value?.field == "travel.matrix: \(negative) line 2: seconds")
        let order = #expect(throws: PhapaiError.self) {
            try CoverageRun.run(try withTravel(#""matrix": "\#(negative)", "matrixFormat": "osrm", "matrixPlaces": ["H", "T1-V02"]"#), days: 1)
        }
        #expect(order?.keyword == "UNKNOWN_PLACE" && order?.field == "travel.matrixPlaces[1]")
        let format = #expect(throws: PhapaiError.self) { try withTravel(#""matrix": "\#(negative)", "matrixFormat": "xls""#) }
        #expect(format?.keyword == "INVALID_SCENARIO" && format?.field == "travel.matrixFormat")
        let alone = #expect(throws: PhapaiError.self) { try withTravel(#""matrixFormat": "csv""#) }
        #expect(alone?.keyword == "INVALID_SCENARIO" && alone?.field == "travel.matrix")
    }

    /// The example matrix shipped for the baseline: every trip of a day has its matrix time as
    /// its direct time, and the made-up roads differ from the model.
    @Test func theShippedExampleMatrixDrivesTheBaseline() throws {
        var roads = try Scenario.load(Self.root.appendingPathComponent("simulations/tambon-baseline-roads.json").path)
        let matrixPath = Self.root.appendingPathComponent(try #require(roads.travel.matrix)).path
        roads.travel.matrix = matrixPath
        let csv = try String(contentsOfFile: matrixPath, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        var seconds: [String: Int] = [:]
        for row in csv { seconds["\(row[0])|\(row[1])"] = Int(row[2])! }
        #expect(seconds.count == 210)
        let outcome = try CoverageRun.run(roads, days: 1)[0]
        let booked = outcome.trips.filter { $0.trip != nil }
        #expect(booked.count > 20)
        for trip in booked {
            let village = trip.village.rawValue
            let candidates = ["H-COMM", "H-PROV"].compactMap { trip.direction == "outbound" ? seconds["\(village)|\($0)"] : seconds["\($0)|\(village)"] }
            #expect(candidates.contains(trip.directSeconds), "\(trip.direction) \(village): \(trip.directSeconds)")
        }
        var model = roads
        model.travel.matrix = nil
        let modelled = try CoverageRun.run(model, days: 1)[0].trips.filter { $0.trip != nil }.map(\.directSeconds)
        #expect(Set(modelled).isDisjoint(with: booked.map(\.directSeconds)))
    }
}
