import Foundation

/// Which keys each object of a JSON configuration may hold, and what lies under them.
///
/// `JSONDecoder` ignores keys a type does not read, so a typo (`"wheelchair"` for
/// `"wheelchairs"`) silently leaves an optional field at its default. Checking the raw JSON
/// against a shape first turns that into an error naming the key's path and the nearest known
/// key. Build an object's shape from the type's `CodingKeys` (declared `CaseIterable`), so a field
/// added to the type is known without further work:
///
/// ```swift
/// static let shape = ConfigShape.object(CodingKeys.self, [.fleet: .array(VehicleKind.shape)])
/// ```
public indirect enum ConfigShape: Sendable {
    /// An object with exactly these keys (all optional here: missing ones are the decoder's
    /// concern), each with the shape of its value.
    case object([String: ConfigShape])
    /// An array whose elements have this shape.
    case array(ConfigShape)
    /// An object whose keys the writer chooses (hours, hospital codes), with values of this shape.
    case map(ConfigShape)
    /// A number, string, boolean or null: nothing inside to check.
    case value

    /// The shape of an object whose keys are the cases of `keys`: the values under `nested` hold
    /// objects (or arrays or maps of them) with their own shapes, every other key a plain value.
    public static func object<Key: CodingKey & CaseIterable & Hashable>(_ keys: Key.Type, _ nested: [Key: ConfigShape] = [:]) -> ConfigShape {
        .object(Dictionary(uniqueKeysWithValues: Key.allCases.map { ($0.stringValue, nested[$0] ?? .value) }))
    }

    /// The first key of `json` (a tree from `JSONSerialization`) that this shape does not know, in
    /// document order as far as `JSONSerialization` keeps it (keys of one object in sorted order),
    /// as an `UNKNOWN_KEY` error whose field is the key's path (`tambons[0].fleet[1].wheelchair`).
    /// Values whose type differs from the shape (an array where an object belongs) are left to the
    /// decoder, which names the type expected.
    public func unknownKey(in json: Any, path: String = "") -> PhapaiError? {
        switch (self, json) {
        case (.object(let known), let object as [String: Any]):
            for key in object.keys.sorted() {
                let field = path.isEmpty ? key : "\(path).\(key)"
                guard let shape = known[key] else {
                    let suggestion = ConfigShape.nearest(to: key, among: known.keys.sorted()).map { "; did you mean \"\($0)\"?" } ?? ""
                    return PhapaiError.invalid(field, "UNKNOWN_KEY", "unknown key\(suggestion)")
                }
                if let error = shape.unknownKey(in: object[key]!, path: field) { return error }
            }
        case (.map(let shape), let object as [String: Any]):
            for key in object.keys.sorted() {
                if let error = shape.unknownKey(in: object[key]!, path: "\(path)[\"\(key)\"]") { return error }
            }
        case (.array(let shape), let array as [Any]):
            for (index, element) in array.enumerated() {
                if let error = shape.unknownKey(in: element, path: "\(path)[\(index)]") { return error }
            }
        default:
            break
        }
        return nil
    }

    /// The known key closest to `key` by edit distance (ignoring case), when it is close enough
    /// to be the key meant: at most a third of its letters differ (at least one may).
    static func nearest(to key: String, among known: [String]) -> String? {
        let scored = known.map { (key: $0, distance: editDistance(key.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.distance < $1.distance }), best.distance <= max(1, best.key.count / 3) else { return nil }
        return best.key
    }

    /// Levenshtein distance: the fewest insertions, deletions and substitutions of characters
    /// that turn `a` into `b`.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        // One row of the table at a time: previous[j] is the distance from a[..<i] to b[..<j].
        var previous = Array(0...b.count)
        for i in a.indices {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for j in b.indices {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (a[i] == b[j] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
