import Foundation
import Testing
import PhapaiCore

/// Reasons as typed values: their English is the service's words of old, nested phrases list
/// their parts, text shows as written, and the JSON form reads back.
@Suite("Phrase: a reason as a value, English by its template")
struct PhraseTests {
    static let unserved = Phrase("unserved.leg.outbound", ["trip": "5"], parts: [
        Phrase("unserved.obstacles", parts: [
            Phrase("obstacle.vehicles", ["vehicles": "PICKUP1, CAR1"], parts: [Phrase("obstacle.capacity", parts: [Phrase("load.wheelchair.companions", ["companions": "1"])])]),
            Phrase("obstacle.vehicles", ["vehicles": "VAN1"], parts: [Phrase("obstacle.full")]),
        ])
    ])

    @Test func nestedPartsAreJoinedInTheirTemplates() {
        #expect(Self.unserved.english == "its outbound trip (trip 5) cannot be served: no vehicle can take it: PICKUP1, CAR1: cannot carry a wheelchair patient with 1 companion(s); VAN1: is full at that time with other passengers")
        let both = Phrase("unserved.leg_and_own", parts: [Phrase("unserved.no_shift"), Phrase("unserved.all_full", ["vehicles": "VAN1"])])
        #expect(both.english == "no vehicle is on shift; and on its own, no vehicle has room at that time (VAN1 are full)")
        #expect(Phrase("return.closed", ["trip": "4", "status": "missed"]).english == "the outbound trip 4 was not performed (missed)")
    }

    @Test func textShowsAsWrittenAndAnUnknownKeyShowsItself() {
        #expect(Phrase.text("ญาติพาไปเอง").english == "ญาติพาไปเอง")
        #expect(Phrase.text("no vehicle can take it").writtenText == "no vehicle can take it")
        #expect(Phrase("standing.on_hold", ["reason": "ไปต่างจังหวัด"]).english == "standing order on hold: ไปต่างจังหวัด")
        #expect(Phrase("no.such.key").english == "no.such.key")
    }

    @Test func theJSONFormReadsBackAndLeavesOutWhatIsEmpty() throws {
        let data = try JSONEncoder().encode(Self.unserved)
        #expect(try JSONDecoder().decode(Phrase.self, from: data) == Self.unserved)
        #expect(String(decoding: try JSONEncoder().encode(Phrase("obstacle.full")), as: UTF8.self) == #"{"key":"obstacle.full"}"#)
    }

    @Test func valuesNamedAfterAKindAreKnown() {
        #expect(Phrase.kind(of: "status") == "status" && Phrase.kind(of: "status_left") == "status")
        #expect(Phrase.kind(of: "trip") == nil && Phrase.kind(of: "statuses") == nil)
    }
}
