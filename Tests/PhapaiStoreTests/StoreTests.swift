import Foundation
import Testing
import PhapaiCore
@testable import PhapaiStore

/// A temporary folder removed when the test ends.
final class TemporaryFolder {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "phapai-store-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
}

let testArea = AreaID(unchecked: "A")
let testInstant = Instant(rawValue: 1_795_000_000)

func makeStore(_ folder: TemporaryFolder) throws -> Store {
    let store = try Store(path: folder.file("test.db"), create: true)
    let area = Area(
        id: testArea, name: "ทดสอบ", offset: .bangkok, travel: try TravelModel(circuityFactor: 1.3, averageSpeedKmh: 50),
        policies: .defaults, places: [], vehicles: [], drivers: [], shiftPatterns: [], patients: [], homes: [])
    try store.write(actor: "test", at: testInstant) {
        try store.insertArea(area, createdAt: testInstant)
        try store.insertPlace(try Place(id: PlaceID(unchecked: "V1"), area: testArea, kind: .village, name: "บ้านนาทอง", moo: 1,
                                        coordinate: Coordinate(latitude: 7, longitude: 100.5)))
        store.record("area.import", entity: "area:A")
    }
    return store
}

func patient(_ id: String, name: String = "นางสมศรี ใจดี") throws -> Patient {
    try Patient(
        id: PatientID(unchecked: id), area: testArea, name: name, phone: "081-234-5678", home: PlaceID(unchecked: "V1"),
        village: PlaceID(unchecked: "V1"), address: nil, mobility: .wheelchair, companions: 1, entitlement: .disability,
        registeredOn: LocalDate(year: 2025, month: 1, day: 2)!, notes: "ใช้ออกซิเจน")
}

struct Injected: Error {}

@Suite("SQLite store")
struct StoreTests {
    @Test func durabilitySettingsAreOnAfterOpening() throws {
        let folder = TemporaryFolder()
        let store = try makeStore(folder)
        #expect(try store.connection.scalarText("PRAGMA journal_mode") == "wal")
        #expect(try store.connection.scalarInt("PRAGMA synchronous") == 2)
        #expect(try store.connection.scalarInt("PRAGMA foreign_keys") == 1)
        #expect(try store.connection.scalarInt("PRAGMA user_version") == Int64(Store.schemaVersion))
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func reopeningKeepsDataAndDoesNotMigrateAgain() throws {
        let folder = TemporaryFolder()
        do {
            let store = try makeStore(folder)
            try store.write(actor: "t", at: testInstant) {
                try store.insertPatient(try patient("P1"))
                store.record("patient.add", entity: "patient:P1")
            }
        }
        let reopened = try Store(path: folder.file("test.db"), create: false)
        #expect(try reopened.patient(PatientID(unchecked: "P1"))?.name == "นางสมศรี ใจดี")
        #expect(try reopened.events().count == 2)
    }

    @Test func aMissingDatabaseIsNotCreatedByReadCommands() throws {
        let folder = TemporaryFolder()
        #expect(throws: PhapaiError.self) { try Store(path: folder.file("missing.db"), create: false) }
        #expect(!FileManager.default.fileExists(atPath: folder.file("missing.db")))
    }

    @Test func aFailedWriteLeavesNoRowsAndNoAuditEvent() throws {
        let folder = TemporaryFolder()
        let store = try makeStore(folder)
        #expect(throws: Injected.self) {
            try store.write(actor: "t", at: testInstant) {
                try store.insertPatient(try patient("P1"))
                store.record("patient.add", entity: "patient:P1")
                throw Injected()
            }
        }
        #expect(try store.patients().isEmpty)
        #expect(try store.events().map(\.action) == ["area.import"])
        #expect(!store.connection.inTransaction)
    }

