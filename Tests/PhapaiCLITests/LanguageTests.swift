import Foundation
import Testing
import PhapaiCore

/// Thai by default, English on request: `--lang`, `PHAPAI_LANG`, the area's `language`, then Thai;
/// years in the Buddhist Era in Thai unless `--era` says otherwise, and one era per output.
@Suite("phapai speaks Thai, and English on request")
struct LanguageTests {
    /// Whether `text` holds Thai script.
    static func hasThai(_ text: some StringProtocol) -> Bool { text.unicodeScalars.contains { (0x0E00...0x0E7F).contains($0.value) } }

    @Test func theDemoIsInThaiByDefaultWithBuddhistEraDates() throws {
        let w = Workspace(language: nil)
        let result = try w.run("demo", "--dir", w.folder + "/demo")
        #expect(result.status == 0, "\(result.stderr)")
        let out = result.stdout
        #expect(out.hasPrefix("ตัวอย่างการใช้งาน Phapai (พาไป): "))
        #expect(out.contains("จองการเดินทาง 12 รายการ สำหรับวันที่ 2569-11-23 (จ.):"))
        #expect(out.contains("  เที่ยว 1 ขาไป: "))
        #expect(out.contains("เที่ยวรถวันที่ 2569-11-23:\nเที่ยว  เวลารับ"))
        #expect(out.contains("22 เที่ยว ผู้ป่วย 12 คน: ขาไป 12 เที่ยว, ขากลับ 10 เที่ยว (รอโทรเรียก 1 เที่ยว)"))
        #expect(out.contains("ปิดวันแล้ว: ") && out.contains("รายงานวันที่ 2569-11-23:"))
        #expect(out.contains("phapai --db \(w.folder)/demo/phapai.db runs --date 2569-11-23"))
        // One era: no common-era date anywhere, not even in what the service wrote.
        #expect(!out.contains("2026-"), "\(out)")
    }

    @Test func theDemoIsInEnglishWithLangEn() throws {
        let w = Workspace(language: nil)
        let result = try w.run("demo", "--dir", w.folder + "/demo", "--lang", "en")
        #expect(result.status == 0, "\(result.stderr)")
        let out = result.stdout
        #expect(out.contains("Booking 12 journeys for 2026-11-23 (mon):"))
        #expect(out.contains("Trips on 2026-11-23:\nID  PICKUP       DIR  PATIENT"))
        #expect(out.contains("22 trips for 12 patients: 12 outbound, 10 returns (1 will-call); 2 wheelchair and 2 stretcher legs."))
        #expect(out.contains("Day closed: ") && out.contains("Report for 2026-11-23:"))
        // Names of patients and places are Thai data; the demo's own words are not Thai.
        for line in out.split(separator: "\n") where ["Booking", "Trips on", "Planned:", "Replaying", "Needs a call", "Day closed", "Report for", "  22 trips:",
                                                        "  pickups", "  ride", "Explore", "ID  ", "VEHICLE "].contains(where: { line.hasPrefix($0) }) {
            #expect(!Self.hasThai(line), "\(line)")
        }
        #expect(!out.contains("เที่ยว") && !out.contains("2569"))
    }

    /// The English reason phrases the service builds (why a trip has no vehicle, why a return was
    /// closed, why a promise broke): word for word in English, none of them in Thai output.
    static let reasonPhrases = [
        "no vehicle can take it", "cannot carry", "is full at that time", "was not performed", "cannot be served", "lost its vehicle",
        "no vehicle took it",
    ]

