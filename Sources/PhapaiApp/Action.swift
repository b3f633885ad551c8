import PhapaiCore
import PhapaiService

/// A command with its arguments decoded into typed values: what the application performs, and
/// what ``AccessPolicy`` judges by the objects it touches.
public enum Action: Sendable {
    case addPlace(Place)
    case listPlaces(kind: PlaceKind?)
    case addPatient(Patient)
    case showPatient(PatientID)
    case listPatients(village: PlaceID?)
    case findPatients(String)
    case editPatient(PatientID, PatientChanges)
    case addVehicle(Vehicle)
    case listVehicles
    case addDriver(Driver)
    case listDrivers
    case addShift(Shift)
    case listShifts(from: LocalDate, to: LocalDate)
    case bookTrip(BookingRequest)
    case showTrip(TripID)
    case listTrips(date: LocalDate?, patient: PatientID?, status: TripStatus?)
    case cancelTrip(TripID, reason: String, atDoor: Bool)
    case reportStatus(TripID, DriverReport, at: Instant?, odometer: Double?)
    case releaseWillCall(TripID, at: Instant?)
    case assignTrip(TripID, VehicleID)
    case lockTrip(TripID)
    case unlockTrip(TripID)
    case moveTrip(TripID, to: BookingRequest.Timing, returnLeg: BookingRequest.ReturnLeg?)
    case addStandingOrder(StandingOrder)
    case listStandingOrders
    case holdStandingOrder(StandingOrderID, from: LocalDate, to: LocalDate, reason: String)
    case endStandingOrder(StandingOrderID, from: LocalDate)
    case materialiseStandingOrders
    case audit(entity: String?, limit: Int)
    case planDay(LocalDate, area: AreaID?, seconds: Double, iterations: Int?)
    case listRuns(LocalDate, driver: DriverID?)
    case showRun(LocalDate, VehicleID)
    case report(from: LocalDate, to: LocalDate, by: ReportGrouping?)
    case funderReport(year: Int, month: Int)
    case addUser(name: String, role: User.Role, areas: [AreaID], driver: DriverID?)
    case listUsers
    case revokeUser(String)
    case attention(LocalDate, area: AreaID?)
    case closeDay(LocalDate, area: AreaID?)
}

/// The objects an action touches, for deciding whether they are within a user's reach.
enum Scope: Sendable {
    /// Places and the area list: every user may read them.
    case open
    /// These objects, each of which must be within reach.
    case objects([Subject])
    /// One area's day (or, with nil, every area's).
    case area(AreaID?)
    /// Every area at once: lists, reports, the audit log.
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
        case .listPlaces: .open
        case .addPlace(let place): .objects([.area(place.area)])
        case .addPatient(let patient): .objects([.area(patient.area)])
        case .addVehicle(let vehicle): .objects([.area(vehicle.area)])
        case .addDriver(let driver): .objects([.area(driver.area)])
        case .addShift(let shift): .objects([.driver(shift.driver), .vehicle(shift.vehicle)])
        case .showPatient(let id), .editPatient(let id, _): .objects([.patient(id)])
        case .bookTrip(let request): .objects([.patient(request.patient)])
        case .addStandingOrder(let order): .objects([.patient(order.patient)])
        case .showTrip(let id), .cancelTrip(let id, _, _), .reportStatus(let id, _, _, _), .releaseWillCall(let id, _),
             .lockTrip(let id), .unlockTrip(let id), .moveTrip(let id, _, _):
            .objects([.trip(id)])
        case .assignTrip(let id, let vehicle): .objects([.trip(id), .vehicle(vehicle)])
        case .holdStandingOrder(let id, _, _, _), .endStandingOrder(let id, _): .objects([.standingOrder(id)])
        case .showRun(_, let vehicle): .objects([.vehicle(vehicle)])
        case .listTrips(_, let patient?, _): .objects([.patient(patient)])
        case .planDay(_, let area, _, _), .attention(_, let area), .closeDay(_, let area): .area(area)
        case .listPatients, .findPatients, .listVehicles, .listDrivers, .listShifts, .listTrips, .listStandingOrders,
             .materialiseStandingOrders, .audit, .listRuns, .report, .funderReport, .addUser, .listUsers, .revokeUser:
            .everyArea
        }
    }
}
