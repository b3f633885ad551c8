/// Reads dial-a-ride instances in Cordeau's text format (the standard "a"/"b" benchmark sets).
///
/// Robust to the variants in circulation: the second header field may be n or 2n, and the end
/// depot line may be absent (then the start depot is reused). n is derived from the node lines.
/// Travel time and cost are the Euclidean distance, never rounded.
public struct CordeauInstance: Sendable {
    /// The problem, one vehicle per header vehicle, all from the same depot.
    public let problem: DARPProblem
    /// Number of requests.
    public let requestCount: Int
    /// The node id of each problem node in the file's numbering (for solution files).
    public let fileNodeIDs: [Int]

    /// Parses an instance.
    public init(text: String) throws {
        var lines: [(number: Int, fields: [Double])] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            var values: [Double] = []
            for field in fields {
                guard let value = Double(field), value.isFinite else {
                    throw SchedulerError.invalidInstance(line: index + 1, message: "'\(field)' is not a number")
                }
                values.append(value)
            }
            lines.append((index + 1, values))
        }
        guard let header = lines.first, header.fields.count >= 5 else {
            throw SchedulerError.invalidInstance(line: 1, message: "the header needs K, n, T, Q, L")
        }
        let nodeLines = Array(lines.dropFirst())
        for line in nodeLines where line.fields.count < 7 {
            throw SchedulerError.invalidInstance(line: line.number, message: "a node line needs id, x, y, service, load, earliest, latest")
        }
        // 1 + 2n lines without an end depot, 2 + 2n with one.
        let hasEndDepot = nodeLines.count % 2 == 0
        let n = (nodeLines.count - (hasEndDepot ? 2 : 1)) / 2
        guard n >= 1 else { throw SchedulerError.invalidInstance(line: header.number, message: "no requests") }
        let vehicleCount = Int(header.fields[0])
        let maxDuration = header.fields[2]
        let capacity = Int(header.fields[3])
        let maxRide = header.fields[4]
        guard vehicleCount >= 1, capacity >= 1 else {
            throw SchedulerError.invalidInstance(line: header.number, message: "K and Q must be positive")
        }

        var used = nodeLines
        if !hasEndDepot { used.append(nodeLines[0]) }
        let count = used.count
        var x = [Double](), y = [Double](), service = [Double](), load = [Int](), earliest = [Double](), latest = [Double]()
        for line in used {
            x.append(line.fields[1])
            y.append(line.fields[2])
            service.append(line.fields[3])
            load.append(Int(line.fields[4]))
            earliest.append(line.fields[5])
            latest.append(line.fields[6])
        }
        for request in 1...n where load[request] <= 0 || load[request + n] != -load[request] {
            throw SchedulerError.invalidInstance(
                line: used[request].number, message: "request \(request): pickup load must be positive and undone at node \(request + n)")
        }
        var matrix = [Double](repeating: 0, count: count * count)
        for a in 0..<count {
            for b in 0..<count {
                let dx = x[a] - x[b]
                let dy = y[a] - y[b]
                matrix[a * count + b] = (dx * dx + dy * dy).squareRoot()
            }
        }
        let requests = (1...n).map { DARPProblem.Request(pickup: $0, dropoff: $0 + n, maxRide: maxRide) }
        let vehicles = (0..<vehicleCount).map { _ in
            DARPProblem.Vehicle(startNode: 0, endNode: count - 1, capacity: [capacity], maxDuration: maxDuration)
        }
        var euclidean = try DARPProblem(
            dimensions: 1, earliest: earliest, latest: latest, service: service, load: load, travelTime: matrix,
            travelCost: matrix, requests: requests, vehicles: vehicles)
        euclidean.timesAreMetric = true
        problem = euclidean
        requestCount = n
        fileNodeIDs = used.map { Int($0.fields[0]) }
    }
}
