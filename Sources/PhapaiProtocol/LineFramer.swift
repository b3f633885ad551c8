/// Splits a byte stream into lines ending in LF (a CR before it is dropped), refusing any line
/// longer than `limit`. Lines are taken one at a time with `next()`, so the limit in force (it
/// grows after HELLO) applies to each line when it is taken, not when its bytes arrived.
public struct LineFramer: Sendable {
    /// What the framer found in the bytes fed to it.
    public enum Event: Hashable, Sendable {
        /// A whole line, without its ending.
        case line([UInt8])
        /// A line went past the limit: the connection should answer 500 LINE_TOO_LONG and close.
        case tooLong
    }

    /// Most bytes a line may have, its ending excluded.
    public var limit: Int
    private var buffer: [UInt8] = []
    /// Bytes before this index were taken already.
    private var start = 0
    /// Bytes before this index hold no LF (saves rescanning a long partial line).
    private var scanned = 0
    private var broken = false

    /// Creates a framer with a per-line byte limit.
    public init(limit: Int) { self.limit = limit }

    /// Bytes fed but not yet taken as lines.
    public var bufferedBytes: Int { buffer.count - start }

    /// Whether a line has started but not ended (for the deadline to finish a started line).
    /// Only meaningful once every complete line was taken.
    public var hasPartialLine: Bool { bufferedBytes > 0 }

    /// Adds bytes from the stream.
    public mutating func feed(_ bytes: some Sequence<UInt8>) {
        guard !broken else { return }
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            scanned -= start
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole line, `tooLong` once (then nothing more), or nil when no whole line is buffered.
    public mutating func next() -> Event? {
        guard !broken else { return nil }
        var index = max(start, scanned)
        while index < buffer.count && buffer[index] != 0x0A { index += 1 }
        guard index < buffer.count else {
            scanned = index
            // One byte of slack for a CR that may precede the LF.
            if buffer.count - start > limit + 1 { return fail() }
            return nil
        }
        var end = index
        if end > start && buffer[end - 1] == 0x0D { end -= 1 }
        guard end - start <= limit else { return fail() }
        let line = Array(buffer[start..<end])
        start = index + 1
        scanned = start
        return .line(line)
    }

    /// Feeds bytes and returns every whole line now buffered (and at most one `tooLong`, after
    /// which nothing more).
    public mutating func append(_ bytes: some Sequence<UInt8>) -> [Event] {
        feed(bytes)
        var events: [Event] = []
        while let event = next() { events.append(event) }
        return events
    }

    private mutating func fail() -> Event {
        broken = true
        buffer = []
        start = 0
        scanned = 0
        return .tooLong
    }
}
