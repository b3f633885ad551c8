import Foundation
import PhapaiScheduler

/// `phapai-bench darp`: solves Cordeau-format instances, writes solution files, and compares each
/// result with the best known cost after re-checking it with the independent verifier.
public enum DARPBenchmark {
    /// One solved instance.
    public struct Row: Sendable {
        public var instance: String
        public var cost: Double
        public var bestKnown: Double?
        public var routes: Int
        public var secondsToBest: Double
        public var iterations: Int
        public var verified: Bool
        public var unserved: Int
        /// Search threads.
        public var threads: Int = 1

        /// Gap to the best known cost, in percent.
        public var gap: Double? { bestKnown.map { ($0 > 0 ? (cost - $0) / $0 : 0) * 100 } }
    }

    /// Runs the benchmark and returns its rows.
    /// With several `threadCounts`, each instance is solved once per count (one row each) and the
    /// summary has a line per count: one thread compares with the literature, all cores with
    /// what `plan` does.
    public static func run(
        paths: [String], seconds: Double, iterations: Int?, seed: UInt64, threadCounts: [Int] = [1], outputFolder: String?,
        print: (String) -> Void
    ) throws -> [Row] {
        let files = try instanceFiles(paths)
        guard !files.isEmpty else { throw BenchError("no instance files (*.txt) found in \(paths.joined(separator: ", "))") }
        let bestKnown = loadBestKnown(near: files)
        if let outputFolder { try FileManager.default.createDirectory(atPath: outputFolder, withIntermediateDirectories: true) }
        print(columns(["instance", "threads", "cost", "best", "gap%", "routes", "to-best", "iters", "verified"]))
        var rows: [Row] = []
        for file in files {
            let name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            let instance = try CordeauInstance(text: String(contentsOfFile: file, encoding: .utf8))
            for threads in threadCounts {
                let options = SolverOptions(seed: seed, timeLimit: seconds, iterationLimit: iterations, threads: threads)
                let result = DARPSolver(problem: instance.problem).solve(options)
                let check = PlanVerifier.verify(result.plan, problem: instance.problem)
                let row = Row(
                    instance: name, cost: check.travelCost, bestKnown: bestKnown[name], routes: check.vehiclesUsed,
                    secondsToBest: result.secondsToBest, iterations: result.iterations,
                    verified: check.feasible && result.plan.unserved.isEmpty, unserved: result.plan.unserved.count, threads: threads)
                rows.append(row)
                print(format(row))
                if let outputFolder {
                    let suffix = threadCounts.count > 1 ? "-t\(threads)" : ""
                    try solutionText(result.plan, instance: instance, cost: check.travelCost)
                        .write(toFile: (outputFolder as NSString).appendingPathComponent("\(name)\(suffix).sol"), atomically: true, encoding: .utf8)
                }
            }
        }
        for threads in threadCounts {
            let group = rows.filter { $0.threads == threads }
            let gaps = group.compactMap(\.gap)
            guard !gaps.isEmpty else { continue }
            let mean = gaps.reduce(0, +) / Double(gaps.count)
            let verified = group.filter(\.verified).count
            print(columns(["mean", String(threads), "", "", String(format: "%.3f", mean), "", "", "", "\(verified)/\(group.count)"]))
            print(String(format: "threads %d: max gap %.3f%%, instances above 3%%: %d", threads, gaps.max()!, gaps.filter { $0 > 3 }.count))
        }
        return rows
    }

    static func format(_ row: Row) -> String {
        columns([
            row.instance, String(row.threads), String(format: "%.2f", row.cost), row.bestKnown.map { String(format: "%.2f", $0) } ?? "-",
            row.gap.map { String(format: "%.3f", $0) } ?? "-", String(row.routes), String(format: "%.2f", row.secondsToBest),
            String(row.iterations), row.verified ? "yes" : "NO",
        ])
    }

    /// The first column left-aligned, the others right-aligned, at fixed widths.
    static func columns(_ cells: [String]) -> String {
        let widths = [10, 7, 10, 10, 8, 6, 8, 9, 8]
        return cells.enumerated().map { index, cell in
            let fill = String(repeating: " ", count: max(0, widths[index] - cell.count))
            return index == 0 ? cell + fill : fill + cell
        }.joined(separator: " ")
    }

    /// `route k: ids...` per non-empty route in the instance's numbering, then `cost X`.
    public static func solutionText(_ plan: DARPPlan, instance: CordeauInstance, cost: Double) -> String {
        var lines: [String] = []
        var number = 0
        for route in plan.routes where !route.isEmpty {
            number += 1
            lines.append("route \(number): " + route.map { String(instance.fileNodeIDs[$0]) }.joined(separator: " "))
        }
        lines.append(String(format: "cost %.2f", cost))
        return lines.joined(separator: "\n") + "\n"
    }

    static func instanceFiles(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw BenchError("no such file or folder: \(path)") }
            if isFolder.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".txt") }
                files += names.sorted(by: naturalOrder).map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        return files
    }

    /// a2-16 before a10-100: compare the numbers inside names as numbers.
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        a.compare(b, options: .numeric) == .orderedAscending
    }

    /// Best known costs from a `bks.tsv` (instance, vehicles, requests, cost) beside or above the instances.
    static func loadBestKnown(near files: [String]) -> [String: Double] {
        var table: [String: Double] = [:]
        var folders: [URL] = []
        for file in files {
            // Absolute first: a relative "./a.txt" has no parent to take as text.
            let folder = URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent()
            for candidate in [folder.deletingLastPathComponent(), folder] where !folders.contains(candidate) { folders.append(candidate) }
        }
        // Parents first, so a table beside the instances has the last word.
        for folder in folders {
            guard let text = try? String(contentsOf: folder.appendingPathComponent("bks.tsv"), encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: "\t")
                if fields.count >= 4, let cost = Double(fields[3]) { table[String(fields[0])] = cost }
            }
        }
        return table
    }
}

/// A benchmark failure with a message for the terminal.
public struct BenchError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
