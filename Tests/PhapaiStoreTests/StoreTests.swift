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

    @Test func aBackupThatStaysBusyGivesUpWithAClearErrorAndLeavesNoFile() throws {
        let folder = TemporaryFolder()
        let store = try makeStore(folder)
        // In WAL mode another connection's write lock never blocks a backup (it reads a snapshot);
        // what does is a write open on the store's own connection, as in a group not yet
        // committed: SQLite then answers BUSY to every backup step until that write ends.
        store.beginGroup()
        try store.write(actor: "t", at: testInstant) {
            try store.insertPatient(try patient("P1"))
            store.record("patient.add", entity: "patient:P1")
        }
        let copy = folder.file("copy.db")
        do {
            try store.backup(to: copy, busyBudgetSeconds: 0.05)
            Issue.record("a backup of a database that stays busy must give up")
        } catch let error as PhapaiError {
            #expect(error.category == .storage && error.keyword == "BACKUP_BUSY")
            #expect(error.message == "the database stayed busy for 0.05 s, so the backup gave up; nothing was written to \(copy)")
        }
        for file in [copy, copy + "-wal", copy + "-shm"] { #expect(!FileManager.default.fileExists(atPath: file)) }
        // The group is untouched by the failed backup; once it is committed the backup goes through.
        #expect(try store.commitGroup() == 1)
        try store.backup(to: copy, busyBudgetSeconds: 0.05)
        #expect(try Store(path: copy, create: false).patients().map(\.id.rawValue) == ["P1"])
    }

    @Test func aWriterOnAnotherConnectionDoesNotHoldUpABackup() throws {
        let folder = TemporaryFolder()
        let store = try makeStore(folder)
        let other = try SQLiteConnection(path: store.path, create: false)
        try other.execute("BEGIN EXCLUSIVE")
        try other.execute("INSERT INTO events (at, actor, action, entity, detail) VALUES (0, 'other', 'x', 'y', '')")
        // The copy is the last committed state; the other connection's open write is not in it.
        try store.backup(to: folder.file("copy.db"), busyBudgetSeconds: 0)
        try other.execute("ROLLBACK")
        #expect(try Store(path: folder.file("copy.db"), create: false).events().map(\.actor) == ["test"])
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

/// Runs `sql` on the store's connection past the schema's CHECK constraints, the way a bad
/// migration, an old build or a hand edit could have written it.
func corrupt(_ store: Store, _ sql: String) throws {
    try store.connection.execute("PRAGMA ignore_check_constraints = ON")
    defer { try! store.connection.execute("PRAGMA ignore_check_constraints = OFF") }
    try store.connection.execute(sql)
}

/// The storage error `body` throws, or nil (recording an issue) when it returns a value instead.
func storageError<T>(_ body: () throws -> T) -> PhapaiError? {
    do {
        let value = try body()
        Issue.record("a corrupt row was read as \(value)")
        return nil
    } catch let error as PhapaiError {
        return error
    } catch {
        Issue.record("expected a PhapaiError, got \(error)")
        return nil
    }
}

@Suite("SQLite store: corrupt rows")
struct CorruptRowTests {
    @Test func aPatientWithACorruptMobilityIsAStorageErrorNotAValue() throws {
        let folder = TemporaryFolder()
        let store = try makeStore(folder)
        try store.write(actor: "t", at: testInstant) {
            try store.insertPatient(try patient("P1"))
            store.record("patient.add", entity: "patient:P1")
        }
        try corrupt(store, "UPDATE patients SET mobility = 'flying' WHERE id = 'P1'")
        let error = storageError { try store.patient(PatientID(unchecked: "P1")) }
        #expect(error?.category == .storage)
        #expect(error?.keyword == "CORRUPT_ROW")
        #expect(error?.field == "patients.mobility")
        #expect(error?.message == "patients.mobility holds 'flying', which is not a mobility")
        #expect(error.map { !$0.message.contains("สมศรี") && !$0.message.contains("081-234-5678") } == true)
        // Listing meets the same row and fails the same way; the store stays usable afterwards.
        #expect(storageError { try store.patients() }?.field == "patients.mobility")
        #expect(!store.connection.inTransaction)
        try store.write(actor: "t", at: testInstant) {
            try store.insertPatient(try patient("P2"))
            store.record("patient.add", entity: "patient:P2")
        }
        #expect(try store.patient(PatientID(unchecked: "P2"))?.mobility == .wheelchair)
    }

    @Test func aBadValueThatCouldBePatientDataIsNotShown() throws {
        let folder = TemporaryFolder()
        let store = try makeStore(folder)
        try store.write(actor: "t", at: testInstant) {
            try store.insertPatient(try patient("P1"))
            store.record("patient.add", entity: "patient:P1")
        }
        // A column written out of place: the phone number and the name land in enum columns.
        try corrupt(store, "UPDATE patients SET mobility = phone WHERE id = 'P1'")
        let phone = storageError { try store.patient(PatientID(unchecked: "P1")) }
        #expect(phone?.keyword == "CORRUPT_ROW" && phone?.field == "patients.mobility")
        #expect(phone?.message == "patients.mobility holds a value of 12 characters (not shown), which is not a mobility")
        try corrupt(store, "UPDATE patients SET mobility = 'wheelchair', entitlement = name WHERE id = 'P1'")
        let name = storageError { try store.patient(PatientID(unchecked: "P1")) }
        #expect(name?.field == "patients.entitlement")
        #expect(name.map { !$0.message.contains("สมศรี") } == true)
    }

    @Test func aTripWithACorruptStatusIsAStorageErrorNotAValue() throws {
        let folder = TemporaryFolder()
        let store = try makeStore(folder)
        let id = try store.write(actor: "t", at: testInstant) {
            try store.insertPatient(try patient("P1"))
            let id = try store.insertTrip(Trip(
                id: nil, area: testArea, patient: PatientID(unchecked: "P1"), direction: .outbound,
                pickupPlace: PlaceID(unchecked: "V1"), dropoffPlace: PlaceID(unchecked: "V1"),
                serviceDate: LocalDate(year: 2026, month: 11, day: 23)!, appointment: testInstant, requestedPickup: nil,
                pickupWindow: nil, dropoffWindow: nil, directSeconds: 600, maxRideSeconds: 1800, mobility: .wheelchair,
                companions: 1, funding: .disability, status: .requested, willCall: false, linkedTrip: nil, standingOrder: nil,
                cancellationCode: nil, statusReason: nil, notes: nil, createdAt: testInstant))
            store.record("trip.book", entity: "trip:\(id)")
            return id
        }
        #expect(try store.trip(id)?.status == .requested)
        try corrupt(store, "UPDATE trips SET status = 'lost' WHERE id = \(id.rawValue)")
        let error = storageError { try store.trip(id) }
        #expect(error?.category == .storage && error?.keyword == "CORRUPT_ROW")
        #expect(error?.field == "trips.status")
        #expect(error?.message == "trips.status holds 'lost', which is not a trip status")
        #expect(storageError { try store.trips(date: LocalDate(year: 2026, month: 11, day: 23)!) }?.field == "trips.status")
        // The trip's own mobility is checked too, not only the patient's.
        try corrupt(store, "UPDATE trips SET status = 'requested', mobility = 'flying' WHERE id = \(id.rawValue)")
        #expect(storageError { try store.trip(id) }?.message == "trips.mobility holds 'flying', which is not a mobility")
    }

    @Test func aUserWithACorruptRoleIsAStorageErrorNotAPlanner() throws {
        let folder = TemporaryFolder()
        let store = try makeStore(folder)
        try store.write(actor: "t", at: testInstant) {
            try store.insertUser(
                User(name: "somchai", role: .dispatcher, areas: [testArea], driver: nil, createdAt: testInstant, revokedAt: nil),
                tokenSHA256: "abc123")
            store.record("user.add", entity: "user:somchai")
        }
        try corrupt(store, "UPDATE users SET role = 'superuser' WHERE name = 'somchai'")
        let error = storageError { try store.user(named: "somchai") }
        #expect(error?.category == .storage && error?.keyword == "CORRUPT_ROW")
        #expect(error?.field == "users.role")
        #expect(error?.message == "users.role holds 'superuser', which is not a role")
        // Logging in with the token meets the same row: refused with the storage error, never let in.
        #expect(storageError { try store.user(tokenSHA256: "abc123") }?.field == "users.role")
        #expect(storageError { try store.users() }?.field == "users.role")
    }
}

@Suite("SQLite store: typed constraint failures")
struct ConstraintTests {
    /// Which constraint `sql` breaks, read from the typed view of the SQLite error.
    func broken(_ store: Store, _ sql: String) -> SQLiteError.Constraint? {
        do {
            try store.connection.execute(sql)
            Issue.record("expected a constraint failure from: \(sql)")
        } catch let error as SQLiteError {
            return error.constraint
        } catch {
            Issue.record("expected an SQLiteError, got \(error)")
        }
        return nil
    }

    @Test func eachKindOfConstraintIsToldApart() throws {
        let folder = TemporaryFolder()
        let store = try makeStore(folder)
        let place = "INSERT INTO places (id, area_id, kind, name, moo, latitude, longitude) VALUES"
        #expect(broken(store, "\(place) ('V1', 'A', 'village', 'x', 2, 7, 100)") == .primaryKey)
        #expect(broken(store, "\(place) ('V2', 'NOWHERE', 'village', 'x', 2, 7, 100)") == .foreignKey)
        #expect(broken(store, "\(place) ('V2', 'A', 'castle', 'x', 2, 7, 100)") == .check)
        #expect(broken(store, "\(place) ('V2', 'A', 'village', NULL, 2, 7, 100)") == .notNull)
        let user = "INSERT INTO users (name, role, token_sha256, created_at) VALUES"
        try store.connection.execute("\(user) ('a', 'admin', 'same-hash', 0)")
        #expect(broken(store, "\(user) ('b', 'admin', 'same-hash', 0)") == .unique)
        #expect(broken(store, "\(user) ('a', 'admin', 'other-hash', 0)") == .primaryKey)
        #expect(broken(store, "DELETE FROM events") == .other)  // the append-only trigger's RAISE
        // Not a constraint failure at all.
        do {
            try store.connection.execute("SELECT * FROM no_such_table")
            Issue.record("a missing table must fail")
        } catch let error as SQLiteError {
            #expect(error.constraint == nil)
        }
    }

    @Test func aWriteStillReportsEveryConstraintFailureAsAConflict() throws {
        let folder = TemporaryFolder()
        let store = try makeStore(folder)
        do {
            try store.write(actor: "t", at: testInstant) {
                try store.insertPatient(try patient("P1"))
                try store.insertPatient(try patient("P1"))
                store.record("patient.add", entity: "patient:P1")
            }
            Issue.record("a taken id must fail")
        } catch let error as PhapaiError {
            #expect(error.category == .conflict && error.keyword == "CONSTRAINT")
        }
        #expect(try store.patients().isEmpty)
        #expect(try store.connection.scalarInt("SELECT COUNT(*) FROM patients") == 0)
    }
}

@Suite("SQLite store: a trip's reason")
struct TripReasonStoreTests {
    func book(_ store: Store) throws -> TripID {
        try store.write(actor: "t", at: testInstant) {
            try store.insertPatient(try patient("P1"))
            store.record("trip.book", entity: "trip")
            return try store.insertTrip(Trip(
                id: nil, area: testArea, patient: PatientID(unchecked: "P1"), direction: .outbound,
                pickupPlace: PlaceID(unchecked: "V1"), dropoffPlace: PlaceID(unchecked: "V1"),
                serviceDate: LocalDate(year: 2026, month: 11, day: 23)!, appointment: testInstant, requestedPickup: nil,
                pickupWindow: nil, dropoffWindow: nil, directSeconds: 600, maxRideSeconds: 1800, mobility: .wheelchair,
                companions: 1, funding: .disability, status: .requested, willCall: false, linkedTrip: nil, standingOrder: nil,
                cancellationCode: nil, statusReason: nil, notes: nil, createdAt: testInstant))
        }
    }

    @Test func aPhraseReasonSurvivesAReopenAsPhraseAndAsEnglish() throws {
        let folder = TemporaryFolder()
        let id = try book(try makeStore(folder))
        let reason = Phrase("unserved.obstacles", parts: [
            Phrase("obstacle.vehicles", ["vehicles": "PICKUP1, CAR1"], parts: [Phrase("obstacle.capacity", parts: [Phrase("load.wheelchair.companions", ["companions": "1"])])]),
            Phrase("obstacle.vehicles", ["vehicles": "VAN1"], parts: [Phrase("obstacle.full")]),
        ])
        do {
            let store = try Store(path: folder.file("test.db"), create: false)
            try store.write(actor: "t", at: testInstant) {
                try store.updateTripStatus(id, status: .requested, code: nil, reason: reason, at: testInstant)
                store.record("day.plan", entity: "trip:\(id)")
            }
        }
        let reopened = try Store(path: folder.file("test.db"), create: false)
        let trip = try #require(try reopened.trip(id))
        #expect(trip.statusPhrase == reason)
        let english = "no vehicle can take it: PICKUP1, CAR1: cannot carry a wheelchair patient with 1 companion(s); VAN1: is full at that time with other passengers"
        #expect(trip.statusReason == english)
        #expect(try reopened.connection.scalarText("SELECT status_reason FROM trips WHERE id = \(id.rawValue)") == english)
    }

    @Test func aPlainReasonOfAnOlderDatabaseOrTypedByAPersonReadsAsWritten() throws {
        let folder = TemporaryFolder()
        let store = try makeStore(folder)
        let id = try book(store)
        // As a database before phrases held it: English in status_reason, no phrase.
        try corrupt(store, "UPDATE trips SET status = 'cancelled', status_reason = 'the outbound trip 4 was not performed (cancelled)' WHERE id = \(id.rawValue)")
        let reopened = try Store(path: folder.file("test.db"), create: false)
        let old = try #require(try reopened.trip(id))
        #expect(old.statusPhrase == .text("the outbound trip 4 was not performed (cancelled)"))
        #expect(old.statusReason == "the outbound trip 4 was not performed (cancelled)")
        // Typed text is stored as text only: no phrase column.
        try reopened.write(actor: "t", at: testInstant) {
            try reopened.updateTripStatus(id, status: .cancelled, code: .advance, reason: .text("ญาติพาไปเอง"), at: testInstant)
            reopened.record("trip.cancel", entity: "trip:\(id)")
        }
        #expect(try reopened.trip(id)?.statusPhrase == .text("ญาติพาไปเอง"))
        #expect(try reopened.connection.scalarText("SELECT COALESCE(status_phrase, 'none') FROM trips WHERE id = \(id.rawValue)") == "none")
    }
}
