import Foundation
import Testing
import PhapaiApp
import PhapaiCore
@testable import PhapaiCLI

/// The two catalogues (Sources/PhapaiApp/Strings): the same keys with the same placeholders, Thai
/// that is Thai, and every key the code asks for present, so that no text is ever missing (or
/// shown as its key) in either language.
@Suite("Catalogue: every text in Thai and English")
struct CatalogueTests {
    /// The Swift sources of the package, as (path, text).
    static let sources: [(path: String, text: String)] = {
        let root = Phapai.repository.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        return files.sorted().compactMap { file in
            (try? String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)).map { (file, $0) }
        }
    }()

    /// Every match of `pattern`'s first group in the sources outside comment lines, with where it is.
    static func matches(_ pattern: String, in sources: [(path: String, text: String)] = sources) throws -> [(String, String)] {
        let regex = try NSRegularExpression(pattern: pattern)
        var found: [(String, String)] = []
        for (path, text) in sources {
            let code = text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }.joined(separator: "\n")
            let range = NSRange(code.startIndex..., in: code)
            for match in regex.matches(in: code, range: range) {
                if let group = Range(match.range(at: 1), in: code) { found.append((String(code[group]), path)) }
            }
        }
        return found
    }

    /// The keys the code looks up by name: `words("key")` and `words("key", [...])`.
    static func keysInCode() throws -> [(String, String)] {
        try matches(#"\bwords\(\s*"([A-Za-z0-9_.\-]+)"\s*[,)]"#)
    }

    /// The keywords of the errors the code raises: `PhapaiError.invalid(field, "KEYWORD", ...)`,
    /// `.notFound`, `.conflict`, `PhapaiError(.category, keyword: "KEYWORD", ...)`, and USAGE.
    static func errorKeywords() throws -> Set<String> {
        let helpers = try matches(#"(?:invalid|notFound|conflict)\(\s*(?:[^,"()]|"(?:[^"\\]|\\.)*"|\([^()]*\))+?\s*,\s*"([A-Z][A-Z0-9_]+)""#)
        let made = try matches(#"PhapaiError\(\s*\.[a-zA-Z]+\s*,\s*keyword:\s*"([A-Z][A-Z0-9_]+)""#)
        return Set((helpers + made).map(\.0) + ["USAGE"])
    }

    @Test func bothCataloguesHaveTheSameKeysAndPlaceholders() {
        let thai = Catalogue.thai, english = Catalogue.english
        #expect(Set(thai.keys).subtracting(english.keys).sorted() == [], "in Thai only")
        #expect(Set(english.keys).subtracting(thai.keys).sorted() == [], "in English only")
        for (key, text) in thai {
            guard let other = english[key] else { continue }
            #expect(Words.placeholders(text) == Words.placeholders(other), "\(key): \(text) | \(other)")
        }
    }

    @Test func thaiIsWrittenInThai() {
        // Texts that are the same in both languages (codes, symbols) would go here; there are none.
        let allowed: Set<String> = []
        for (key, text) in Catalogue.thai where !allowed.contains(key) {
            #expect(text.unicodeScalars.contains { (0x0E00...0x0E7F).contains($0.value) }, "\(key) has no Thai: \(text)")
        }
    }

    @Test func everyKeyTheCodeNamesIsInBothCatalogues() throws {
        let named = try Self.keysInCode()
        #expect(named.count > 200, "the scan finds the lookups")
        for (key, path) in named {
            #expect(Catalogue.thai[key] != nil && Catalogue.english[key] != nil, "\(key) (\(path)) is missing")
        }
        // Keys made from values (every case of an enum) and the help of every command and option.
        for key in Words.derivedKeys + PhapaiCLI.helpKeys {
            #expect(Catalogue.thai[key] != nil && Catalogue.english[key] != nil, "\(key) is missing")
        }
    }

    @Test func everyErrorKeywordHasASentenceInBothLanguages() throws {
        let keywords = try Self.errorKeywords()
        #expect(keywords.contains("IN_PAST") && keywords.contains("INVALID_CONFIG") && keywords.contains("NO_DATABASE") && keywords.count > 90)
        for keyword in keywords {
            #expect(Catalogue.thai["error." + keyword] != nil && Catalogue.english["error." + keyword] != nil, "error.\(keyword) is missing")
        }
    }

    @Test func everyEntryIsUsed() throws {
        let used = Set(try Self.keysInCode().map(\.0) + Words.derivedKeys + PhapaiCLI.helpKeys)
        // Error sentences and field names are looked up by what an error carries.
        let unused = Catalogue.english.keys.filter { !used.contains($0) && !$0.hasPrefix("error.") && !$0.hasPrefix("field.") }
        #expect(unused.sorted() == [])
    }

    @Test func everyPhraseOfTheServiceIsInBothCataloguesAndEnglishIsCores() {
        #expect(Phrase.englishTemplates.count > 40)
        for (key, english) in Phrase.englishTemplates {
            let thai = Catalogue.thai["phrase." + key]
            #expect(thai != nil, "phrase.\(key) is missing in Thai")
            #expect(Catalogue.english["phrase." + key] == english, "phrase.\(key): English differs from PhapaiCore's")
            if let thai { #expect(Words.placeholders(thai) == Words.placeholders(english), "phrase.\(key): \(thai) | \(english)") }
        }
        // And no phrase the catalogues hold that the Core does not know.
        let extra = Catalogue.thai.keys.filter { $0.hasPrefix("phrase.") && Phrase.englishTemplates[String($0.dropFirst(7))] == nil }
        #expect(extra.sorted() == [])
    }

    @Test func aPhraseReadsInEachLanguageWithItsPartsAndNamedValues() {
        let reason = Phrase("closed.no_vehicle", parts: [Phrase("unserved.obstacles", parts: [
            Phrase("obstacle.vehicles", ["vehicles": "PICKUP1, CAR1"], parts: [Phrase("obstacle.capacity", parts: [Phrase("load.wheelchair.companions", ["companions": "1"])])]),
            Phrase("obstacle.vehicles", ["vehicles": "VAN1"], parts: [Phrase("obstacle.break", ["from": "12:00", "to": "13:00"])]),
        ])])
        #expect(Words(.en).phrase(reason) == reason.english)
        #expect(Words(.en).phrase(reason) == "no vehicle took it: no vehicle can take it: PICKUP1, CAR1: cannot carry a wheelchair patient with 1 companion(s); VAN1: its driver's break 12:00-13:00 is in the way")
        #expect(Words(.th).phrase(reason) == "ไม่ได้จัดรถ เพราะไม่มีรถคันไหนรับได้: รถ PICKUP1, CAR1: รับผู้ป่วยรถเข็นพร้อมผู้ติดตาม 1 คนไม่ได้; รถ VAN1: ติดช่วงพักของคนขับ 12:00-13:00")
        // A status named in a phrase reads in the language; the English keeps the code.
        let closed = Phrase("closed.left_over", ["trip": "4", "status": "no_show", "status_left": "en_route"])
        #expect(Words(.th).phrase(closed) == "ขาไป เที่ยว 4 ไม่ได้ไป (ผู้ป่วยไม่อยู่); ขากลับยังค้างอยู่ในสถานะ รถถึงจุดรับแล้ว")
        #expect(Words(.en).phrase(closed) == "its outbound trip 4 was not performed (no_show); the return was left en_route")
        // Text a person typed, or an old database's English reason, reads as written in both.
        for language in [Language.th, .en] {
            #expect(Words(language).phrase(.text("the outbound trip 4 was not performed (cancelled)")) == "the outbound trip 4 was not performed (cancelled)")
        }
        #expect(Words(.th).phrase(Phrase("standing.on_hold", ["reason": "ไปต่างจังหวัด"])) == "พักนัดประจำ: ไปต่างจังหวัด")
        #expect(Words(.th).phrase(nil, or: "-") == "-")
    }

    @Test func placeholdersAreFilled() {
        #expect(Words(.th)("booked.window", ["window": "07:00-07:30"]) == "รับระหว่าง 07:00-07:30")
        #expect(Words(.en)("trips.count", ["count": 3]) == "3 trip(s)")
        #expect(Words(.th).optional("error.NO_SUCH_KEYWORD") == nil)
    }
}
