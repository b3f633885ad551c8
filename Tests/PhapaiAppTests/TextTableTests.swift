import PhapaiApp
import PhapaiCore
import Testing

/// Tables for a 100-column terminal.
@Suite("Text tables")
struct TextTableTests {
    @Test func theLastColumnWrapsAtSpacesUnderItselfAndNothingIsCut() {
        var table = TextTable(["ID", "KIND", "WHAT"], rightAligned: [0])
        let reason = "no vehicle can take it: VAN1: its driver's break 12:00-13:00 is in the way; PICKUP1: is full at that time"
        table.add(["7", "unserved", reason])
        table.add(["12", "late", "short"])
        let lines = table.render(fittingWidth: 40).split(separator: "\n").map(String.init)
        #expect(lines[0] == "ID  KIND      WHAT")
        #expect(lines[1].hasPrefix(" 7  unserved  no vehicle can take it:"))
        #expect(lines.allSatisfy { TextRules.displayWidth($0) <= 40 }, "\(lines)")
        // The continuation lines start where the column does, and together they say all of it.
        let column = " 7  unserved  ".count
        let continued = lines.dropFirst(2).prefix { $0.hasPrefix(String(repeating: " ", count: column)) }
        #expect(!continued.isEmpty)
        let whole = ([String(lines[1].dropFirst(column))] + continued.map { String($0.dropFirst(column)) }).joined(separator: " ")
        #expect(whole == reason)
        #expect(lines.last == "12  late      short")
    }

    @Test func thaiTextWrapsByDisplayWidth() {
        // Each word fits 20 columns (vowel and tone marks above or below take none).
        let pieces = TextTable.wrap("ใช้ออกซิเจนพกพา ขอที่นั่งริมหน้าต่าง โทรหาลูกสาวก่อนไปถึง", width: 20)
        #expect(pieces.count == 3 && pieces.allSatisfy { TextRules.displayWidth($0) <= 20 }, "\(pieces)")
        #expect(pieces.joined(separator: " ") == "ใช้ออกซิเจนพกพา ขอที่นั่งริมหน้าต่าง โทรหาลูกสาวก่อนไปถึง")
        #expect(TextTable.wrap(String(repeating: "x", count: 30), width: 24) == [String(repeating: "x", count: 24), "xxxxxx"])
        // A review found one character wider than the room (a letter and 40 SARA AM, as a stuck
        // key types them) looping for ever, in the CLI and in phapaid's loop.
        let stuck = "ก" + String(repeating: "\u{0E33}", count: 40)
        #expect(stuck.count == 1 && TextRules.displayWidth(stuck) > 24)
        #expect(TextTable.wrap("นัด " + stuck + " ต่อ", width: 24) == ["นัด", stuck, "ต่อ"])
    }
}
