import PhapaiCore
import PhapaiService

/// Who may give which command, and on which objects. Roles are granted commands by name (a
/// command not listed for a role is refused: default deny); reach is decided over the objects
/// the decoded action touches. The local operator of a database file may do everything.
struct AccessPolicy {
    let service: PhapaiService

    /// The commands each role may give.
    static let grants: [User.Role: Set<Command>] = [
        .admin: Set(Command.allCases),
        .dispatcher: [
            .placeAdd, .placeList, .patientAdd, .patientShow, .patientList, .patientFind, .patientEdit, .vehicleAdd, .vehicleList,
            .driverAdd, .driverList, .shiftAdd, .shiftList, .tripBook, .tripShow, .tripList, .tripCancel, .tripStatus, .tripReady,
            .tripAssign, .tripLock, .tripUnlock, .tripMove, .standingAdd, .standingList, .standingHold, .standingEnd,
            .standingMaterialise, .audit, .plan, .runs, .runShow, .report, .reportFunder, .attention, .dayClose,
        ],
        .planner: [
            .placeList, .patientShow, .patientList, .patientFind, .vehicleList, .driverList, .shiftList, .tripShow, .tripList,
            .standingList, .audit, .runs, .runShow, .report, .reportFunder, .attention,
        ],
        .driver: [.runs, .runShow, .tripShow, .tripStatus],
    ]

    /// The refusal of a command outside the role, or of an object outside the user's reach.
    static func refusal(_ message: String) -> PhapaiError {
        PhapaiError(.notAllowed, keyword: "NOT_ALLOWED", field: nil, message: message)
    }

    /// Checks the role, and returns the arguments as they run for this user: a dispatcher of one
    /// area acts on it; a driver's overview holds their own runs only.
    func admit(_ command: Command, _ arguments: Arguments, _ principal: Principal) throws -> Arguments {
        guard let user = principal.user else { return arguments }
        guard Self.grants[user.role, default: []].contains(command) else {
            throw Self.refusal("a \(user.role.rawValue) cannot do that")
        }
        var arguments = arguments
        switch user.role {
        case .dispatcher where command != .userAdd:
            if let named = arguments["area"], !user.areas.contains(AreaID(unchecked: named)) {
                throw Self.refusal("area \(named) is not one of your areas")
            }
            if arguments["area"] == nil, user.areas.count == 1 { arguments["area"] = user.areas[0].rawValue }
        case .driver where command == .runs:
            arguments["driver"] = user.driver?.rawValue
        default:
            break
        }
        return arguments
    }

    /// Checks that everything the action touches is within the user's reach. The same refusal
    /// answers an object that does not exist and one out of reach, so nothing is revealed.
    func checkReach(_ action: Action, _ principal: Principal) throws {
        guard let user = principal.user else { return }
        switch user.role {
        case .admin, .planner:
            return
        case .driver:
            try checkDriverReach(action, driver: user.driver)
        case .dispatcher:
            try checkDispatcherReach(action, areas: Set(user.areas))
        }
    }

    /// A driver reaches only the runs they drive and the trips on them.
    private func checkDriverReach(_ action: Action, driver: DriverID?) throws {
        let hidden = Self.refusal("a driver reaches only their own runs and the trips on them")
        guard let driver else { throw hidden }
        switch action {
        case .listRuns(_, let asked) where asked == driver:
            return
        case .showRun(let date, let vehicle):
            guard try service.shifts(from: date, to: date).contains(where: { $0.driver == driver && $0.vehicle == vehicle }) else { throw hidden }
        case .showTrip(let id), .reportStatus(let id, _, _, _):
            guard let trip = try service.findTrip(id),
                try service.runs(on: trip.serviceDate).contains(where: { $0.driver == driver && $0.stops.contains { $0.trip == id } })
            else { throw hidden }
        default:
            throw hidden
        }
    }

    /// A dispatcher reaches the patients, trips, standing orders, vehicles, drivers and runs of
    /// their areas; when the database holds no other area, that is everything. Commands over
    /// every area at once (lists, reports, the audit log) are refused in a database shared with
    /// other areas: they do not yet take an area.
    private func checkDispatcherReach(_ action: Action, areas: Set<AreaID>) throws {
        let stored = try service.areas().map(\.id)
        if stored.allSatisfy(areas.contains) { return }
        let hidden = Self.refusal("no such object within your areas")
        switch action.scope {
        case .open:
            return
        case .objects(let subjects):
            for subject in subjects {
                guard let area = try area(of: subject), areas.contains(area) else { throw hidden }
            }
        case .area(let area):
            guard area != nil else { throw Self.refusal("this covers every area of this server; name one of your areas") }
        case .everyArea:
            throw Self.refusal("this covers every area of this server; ask an admin")
        }
    }

    /// The area an object belongs to, or nil when it does not exist.
    private func area(of subject: Subject) throws -> AreaID? {
        switch subject {
        case .area(let area): area
        case .patient(let id): try service.findPatient(id)?.area
        case .trip(let id): try service.findTrip(id)?.area
        case .vehicle(let id): try service.vehicles().first { $0.id == id }?.area
        case .driver(let id): try service.drivers().first { $0.id == id }?.area
        case .standingOrder(let id):
            try service.standingOrders().first { $0.id == id }.flatMap { try service.findPatient($0.patient)?.area }
        }
    }
}