    @Test func aFaultBeforeCommitRollsBackEverything() throws {
        let folder = TemporaryFolder()
        let store = try makeStore(folder)
        store.faultHandler = { name in if name == "store.before-commit" { throw Injected() } }
        #expect(throws: Injected.self) {
            try store.write(actor: "t", at: testInstant) {
                try store.insertPatient(try patient("P1"))
                store.record("patient.add", entity: "patient:P1")
            }
        }
        #expect(try store.patients().isEmpty)
        #expect(try store.events().count == 1)
    }

    @Test func savepointsUndoOnlyTheirOwnStep() throws {
        let folder = TemporaryFolder()
        let store = try makeStore(folder)
        try store.write(actor: "t", at: testInstant) {
            try store.insertPatient(try patient("P1"))
            store.record("patient.add", entity: "patient:P1")
            _ = try? store.savepoint {
                try store.insertPatient(try patient("P2"))
                store.record("patient.add", entity: "patient:P2")
                throw Injected()
            }
        }
        #expect(try store.patients().map(\.id.rawValue) == ["P1"])
        #expect(try store.events().map(\.entity) == ["patient:P1", "area:A"])
    }

    @Test func aGroupCommitsItsWritesTogetherAndAFailedOneAlone() throws {
        let folder = TemporaryFolder()
        let store = try makeStore(folder)
        let commitsBefore = store.commitSeconds.count
        store.beginGroup()
        for id in ["P1", "P2", "P3"] {
            _ = try? store.write(actor: "t", at: testInstant) {
                try store.insertPatient(try patient(id))
                store.record("patient.add", entity: "patient:\(id)")
                if id == "P2" { throw Injected() }
            }
        }
        // Not durable, and not visible to another connection, before the group commits.
        let other = try Store(path: folder.file("test.db"), create: false)
        #expect(try other.patients().isEmpty)
        #expect(try store.commitGroup() == 2)
        #expect(store.commitSeconds.count == commitsBefore + 1)
        #expect(try other.patients().map(\.id.rawValue) == ["P1", "P3"])
        #expect(try other.events().map(\.entity) == ["patient:P3", "patient:P1", "area:A"])
        #expect(!store.connection.inTransaction)
    }

    @Test func aGroupThatFailsToCommitStoresNothing() throws {
        let folder = TemporaryFolder()
        let store = try makeStore(folder)
        store.faultHandler = { name in if name == "store.before-commit" { throw Injected() } }
        store.beginGroup()
        for id in ["P1", "P2"] {
            try store.write(actor: "t", at: testInstant) {
                try store.insertPatient(try patient(id))
                store.record("patient.add", entity: "patient:\(id)")
            }
        }
        #expect(throws: Injected.self) { try store.commitGroup() }
        #expect(try store.patients().isEmpty)
        #expect(try store.events().count == 1)
        // An empty group commits nothing and does not fail.
        store.faultHandler = { _ in }
        store.beginGroup()
        #expect(try store.commitGroup() == 0)
    }

    @Test func theAuditLogIsAppendOnly() throws {
        let folder = TemporaryFolder()
        let store = try makeStore(folder)
        #expect(throws: SQLiteError.self) { try store.connection.execute("UPDATE events SET actor = 'someone else'") }
        #expect(throws: SQLiteError.self) { try store.connection.execute("DELETE FROM events") }
        #expect(try store.events().first?.actor == "test")
    }

    @Test func errorsNameTheSQLButNeverTheBoundValues() throws {
        let folder = TemporaryFolder()
        let store = try makeStore(folder)
        try store.write(actor: "t", at: testInstant) {
            try store.insertPatient(try patient("P1"))
            store.record("patient.add", entity: "patient:P1")
        }
        do {
            try store.write(actor: "t", at: testInstant) {
                try store.insertPatient(try patient("P1", name: "นายลับเฉพาะ ไม่ควรเห็น"))
                store.record("patient.add", entity: "patient:P1")
            }
            Issue.record("a duplicate id must fail")
        } catch let error as PhapaiError {
            #expect(error.category == .conflict)
            #expect(error.message.contains("INSERT INTO patients"))
            #expect(error.message.contains("SQLite error 1555"))
            #expect(!error.message.contains("ลับเฉพาะ"))
            #expect(!error.message.contains("081-234-5678"))
        }
    }

    @Test func backupCopiesEveryRowAndNeverOverwrites() throws {
        let folder = TemporaryFolder()
        let store = try makeStore(folder)
        try store.write(actor: "t", at: testInstant) {
            try store.insertPatient(try patient("P1"))
            store.record("patient.add", entity: "patient:P1")
        }
        try store.backup(to: folder.file("copy.db"))
        let copy = try Store(path: folder.file("copy.db"), create: false)
        #expect(try copy.patients().map(\.id.rawValue) == ["P1"])
        #expect(try copy.events().count == 2)
        #expect(try copy.integrityCheck() == "ok")
        #expect(throws: PhapaiError.self) { try store.backup(to: folder.file("copy.db")) }
    }

    @Test func aNewerSchemaIsRefused() throws {
        let folder = TemporaryFolder()
        do {
            let store = try makeStore(folder)
            try store.connection.execute("PRAGMA user_version = 99")
        }
        do {
            _ = try Store(path: folder.file("test.db"), create: false)
            Issue.record("a newer schema must be refused")
        } catch let error as PhapaiError {
            #expect(error.keyword == "SCHEMA_TOO_NEW")
        }
    }
}
