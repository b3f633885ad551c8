import Foundation

/// Figures of this process from `/proc/self/status`, for `STATS`.
enum MemoryStatus {
    /// A kilobyte figure such as `VmRSS` ("-" where the system has none).
    static func kilobytes(_ key: String) -> String {
        let text: String
        do {
            text = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        } catch {
            return "-"
        }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }),
            let kilobytes = line.split(separator: " ").dropFirst().first
        else { return "-" }
        return String(kilobytes)
    }
}
