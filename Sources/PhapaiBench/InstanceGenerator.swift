import PhapaiScheduler

/// Generates dial-a-ride instances in Cordeau's style and format: points uniform in a 20 x 20
/// square, the depot at the centre, half the requests "outbound" (a 15-minute window on the
/// drop-off) and half "inbound" (on the pickup), service 3, load 1, capacity 3, maximum ride 30.
public enum InstanceGenerator {
    /// The instance as Cordeau-format text (end depot line included).
    public static func cordeauText(requests n: Int, vehicles: Int, seed: UInt64, horizon: Double = 1440) -> String {
        var random = SeededGenerator(seed: seed)
        func coordinate() -> Double { (random.unit() * 20 - 10) }
        func windowStart() -> Double { (60 + random.unit() * (horizon - 120)).rounded() }
        var pickups: [String] = []
        var dropoffs: [String] = []
        for index in 1...n {
            let (px, py, dx, dy) = (coordinate(), coordinate(), coordinate(), coordinate())
            let start = windowStart()
            let outbound = index <= n / 2
            let pickupWindow = outbound ? (0.0, horizon) : (start, start + 15)
            let dropoffWindow = outbound ? (start, start + 15) : (0.0, horizon)
            pickups.append(line(index, px, py, 3, 1, pickupWindow))
            dropoffs.append(line(n + index, dx, dy, 3, -1, dropoffWindow))
        }
        let header = "\(vehicles) \(n) \(Int(horizon)) 3 30"
        return ([header, line(0, 0, 0, 0, 0, (0, horizon))] + pickups + dropoffs + [line(2 * n + 1, 0, 0, 0, 0, (0, horizon))])
            .joined(separator: "\n") + "\n"
    }

    private static func line(_ id: Int, _ x: Double, _ y: Double, _ service: Int, _ load: Int, _ window: (Double, Double)) -> String {
        func fixed(_ value: Double) -> String {
            let scaled = (value * 1000).rounded() / 1000
            return String(scaled)
        }
        return "\(id) \(fixed(x)) \(fixed(y)) \(service) \(load) \(Int(window.0)) \(Int(window.1))"
    }
}
