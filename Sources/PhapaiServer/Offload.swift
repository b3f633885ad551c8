import Foundation
import PhapaiApp
import PhapaiCore
import PhapaiProtocol

/// A request the loop hands to a worker, with what the loop needs to answer it when it is done.
struct Job: Sendable {
    /// The connection's descriptor, and its number: a descriptor is reused after a close, a number never.
    let descriptor: Int32
    let connection: Int
    let request: Request
    let command: Command
    let principal: Principal
    let logLine: String
    /// Monotonic seconds when the loop took the request.
    let started: Double
}

/// A worker's answer to a job.
struct JobOutcome: Sendable {
    let job: Job
    let reply: Reply
    /// Whether the worker committed a write (then the run's watchers are told).
    let wrote: Bool
}

/// A worker's own application on its own database connection, or why it could not be opened.
typealias WorkerContext = Result<Application, any Error>

/// The server's workers: plans, long reports and drivers' reports, off the loop.
typealias Workers = WorkerPool<Job, JobOutcome, WorkerContext>

extension Job {
    /// Runs the job on a worker. A worker whose database could not be opened answers every job
    /// with a storage error (the loop logged why when the worker started).
    static func perform(_ job: Job, on context: WorkerContext) -> JobOutcome {
        switch context {
        case .failure:
            let reply = Reply(code: 451, keyword: "STORAGE", text: "the server's worker could not open the database; try again", tag: job.request.tag)
            return JobOutcome(job: job, reply: reply, wrote: false)
        case .success(let application):
            let before = application.commitStatistics.commits
            let (reply, _) = CommandRunner.reply(job.request, command: job.command, principal: job.principal, application: application)
            return JobOutcome(job: job, reply: reply, wrote: application.commitStatistics.commits > before)
        }
    }
}

/// A user's allowance of drivers' reports: refilled evenly over a minute, in bursts of at most the
/// limit (a phone that was offline sends what it kept at once).
struct ReportAllowance {
    var tokens: Double
    var at: Double
}

extension EventLoop {
    /// Where a command of the shared language runs.
    enum Route {
        /// Here, in the round (quick commands, and everything when there are no workers).
        case loop
        /// Refused here, before any work (over a cap, over a rate).
        case refuse(Reply)
        /// On a worker: the request as it is to run, the key of the work it must not run beside,
        /// and its lane.
        case worker(Request, key: String?, lane: Workers.Lane)
    }

    /// Plans and long reads run on workers (they take seconds to minutes); a driver's report too,
    /// since a late one re-plans the rest of the day (8-230 ms) and its reply must name the
    /// promises that re-plan broke. A command the user's role may not give is refused on the loop.
    func route(_ request: Request, command: Command, principal: Principal) -> Route {
        guard application.grants(command, to: principal) else { return .loop }
        // The caps hold wherever the plan runs.
        var capped = request
        if command == .plan, let refusal = capPlan(&capped) { return .refuse(refusal) }
        guard workers != nil else { return .loop }
        switch command {
        case .plan:
            var request = request
            if let refusal = capPlan(&request) { return .refuse(refusal) }
            // Plans of one area one after the other; of different areas side by side.
            return .worker(request, key: "plan:" + planningUnit(planArea(request, principal)), lane: .long)
        case .report, .reportFunder, .audit:
            return .worker(request, key: nil, lane: .long)
        case .tripStatus:
            if let refusal = allowReport(principal, tag: request.tag) { return .refuse(refusal) }
            // With a rid its answer is kept with its write in one unit, which on a worker would be
            // a write transaction held through the re-plan's search and stall every other writer;
            // in the loop's round it is a savepoint of the round's commit, like any write there.
            if request["rid"] != nil { return .loop }
            // Reports of one area one after the other, so their re-plans do not overtake each
            // other; beside a plan of the area, whose write then finds the day changed and plans
            // it again (a driver does not wait for a plan of up to maxPlanSeconds).
            return .worker(request, key: "status:" + planningUnit(tripArea(request)), lane: .short)
        default:
            return .loop
        }
    }