    @Test func theDemoGivesItsReasonsInThaiAndInEnglishWithLangEn() throws {
        let w = Workspace(language: nil)
        let thai = try w.run("demo", "--dir", w.folder + "/th")
        #expect(thai.status == 0, "\(thai.stderr)")
        for phrase in Self.reasonPhrases { #expect(!thai.stdout.contains(phrase), "\(phrase) in\n\(thai.stdout)") }
        // The unserved trip's reason, in Thai, names the vehicles by their codes.
        let unserved = thai.stdout.split(separator: "\n").filter { $0.contains(" รับไม่ได้: ") }
        #expect(!unserved.isEmpty && unserved.allSatisfy { $0.contains("VAN1") && Self.hasThai($0.split(separator: ":", maxSplits: 1)[1]) }, "\(unserved)")
        let english = try w.run("demo", "--dir", w.folder + "/en", "--lang", "en")
        #expect(english.status == 0, "\(english.stderr)")
        let out = english.stdout
        #expect(out.contains("no vehicle can take it: PICKUP1, CAR1: cannot carry a wheelchair patient with 1 companion(s); VAN1: is full at that time with other passengers"), "\(out)")
        #expect(out.contains("no vehicle: its outbound trip (trip "), "\(out)")
        #expect(out.contains(") cannot be served: no vehicle can take it: "))
        #expect(out.contains("no vehicle took it: no vehicle can take it: "))
        #expect(out.contains(" was not performed (missed)"))
        for line in out.split(separator: "\n") where Self.reasonPhrases.contains(where: { line.contains($0) }) {
            #expect(!Self.hasThai(line.replacingOccurrences(of: #"P004 [^0-9]+ 0"#, with: "", options: .regularExpression)), "\(line)")
        }
    }

    @Test func theLanguageComesFromTheFlagTheEnvironmentOrTheArea() throws {
        // The sample area says th: Thai by default, with Buddhist-era years.
        let w = try Workspace.initialised(language: nil)
        #expect(try w.ok("trip", "list", "--date", "2026-11-23") == "วันที่ 2569-11-23 ไม่มีเที่ยวรถ\n")
        #expect(try w.ok("--lang", "en", "trip", "list", "--date", "2026-11-23") == "No trips on 2026-11-23.\n")
        #expect(try w.run("trip", "list", "--date", "2026-11-23", extraEnvironment: ["PHAPAI_LANG": "en"]).stdout == "No trips on 2026-11-23.\n")
        // The flag wins over the environment; the era follows the language unless asked for.
        #expect(try w.run("--lang", "th", "trip", "list", "--date", "2026-11-23", extraEnvironment: ["PHAPAI_LANG": "en"]).stdout
            == "วันที่ 2569-11-23 ไม่มีเที่ยวรถ\n")
        #expect(try w.ok("--era", "common", "trip", "list", "--date", "2026-11-23") == "วันที่ 2026-11-23 ไม่มีเที่ยวรถ\n")
        #expect(try w.ok("--lang", "en", "--era", "buddhist", "trip", "list", "--date", "2026-11-23") == "No trips on 2569-11-23.\n")
        // Keywords, exit codes and JSON are the same in both.
        let thai = try w.run("trip", "show", "99")
        let english = try w.run("--lang", "en", "trip", "show", "99")
        #expect(thai.status == 3 && english.status == 3)
        #expect(thai.stderr == "phapai: ผิดพลาด [UNKNOWN_TRIP] ช่อง เที่ยวรถ (trip): ไม่มีเที่ยวรถหมายเลขนี้\n    ไม่มีเที่ยวรถหมายเลข 99\n")
        #expect(english.stderr == "phapai: error [UNKNOWN_TRIP]: trip: no trip 99\n")
        #expect(try w.ok("patient", "show", "P004", "--json") == (try w.ok("--lang", "en", "patient", "show", "P004", "--json")))
    }

