import PhapaiCore


extension Store {
    private static let userColumns = "name, role, areas, driver_id, created_at, revoked_at"

    /// Stores a user with the hash of their token.
    public func insertUser(_ user: User, tokenSHA256: String) throws {
        try run(
            "INSERT INTO users (name, role, areas, driver_id, token_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [.text(user.name), .text(user.role.rawValue), .text(user.areas.map(\.rawValue).joined(separator: ",")),
             .optionalText(user.driver?.rawValue), .text(tokenSHA256), .integer(user.createdAt.rawValue)])
    }

    /// Every user, by name.
    public func users() throws -> [User] {
        try query("SELECT \(Store.userColumns) FROM users ORDER BY name", [], Store.readUser)
    }

    /// The user named `name`, if any.
    public func user(named name: String) throws -> User? {
        try query("SELECT \(Store.userColumns) FROM users WHERE name = ?", [.text(name)], Store.readUser).first
    }

    /// The active user whose token hashes to `tokenSHA256`, if any.
    public func user(tokenSHA256: String) throws -> (User, String)? {
        try query("SELECT \(Store.userColumns), token_sha256 FROM users WHERE token_sha256 = ? AND revoked_at IS NULL", [.text(tokenSHA256)]) {
            (try Store.readUser($0), $0.text(6))
        }.first
    }

    /// The name of the revoked user whose token has this hash, if any.
    public func revokedUserName(tokenSHA256: String) throws -> String? {
        try query("SELECT name FROM users WHERE token_sha256 = ? AND revoked_at IS NOT NULL", [.text(tokenSHA256)]) { $0.text(0) }.first
    }

    /// Revokes a user's token.
    public func revokeUser(_ name: String, at: Instant) throws {
        try run("UPDATE users SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", [.integer(at.rawValue), .text(name)])
    }

    static func readUser(_ row: SQLiteStatement) throws -> User {
        User(
            name: row.text(0), role: try decode(User.Role.self, row.text(1), table: "users", column: "role", what: "a role"),
            areas: row.text(2).split(separator: ",").map { AreaID(unchecked: String($0)) },
            driver: row.textOrNil(3).map(DriverID.init(unchecked:)), createdAt: Instant(rawValue: row.int64(4)),
            revokedAt: row.int64OrNil(5).map(Instant.init(rawValue:)))
    }
}
