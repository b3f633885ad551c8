import PhapaiCore
import PhapaiService

/// A command with its arguments decoded into typed values: what the application performs, and
/// what ``AccessPolicy`` judges by the objects it touches.
public enum Action: Sendable {
    case addPlace(Place)
    case listPlaces(kind: PlaceKind?, area: AreaID)
    case addPatient(Patient)
    case showPatient(PatientID)
    case listPatients(village: PlaceID?, area: AreaID)
    case findPatients(String, area: AreaID)
    case editPatient(PatientID, PatientChanges)
    case addVehicle(Vehicle)
    case listVehicles(area: AreaID)
    case addDriver(Driver)
    case listDrivers(area: AreaID)
    /// A new personal link for a driver, shown at `base` (an address) or as a path.
    case linkDriver(DriverID, base: String?)
    case unlinkDriver(DriverID)
    case addShift(Shift)
    case listShifts(from: LocalDate, to: LocalDate, area: AreaID)
    case bookTrip(BookingRequest)
    case showTrip(TripID)
    case listTrips(date: LocalDate?, patient: PatientID?, status: TripStatus?, area: AreaID)
    case cancelTrip(TripID, reason: String, atDoor: Bool)
    case reportStatus(TripID, DriverReport, at: Instant?, odometer: Double?)
    case releaseWillCall(TripID, at: Instant?)
    case assignTrip(TripID, VehicleID)
    case lockTrip(TripID)
    case unlockTrip(TripID)
    case moveTrip(TripID, to: BookingRequest.Timing, returnLeg: BookingRequest.ReturnLeg?)
    case addStandingOrder(StandingOrder)
    case listStandingOrders(area: AreaID)
    case holdStandingOrder(StandingOrderID, from: LocalDate, to: LocalDate, reason: String)
    case endStandingOrder(StandingOrderID, from: LocalDate)
    case materialiseStandingOrders(area: AreaID)
    case audit(entity: String?, limit: Int, area: AreaID)
    case planDay(LocalDate, area: AreaID, seconds: Double, iterations: Int?, threads: Int?)
    /// A day's runs of one area; a driver's own runs wherever they drive (no area).
    case listRuns(LocalDate, driver: DriverID?, area: AreaID?)
    /// A vehicle's runs of a day; `driver` keeps only that driver's runs, `areas` only the stops
    /// of those areas' trips (set by the access policy for drivers and dispatchers).
    case showRun(LocalDate, VehicleID, driver: DriverID?, areas: Set<AreaID>?)
    /// A report of one area, or (with `by` area and no area) of every area.
    case report(from: LocalDate, to: LocalDate, by: ReportGrouping?, area: AreaID?)
    /// The meeting report of one area: the total, every grouping, and months.
    case meetingReport(from: LocalDate, to: LocalDate, area: AreaID)
    case funderReport(year: Int, month: Int, area: AreaID)
    case addUser(name: String, role: User.Role, areas: [AreaID], driver: DriverID?)
    case listUsers
    case revokeUser(String)
    case attention(LocalDate, area: AreaID)
    case closeDay(LocalDate, area: AreaID)
    /// The night-before call list of an area's day (recording what it said).
    case callList(LocalDate, area: AreaID)
    /// The areas; `only` keeps those named (a dispatcher's own).
    case listAreas(only: Set<AreaID>?)
    case poolArea(AreaID, pool: String?)
}

/// The objects an action touches, for deciding whether they are within a user's reach.
enum Scope: Sendable {
    /// These objects, each of which must be within reach.
    case objects([Subject])
    /// One area: its lists, its day, its reports, its log.
    case area(AreaID)
    /// Every area at once: the province report, users.
    case everyArea
}

/// One object an action names.
enum Subject: Sendable {
    case area(AreaID)
    case patient(PatientID)
    case trip(TripID)
    case vehicle(VehicleID)
    case driver(DriverID)
    case standingOrder(StandingOrderID)
}

extension Action {
    /// What the action touches.
    var scope: Scope {
        switch self {
        case .addPlace(let place): .objects([.area(place.area)])
        case .addPatient(let patient): .objects([.area(patient.area)])
        case .addVehicle(let vehicle): .objects([.area(vehicle.area)])
        case .addDriver(let driver): .objects([.area(driver.area)])
        case .linkDriver(let id, _), .unlinkDriver(let id): .objects([.driver(id)])
        case .addShift(let shift): .objects([.driver(shift.driver), .vehicle(shift.vehicle)])
        case .showPatient(let id), .editPatient(let id, _): .objects([.patient(id)])
        case .bookTrip(let request): .objects([.patient(request.patient)])
        case .addStandingOrder(let order): .objects([.patient(order.patient)])
        case .showTrip(let id), .cancelTrip(let id, _, _), .reportStatus(let id, _, _, _), .releaseWillCall(let id, _),
             .lockTrip(let id), .unlockTrip(let id), .moveTrip(let id, _, _):
            .objects([.trip(id)])
        case .assignTrip(let id, let vehicle): .objects([.trip(id), .vehicle(vehicle)])
        case .holdStandingOrder(let id, _, _, _), .endStandingOrder(let id, _): .objects([.standingOrder(id)])
        case .showRun(_, let vehicle, _, _): .objects([.vehicle(vehicle)])
        case .listTrips(_, let patient?, _, let area): .objects([.area(area), .patient(patient)])
        case .listPlaces(_, let area), .listPatients(_, let area), .findPatients(_, let area), .listVehicles(let area),
             .listDrivers(let area), .listShifts(_, _, let area), .listTrips(_, nil, _, let area), .listStandingOrders(let area),
             .materialiseStandingOrders(let area), .audit(_, _, let area), .planDay(_, let area, _, _, _), .listRuns(_, _, let area?),
             .report(_, _, _, let area?), .meetingReport(_, _, let area), .funderReport(_, _, let area), .attention(_, let area), .closeDay(_, let area),
             .callList(_, let area):
            .area(area)
        case .report(_, _, _, nil), .listRuns(_, _, nil), .addUser, .listUsers, .revokeUser, .poolArea:
            .everyArea
        // A dispatcher's list is narrowed to their own areas (AccessPolicy.narrow), never refused.
        case .listAreas(let only): .objects((only ?? []).sorted().map(Subject.area))
        }
    }
}
