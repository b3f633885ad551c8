import Foundation
import PhapaiCore
import PhapaiStore

/// Travel between places: an imported road matrix where it has the pair, else the area's model.
/// What the planner plans with; the simulator drives with it too (``PhapaiService/travelTimes(area:)``).
public struct TravelTimes: Sendable {
    /// The area's model: straight line x circuity at the average speed.
    public let model: TravelModel
    /// The imported entries, by origin and destination.
    public let matrix: [PlaceID: [PlaceID: MatrixEntry]]

    /// Travel with `model` where `matrix` has no entry.
    public init(model: TravelModel, matrix: [PlaceID: [PlaceID: MatrixEntry]]) {
        self.model = model
        self.matrix = matrix
    }

    /// Seconds of driving from one place to another.
    public func seconds(_ from: Place, _ to: Place) -> Double {
        if from.id == to.id { return 0 }
        if let entry = matrix[from.id]?[to.id] { return entry.seconds }
        return Double(model.seconds(from.coordinate, to.coordinate))
    }

    /// Road kilometres from one place to another: the matrix's metres when it has them.
    public func kilometres(_ from: Place, _ to: Place) -> Double {
        if from.id == to.id { return 0 }
        if let meters = matrix[from.id]?[to.id]?.meters { return meters / 1000 }
        return model.roadKilometres(from.coordinate, to.coordinate)
    }
}

extension PhapaiService {
    /// Imports a travel-time matrix: CSV (`from,to,seconds[,meters]` with place codes, a header
    /// line first) or the JSON of an OSRM `table` response, whose rows and columns are `places`
    /// in request order (or, without them, the places nearest each snapped waypoint, within 500 m).
    /// All or nothing: one bad line refuses the file.
    public func importMatrix(_ data: Data, format: String, places order: [PlaceID]? = nil) throws -> Int {
        let known = Dictionary(uniqueKeysWithValues: try store.places().map { ($0.id, $0) })
        return try importMatrix(entries: Self.readMatrix(data, format: format, places: order, known: known), format: format)
    }

    /// Reads a matrix file as ``importMatrix(_:format:places:)`` does, against `known` places
    /// instead of the database's, without storing it (the simulator checks a scenario's matrix
    /// against all its places before any area's database exists). Errors name the line.
    public static func readMatrix(_ data: Data, format: String, places order: [PlaceID]?, known: [PlaceID: Place]) throws -> [MatrixEntry] {
        let entries: [MatrixEntry]
        switch format {
        case "csv": entries = try parseMatrixCSV(try TextRules.decodeUTF8(data, field: "FILE"), known: known)
        case "osrm": entries = try parseOSRM(data, order: order, known: known)
        default: throw PhapaiError.invalid("format", "INVALID_VALUE", "'\(format)' is not one of: csv, osrm")
        }
        guard !entries.isEmpty else { throw PhapaiError.invalid("FILE", "EMPTY", "the matrix has no entries") }
        return entries
    }

    /// Stores entries already read (``readMatrix(_:format:places:known:)``), replacing the times
    /// of the pairs they name; every place must be in the database. `format` goes to the audit log.
    public func importMatrix(entries: [MatrixEntry], format: String) throws -> Int {
        guard !entries.isEmpty else { throw PhapaiError.invalid("FILE", "EMPTY", "the matrix has no entries") }
        let known = Set(try store.places().map(\.id))
        for entry in entries {
            for place in [entry.from, entry.to] where !known.contains(place) {
                throw PhapaiError.notFound("FILE", "UNKNOWN_PLACE", "no place \(place)")
            }
        }
        return try write { _ in
            try store.upsertMatrix(entries)
            store.record("matrix.import", entity: "matrix", detail: ["entries": "\(entries.count)", "format": format])
            return entries.count
        }
    }

    /// How the planner sees travel in `area`: the imported matrix where it has the pair, the
    /// area's model otherwise.
    public func travelTimes(area: AreaID) throws -> TravelTimes {
        TravelTimes(model: try self.area(area).travel, matrix: try store.matrix())
    }

