import Foundation
import PhapaiCore
import PhapaiScheduler

/// `phapai-sim export-darp`: one simulated day's requests as a Cordeau-format dial-a-ride instance,
/// for the solver benchmarks (simulations/darp-days/README.md says what is kept and what is lost).
///
/// Places become coordinates in minutes of driving: a local flat projection around the depot
/// (kilometres east and north), times the scenario's circuity factor, over its average speed. The
/// Euclidean distance between two places then approximates the simulator's travel time (the
/// great-circle distance with the same factor and speed, rounded up to a second).
enum DayExport {
    /// An exported day.
    struct Export {
        /// The instance, in Cordeau's format.
        var text: String
        var requests: Int
        var vehicles: Int
        /// Requests the booking rules refused (not in the instance).
        var refused: Int
        /// Largest difference between an instance distance and the simulator's travel time, in seconds, over all pairs of places used.
        var largestTravelDifference: Double
        /// What of the simulator's day the format could not keep.
        var dropped: [String]
    }

    /// Books service day `dayIndex` (0-based) of `area` and exports it, with `vehicles` in place of
    /// the area's fleet size when given.
    static func export(scenario: Scenario, area: SimArea, dayIndex: Int, seed: UInt64, vehicles: Int? = nil) throws -> Export {
        let days = try CoverageRun.serviceDays(scenario, count: dayIndex + 1, holidays: scenario.holidayCalendar()).days
        let folder = NSTemporaryDirectory() + "phapai-sim-export-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let simulation = try AreaSimulation(scenario: scenario, area: area, days: days, seed: seed, folder: folder)
        let booked = try simulation.bookedDay(dayIndex)
        var export = try instance(area: area, trips: booked.trips, date: days[dayIndex], vehicles: vehicles)
        export.refused = booked.refused
        return export
    }

