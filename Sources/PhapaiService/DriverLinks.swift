import PhapaiCore
import PhapaiStore

/// A driver's personal link to the phone page of their run: a long random secret that stands for
/// the driver on phapaid's driver web face. Only its SHA-256 is stored.
public struct DriverLinkSecret: Sendable, Hashable {
    /// The secret as it appears in the link: 43 characters of base64url (256 random bits).
    public let rawValue: String

    /// The characters of base64url, in their order.
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    /// Characters in a secret: 256 bits at 6 bits each.
    public static let length = 43

    /// A new random secret from the system's generator.
    static func generate() -> DriverLinkSecret {
        var generator = SystemRandomNumberGenerator()
        // 43 symbols of 6 bits: 258 bits, of which the last symbol's 2 spare bits are random too.
        let symbols = (0..<length).map { _ in alphabet[Int(UInt8.random(in: 0...63, using: &generator))] }
        return DriverLinkSecret(rawValue: String(decoding: symbols, as: UTF8.self))
    }

    private init(rawValue: String) { self.rawValue = rawValue }

    /// The secret in `text`, or nil when it is not one in form (the caller answers it like a
    /// link that does not exist).
    public init?(_ text: String) {
        guard text.utf8.count == Self.length, text.utf8.allSatisfy(Self.alphabet.contains) else { return nil }
        rawValue = text
    }

    /// What is stored of it.
    var sha256: String { SHA256.hex(SHA256.digest(Array(rawValue.utf8))) }
}

extension PhapaiService {
    /// Gives `driver` a new link to their run's phone page; any link they had stops working (one
    /// phone per driver: a lost phone is handled by giving a new link). The secret is returned
    /// this once.
    public func linkDriver(_ id: DriverID) throws -> (Driver, secret: DriverLinkSecret) {
        guard let driver = try store.driver(id) else { throw PhapaiError.notFound("driver", "UNKNOWN_DRIVER", "no driver \(id)") }
        let secret = DriverLinkSecret.generate()
        try write { now in
            let replaced = try store.activeDriverLinks(driver: id)
            try store.revokeDriverLinks(driver: id, at: now)
            try store.insertDriverLink(driver: id, secretSHA256: secret.sha256, at: now)
            store.record("driver.link", entity: "driver:\(id)", detail: replaced > 0 ? ["replaced": String(replaced)] : [:])
        }
        return (driver, secret)
    }

    /// Revokes `driver`'s link: it opens nothing any more.
    public func unlinkDriver(_ id: DriverID) throws {
        guard try store.driver(id) != nil else { throw PhapaiError.notFound("driver", "UNKNOWN_DRIVER", "no driver \(id)") }
        guard try store.activeDriverLinks(driver: id) > 0 else {
            throw PhapaiError.conflict("driver", "NO_LINK", "driver \(id) has no link to revoke")
        }
        try write { now in
            try store.revokeDriverLinks(driver: id, at: now)
            store.record("driver.unlink", entity: "driver:\(id)")
        }
    }

    /// The driver an active link stands for, if any (looked up by hash, compared in constant time).
    public func driver(linkSecret secret: DriverLinkSecret) throws -> Driver? {
        let hash = secret.sha256
        guard let (id, stored) = try store.linkedDriver(secretSHA256: hash), SHA256.constantTimeEqual(stored, hash) else { return nil }
        return try store.driver(id)
    }
}
