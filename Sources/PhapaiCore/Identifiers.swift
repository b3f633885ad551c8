/// An identifier chosen by people (a place, patient, vehicle or driver code such as `P001`).
///
/// Codes are 1-32 characters of ASCII letters, digits, `_`, `-` and `.`, starting with a letter or
/// digit, so they are safe in a protocol token, a file name and a log line.
public protocol CodeIdentifier: RawRepresentable, Hashable, Sendable, Codable, Comparable,
    CustomStringConvertible where RawValue == String
{
    /// The field name used in error messages (`patient`, `place`, ...).
    static var fieldName: String { get }
    /// Wraps an already validated code.
    init(unchecked rawValue: String)
}

extension CodeIdentifier {
    public init?(rawValue: String) {
        guard Self.isValidCode(rawValue) else { return nil }
        self.init(unchecked: rawValue)
    }

    /// Parses a code, refusing anything outside the code alphabet with a message naming the field.
    public static func parse(_ text: String, field: String? = nil) throws -> Self {
        guard let value = Self(rawValue: text) else {
            throw PhapaiError.invalid(
                field ?? fieldName, "INVALID_ID",
                "must be 1-32 characters of letters A-Z, digits, '_', '-' or '.', starting with a letter or digit"
            )
        }
        return value
    }

    /// Whether `text` is a well-formed code.
    public static func isValidCode(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...32).contains(bytes.count) else { return false }
        for (index, byte) in bytes.enumerated() {
            let alphanumeric = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
                || (byte >= 0x61 && byte <= 0x7A)
            if alphanumeric { continue }
            if index > 0 && (byte == 0x5F || byte == 0x2D || byte == 0x2E) { continue }
            return false
        }
        return true
    }

    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "invalid \(Self.fieldName) code '\(text)'"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Identifies a service area (a tambon or several).
public struct AreaID: CodeIdentifier {
    public static let fieldName = "area"
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }
}

/// Identifies a place: village, hospital, health centre, depot, landmark or home.
public struct PlaceID: CodeIdentifier {
    public static let fieldName = "place"
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }
}

/// Identifies a registered patient.
public struct PatientID: CodeIdentifier {
    public static let fieldName = "patient"
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }
}

/// Identifies a vehicle of the fleet.
public struct VehicleID: CodeIdentifier {
    public static let fieldName = "vehicle"
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }
}

/// Identifies a driver.
public struct DriverID: CodeIdentifier {
    public static let fieldName = "driver"
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }
}

/// A number given by the database (trips, shifts, standing orders, holds, events).
public protocol SerialIdentifier: RawRepresentable, Hashable, Sendable, Codable, Comparable,
    CustomStringConvertible where RawValue == Int64
{
    /// The field name used in error messages.
    static var fieldName: String { get }
    /// Wraps a number.
    init(_ rawValue: Int64)
}

extension SerialIdentifier {
    public init?(rawValue: Int64) { self.init(rawValue) }

    /// Parses a positive decimal number, refusing anything else with a message naming the field.
    public static func parse(_ text: String, field: String? = nil) throws -> Self {
        guard let number = Int64(text), number > 0 else {
            throw PhapaiError.invalid(field ?? fieldName, "INVALID_ID", "must be a positive whole number")
        }
        return Self(number)
    }

    public var description: String { String(rawValue) }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(Int64.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Identifies a trip (one one-way leg).
public struct TripID: SerialIdentifier {
    public static let fieldName = "trip"
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

/// Identifies a shift.
public struct ShiftID: SerialIdentifier {
    public static let fieldName = "shift"
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

/// Identifies a standing order.
public struct StandingOrderID: SerialIdentifier {
    public static let fieldName = "standing"
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}