    /// The Cordeau instance of `trips` (active trips of one day of `area`); `fleetSize` replaces the
    /// number of vehicles when given (they are identical in the format).
    static func instance(area: SimArea, trips: [Trip], date: LocalDate, vehicles fleetSize: Int? = nil) throws -> Export {
        let places = Dictionary(uniqueKeysWithValues: area.area.places.map { ($0.id, $0) })
        let travel = area.area.travel
        let policies = area.area.policies
        let vehicles = area.area.vehicles.sorted { $0.id.rawValue < $1.id.rawValue }
        guard !vehicles.isEmpty else { throw LoadError("the area \(area.area.id) has no vehicles to export") }
        var dropped: [String] = []
        // One depot: the area's, or with several (a pooled district) the one nearest their middle.
        var depotIDs: [PlaceID] = []
        for vehicle in vehicles where !depotIDs.contains(vehicle.depot) { depotIDs.append(vehicle.depot) }
        let depotPoints = depotIDs.compactMap { places[$0]?.coordinate }
        guard depotPoints.count == depotIDs.count else { throw LoadError("a vehicle's depot is not a place of the area") }
        let middle = try Coordinate(
            latitude: depotPoints.map(\.latitude).reduce(0, +) / Double(depotPoints.count),
            longitude: depotPoints.map(\.longitude).reduce(0, +) / Double(depotPoints.count))
        let depot = depotPoints.min { $0.kilometres(to: middle) < $1.kilometres(to: middle) }!
        if depotIDs.count > 1 { dropped.append("\(depotIDs.count) depots: every vehicle starts and ends at the one nearest their middle") }

        let used = trips.flatMap { [$0.pickupPlace, $0.dropoffPlace] }
        if let unknown = used.first(where: { places[$0] == nil }) { throw LoadError("trip place \(unknown) is not a place of the area") }
        let latitudes = ([depot] + used.map { places[$0]!.coordinate }).map(\.latitude)
        let meanLatitude = latitudes.reduce(0, +) / Double(latitudes.count)
        let kilometresPerDegree = 6371.0088 * Double.pi / 180
        let minutesPerKilometre = travel.circuityFactor / travel.averageSpeedKmh * 60
        func point(_ coordinate: Coordinate) -> (x: Double, y: Double) {
            let east = (coordinate.longitude - depot.longitude) * cos(meanLatitude * Double.pi / 180) * kilometresPerDegree
            let north = (coordinate.latitude - depot.latitude) * kilometresPerDegree
            return (east * minutesPerKilometre, north * minutesPerKilometre)
        }

        let dayStart = area.area.offset.startOfDay(date)
        func minutes(_ instant: Instant) -> Double { Double(instant.seconds(since: dayStart)) / 60 }
        // Outbound legs first, then returns (Cordeau's sets list outbound requests first).
        let ordered = trips.filter { $0.direction == .outbound }.sorted { $0.id! < $1.id! }
            + trips.filter { $0.direction != .outbound }.sorted { $0.id! < $1.id! }
        var requests: [(pickup: Coordinate, dropoff: Coordinate, service: Double, load: Int, pickupWindow: (Double, Double), dropoffWindow: (Double, Double))] = []
        var maxRide = 0.0
        var willCalls = 0
        for trip in ordered {
            let boarding = Double(policies.boardingSeconds(trip.mobility)) / 60
            let ride = Double(trip.maxRideSeconds) / 60
            var pickupWindow: (Double, Double)
            var dropoffWindow: (Double, Double)
            if trip.awaitingRelease, let expected = trip.releaseWindow {
                // A will-call return: the window the office expects the clinic to call in (as the planner keeps a place for it).
                willCalls += 1
                pickupWindow = (minutes(expected.earliest), minutes(expected.latest))
                dropoffWindow = (pickupWindow.0 + boarding + Double(trip.directSeconds) / 60, pickupWindow.1 + boarding + ride)
            } else if let pickup = trip.pickupWindow, let dropoff = trip.dropoffWindow {
                pickupWindow = (minutes(pickup.earliest), minutes(pickup.latest))
                dropoffWindow = (minutes(dropoff.earliest), minutes(dropoff.latest))
            } else {
                continue
            }
            maxRide = max(maxRide, ride)
            requests.append((places[trip.pickupPlace]!.coordinate, places[trip.dropoffPlace]!.coordinate, boarding,
                             trip.load.seats + trip.load.wheelchairs + trip.load.stretchers, pickupWindow, dropoffWindow))
        }
        guard !requests.isEmpty else { throw LoadError("day \(date.iso) of \(area.area.id) has no trips to export") }
        if willCalls > 0 { dropped.append("\(willCalls) will-call returns: their window is the expected release window") }

        // The fleet as identical vehicles: the largest one's places, the earliest start to the latest end.
        let shifts = vehicles.compactMap { area.shifts[$0.id] }
        let open = Double(shifts.map(\.start.minutes).min() ?? 0)
        // Vehicles may work late to bring patients home (the planner's overtime allowance): the
        // depot closes that much after the last shift ends, and a route that ends late started late.
        let close = min(1440, Double((shifts.map(\.end.minutes).max() ?? 1440) + policies.maxOvertimeMinutes))
        let longest = Double(shifts.map { $0.end.minutes - $0.start.minutes }.max() ?? 1440)
        let capacity = vehicles.map { vehicle in
            let room = vehicle.capacity
            return room.seats + room.stretchers + room.wheelchairs * max(1, room.seatsPerFoldedWheelchair)
        }.max()!
        if Set(vehicles.map { "\($0.capacity)" }).count > 1 || Set(shifts.map { "\($0.start.minutes)-\($0.end.minutes)" }).count > 1 {
            dropped.append("mixed fleet: identical vehicles of \(capacity) places (the largest), depot open \(clock(open))-\(clock(close)) (the last shift's end plus \(policies.maxOvertimeMinutes) minutes of overtime), routes of at most \(format(longest)) minutes (the longest shift)")
        }
        if vehicles.contains(where: { $0.capacity.wheelchairs > 0 || $0.capacity.stretchers > 0 }) {
            dropped.append("wheelchair and stretcher places: one dimension, every passenger (patient and companions) takes one place")
        }
        if shifts.contains(where: { $0.breakStart != nil }) { dropped.append("drivers' breaks") }
        dropped.append("per-trip ride limits (1.5 x direct + 20 min): one limit for all, the largest, \(format(maxRide)) minutes")
        dropped.append("journeys (both legs or neither): each leg is a request of its own")
        // The format has coordinates only: a road matrix cannot go with it (the difference reported is to the model).
        if !area.matrix.isEmpty { dropped.append("the scenario's road matrix (\(area.matrix.count) pairs): distances are the straight-line model's") }

        let n = requests.count
        let count = fleetSize ?? vehicles.count
        var lines = ["\(count) \(n) \(format(longest)) \(capacity) \(format(maxRide))"]
        func line(_ id: Int, _ point: (x: Double, y: Double), _ service: Double, _ load: Int, _ window: (Double, Double)) -> String {
            "\(id) \(format(point.x)) \(format(point.y)) \(format(service)) \(load) \(format(window.0)) \(format(window.1))"
        }
        lines.append(line(0, (0, 0), 0, 0, (open, close)))
        for (index, request) in requests.enumerated() {
            lines.append(line(index + 1, point(request.pickup), request.service, request.load, request.pickupWindow))
        }
        for (index, request) in requests.enumerated() {
            lines.append(line(n + index + 1, point(request.dropoff), request.service, -request.load, request.dropoffWindow))
        }
        lines.append(line(2 * n + 1, (0, 0), 0, 0, (open, close)))

        // How far the flat, straight-line minutes are from the simulator's travel times.
        var distinct: [Coordinate] = [depot]
        for id in used where !distinct.contains(places[id]!.coordinate) { distinct.append(places[id]!.coordinate) }
        var largest = 0.0
        let written = distinct.map { point($0) }
        for a in distinct.indices {
            for b in distinct.indices where a < b {
                // As written (to a thousandth of a minute), as the benchmark reads it.
                let dx = rounded(written[a].x) - rounded(written[b].x), dy = rounded(written[a].y) - rounded(written[b].y)
                let simulator = Double(travel.seconds(distinct[a], distinct[b]))
                largest = max(largest, abs((dx * dx + dy * dy).squareRoot() * 60 - simulator))
            }
        }
        return Export(text: lines.joined(separator: "\n") + "\n", requests: n, vehicles: count, refused: 0,
                      largestTravelDifference: largest, dropped: dropped)
    }

    /// To a thousandth of a minute (0.06 s), the precision written.
    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    /// A whole number as such, anything else to three decimals (trailing zeros dropped).
    static func format(_ value: Double) -> String {
        let value = rounded(value)
        if value == value.rounded() { return String(Int(value)) }
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    static func clock(_ minutes: Double) -> String { String(format: "%02d:%02d", Int(minutes) / 60, Int(minutes) % 60) }
}
