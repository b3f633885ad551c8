import Foundation
import Testing
import PhapaiCore
import PhapaiStore
@testable import PhapaiService

@Suite("Service: users and tokens")
struct UserTests {
    @Test func tokensAreShownOnceAndStoredOnlyAsTheirHash() throws {
        let world = try World()
        let (user, token) = try world.service.addUser(name: "somchai", role: .dispatcher, areas: [AreaID(unchecked: "sample-tambon")])
        #expect(user.role == .dispatcher)
        #expect(token.count == 64 && token.allSatisfy { $0.isHexDigit })
        #expect(try world.service.authenticate(token: token)?.name == "somchai")
        #expect(try world.service.authenticate(token: token + "0") == nil)
        #expect(try world.service.authenticate(token: "") == nil)
        // The token itself is nowhere in the database files.
        for suffix in ["", "-wal"] {
            let bytes = FileManager.default.contents(atPath: world.folder + "/phapai.db" + suffix) ?? Data()
            #expect(bytes.range(of: Data(token.utf8)) == nil)
        }
        #expect(try world.service.store.user(tokenSHA256: SHA256.hex(Array(token.utf8)))?.0.name == "somchai")
        try world.service.revokeUser("somchai")
        #expect(try world.service.authenticate(token: token) == nil)
        #expect(world.refusal { try world.service.revokeUser("somchai") }?.keyword == "ALREADY_REVOKED")
        #expect(try world.service.audit(limit: 2).map(\.action) == ["user.revoke", "user.add"])
    }

    @Test func rolesNeedTheirReach() throws {
        let world = try World()
        #expect(world.refusal { _ = try world.service.addUser(name: "d", role: .dispatcher) }?.field == "area")
        #expect(world.refusal { _ = try world.service.addUser(name: "x", role: .driver) }?.field == "driver")
        #expect(world.refusal { _ = try world.service.addUser(name: "x", role: .driver, driver: DriverID(unchecked: "D99")) }?.keyword == "UNKNOWN_DRIVER")
        #expect(world.refusal { _ = try world.service.addUser(name: "p", role: .planner, driver: DriverID(unchecked: "D01")) }?.keyword == "NOT_ALLOWED")
        #expect(world.refusal { _ = try world.service.addUser(name: "bad name", role: .admin) }?.keyword == "INVALID_ID")
        let (driver, _) = try world.service.addUser(name: "sompong", role: .driver, driver: DriverID(unchecked: "D01"))
        #expect(driver.driver == DriverID(unchecked: "D01"))
        #expect(world.refusal { _ = try world.service.addUser(name: "sompong", role: .admin) }?.keyword == "DUPLICATE_ID")
        let (first, a) = try world.service.addUser(name: "a1", role: .admin)
        let (_, b) = try world.service.addUser(name: "a2", role: .admin)
        #expect(a != b && first.role == .admin)
        #expect(try world.service.users().map(\.name) == ["a1", "a2", "sompong"])
    }
}
