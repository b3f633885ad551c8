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

    /// Time windows of a generated day: 15 minutes wide (`narrow`) or 60 (`wide`).
    public enum DayWindows: String, CaseIterable, Sendable {
        case narrow, wide

        /// Width in minutes.
        public var minutes: Int { self == .narrow ? 15 : 60 }
    }

    /// Vehicles a generated day gets unless told: one per six requests, and two more. Short solves
    /// of generated days with narrow windows serve everyone with about one vehicle per seven
    /// requests (one per five at 24 requests), so this leaves slack; the bench tests check it.
    public static func defaultVehicles(requests: Int) -> Int { (requests + 5) / 6 + 2 }

    /// A district's working day as Cordeau-format text, the shape of the held-out instances: a day
    /// of 1,440 minutes, routes of at most 480, capacity 6, rides of at most 90, service 10 at
    /// every stop. Coordinates are minutes of driving in a 60 x 60 square with the depot at its
    /// centre; homes gather around villages, and three in four trips go to or from one of three
    /// hospitals. The first half of the requests are outbound (a window on the drop-off, an
    /// appointment), the second half inbound (a window on the pickup, a ride home); the other end
    /// keeps the whole day, as in Cordeau's sets. One passenger in five brings a companion
    /// (load 2). Appointment windows start from 07:00 to 15:59, ride-home windows from 09:00 to
    /// 17:59: a vehicle limited to 8 hours cannot cover both the morning and the evening.
    /// `n` must be at least 1 (the command line checks it).
    public static func dayText(requests n: Int, vehicles: Int? = nil, windows: DayWindows = .narrow, seed: UInt64) -> String {
        var random = SeededGenerator(seed: seed)
        let half = 30.0
        func uniform(_ low: Double, _ high: Double) -> Double { low + random.unit() * (high - low) }
        func clamped(_ value: Double) -> Double { min(half, max(-half, value)) }
        // Drawn in a fixed order (hospitals, villages, then request by request): the same seed
        // gives the same text on every machine.
        let hospitals = (0..<3).map { _ in (uniform(-20, 20), uniform(-20, 20)) }
        let villages = (0..<min(60, 12 + n / 10)).map { _ in (uniform(-27, 27), uniform(-27, 27)) }
        func home() -> (Double, Double) {
            let village = villages[random.below(villages.count)]
            return (clamped(village.0 + uniform(-3, 3)), clamped(village.1 + uniform(-3, 3)))
        }
        func destination() -> (Double, Double) {
            // The rest are health centres, markets, offices: anywhere in the district.
            random.below(4) < 3 ? hospitals[random.below(hospitals.count)] : (uniform(-half, half), uniform(-half, half))
        }
        let width = Double(windows.minutes)
        let day = (0.0, 1440.0)
        var pickups: [String] = []
        var dropoffs: [String] = []
        for index in 1...n {
            let outbound = index <= n / 2
            let (a, b) = (home(), destination())
            let (from, to) = outbound ? (a, b) : (b, a)
            let load = random.below(5) == 0 ? 2 : 1
            let start = outbound ? Double(420 + random.below(540)) : Double(540 + random.below(540))
            let window = (start, start + width)
            pickups.append(line(index, from.0, from.1, 10, load, outbound ? day : window))
            dropoffs.append(line(n + index, to.0, to.1, 10, -load, outbound ? window : day))
        }
        let header = "\(vehicles ?? defaultVehicles(requests: n)) \(n) 480 6 90"
        return ([header, line(0, 0, 0, 0, 0, day)] + pickups + dropoffs + [line(2 * n + 1, 0, 0, 0, 0, day)])
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