    /// Refusals a dispatcher or a driver meets: in Thai the detail line, with its values (the
    /// limit date, the vehicle, the status), is Thai too; in English it is the service's message of
    /// old, word for word.
    @Test func aRefusalsDetailIsInThaiAndTheOldEnglishWithLangEn() throws {
        let w = try DispatchTests.plannedMonday()
        let noon = ["PHAPAI_NOW": "2026-11-23 12:00"]
        #expect(try w.run(["trip", "status", "3", "arrive", "--at", "07:00"], extraEnvironment: noon).status == 0)
        #expect(try w.run(["trip", "status", "3", "pickup", "--at", "07:03"], extraEnvironment: noon).status == 0)
        let cases: [(arguments: [String], now: [String: String], first: String, english: String, values: [String])] = [
            (["trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-12-25 09:00"], [:],
             "phapai: ผิดพลาด [BEYOND_HORIZON] ช่อง เวลานัด (appointment): จองล่วงหน้าเกินกว่าที่กำหนดไม่ได้",
             "appointment: bookings are taken up to 21 days ahead (until 2026-12-11)", ["21", "2569-12-11"]),
            (["trip", "assign", "1", "--vehicle", "CAR1"], [:],
             "phapai: ผิดพลาด [VEHICLE_CANNOT_CARRY] ช่อง รถ (vehicle): รถคันนี้รับผู้ป่วยรายนี้ไม่ได้",
             "vehicle: CAR1 cannot carry a wheelchair patient with 1 companion(s)", ["CAR1", "รถเข็น", "1"]),
            (["trip", "status", "3", "arrive", "--at", "07:05"], noon,
             "phapai: ผิดพลาด [INVALID_TRANSITION] ช่อง สถานะ (status): เปลี่ยนสถานะเที่ยวรถแบบนี้ไม่ได้",
             "status: cannot arrive for a trip that is picked_up (already reported)", ["รับแล้ว"]),
        ]
        for (arguments, now, first, english, values) in cases {
            let thai = try w.run(["--lang", "th"] + arguments, extraEnvironment: now)
            let lines = thai.stderr.split(separator: "\n").map(String.init)
            #expect(lines.count == 2 && lines.first == first, "\(thai.stderr)")
            let detail = lines.count > 1 ? lines[1] : ""
            #expect(detail.hasPrefix("    ") && Self.hasThai(detail), "\(detail)")
            // No word of the English message, and every value it carried.
            let englishWords = english.split(separator: ":", maxSplits: 1)[1].split(whereSeparator: { !$0.isLetter }).filter { $0.count > 2 && $0.lowercased() == $0 }
            for word in englishWords { #expect(!detail.contains(word), "'\(word)' in \(detail)") }
            for value in values { #expect(detail.contains(value), "\(value) not in \(detail)") }
            let old = try w.run(["--lang", "en"] + arguments, extraEnvironment: now)
            #expect(old.stderr == "phapai: error [\(first.split(separator: "[")[1].split(separator: "]")[0])]: \(english)\n", "\(old.stderr)")
        }
    }

    @Test func anAreaWhoseFileSaysEnglishSpeaksEnglish() throws {
        let w = Workspace(language: nil)
        let sample = Phapai.repository.appendingPathComponent("config/areas/sample-tambon.json").path
        var area = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sample))) as? [String: Any])
        area["language"] = "en"
        let english = w.folder + "/english.json"
        try JSONSerialization.data(withJSONObject: area).write(to: URL(fileURLWithPath: english))
        #expect(try w.ok("init", english).hasPrefix("Initialised "))
        #expect(try w.ok("trip", "list", "--date", "2026-11-23") == "No trips on 2026-11-23.\n")
        #expect(try w.ok("--lang", "th", "trip", "list", "--date", "2026-11-23") == "วันที่ 2569-11-23 ไม่มีเที่ยวรถ\n")
        #expect(try w.ok("area", "list").split(separator: "\n").last?.hasSuffix("  en") == true)
        // Only th and en, and the error names the field.
        area["language"] = "fr"
        let french = w.folder + "/french.json"
        try JSONSerialization.data(withJSONObject: area).write(to: URL(fileURLWithPath: french))
        let refused = try Workspace(language: "en").run("init", french)
        #expect(refused.status == 2 && refused.stderr.hasPrefix("phapai: error [INVALID_VALUE]: language: 'fr' is not one of: th, en"), "\(refused.stderr)")
    }

    @Test func aLanguageOtherThanThaiOrEnglishIsRefusedNamingLang() throws {
        let w = try Workspace.initialised(language: nil)
        for arguments in [["--lang", "xx", "trip", "list"], ["trip", "list", "--lang", "EN"]] {
            let result = try w.run(arguments)
            #expect(result.status == 2 && result.stderr.hasPrefix("phapai: ผิดพลาด [INVALID_VALUE] ช่อง ภาษา (lang): "), "\(result.stderr)")
        }
        let fromEnvironment = try w.run("trip", "list", extraEnvironment: ["PHAPAI_LANG": "de"])
        #expect(fromEnvironment.status == 2 && fromEnvironment.stderr.contains("[INVALID_VALUE]") && fromEnvironment.stderr.contains("'de' is not one of: th, en"))
    }

    @Test func helpIsInThaiAndEnglish() throws {
        let w = Workspace(language: nil)
        let thai = try w.run("trip", "book", "--help")
        #expect(thai.status == 0 && thai.stdout.hasPrefix("วิธีใช้: phapai trip book [ตัวเลือก]\n\nจองรถ (พร้อมขากลับ)"), "\(thai.stdout)")
        #expect(thai.stdout.contains("--appointment 'DATE HH:MM' เวลานัดที่ต้องไปให้ทัน"))
        #expect(thai.stdout.contains("--lang th|en") && thai.stdout.contains("(ต้องระบุ)"))
        let english = try w.run("--lang", "en", "trip", "book", "--help")
        #expect(english.stdout.hasPrefix("Usage: phapai trip book [options]\n\nBook a ride (and its return)"))
        #expect(try w.run("--help").stdout.contains("รหัสจบการทำงาน: 0 สำเร็จ"))
    }

    @Test func theDefaultTablesFitAHundredColumnTerminalInThaiToo() throws {
        let w = try Workspace.initialised(language: nil)
        try w.bookAndPlanMonday()
        let width = displayColumns
        let list = try w.ok("trip", "list", "--date", "2026-11-23")
        #expect(width(list) <= 100, "\(list)")
        #expect(list.hasPrefix("เที่ยว  เวลารับ") && list.contains("ม.9") && list.contains("VAN1") && list.contains("รถเข็น"))
        for by in ["village", "funding", "vehicle"] {
            let report = try w.ok("report", "--from", "2026-11-01", "--to", "2026-11-30", "--by", by)
            #expect(width(report) <= 100, "\(report)")
        }
        #expect(try w.ok("report", "--from", "2026-11-01", "--to", "2026-11-30").contains("ทั้งหมด"))
    }
}
