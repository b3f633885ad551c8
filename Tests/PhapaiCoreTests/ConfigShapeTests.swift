import Foundation
import Testing
@testable import PhapaiCore

@Suite("Strict configuration decoding")
struct ConfigShapeTests {
    struct Seat: Decodable {
        var seats: Int
        var wheelchairs: Int?
        enum CodingKeys: String, CodingKey, CaseIterable { case seats, wheelchairs }
        static let shape = ConfigShape.object(CodingKeys.self)
    }

    struct Fleet: Decodable {
        var name: String
        var kinds: [Seat]
        var weights: [String: Double]?
        enum CodingKeys: String, CodingKey, CaseIterable { case name, kinds, weights }
        static let shape = ConfigShape.object(CodingKeys.self, [.kinds: .array(Seat.shape), .weights: .map(.value)])
    }

    static func decode(_ json: String) throws -> Fleet {
        try ConfigDecoding.decode(Fleet.self, from: Data(json.utf8), shape: Fleet.shape, file: "fleet.json")
    }

    @Test func editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        #expect(ConfigShape.editDistance("wheelchair", "wheelchairs") == 1)
        #expect(ConfigShape.editDistance("kitten", "sitting") == 3)
        #expect(ConfigShape.editDistance("", "abc") == 3)
        #expect(ConfigShape.editDistance("abc", "") == 3)
        #expect(ConfigShape.editDistance("same", "same") == 0)
    }

    @Test func theNearestKeyIsSuggestedOnlyWhenClose() {
        #expect(ConfigShape.nearest(to: "wheelchair", among: ["seats", "wheelchairs"]) == "wheelchairs")
        #expect(ConfigShape.nearest(to: "Seats", among: ["seats", "wheelchairs"]) == "seats")
        #expect(ConfigShape.nearest(to: "colour", among: ["seats", "wheelchairs"]) == nil)
    }

    @Test func anUnknownKeyIsRefusedAtItsPathWithTheNearestKnownKey() throws {
        let fleet = try Self.decode(#"{"name": "a", "kinds": [{"seats": 3}, {"seats": 7, "wheelchairs": 1}], "weights": {"any key": 1}}"#)
        #expect(fleet.kinds[1].wheelchairs == 1 && fleet.weights?["any key"] == 1)
        var error = #expect(throws: PhapaiError.self) { try Self.decode(#"{"name": "a", "kinds": [{"seats": 3}, {"seats": 7, "wheelchair": 1}]}"#) }
        #expect(error == PhapaiError.invalid("kinds[1].wheelchair", "UNKNOWN_KEY", #"unknown key; did you mean "wheelchairs"?"#))
        error = #expect(throws: PhapaiError.self) { try Self.decode(#"{"name": "a", "kinds": [], "colour": "red"}"#) }
        #expect(error == PhapaiError.invalid("colour", "UNKNOWN_KEY", "unknown key"))
        // A misspelt required key is named as unknown (with the key meant), before the decoder says the other is missing.
        error = #expect(throws: PhapaiError.self) { try Self.decode(#"{"name": "a", "kinds": [{"seat": 3}]}"#) }
        #expect(error == PhapaiError.invalid("kinds[0].seat", "UNKNOWN_KEY", #"unknown key; did you mean "seats"?"#))
    }

    @Test func decodingErrorsNameThePathAloneOrTheFile() throws {
        var error = #expect(throws: PhapaiError.self) { try Self.decode(#"{"name": "a", "kinds": [{"seats": "three"}]}"#) }
        #expect(error?.field == "kinds[0].seats" && error?.keyword == "INVALID_CONFIG")
        error = #expect(throws: PhapaiError.self) { try Self.decode(#"{"name": "a"}"#) }
        #expect(error?.field == "kinds" && error?.message == "is required")
        error = #expect(throws: PhapaiError.self) { try Self.decode(#"{"name": "a", "#) }
        #expect(error?.field == "fleet.json")
        // A value of the wrong kind is the decoder's to name, not taken for an unknown key.
        error = #expect(throws: PhapaiError.self) { try Self.decode(#"{"name": "a", "kinds": {"seats": 3}}"#) }
        #expect(error?.field == "kinds" && error?.keyword == "INVALID_CONFIG")
    }

    @Test func policyOverridesKnowEveryKeyOfAPolicyFile() throws {
        let text = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/policies.json"), encoding: .utf8)
        let tree = try JSONSerialization.jsonObject(with: Data(text.utf8))
        #expect(PolicyOverrides.shape.unknownKey(in: tree) == nil)
        #expect(PolicyOverrides.shape.unknownKey(in: ["pickupWindow": 30])?.message == "unknown key")
    }
}
