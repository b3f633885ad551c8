/// The protocol's limits (docs/protocol.md, "Limits"; a test checks the table against these).
public enum ProtocolLimits {
    /// Longest request line after HELLO, in bytes, line ending excluded.
    public static let maxLineBytes = 4096
    /// Longest line before HELLO.
    public static let maxLineBytesBeforeHello = 512
    /// Longest tag (`#tag`), in bytes.
    public static let maxTagBytes = 32
    /// Most `key=value` arguments on one request.
    public static let maxArguments = 32
    /// Protocol version spoken.
    public static let version = 1
}
