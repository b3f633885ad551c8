import Testing
@testable import PhapaiCore

@Suite("Text rules")
struct TextTests {
    @Test func thaiMarksAboveAndBelowTakeNoColumn() {
        #expect(TextRules.displayWidth("ที่") == 1)
        #expect(TextRules.displayWidth("นางสาวบุญส่ง") == 10)
        #expect(TextRules.displayWidth("ผู้ป่วย") == 4)
        #expect(TextRules.displayWidth("abc") == 3)
        #expect(TextRules.displayWidth("病院") == 4)
    }

    @Test func textIsNormalisedToNFCAndTrimmed() throws {
        let decomposed = "Jose\u{301} "
        let cleaned = try TextRules.line(decomposed, field: "name", maxLength: 10)
        #expect(cleaned == "José")
        #expect(cleaned.unicodeScalars.count == 4)
    }

    @Test(arguments: ["a\u{0}b", "line\nbreak", "tab\there", "del\u{7F}", "c1\u{85}"])
    func controlCharactersAreRefused(text: String) {
        #expect(throws: PhapaiError.self) { try TextRules.line(text, field: "notes", maxLength: 100) }
        do {
            _ = try TextRules.line(text, field: "notes", maxLength: 100)
        } catch let error as PhapaiError {
            #expect(error.keyword == "CONTROL_CHARACTER")
            #expect(error.field == "notes")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func lengthIsCountedInCharactersNotBytes() throws {
        let thai = String(repeating: "ก", count: 100)
        #expect(try TextRules.line(thai, field: "name", maxLength: 100) == thai)
        #expect(throws: PhapaiError.invalid("name", "TOO_LONG", "must be at most 100 characters (got 101)")) {
            try TextRules.line(thai + "ก", field: "name", maxLength: 100)
        }
        #expect(throws: PhapaiError.invalid("name", "EMPTY", "must not be empty")) {
            try TextRules.line("   ", field: "name", maxLength: 100)
        }
    }

    @Test func invalidUTF8IsRefused() throws {
        #expect(try TextRules.decodeUTF8([0xE0, 0xB8, 0x81], field: "f") == "ก")
        #expect(throws: PhapaiError.invalid("f", "INVALID_UTF8", "is not valid UTF-8 text")) {
            try TextRules.decodeUTF8([0x41, 0xFF, 0x42], field: "f")
        }
    }

    @Test func phonesAreDigitsWithSeparators() throws {
        #expect(try TextRules.phone("081-234-5678") == "081-234-5678")
        #expect(try TextRules.phone("+66 81 234 5678") == "+66 81 234 5678")
        #expect(throws: PhapaiError.self) { try TextRules.phone("call me") }
        #expect(throws: PhapaiError.self) { try TextRules.phone("12345") }
    }

    @Test func codesUseASafeAlphabet() {
        #expect(PatientID(rawValue: "P001") != nil)
        #expect(PatientID(rawValue: "HOME-P001.a_b") != nil)
        #expect(PatientID(rawValue: "-P") == nil)
        #expect(PatientID(rawValue: "P 1") == nil)
        #expect(PatientID(rawValue: "ป001") == nil)
        #expect(PatientID(rawValue: String(repeating: "a", count: 33)) == nil)
    }

    @Test func jsonKeepsKeyOrderEscapesControlsAndWritesThaiRaw() {
        let value = JSONValue.object([
            ("z", .string("นาง \"ก\"\n")), ("a", .array([.int(1), .double(2.5), .double(3), .null, .bool(true)])),
            ("e", .object([])),
        ])
        #expect(value.serialized(compact: true) == #"{"z":"นาง \"ก\"\n","a":[1,2.5,3,null,true],"e":{}}"#)
        #expect(value.serialized() == "{\n  \"z\": \"นาง \\\"ก\\\"\\n\",\n  \"a\": [\n    1,\n    2.5,\n    3,\n    null,\n    true\n  ],\n  \"e\": {}\n}")
    }
}

@Suite("SHA-256")
struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func matchesTheStandardVectors(input: String, expected: String) {
        #expect(SHA256.hex(Array(input.utf8)) == expected)
    }

    @Test func aMillionAsHashesCorrectly() {
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func comparisonIsExact() {
        #expect(SHA256.constantTimeEqual("abc", "abc"))
        #expect(!SHA256.constantTimeEqual("abc", "abd"))
        #expect(!SHA256.constantTimeEqual("abc", "abcd"))
    }
}
