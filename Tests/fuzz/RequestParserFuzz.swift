// libFuzzer entry point for the request parser (not part of the SwiftPM build).
// Build and run, from the repository root:
//   swiftc -sanitize=fuzzer,address -parse-as-library -O Sources/PhapaiProtocol/*.swift \
//       Tests/fuzz/RequestParserFuzz.swift -o .build/fuzz-request-parser
//   .build/fuzz-request-parser -max_total_time=60 -max_len=5000
// It checks what the unit test checks on 100,000 lines, at libFuzzer's speed: the parser answers
// every input, and whatever parses prints back to the same request.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch RequestParser.parse(bytes) {
    case .success(let request):
        guard case .success(let again) = RequestParser.parse(Array(request.line.utf8)), again == request else {
            fatalError("a parsed request does not print back to itself")
        }
        _ = Reply(code: 200, keyword: "OK", fields: request.arguments, tag: request.tag).lines
    case .failure(let error):
        precondition(error.code == 500 || error.code == 501, "unexpected code \(error.code)")
        _ = Reply.error(error).lines
    }
    return 0
}
