import PhapaiCore

/// A plain-text table whose columns line up on a terminal with Thai text: widths are counted in
/// display columns, so vowel and tone marks above or below a consonant take none.
public struct TextTable {
    public var headers: [String]
    public var rows: [[String]] = []
    /// Columns to right-align (numbers).
    public var rightAligned: Set<Int> = []

    /// A table with these column headers.
    public init(_ headers: [String], rightAligned: Set<Int> = []) {
        self.headers = headers
        self.rightAligned = rightAligned
    }

    /// Adds a row.
    public mutating func add(_ row: [String]) {
        precondition(row.count == headers.count, "a row needs one cell per column")
        rows.append(row)
    }

    /// The table, one line per row, columns separated by two spaces, no trailing spaces.
    public func render() -> String { render(header: true) }

    /// The table in at most `width` display columns where it can: the last column's text (free
    /// text, such as notes or a reason) wraps at spaces onto lines of its own, indented to where
    /// the column starts; nothing is cut. The columns before it keep their widths.
    public func render(fittingWidth width: Int) -> String {
        guard let last = headers.indices.last, last > 0 else { return render() }
        var widths = headers.map(TextRules.displayWidth)
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], TextRules.displayWidth(cell)) }
        }
        let indent = widths[..<last].reduce(0, +) + 2 * last
        // A last column narrower than this is no help: then the line runs over instead.
        let room = max(12, width - indent)
        var table = TextTable(headers, rightAligned: rightAligned)
        var continuations: [Int: [String]] = [:]
        for row in rows {
            var pieces = Self.wrap(row[last], width: room)
            var first = row
            first[last] = pieces.removeFirst()
            continuations[table.rows.count] = pieces
            table.rows.append(first)
        }
        var lines = table.render().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Continuation lines after their row (the header is line 0).
        for index in stride(from: table.rows.count - 1, through: 0, by: -1) {
            let extra = continuations[index, default: []].map { String(repeating: " ", count: indent) + $0 }
            lines.insert(contentsOf: extra, at: index + 2)
        }
        return lines.joined(separator: "\n")
    }

    /// `text` in pieces of at most `width` display columns, broken at spaces (a word longer than
    /// a piece is broken where it must be).
    public static func wrap(_ text: String, width: Int) -> [String] {
        guard TextRules.displayWidth(text) > width else { return [text] }
        var pieces: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            var word = word
            let joined = current.isEmpty ? word : current + " " + word
            if TextRules.displayWidth(joined) <= width {
                current = joined
                continue
            }
            if !current.isEmpty { pieces.append(current) }
            current = ""
            while TextRules.displayWidth(word) > width {
                var head = ""
                for character in word {
                    if TextRules.displayWidth(head + String(character)) > width { break }
                    head.append(character)
                }
                // One character wider than the room (a letter with a run of marks after it) goes
                // alone on its line: the loop always moves on.
                if head.isEmpty, let first = word.first { head = String(first) }
                pieces.append(head)
                word.removeFirst(head.count)
            }
            current = word
        }
        if !current.isEmpty || pieces.isEmpty { pieces.append(current) }
        return pieces
    }

    /// Label-value lines (no header row), each indented by one space; with a width, long values
    /// wrap under themselves to fit it.
    public func renderFacts(fittingWidth width: Int? = nil) -> String {
        if let width {
            var table = self
            table.headers = headers.map { _ in "" }
            let lines = table.render(fittingWidth: width - 1).split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
            return lines.map { line in line.isEmpty ? String(line) : " " + line }.joined(separator: "\n")
        }
        return render(header: false).split(separator: "\n").map { " " + $0 }.joined(separator: "\n")
    }

    private func render(header: Bool) -> String {
        var widths = header ? headers.map(TextRules.displayWidth) : headers.map { _ in 0 }
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], TextRules.displayWidth(cell)) }
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (column, cell) in cells.enumerated() {
                let fill = String(repeating: " ", count: widths[column] - TextRules.displayWidth(cell))
                parts.append(rightAligned.contains(column) ? fill + cell : cell + fill)
            }
            var text = parts.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        return ((header ? [line(headers)] : []) + rows.map(line)).joined(separator: "\n")
    }
}

/// How dates, times and words are shown to people: every date of one output in one era.
public struct LocalFormat: Sendable {
    public let offset: UTCOffset
    public let era: Era
    /// The words of the output's language.
    public let words: Words

    /// A formatter for an area's offset, an era and a language.
    public init(offset: UTCOffset, era: Era, language: Language = .th) {
        self.offset = offset
        self.era = era
        words = Words(language)
    }

    public func time(_ instant: Instant?) -> String { instant.map { offset.time(of: $0).description } ?? "-" }
    public func date(_ date: LocalDate) -> String { date.format(era: era) }
    public func dateTime(_ instant: Instant) -> String { offset.format(instant, era: era) }
    /// A pickup window, or the words for a will-call return whose time nobody knows yet.
    public func window(_ window: TimeWindow?) -> String {
        guard let window else { return words("window.willCall") }
        return "\(time(window.earliest))-\(time(window.latest))"
    }

    /// Text written elsewhere (a reason, an audit entry, an error's detail), which holds ISO dates
    /// (common era), with each date shown in the output's era, and each ISO moment
    /// (`2026-11-23T08:00:00+07:00`) as a local `YYYY-MM-DD HH:MM`: so that one output never mixes
    /// two eras. In the common era the text is already so.
    public func text(_ text: String) -> String {
        guard era == .buddhist, text.contains("-") else { return text }
        let scalars = Array(text.unicodeScalars)
        func isDigit(_ index: Int) -> Bool { index >= 0 && index < scalars.count && (48...57).contains(scalars[index].value) }
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start >= 0, (start..<start + count).allSatisfy(isDigit) else { return nil }
            return (start..<start + count).reduce(0) { $0 * 10 + Int(scalars[$1].value - 48) }
        }
        func scalar(_ index: Int, _ expected: Unicode.Scalar) -> Bool { index < scalars.count && scalars[index] == expected }
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            // YYYY-MM-DD standing alone (not inside a longer number).
            if !isDigit(index - 1), let year = digits(index, 4), scalar(index + 4, "-"), let month = digits(index + 5, 2), scalar(index + 7, "-"),
               let day = digits(index + 8, 2), !isDigit(index + 10), let date = LocalDate(year: year, month: month, day: day) {
                var end = index + 10
                var shown = self.date(date)
                // THH:MM:SS+HH:MM (or Z): the moment in this output's local time.
                if scalar(end, "T"), let hour = digits(end + 1, 2), scalar(end + 3, ":"), let minute = digits(end + 4, 2), scalar(end + 6, ":"),
                   let second = digits(end + 7, 2) {
                    var zoneEnd = end + 9
                    var zone: Int?
                    if scalar(zoneEnd, "Z") {
                        zone = 0
                        zoneEnd += 1
                    } else if scalar(zoneEnd, "+") || scalar(zoneEnd, "-"), let hours = digits(zoneEnd + 1, 2), scalar(zoneEnd + 3, ":"),
                              let minutes = digits(zoneEnd + 4, 2) {
                        zone = (scalar(zoneEnd, "-") ? -1 : 1) * (hours * 60 + minutes)
                        zoneEnd += 6
                    }
                    if let zone {
                        let seconds = Int64(date.dayNumber) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(zone * 60)
                        shown = dateTime(Instant(rawValue: seconds))
                        end = zoneEnd
                    }
                }
                out.append(contentsOf: shown.unicodeScalars)
                index = end
                continue
            }
            out.append(scalars[index])
            index += 1
        }
        return String(out)
    }
}