    static func parseMatrixCSV(_ text: String, known: [PlaceID: Place]) throws -> [MatrixEntry] {
        var entries: [MatrixEntry] = []
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard let header = lines.first, header.lowercased().replacingOccurrences(of: "\u{FEFF}", with: "").hasPrefix("from,to,seconds") else {
            throw PhapaiError.invalid("FILE", "INVALID_CSV", "the first line must be the header from,to,seconds[,meters]")
        }
        for (index, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let where_ = "line \(index + 1)"
            guard fields.count == 3 || fields.count == 4 else {
                throw PhapaiError.invalid(where_, "INVALID_CSV", "needs from,to,seconds[,meters]")
            }
            let from = try PlaceID.parse(fields[0], field: "\(where_): from")
            let to = try PlaceID.parse(fields[1], field: "\(where_): to")
            for place in [from, to] where known[place] == nil {
                throw PhapaiError.notFound(where_, "UNKNOWN_PLACE", "no place \(place)")
            }
            guard let seconds = Double(fields[2]), seconds.isFinite, seconds >= 0, seconds < 86_400 else {
                throw PhapaiError.invalid("\(where_): seconds", "OUT_OF_RANGE", "must be a number of seconds from 0 to 86399")
            }
            var meters: Double?
            if fields.count == 4 && !fields[3].isEmpty {
                guard let value = Double(fields[3]), value.isFinite, value >= 0, value < 2_000_000 else {
                    throw PhapaiError.invalid("\(where_): meters", "OUT_OF_RANGE", "must be a distance in metres from 0 to 2,000,000")
                }
                meters = value
            }
            entries.append(MatrixEntry(from: from, to: to, seconds: seconds, meters: meters))
        }
        return entries
    }

    static func parseOSRM(_ data: Data, order: [PlaceID]?, known: [PlaceID: Place]) throws -> [MatrixEntry] {
        struct Waypoint: Decodable { let location: [Double] }
        struct Table: Decodable {
            let code: String
            let durations: [[Double?]]
            let distances: [[Double?]]?
            let sources: [Waypoint]?
        }
        let table = try ConfigDecoding.decode(Table.self, from: data, file: "FILE")
        guard table.code == "Ok" else { throw PhapaiError.invalid("code", "OSRM_ERROR", "the OSRM response says '\(table.code)'") }
        let size = table.durations.count
        guard size > 0, table.durations.allSatisfy({ $0.count == size }), table.distances.map({ $0.count == size && $0.allSatisfy { $0.count == size } }) ?? true
        else { throw PhapaiError.invalid("durations", "INVALID_MATRIX", "must be a square matrix (one row and column per place)") }
        var places: [PlaceID] = []
        if let order {
            guard order.count == size else {
                throw PhapaiError.invalid("places", "COUNT_MISMATCH", "\(order.count) place(s) given for a \(size) x \(size) matrix")
            }
            for place in order where known[place] == nil { throw PhapaiError.notFound("places", "UNKNOWN_PLACE", "no place \(place)") }
            places = order
        } else {
            guard let waypoints = table.sources, waypoints.count == size else {
                throw PhapaiError.invalid("places", "REQUIRED", "the response has no sources; give --places in request order")
            }
            for (index, waypoint) in waypoints.enumerated() {
                guard waypoint.location.count == 2, let point = try? Coordinate(latitude: waypoint.location[1], longitude: waypoint.location[0]),
                    let nearest = known.values.min(by: { $0.coordinate.kilometres(to: point) < $1.coordinate.kilometres(to: point) }),
                    nearest.coordinate.kilometres(to: point) <= 0.5
                else { throw PhapaiError.invalid("sources[\(index)]", "NO_NEARBY_PLACE", "no place within 500 m of this waypoint; give --places") }
                places.append(nearest.id)
            }
        }
        var entries: [MatrixEntry] = []
        for a in 0..<size {
            for b in 0..<size where a != b {
                guard let seconds = table.durations[a][b] else { continue }
                guard seconds.isFinite, seconds >= 0, seconds < 86_400 else {
                    throw PhapaiError.invalid("durations[\(a)][\(b)]", "OUT_OF_RANGE", "must be seconds from 0 to 86399")
                }
                entries.append(MatrixEntry(from: places[a], to: places[b], seconds: seconds, meters: table.distances?[a][b] ?? nil))
            }
        }
        return entries
    }
}
