import PhapaiCore
import PhapaiStore

extension PhapaiService {
    /// Adds a user and returns their token, shown this once: only its SHA-256 is stored.
    public func addUser(name: String, role: User.Role, areas: [AreaID] = [], driver: DriverID? = nil) throws -> (User, token: String) {
        guard PatientID.isValidCode(name) else {
            throw PhapaiError.invalid("name", "INVALID_ID", "must be 1-32 characters of letters A-Z, digits, '_', '-' or '.'")
        }
        for area in areas { _ = try self.area(area) }
        switch role {
        case .dispatcher where areas.isEmpty:
            throw PhapaiError.invalid("area", "REQUIRED", Phrase("error.required.dispatcher_area"))
        case .driver:
            guard let driver else { throw PhapaiError.invalid("driver", "REQUIRED", Phrase("error.required.driver")) }
            guard try store.driver(driver) != nil else { throw PhapaiError.notFound("driver", "UNKNOWN_DRIVER", "no driver \(driver)") }
        default:
            if driver != nil { throw PhapaiError.invalid("driver", "NOT_ALLOWED", "only a driver's login names a driver") }
        }
        var generator = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in String(format2(UInt8.random(in: 0...255, using: &generator))) }.joined()
        return try write { now in
            let user = User(name: name, role: role, areas: areas, driver: driver, createdAt: now, revokedAt: nil)
            try insertNew(
                { try store.insertUser(user, tokenSHA256: SHA256.hex(Array(token.utf8))) },
                orIfTaken: .conflict("name", "DUPLICATE_ID", "user \(name) already exists"))
            store.record("user.add", entity: "user:\(name)", detail: ["role": role.rawValue])
            return (user, token)
        }
    }

    /// Every user (never their tokens).
    public func users() throws -> [User] { try store.users() }

    /// Revokes a user's token: it no longer logs in.
    public func revokeUser(_ name: String) throws {
        guard let user = try store.user(named: name) else { throw PhapaiError.notFound("name", "UNKNOWN_USER", "no user \(name)") }
        guard user.revokedAt == nil else { throw PhapaiError.conflict("name", "ALREADY_REVOKED", "user \(name) is already revoked") }
        try write { _ in
            try store.revokeUser(name, at: clock())
            store.record("user.revoke", entity: "user:\(name)")
        }
    }

    /// The name of the revoked user whose token `token` was, if any (looked up by hash).
    public func revokedTokenOwner(token: String) throws -> String? {
        try store.revokedUserName(tokenSHA256: SHA256.hex(Array(token.utf8)))
    }

    /// The active user holding `token`, if any (compared by hash, in constant time).
    public func authenticate(token: String) throws -> User? {
        let hash = SHA256.hex(Array(token.utf8))
        guard let (user, stored) = try store.user(tokenSHA256: hash), SHA256.constantTimeEqual(stored, hash) else { return nil }
        return user
    }
}

private func format2(_ byte: UInt8) -> String { (byte < 16 ? "0" : "") + String(byte, radix: 16) }
