import PhapaiCore

extension Store {
    /// Stores a new link of `driver` by the SHA-256 of its secret (inside a write).
    public func insertDriverLink(driver: DriverID, secretSHA256: String, at time: Instant) throws {
        try run(
            "INSERT INTO driver_links (driver_id, secret_sha256, created_at) VALUES (?, ?, ?)",
            [.text(driver.rawValue), .text(secretSHA256), .integer(time.rawValue)])
    }

    /// The driver whose active link's secret hashes to `secretSHA256`, with the stored hash (to
    /// compare in constant time), if any.
    public func linkedDriver(secretSHA256: String) throws -> (DriverID, String)? {
        try query(
            "SELECT driver_id, secret_sha256 FROM driver_links WHERE secret_sha256 = ? AND revoked_at IS NULL", [.text(secretSHA256)]
        ) { (DriverID(unchecked: $0.text(0)), $0.text(1)) }.first
    }

    /// How many links of `driver` are active.
    public func activeDriverLinks(driver: DriverID) throws -> Int {
        try connection.scalarInt(
            "SELECT COUNT(*) FROM driver_links WHERE driver_id = ? AND revoked_at IS NULL", [.text(driver.rawValue)]).map(Int.init) ?? 0
    }

    /// Revokes every active link of `driver` (inside a write).
    public func revokeDriverLinks(driver: DriverID, at time: Instant) throws {
        try run(
            "UPDATE driver_links SET revoked_at = ? WHERE driver_id = ? AND revoked_at IS NULL", [.integer(time.rawValue), .text(driver.rawValue)])
    }
}
