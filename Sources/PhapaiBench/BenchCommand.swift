import Foundation
import PhapaiScheduler

/// The `phapai-bench` command line.
public enum BenchCommand {
    static let usage = """
        Usage:
          phapai-bench darp DIR|FILE... [--time SECONDS] [--iterations N] [--seed N] [--threads 1,all] [--out DIR]
          phapai-bench insert [--sizes 100,1000] [--probes N] [--seed N]
          phapai-bench scale [--requests 1000] [--vehicles 60] [--time SECONDS] [--seed N] [--write FILE]
          phapai-bench book [--trips 200] [--vehicles 20] [--probes 100] [--plan-time SECONDS] [--seed N]
          phapai-bench replan [--sizes 50/5,200/20,500/50] [--probes 100] [--seed N]
          phapai-bench generate --requests N [--vehicles K] [--windows narrow|wide] [--seed S] [--out FILE]
          phapai-bench check INSTANCE.txt SOLUTION.sol
        Build with -c release for meaningful figures.
        """

    /// Runs the benchmark named by `arguments` (program name excluded) and returns the exit code.
    public static func run(_ arguments: [String]) -> Int32 {
        guard let command = arguments.first else {
            FileHandle.standardError.write(Data((usage + "\n").utf8))
            return 1
        }
        do {
            var options = try Options(Array(arguments.dropFirst()))
            switch command {
            case "darp":
                // "all": every core, as `plan` searches.
                let threadCounts = try (options.take("threads") ?? "1").split(separator: ",").map { text -> Int in
                    if text == "all" { return SolverOptions.allCores }
                    guard let count = Int(text), (1...256).contains(count) else {
                        throw BenchError("--threads takes thread counts from 1 to 256 (or all) separated by commas, not '\(text)'")
                    }
                    return count
                }
                _ = try DARPBenchmark.run(
                    paths: options.positionals, seconds: try options.double("time") ?? 10, iterations: try options.int("iterations"),
                    seed: UInt64(try options.int("seed") ?? 1), threadCounts: threadCounts, outputFolder: options.take("out"),
                    print: { Swift.print($0) })
            case "insert":
                let sizes = try (options.take("sizes") ?? "100,1000").split(separator: ",").map { text -> Int in
                    guard let size = Int(text), size > 0 else { throw BenchError("--sizes takes positive numbers, not '\(text)'") }
                    return size
                }
                _ = try InsertionBenchmark.run(
                    sizes: sizes, probes: try options.int("probes") ?? 200, seed: UInt64(try options.int("seed") ?? 1), print: { Swift.print($0) })
            case "scale":
                try ScaleBenchmark.run(
                    requests: try options.int("requests") ?? 1000, vehicles: try options.int("vehicles") ?? 60,
                    seed: UInt64(try options.int("seed") ?? 1), seconds: try options.double("time") ?? 30, writeTo: options.take("write"),
                    print: { Swift.print($0) })
            case "book":
                try BookingBenchmark.run(
                    trips: try options.int("trips") ?? 200, vehicles: try options.int("vehicles") ?? 20, probes: try options.int("probes") ?? 100,
                    seed: UInt64(try options.int("seed") ?? 1), planSeconds: try options.double("plan-time") ?? 10, print: { Swift.print($0) })
            case "replan":
                let sizes = try (options.take("sizes") ?? "50/5,200/20,500/50").split(separator: ",").map { text -> (Int, Int) in
                    let parts = text.split(separator: "/").compactMap { Int($0) }
                    guard parts.count == 2, parts[0] > 0, parts[1] > 0 else {
                        throw BenchError("--sizes takes TRIPS/VEHICLES pairs such as 200/20, not '\(text)'")
                    }
                    return (parts[0], parts[1])
                }
                try ReplanBenchmark.run(
                    sizes: sizes.map { (trips: $0.0, vehicles: $0.1) }, probes: try options.int("probes") ?? 100,
                    seed: UInt64(try options.int("seed") ?? 1), print: { Swift.print($0) })
            case "generate":
                try generate(&options)
            case "check":
                guard options.positionals.count == 2 else {
                    throw BenchError("check takes two files, INSTANCE.txt and SOLUTION.sol, not \(options.positionals.count)")
                }
                try options.checkAllUsed()
                return try SolutionCheck.run(instancePath: options.positionals[0], solutionPath: options.positionals[1], print: { Swift.print($0) }) ? 0 : 1
            default:
                throw BenchError("unknown benchmark '\(command)'\n\(usage)")
            }
            try options.checkAllUsed()
            return 0
        } catch {
            FileHandle.standardError.write(Data("phapai-bench: \(error)\n".utf8))
            return 1
        }
    }
}

