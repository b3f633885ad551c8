import PhapaiCore
import PhapaiService

/// What a command produced, as typed values: the trips, times, vehicles, alternatives, affected
/// trips and warnings. Text, JSON, CSV, HTML and the wire's fields are renderings of it.
public enum CommandResult: Sendable {
    case placeAdded(Place)
    case places([Place])
    case patientAdded(Patient)
    case patient(Patient, upcoming: [Trip])
    case patients([Patient])
    case patientEdited(PatientEditResult)
    case vehicleAdded(Vehicle)
    case vehicles([Vehicle])
    case driverAdded(Driver)
    /// A driver's new link (shown once: only its hash is kept).
    case driverLinked(Driver, link: String)
    case driverUnlinked(DriverID)
    case drivers([Driver])
    case shiftAdded(Shift)
    case shifts([Shift])
    case booked(BookingResult)
    case trip(Trip)
    case trips([Trip], date: LocalDate?)
    case cancelled(CancelResult)
    case statusReported(StatusChange, report: DriverReport)
    case released(ReleaseResult)
    case assigned(TripID, vehicle: VehicleID, PlacementResult)
    case locked(TripID)
    case unlocked(TripID)
    case moved(MoveResult)
    case standingAdded(StandingOrder, MaterialiseReport)
    case standingOrders([StandingOrder], holds: [StandingHold])
    case standingHeld(StandingHold, cancelled: [Trip])
    case standingEnded(StandingOrder, cancelled: [Trip])
    case materialised(MaterialiseReport)
    case audit([AuditEvent])
    case planned(DayPlan, warnings: [Phrase])
    case runs([Run], date: LocalDate, warnings: [Phrase])
    case manifests([Manifest])
    case report([ReportRow], grouping: ReportGrouping?)
    case meetingReport(MeetingReport)
    case funderReport([FunderRow])
    case userAdded(User, token: String)
    case users([User])
    case userRevoked(String)
    case attention([AttentionItem], date: LocalDate)
    case dayClosed(DayCloseResult)
    case calls(CallList)
    case areas([AreaSettings])
    case areaPooled(AreaID, pool: String?)
}

extension CommandResult {
    /// Promises to patients that the command broke, each with its cause (empty for most).
    public var notices: [PromiseNotice] {
        switch self {
        case .booked(let result): result.notices
        case .cancelled(let result): result.replan?.notices ?? []
        case .statusReported(let change, _): change.notices
        case .released(let result): result.notices
        case .assigned(_, _, let result): result.notices
        case .moved(let result): result.notices
        case .patientEdited(let result): result.notices
        case .planned(let plan, _): plan.notices
        default: []
        }
    }

    /// The trips the result's notices, late appointments and unserved list name.
    var mentionedTrips: Set<TripID> {
        var trips = Set(notices.map(\.trip) + lateForAppointment.map(\.trip))
        switch self {
        case .planned(let day, _): trips.formUnion(day.unserved.map(\.trip))
        case .cancelled(let result): trips.formUnion(result.replan?.unserved.map(\.trip) ?? [])
        case .statusReported(let change, _): trips.formUnion(change.replan?.unserved.map(\.trip) ?? [])
        default: break
        }
        return trips
    }

    /// The result with only the notices, late appointments and unserved trips of the trips `keep`
    /// keeps: a re-plan of a pooled day, or of a driver's day, touches other people's patients.
    func keepingNotices(_ keep: (TripID) -> Bool) -> CommandResult {
        func plan(_ day: DayPlan) -> DayPlan {
            var day = day
            day.notices = day.notices.filter { keep($0.trip) }
            day.lateForAppointment = day.lateForAppointment.filter { keep($0.trip) }
            day.unserved = day.unserved.filter { keep($0.trip) }
            return day
        }
        switch self {
        case .booked(var result):
            result.notices = result.notices.filter { keep($0.trip) }
            return .booked(result)
        case .cancelled(var result):
            result.replan = result.replan.map(plan)
            return .cancelled(result)
        case .statusReported(var change, let report):
            change.notices = change.notices.filter { keep($0.trip) }
            change.replan = change.replan.map(plan)
            return .statusReported(change, report: report)
        case .released(var result):
            result.notices = result.notices.filter { keep($0.trip) }
            return .released(result)
        case .assigned(let trip, let vehicle, var result):
            result.notices = result.notices.filter { keep($0.trip) }
            return .assigned(trip, vehicle: vehicle, result)
        case .moved(var result):
            result.notices = result.notices.filter { keep($0.trip) }
            return .moved(result)
        case .patientEdited(var result):
            result.notices = result.notices.filter { keep($0.trip) }
            return .patientEdited(result)
        case .planned(let day, let warnings):
            return .planned(plan(day), warnings: warnings)
        default:
            return self
        }
    }

    /// Patients whose drop-off the command's re-plan put after their appointment.
    public var lateForAppointment: [AppointmentNotice] {
        switch self {
        case .planned(let plan, _): plan.lateForAppointment
        case .cancelled(let result): result.replan?.lateForAppointment ?? []
        case .statusReported(let change, _): change.replan?.lateForAppointment ?? []
        default: []
        }
    }

    /// Re-plans that failed after the command's change was stored (the change stands).
    public var replanFailures: [PhapaiError] {
        switch self {
        case .cancelled(let result): result.replanFailure.map { [$0] } ?? []
        case .statusReported(let change, _): change.replanFailure.map { [$0] } ?? []
        case .released(let result): result.replanFailure.map { [$0] } ?? []
        case .patientEdited(let result): result.replanFailures
        case .moved(let result): result.replanFailures
        default: []
        }
    }
}
