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
    /// `{name}` placeholders of a text.
    static func placeholders(_ text: String) -> Set<String> {
        var names = Set<String>()
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.insert(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

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
            #expect(Self.placeholders(text) == Self.placeholders(other), "\(key): \(text) | \(other)")
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

    @Test func placeholdersAreFilled() {
        #expect(Words(.th)("booked.window", ["window": "07:00-07:30"]) == "รับระหว่าง 07:00-07:30")
        #expect(Words(.en)("trips.count", ["count": 3]) == "3 trip(s)")
        #expect(Words(.th).optional("error.NO_SUCH_KEYWORD") == nil)
    }
}
