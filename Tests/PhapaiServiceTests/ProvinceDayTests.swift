import Foundation
import Testing
import PhapaiCore
@testable import PhapaiService
import PhapaiTestSupport

@Suite("Service: a day's events in a province")
struct ProvinceDayTests {
    /// A province's day holds every area's events: one area's failed re-plan used to drop out of
    /// the newest 50 of the day once the other areas had planned often enough.
    @Test func aFailedReplanStaysInAttentionWhateverOtherAreasPlan() throws {
        let world = try SampleWorld()
        let policies = try SampleWorld.sampleArea().policies
        var file = try AreaFile.decode(Data(contentsOf: URL(fileURLWithPath: SampleWorld.configFolder + "/areas/sample-tambon.json")), file: "copy")
        file.id = "tambon-002"
        _ = try world.service.importArea(try file.build(defaults: policies, prefix: "T002-"))
        let (first, second) = (AreaID(unchecked: "sample-tambon"), AreaID(unchecked: "tambon-002"))
        let monday = LocalDate(year: 2026, month: 11, day: 23)!
        for (patient, hospital) in [("P004", "H-COMM"), ("T002-P004", "T002-H-COMM")] {
            _ = try world.service.bookTrip(BookingRequest(
                patient: PatientID(unchecked: patient), to: PlaceID(unchecked: hospital), timing: .appointment(try world.at("2026-11-23 09:00")),
                companions: 0))
        }
        _ = try world.service.planDay(monday, area: first, seconds: 5, iterations: 20)
        _ = world.service.recordReplanFailure(monday, area: first, error: PhapaiError(.storage, keyword: "STORAGE", field: nil, message: "x"))
        #expect(try world.service.attention(on: monday, area: first).filter { $0.kind == .replanFailed }.count == 1)
        for _ in 0..<50 { _ = try world.service.planDay(monday, area: second, seconds: 5, iterations: 5) }
        #expect(try world.service.attention(on: monday, area: first).filter { $0.kind == .replanFailed }.count == 1)
        #expect(try world.service.attention(on: monday, area: second).filter { $0.kind == .replanFailed }.isEmpty)
    }
}
