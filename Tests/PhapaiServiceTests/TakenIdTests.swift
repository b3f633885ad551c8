import Foundation
import Testing
import PhapaiCore
import PhapaiStore
@testable import PhapaiService
import PhapaiTestSupport

/// Rows per table, to show that a refused write left nothing behind.
private func rowCounts(_ world: World) throws -> [String: Int64] {
    var counts: [String: Int64] = [:]
    for table in ["areas", "places", "patients", "vehicles", "drivers", "users", "shift_patterns", "shifts", "rostered_days", "events"] {
        counts[table] = try world.service.store.connection.scalarInt("SELECT COUNT(*) FROM \(table)")
    }
    return counts
}

@Suite("Service: taken ids are judged by the insert")
struct TakenIdTests {
    @Test func aTakenIdIsRefusedWithTheSameErrorAsBeforeAndWritesNothing() throws {
        let world = try World()
        _ = try world.service.addUser(name: "somchai", role: .admin)
        let before = try rowCounts(world)
        let service = world.service
        let place = try service.place(PlaceID(unchecked: "V01"))
        #expect(world.refusal { _ = try service.addPlace(place) } == .conflict("id", "DUPLICATE_ID", "place V01 already exists"))
        let patient = try service.patient(PatientID(unchecked: "P001"))
        #expect(
            world.refusal { _ = try service.addPatient(patient) } == .conflict("id", "DUPLICATE_ID", "patient P001 is already registered"))
        let vehicle = try #require(try service.vehicles().first { $0.id.rawValue == "VAN1" })
        #expect(world.refusal { _ = try service.addVehicle(vehicle) } == .conflict("id", "DUPLICATE_ID", "vehicle VAN1 already exists"))
        let driver = try #require(try service.drivers().first { $0.id.rawValue == "D01" })
        #expect(world.refusal { _ = try service.addDriver(driver) } == .conflict("id", "DUPLICATE_ID", "driver D01 already exists"))
        #expect(
            world.refusal { _ = try service.addUser(name: "somchai", role: .planner) }
                == .conflict("name", "DUPLICATE_ID", "user somchai already exists"))
        let area = try SampleWorld.sampleArea()
        #expect(
            world.refusal { _ = try service.importArea(area) }
                == .conflict("id", "AREA_EXISTS", "area sample-tambon is already in this database"))
        #expect(try rowCounts(world) == before)
        #expect(!service.store.connection.inTransaction)
        // The refusals left the store able to write.
        #expect(try service.addUser(name: "somsri", role: .planner).0.name == "somsri")
    }

    @Test func anImportThatFailsHalfWayLeavesNoRowOfIt() throws {
        let world = try World()
        let before = try rowCounts(world)
        // A new area whose codes are free: the area's row and its places go in, then the import
        // fails, and the whole of it must roll back.
        let area = try SampleWorld.sampleArea()
        var file = try AreaFile.decode(Data(contentsOf: URL(fileURLWithPath: SampleWorld.configFolder + "/areas/sample-tambon.json")), file: "copy")
        file.id = "other-tambon"
        let other = try file.build(defaults: area.policies, prefix: "T002-")
        world.service.store.faultHandler = { name in if name == "area.import.after-places" { throw Failure() } }
        #expect(throws: Failure.self) { _ = try world.service.importArea(other) }
        world.service.store.faultHandler = { _ in }
        #expect(try rowCounts(world) == before)
        #expect(try world.service.store.areas().map(\.id.rawValue) == ["sample-tambon"])
        // Without the fault it loads, every code with the prefix; another connection that had read
        // the areas before sees the new one at once.
        let reader = try world.openService()
        #expect(try reader.areas().count == 1)
        #expect(try world.service.importArea(other).patients == area.patients.count)
        #expect(try reader.areas().map(\.id.rawValue) == ["other-tambon", "sample-tambon"])
        #expect(try world.service.areas().count == 2)
        #expect(try world.service.findPatient(PatientID(unchecked: "T002-P004"))?.area.rawValue == "other-tambon")
    }

    private struct Failure: Error {}

    @Test func aSecondAreaWhoseCodesAreTakenIsRefusedNamingTheAreaAndTheRemedy() throws {
        let world = try World()
        let before = try rowCounts(world)
        // A copy of the sample under another id: its codes are the sample's (the first round
        // answered with a raw "UNIQUE constraint failed: places.id").
        var area = try SampleWorld.sampleArea()
        area.id = AreaID(unchecked: "other-tambon")
        #expect(world.refusal { _ = try world.service.importArea(area) } == .conflict(
            "places[0].id", "DUPLICATE_ID", "place DEPOT is already in area sample-tambon; give this area a code prefix (codePrefix in its file, or init --prefix)"))
        #expect(try rowCounts(world) == before)
    }

    @Test func aTakenIdInsideAGroupFailsAloneAndTheGroupCommitsTheRest() throws {
        let world = try World()
        let before = try rowCounts(world)
        let store = world.service.store
        let place = try world.service.place(PlaceID(unchecked: "V01"))
        store.beginGroup()
        _ = try world.service.addUser(name: "first", role: .planner)
        #expect(world.refusal { _ = try world.service.addPlace(place) }?.keyword == "DUPLICATE_ID")
        #expect(world.refusal { _ = try world.service.addUser(name: "first", role: .admin) }?.keyword == "DUPLICATE_ID")
        _ = try world.service.addUser(name: "second", role: .planner)
        #expect(try store.commitGroup() == 2)
        var expected = before
        expected["users"]! += 2
        expected["events"]! += 2
        #expect(try rowCounts(world) == expected)
        #expect(try world.service.users().map(\.name) == ["first", "second"])
    }
}
