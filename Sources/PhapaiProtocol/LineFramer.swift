/// Splits a byte stream into lines ending in LF (a CR before it is dropped), enforcing a byte
/// limit per line. Pure: the network layer feeds it whatever arrived.
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
    private var broken = false

    /// Creates a framer with a per-line byte limit.
    public init(limit: Int) { self.limit = limit }

    /// Whether a line has started but not ended (for the deadline to finish a started line).
    public var hasPartialLine: Bool { !buffer.isEmpty }

    /// Feeds bytes and returns the lines (and at most one `tooLong`, after which nothing more).
    public mutating func append(_ bytes: some Sequence<UInt8>) -> [Event] {
        guard !broken else { return [] }
        var events: [Event] = []
        for byte in bytes {
            if byte == 0x0A {
                if buffer.last == 0x0D { buffer.removeLast() }
                guard buffer.count <= limit else {
                    broken = true
                    return events + [.tooLong]
                }
                events.append(.line(buffer))
                buffer.removeAll(keepingCapacity: true)
                continue
            }
            buffer.append(byte)
            // One byte of slack for a CR that may precede the LF.
            if buffer.count > limit + 1 {
                broken = true
                buffer.removeAll()
                return events + [.tooLong]
            }
        }
        return events
    }
}
