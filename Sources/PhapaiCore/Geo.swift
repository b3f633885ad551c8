import Foundation

/// A WGS84 position.
public struct Coordinate: Hashable, Sendable, Codable {
    /// Degrees north, -90...90.
    public let latitude: Double
    /// Degrees east, -180...180.
    public let longitude: Double

    /// Creates a coordinate, refusing values off the globe with a message naming the field.
    public init(latitude: Double, longitude: Double, field: String = "coordinates") throws {
        guard latitude.isFinite, (-90...90).contains(latitude) else {
            throw PhapaiError.invalid(field, "INVALID_LATITUDE", "latitude must be between -90 and 90 degrees")
        }
        guard longitude.isFinite, (-180...180).contains(longitude) else {
            throw PhapaiError.invalid(field, "INVALID_LONGITUDE", "longitude must be between -180 and 180 degrees")
        }
        self.latitude = latitude
        self.longitude = longitude
    }

    private enum CodingKeys: String, CodingKey { case latitude = "lat", longitude = "lon" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(
                latitude: container.decode(Double.self, forKey: .latitude),
                longitude: container.decode(Double.self, forKey: .longitude))
        } catch let error as PhapaiError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(latitude, forKey: .latitude)
        try container.encode(longitude, forKey: .longitude)
    }

    /// Great-circle distance in kilometres (haversine, mean Earth radius 6371.0088 km).
    public func kilometres(to other: Coordinate) -> Double {
        let radians = Double.pi / 180
        let dLat = (other.latitude - latitude) * radians
        let dLon = (other.longitude - longitude) * radians
        let a = sin(dLat / 2) * sin(dLat / 2)
            + cos(latitude * radians) * cos(other.latitude * radians) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * 6371.0088 * asin(min(1, a.squareRoot()))
    }
}

/// The default travel-time model: straight-line distance times a circuity factor, driven at an
/// average speed. Both are per area; an imported matrix replaces this for road accuracy.
public struct TravelModel: Hashable, Sendable, Codable {
    /// Road distance over straight-line distance (typically 1.2-1.5 in rural Thailand).
    public var circuityFactor: Double
    /// Average driving speed in km/h.
    public var averageSpeedKmh: Double

    /// Creates a model, checking both values are in a plausible range.
    public init(circuityFactor: Double, averageSpeedKmh: Double) throws {
        guard circuityFactor.isFinite, (1.0...3.0).contains(circuityFactor) else {
            throw PhapaiError.invalid("travel.circuityFactor", "OUT_OF_RANGE", "must be between 1.0 and 3.0")
        }
        guard averageSpeedKmh.isFinite, (5...130).contains(averageSpeedKmh) else {
            throw PhapaiError.invalid("travel.averageSpeedKmh", "OUT_OF_RANGE", "must be between 5 and 130 km/h")
        }
        self.circuityFactor = circuityFactor
        self.averageSpeedKmh = averageSpeedKmh
    }

    /// Estimated road kilometres between two points.
    public func roadKilometres(_ from: Coordinate, _ to: Coordinate) -> Double {
        from.kilometres(to: to) * circuityFactor
    }

    /// Estimated driving time in whole seconds (rounded up).
    public func seconds(_ from: Coordinate, _ to: Coordinate) -> Int {
        Int((roadKilometres(from, to) / averageSpeedKmh * 3600).rounded(.up))
    }
}
