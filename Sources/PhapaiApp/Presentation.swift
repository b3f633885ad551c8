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

    /// Label-value lines (no header row), each indented by one space.
    public func renderFacts() -> String { render(header: false).split(separator: "\n").map { " " + $0 }.joined(separator: "\n") }

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

/// How dates and times are shown to people.
public struct LocalFormat: Sendable {
    public let offset: UTCOffset
    public let era: Era

    /// A formatter for an area's offset and an era.
    public init(offset: UTCOffset, era: Era) {
        self.offset = offset
        self.era = era
    }

    public func time(_ instant: Instant?) -> String { instant.map { offset.time(of: $0).description } ?? "-" }
    public func date(_ date: LocalDate) -> String { date.format(era: era) }
    public func dateTime(_ instant: Instant) -> String { offset.format(instant, era: era) }
    public func window(_ window: TimeWindow?) -> String {
        guard let window else { return "will-call" }
        return "\(time(window.earliest))-\(time(window.latest))"
    }
}