    /// Refuses a plan budget over the server's caps (naming the field and the cap). A plan with
    /// an iteration budget and no time runs at most `maxPlanSeconds` (the application's own
    /// safety cap for it is 600 s).
    func capPlan(_ request: inout Request) -> Reply? {
        let seconds = configuration.maxPlanSeconds, iterations = configuration.maxPlanIterations
        if let text = request["time"], let asked = Double(text), asked > seconds {
            return Reply(
                code: 553, keyword: "OUT_OF_RANGE", fields: [.init("field", "time")],
                text: "this server plans for at most \(Self.number(seconds)) s a request (maxPlanSeconds)", tag: request.tag)
        }
        if let text = request["iterations"], let asked = Int(text), asked > iterations {
            return Reply(
                code: 553, keyword: "OUT_OF_RANGE", fields: [.init("field", "iterations")],
                text: "this server plans at most \(iterations) iterations a request (maxPlanIterations)", tag: request.tag)
        }
        if let text = request["threads"], let asked = Int(text), asked > configuration.searchThreads {
            return Reply(
                code: 553, keyword: "OUT_OF_RANGE", fields: [.init("field", "threads")],
                text: "this server plans on at most \(configuration.searchThreads) threads (planThreads)", tag: request.tag)
        }
        if request["time"] == nil && request["iterations"] != nil {
            request.arguments.append(.init("time", Self.number(seconds)))
        }
        return nil
    }

    /// The area a plan is for, as the application will resolve it: named, the dispatcher's only
    /// area, or the database's only area; `?` when none of these (the plan's reply says why).
    func planArea(_ request: Request, _ principal: Principal) -> String {
        if let named = request["area"] { return named }
        if let user = principal.user, user.role == .dispatcher, user.areas.count == 1 { return user.areas[0].rawValue }
        do {
            let areas = try application.service.areas()
            if areas.count == 1 { return areas[0].id.rawValue }
        } catch {
            // Unreadable here is unreadable on the worker: its reply says so.
        }
        return "?"
    }

    /// What plans as one with `area`: its pool (whose areas share one day's runs, so their plans
    /// must not race either), or the area itself.
    func planningUnit(_ area: String) -> String {
        do {
            if let pool = try application.service.areas().first(where: { $0.id.rawValue == area })?.pool { return "pool " + pool }
        } catch {
            // Unreadable here is unreadable on the worker: its reply says so.
        }
        return area
    }

    /// The area of the trip a report names; `?` for a trip that cannot be found (the worker's
    /// reply says why).
    func tripArea(_ request: Request) -> String {
        guard let text = request["id"], let number = Int64(text), number > 0 else { return "?" }
        do {
            return try application.service.trip(TripID(number)).area.rawValue
        } catch {
            return "?"
        }
    }

    /// Takes one report from the user's allowance, or refuses it (`450 RATE_LIMITED`, with when
    /// to try again) when a flood has used it up.
    func allowReport(_ principal: Principal, tag: String?) -> Reply? {
        let limit = Double(configuration.maxStatusReportsPerMinute)
        let now = shared.now()
        var allowance = reportAllowances[principal.actor] ?? ReportAllowance(tokens: limit, at: now)
        allowance.tokens = min(limit, allowance.tokens + max(0, now - allowance.at) * limit / 60)
        allowance.at = now
        defer { reportAllowances[principal.actor] = allowance }
        guard allowance.tokens >= 1 else {
            let wait = Int(((1 - allowance.tokens) * 60 / limit).rounded(.up))
            return Reply(
                code: 450, keyword: "RATE_LIMITED",
                text: "at most \(configuration.maxStatusReportsPerMinute) status reports a minute per user (maxStatusReportsPerMinute); try again in \(wait) s",
                tag: tag)
        }
        allowance.tokens -= 1
        return nil
    }

    /// Answers the jobs the workers finished: each reply goes to its connection (if still open),
    /// which then reads its next lines; watchers hear of what the jobs wrote.
    func deliverOutcomes() {
        guard let workers else { return }
        var wrote = false
        for outcome in workers.takeOutputs() {
            let job = outcome.job
            wrote = wrote || outcome.wrote
            shared.log(job.logLine + " code=\(outcome.reply.code) ms=" + Self.milliseconds(Server.monotonicSeconds() - job.started))
            // Closed meanwhile: what the job stored stays stored, its reply has nobody to go to.
            guard let connection = connections[job.descriptor], connection.number == job.connection else { continue }
            connection.atWorker = false
            // The client waited for this reply: its silence counts from now.
            connection.lastActivity = shared.now()
            send(outcome.reply, to: connection)
            flush(connection)
        }
        if wrote { pushChanges() }
    }

    /// A number of seconds as the wire writes it: whole when it is.
    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
