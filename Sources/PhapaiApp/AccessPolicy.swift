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
            .driverAdd, .driverList, .driverLink, .driverUnlink, .shiftAdd, .shiftList, .tripBook, .tripShow, .tripList, .tripCancel, .tripStatus, .tripReady,
            .tripAssign, .tripLock, .tripUnlock, .tripMove, .standingAdd, .standingList, .standingHold, .standingEnd,
            .standingMaterialise, .audit, .plan, .runs, .runShow, .report, .reportFunder, .attention, .dayClose, .areaList, .calls,
        ],
        .planner: [
            .placeList, .patientShow, .patientList, .patientFind, .vehicleList, .driverList, .shiftList, .tripShow, .tripList,
            .standingList, .audit, .runs, .runShow, .report, .reportFunder, .attention, .areaList,
        ],
        .driver: [.runs, .runShow, .tripShow, .tripStatus],
    ]

    /// The refusal of a command outside the role, or of an object outside the user's reach.
    static func refusal(_ message: String) -> PhapaiError {
        PhapaiError(.notAllowed, keyword: "NOT_ALLOWED", field: nil, message: message)
    }

    /// Checks the role, and returns the arguments as they run for this user: a dispatcher of one
    /// area acts on it; a driver's overview holds their own runs only, in their own area.
    func admit(_ command: Command, _ arguments: Arguments, _ principal: Principal) throws -> Arguments {
        guard let user = principal.user else { return arguments }
        guard Self.grants[user.role, default: []].contains(command) else {
            throw Self.refusal("a \(user.role.rawValue) cannot do that")
        }
        var arguments = arguments
        switch user.role {
        case .dispatcher:
            // An area that is not theirs gets the same answer whether or not it exists.
            if let named = arguments["area"], !user.areas.contains(AreaID(unchecked: named)) {
                throw Self.refusal("area \(named) is not one of your areas")
            }
            if arguments["area"] == nil, user.areas.count == 1 { arguments["area"] = user.areas[0].rawValue }
        case .driver where command == .runs:
            arguments["driver"] = user.driver?.rawValue
            if let driver = user.driver, let own = try service.drivers().first(where: { $0.id == driver }) {
                arguments["area"] = own.area.rawValue
            }
        default:
            break
        }
        return arguments
    }

    /// Checks the objects the arguments name before anything is decoded from them, so that an
    /// object out of reach is answered exactly as one that does not exist: the same keyword, field
    /// and text, and no other check of the arguments runs first.
    func checkNamedObjects(_ command: Command, _ arguments: Arguments, _ principal: Principal) throws {
        guard let user = principal.user, user.role == .dispatcher || user.role == .driver else { return }
        var subjects: [Subject] = []
        func add(_ key: String, _ make: (String) -> Subject?) {
            if let text = arguments[key], let subject = make(text) { subjects.append(subject) }
        }
        let trip: (String) -> Subject? = { Int64($0).map { .trip(TripID($0)) } }
        let patient: (String) -> Subject? = { .patient(PatientID(unchecked: $0)) }
        let vehicle: (String) -> Subject? = { .vehicle(VehicleID(unchecked: $0)) }
        let standing: (String) -> Subject? = { Int64($0).map { .standingOrder(StandingOrderID($0)) } }
        switch command {
        case .tripShow, .tripCancel, .tripStatus, .tripReady, .tripLock, .tripUnlock, .tripMove: add("id", trip)
        case .tripAssign:
            add("id", trip)
            add("vehicle", vehicle)
        case .patientShow, .patientEdit: add("id", patient)
        case .tripBook, .standingAdd, .tripList: add("patient", patient)
        case .standingHold, .standingEnd: add("id", standing)
        case .shiftAdd:
            add("driver", { .driver(DriverID(unchecked: $0)) })
            add("vehicle", vehicle)
        case .runShow where user.role == .dispatcher: add("vehicle", vehicle)
        case .driverLink, .driverUnlink: add("id", { .driver(DriverID(unchecked: $0)) })
        default: break
        }
        switch user.role {
        case .dispatcher: try checkDispatcherReach(subjects, areas: Set(user.areas))
        case .driver:
            // A driver names trips only; runs are judged by the decoded action.
            for case .trip(let id) in subjects { try checkDriverReach(.showTrip(id), driver: user.driver) }
        default: break
        }
    }

    /// Checks that everything the action touches is within the user's reach. An object out of
    /// reach gets the answer of one that does not exist, so nothing is revealed.
    func checkReach(_ action: Action, _ principal: Principal) throws {
        guard let user = principal.user else { return }
        switch user.role {
        case .admin, .planner:
            return
        case .driver:
            try checkDriverReach(action, driver: user.driver)
        case .dispatcher:
            switch action.scope {
            case .objects(let subjects): try checkDispatcherReach(subjects, areas: Set(user.areas))
            case .area(let area):
                guard user.areas.contains(area) else { throw Self.refusal("area \(area) is not one of your areas") }
            case .everyArea:
                // Every area at once is for a dispatcher of every area only.
                let stored = try service.areas().map(\.id)
                guard stored.allSatisfy(user.areas.contains) else { throw Self.refusal("this covers every area of this server; ask an admin") }
            }
        }
    }

    /// The action as it runs for this user: a driver sees only their own runs of a vehicle, a
    /// dispatcher only their areas' stops on a vehicle's runs.
    func narrow(_ action: Action, _ principal: Principal) throws -> Action {
        if case .listAreas = action, let user = principal.user, user.role == .dispatcher { return .listAreas(only: Set(user.areas)) }
        guard let user = principal.user else { return action }
        switch (action, user.role) {
        case (.listRuns(let date, _, _), .driver):
            // Their own runs, wherever they drive.
            return .listRuns(date, driver: user.driver, area: nil)
        case (.showRun(let date, let vehicle, _, _), .driver):
            return .showRun(date, vehicle, driver: user.driver, areas: nil)
        case (.showRun(let date, let vehicle, _, _), .dispatcher):
            // A pooled vehicle carries other areas' patients too: only their own areas' stops.
            return .showRun(date, vehicle, driver: nil, areas: Set(user.areas))
        default:
            return action
        }
    }

    /// What a change's re-plan tells this user: a dispatcher hears of their own areas' patients
    /// (a pooled day holds other areas' too), a driver of the patients on their own runs.
    func narrow(_ result: CommandResult, _ principal: Principal) throws -> CommandResult {
        guard let user = principal.user, user.role == .dispatcher || user.role == .driver else { return result }
        let mentioned = result.mentionedTrips
        guard !mentioned.isEmpty else { return result }
        var trips: [TripID: Trip] = [:]
        for id in mentioned { trips[id] = try service.findTrip(id) }
        let keep: Set<TripID>
        if user.role == .dispatcher {
            keep = Set(trips.values.filter { user.areas.contains($0.area) }.compactMap(\.id))
        } else {
            var own: Set<TripID> = []
            for date in Set(trips.values.map(\.serviceDate)) {
                for run in try service.runs(on: date) where run.driver == user.driver { own.formUnion(run.stops.map(\.trip)) }
            }
            keep = own
        }
        return result.keepingNotices { keep.contains($0) }
    }

    /// A driver reaches only the runs they drive and the trips on them.
    private func checkDriverReach(_ action: Action, driver: DriverID?) throws {
        let hidden = Self.refusal("a driver reaches only their own runs and the trips on them")
        guard let driver else { throw hidden }
        switch action {
        case .listRuns(_, let asked, _) where asked == driver:
            return
        case .showRun(let date, let vehicle, _, _):
            guard try service.runs(on: date).contains(where: { $0.driver == driver && $0.vehicle == vehicle }) else {
                throw PhapaiError.notFound("vehicle", "NO_RUN", "vehicle \(vehicle) has no planned run of yours on \(date.iso)")
            }
        case .showTrip(let id), .reportStatus(let id, _, _, _):
            guard let trip = try service.findTrip(id),
                try service.runs(on: trip.serviceDate).contains(where: { $0.driver == driver && $0.stops.contains { $0.trip == id } })
            else { throw Self.unknown(.trip(id)) }
        default:
            throw hidden
        }
    }

    /// A dispatcher reaches the patients, trips, standing orders, vehicles, drivers and runs of
    /// their areas; when the database holds no other area, that is everything.
    /// The vehicles of a pool their areas belong to are theirs to use and see (with only their own
    /// patients' stops).
    private func checkDispatcherReach(_ subjects: [Subject], areas: Set<AreaID>) throws {
        if try service.areas().allSatisfy({ areas.contains($0.id) }) { return }
        let fleet = try service.fleetAreas(of: areas)
        for subject in subjects {
            let reach: Set<AreaID>
            if case .vehicle = subject { reach = fleet } else { reach = areas }
            guard let area = try area(of: subject), reach.contains(area) else {
                if case .area(let named) = subject { throw Self.refusal("area \(named) is not one of your areas") }
                throw Self.unknown(subject)
            }
        }
    }

    /// What the service answers for an object that does not exist.
    static func unknown(_ subject: Subject) -> PhapaiError {
        switch subject {
        case .area(let id): PhapaiError.notFound("area", "UNKNOWN_AREA", "no area \(id) in this database")
        case .patient(let id): PhapaiError.notFound("patient", "UNKNOWN_PATIENT", Phrase("error.unknown_patient", ["patient": "\(id)"]))
        case .trip(let id): PhapaiError.notFound("trip", "UNKNOWN_TRIP", Phrase("error.unknown_trip", ["trip": "\(id)"]))
        case .vehicle(let id): PhapaiError.notFound("vehicle", "UNKNOWN_VEHICLE", "no vehicle \(id)")
        case .driver(let id): PhapaiError.notFound("driver", "UNKNOWN_DRIVER", "no driver \(id)")
        case .standingOrder(let id): PhapaiError.notFound("standing", "UNKNOWN_STANDING_ORDER", "no standing order \(id)")
        }
    }

    /// The area an object belongs to, or nil when it does not exist.
    private func area(of subject: Subject) throws -> AreaID? {
        switch subject {
        case .area(let area): area
        case .patient(let id): try service.findPatient(id)?.area
        case .trip(let id): try service.findTrip(id)?.area
        case .vehicle(let id): try service.findVehicle(id)?.area
        case .driver(let id): try service.findDriver(id)?.area
        case .standingOrder(let id):
            try service.standingOrders().first { $0.id == id }.flatMap { try service.findPatient($0.patient)?.area }
        }
    }
}
