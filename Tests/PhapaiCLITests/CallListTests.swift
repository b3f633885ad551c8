import Foundation
import Testing
import PhapaiCore

/// The night-before call list: what each patient is told, and what changed since the last list.
@Suite("phapai calls")
struct CallListTests {
    @Test func theListSaysWhoToCallAndMarksWhatChangedSinceTheLastOne() throws {
        let w = try Workspace.initialised()
        try w.ok("trip", "book", "--patient", "P002", "--to", "H-COMM", "--appointment", "2026-11-23 08:30", "--return", "11:30")
        try w.ok("trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-11-23 09:00", "--will-call")
        try w.ok("trip", "book", "--patient", "P006", "--to", "H-COMM", "--appointment", "2026-11-23 10:00")
        try w.ok("plan", "--date", "2026-11-23", "--iterations", "100")
        // The first list: everyone is new to it.
        let first = try JSONSerialization.jsonObject(with: Data(try w.ok("calls", "--date", "2026-11-23", "--json").utf8)) as? [String: Any]
        let patients = try #require(first?["patients"] as? [[String: Any]])
        #expect(patients.count == 3 && first?["previous"] is NSNull)
        #expect(patients.allSatisfy { $0["changed"] as? Bool == true })
        let p002 = try #require(patients.first { ($0["patient"] as? [String: Any])?["id"] as? String == "P002" })
        #expect(p002["vehicle"] is String && (p002["driver"] as? [String: Any])?["phone"] is String)
        #expect(p002["returnPickup"] is String && p002["companions"] as? Int == 1)
        let p004 = try #require(patients.first { ($0["patient"] as? [String: Any])?["id"] as? String == "P004" })
        #expect(p004["willCall"] as? Bool == true)
        // Made again: nothing changed.
        // (The heading wraps to fit 100 columns, its further line indented by two.)
        let again = try w.ok("calls", "--date", "2026-11-23").replacingOccurrences(of: "\n  2026", with: " 2026")
        #expect(again.hasPrefix("3 patient(s) to call about 2026-11-23; * marks a time or vehicle changed since the list of 2026-11-20 10:00:"))
        #expect(!again.split(separator: "\n").dropFirst(2).contains { $0.hasSuffix("*") })
        // P006's journey moves: only P006 is marked.
        try w.ok("trip", "move", "5", "--appointment", "2026-11-23 13:00")
        let moved = try w.ok("calls", "--date", "2026-11-23", "--csv")
        let records = moved.split(separator: "\n").map(String.init)
        #expect(records[0] == "\u{FEFF}date,window,planned,patient,name,phone,vehicle,driver,driver_phone,return,companions,changed,attention")
        #expect(records.filter { $0.contains(",yes,") }.count == 1 && records.contains { $0.contains(",P006,") && $0.contains(",yes,") })
        // The page: Thai, a card per patient on a phone.
        let page = try w.ok("--lang", "th", "calls", "--date", "2026-11-23", "--html")
        #expect(page.contains("รายชื่อผู้ป่วยที่ต้องโทรแจ้ง") && page.contains(#"<meta name="viewport""#) && page.contains(#"href="tel:"#))
    }
}
