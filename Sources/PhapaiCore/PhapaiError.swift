/// The one error type of Phapai's domain: a machine keyword, the field at fault and a human message
/// that names the rule. Callers act on ``category`` and ``keyword``; the message is for people.
public struct PhapaiError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of refusal this is; the CLI maps it to its documented exit code.
    public enum Category: String, Sendable, Hashable {
        /// The command line itself is malformed (unknown option, missing argument).
        case usage
        /// The input breaks a rule (format, range, policy).
        case invalidInput
        /// A referenced object does not exist.
        case notFound
        /// The input is well-formed but clashes with what is stored (double booking, bad transition).
        case conflict
        /// The database could not be read or written.
        case storage
        /// The user's role or reach does not allow it (only on a server, where users log in).
        case notAllowed
    }

    /// What kind of refusal this is.
    public var category: Category
    /// A stable upper-case keyword such as `INVALID_DATE` or `UNKNOWN_PATIENT`.
    public var keyword: String
    /// The input field at fault, when there is one (`appointment`, `patient`, ...).
    public var field: String?
    /// A sentence that names the rule that was broken, in English: what the wire, JSON and English
    /// output carry. Setting it drops ``phrase`` (the two would no longer tell the same).
    public var message: String {
        get { englishMessage }
        set {
            englishMessage = newValue
            typedPhrase = nil
        }
    }
    /// The detail as a typed ``Phrase`` (the values of the rule: a limit date, the shifts, a
    /// status), for output in another language; nil when the error has only its English
    /// ``message``. Setting it sets ``message`` to its English.
    public var phrase: Phrase? {
        get { typedPhrase }
        set {
            typedPhrase = newValue
            if let newValue { englishMessage = newValue.english }
        }
    }
    private var englishMessage: String
    private var typedPhrase: Phrase?
    /// For a booking refused for lack of room: nearby times that would be accepted, each checked
    /// by a trial booking of the whole journey.
    public var alternatives: [BookingAlternative] = []

    /// Creates an error; prefer the category helpers below.
    public init(_ category: Category, keyword: String, field: String?, message: String) {
        self.category = category
        self.keyword = keyword
        self.field = field
        self.englishMessage = message
    }

    /// Creates an error whose detail is `phrase`; its ``message`` is the phrase's English.
    public init(_ category: Category, keyword: String, field: String?, phrase: Phrase) {
        self.init(category, keyword: keyword, field: field, message: phrase.english)
        typedPhrase = phrase
    }

    /// Sets the detail to `phrase` while the English ``message`` says more than the phrase (such
    /// as the nearby times of a refused booking, which other languages list on lines of their own).
    public mutating func tell(_ phrase: Phrase, english: String) {
        typedPhrase = phrase
        englishMessage = english
    }

    /// Input that breaks a rule.
    public static func invalid(_ field: String, _ keyword: String, _ message: String) -> PhapaiError {
        PhapaiError(.invalidInput, keyword: keyword, field: field, message: message)
    }

    /// A referenced object that does not exist.
    public static func notFound(_ field: String, _ keyword: String, _ message: String) -> PhapaiError {
        PhapaiError(.notFound, keyword: keyword, field: field, message: message)
    }

    /// Input that clashes with what is stored.
    public static func conflict(_ field: String?, _ keyword: String, _ message: String) -> PhapaiError {
        PhapaiError(.conflict, keyword: keyword, field: field, message: message)
    }

    /// Input that breaks a rule, with the detail as a phrase:
    /// `PhapaiError.invalid("appointment", "BEYOND_HORIZON", Phrase("error.beyond_horizon", ["days": "21", "until": "2026-12-11"]))`.
    public static func invalid(_ field: String, _ keyword: String, _ phrase: Phrase) -> PhapaiError {
        PhapaiError(.invalidInput, keyword: keyword, field: field, phrase: phrase)
    }

    /// A referenced object that does not exist, with the detail as a phrase.
    public static func notFound(_ field: String, _ keyword: String, _ phrase: Phrase) -> PhapaiError {
        PhapaiError(.notFound, keyword: keyword, field: field, phrase: phrase)
    }

    /// Input that clashes with what is stored, with the detail as a phrase.
    public static func conflict(_ field: String?, _ keyword: String, _ phrase: Phrase) -> PhapaiError {
        PhapaiError(.conflict, keyword: keyword, field: field, phrase: phrase)
    }

    /// A malformed command line.
    public static func usage(_ message: String, field: String? = nil) -> PhapaiError {
        PhapaiError(.usage, keyword: "USAGE", field: field, message: message)
    }

    /// Two errors are equal when they say the same: category, keyword, field, English message and
    /// alternatives (the phrase is the message's rendering for other languages).
    public static func == (lhs: PhapaiError, rhs: PhapaiError) -> Bool {
        (lhs.category, lhs.keyword, lhs.field, lhs.message) == (rhs.category, rhs.keyword, rhs.field, rhs.message)
            && lhs.alternatives == rhs.alternatives
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(category)
        hasher.combine(keyword)
        hasher.combine(field)
        hasher.combine(message)
        hasher.combine(alternatives)
    }

    public var description: String {
        if let field { return "\(keyword): \(field): \(message)" }
        return "\(keyword): \(message)"
    }
}
