import Foundation
import PhapaiCLI

// Arguments are read as raw bytes so that invalid UTF-8 is refused, not silently repaired.
var arguments: [String] = []
for index in 1..<Int(CommandLine.argc) {
    guard let raw = CommandLine.unsafeArgv[index], let text = String(validatingCString: raw) else {
        let previous = arguments.last.flatMap { $0.hasPrefix("--") ? String($0.dropFirst(2)) : nil }
        let field = previous ?? "argument \(index)"
        FileHandle.standardError.write(Data("phapai: error [INVALID_UTF8]: \(field): is not valid UTF-8 text\n".utf8))
        exit(2)
    }
    arguments.append(text)
}
exit(PhapaiCLI.run(arguments, environment: ProcessInfo.processInfo.environment))