extension BenchCommand {
    /// Largest `--requests` for `generate`: solving a day needs two n x n matrices of doubles.
    static let maxGeneratedRequests = 10_000

    /// `generate`: a day-long instance (``InstanceGenerator/dayText(requests:vehicles:windows:seed:)``)
    /// to a file, or to standard output.
    static func generate(_ options: inout Options) throws {
        guard options.positionals.isEmpty else {
            throw BenchError("generate takes no file names (got '\(options.positionals[0])'); write to a file with --out FILE")
        }
        guard let requests = try options.int("requests") else { throw BenchError("generate needs --requests N (1...\(maxGeneratedRequests))") }
        guard (1...maxGeneratedRequests).contains(requests) else {
            throw BenchError("--requests must be from 1 to \(maxGeneratedRequests), not \(requests)")
        }
        let vehicles = try options.int("vehicles")
        if let vehicles, !(1...maxGeneratedRequests).contains(vehicles) {
            throw BenchError("--vehicles must be from 1 to \(maxGeneratedRequests), not \(vehicles)")
        }
        let windowsText = options.take("windows") ?? "narrow"
        guard let windows = InstanceGenerator.DayWindows(rawValue: windowsText) else {
            throw BenchError("--windows must be narrow (15 minutes) or wide (60 minutes), not '\(windowsText)'")
        }
        let seed = UInt64(try options.int("seed") ?? 1)
        let out = options.take("out")
        try options.checkAllUsed()
        let text = InstanceGenerator.dayText(requests: requests, vehicles: vehicles, windows: windows, seed: seed)
        guard let out else { return Swift.print(text, terminator: "") }
        do {
            try text.write(toFile: out, atomically: true, encoding: .utf8)
        } catch {
            throw BenchError("--out: cannot write \(out) (does its folder exist?)")
        }
    }
}

/// `--name value` options and positionals.
struct Options {
    var values: [String: String] = [:]
    var positionals: [String] = []
    private var used = Set<String>()

    init(_ arguments: [String]) throws {
        var index = 0
        while index < arguments.count {
            let token = arguments[index]
            if token.hasPrefix("--") {
                guard index + 1 < arguments.count else { throw BenchError("\(token) needs a value") }
                values[String(token.dropFirst(2))] = arguments[index + 1]
                index += 2
            } else {
                positionals.append(token)
                index += 1
            }
        }
    }

    mutating func take(_ name: String) -> String? {
        used.insert(name)
        return values[name]
    }

    mutating func int(_ name: String) throws -> Int? {
        guard let text = take(name) else { return nil }
        guard let value = Int(text), value >= 0 else { throw BenchError("--\(name) must be a whole number, not '\(text)'") }
        return value
    }

    mutating func double(_ name: String) throws -> Double? {
        guard let text = take(name) else { return nil }
        guard let value = Double(text), value > 0, value.isFinite else { throw BenchError("--\(name) must be a positive number, not '\(text)'") }
        return value
    }

    func checkAllUsed() throws {
        let unknown = Set(values.keys).subtracting(used)
        if !unknown.isEmpty { throw BenchError("unknown option(s): \(unknown.sorted().map { "--\($0)" }.joined(separator: ", "))") }
    }
}
