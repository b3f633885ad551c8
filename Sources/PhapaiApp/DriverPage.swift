import Foundation
import PhapaiCore
import PhapaiService

/// The paths of the driver web face: a driver's link opens `/d/SECRET`; the page's buttons post
/// to `/d/SECRET/status`.
public enum DriverLinkPath {
    /// The page a link opens.
    public static func page(_ secret: DriverLinkSecret) -> String { "/d/\(secret.rawValue)" }
    /// Where the page's buttons post.
    public static func status(_ secret: DriverLinkSecret) -> String { "/d/\(secret.rawValue)/status" }
}

/// What the driver web face answers a request (the HTTP server writes it out).
public enum DriverFaceAnswer: Sendable, Equatable {
    /// A page to show (200), for the driver of `driver`.
    case page(String, driver: DriverID)
    /// A report was stored (or was stored before under its rid): show the page with its reply (303).
    case redirect(String, driver: DriverID)
    /// No such link, a revoked one, or a wrong one: all answered alike.
    case notFound
}

/// The driver web face, over the application: a driver's link opens their runs of the day as
/// the phone page of the manifest, with a button per report a stop can take next. A button
/// posts the same command as `phapai trip status` (same rules, audit and re-planning) with a
/// request id of its own, so a double tap or a re-sent form is stored once; the page then shows
/// the reply. No script: one small page per request, changes shown on reload.
public struct DriverFace {
    /// The application the face runs commands on (its own connection to the database).
    public let application: Application

    /// The face over `application`.
    public init(application: Application) { self.application = application }

    /// Who acts for a driver's link: a driver's login that is not a user (`link:D01` in the audit log).
    static func principal(_ driver: Driver) -> Principal {
        let user = User(name: "link:\(driver.id)", role: .driver, areas: [driver.area], driver: driver.id, createdAt: Instant(rawValue: 0), revokedAt: nil)
        return Principal(actor: "link:\(driver.id)", user: user)
    }

    /// The link's secret and its driver, when the link opens anything.
    private func linked(_ text: String) throws -> (DriverLinkSecret, Driver)? {
        guard let secret = DriverLinkSecret(text), let driver = try application.service.driver(linkSecret: secret) else { return nil }
        return (secret, driver)
    }

    /// `GET /d/SECRET[?r=RID]`: the driver's runs of today; with `r`, the reply kept for that report.
    public func page(secret: String, shownReply rid: String?) throws -> DriverFaceAnswer {
        guard let (secret, driver) = try linked(secret) else { return .notFound }
        let principal = Self.principal(driver)
        // The area once: its language words the page, its offset tells the day and the time.
        let area = try application.service.area(driver.area)
        var banner: [String] = []
        if let rid, let record = try application.service.requestRecord(actor: principal.actor, rid: rid) {
            do {
                banner = try JSONDecoder().decode(RenderedReply.self, from: Data(record.reply.utf8)).lines
            } catch {
                let words = Words(area.language)
                banner = [words("driverpage.unreadable") + " (CORRUPT_ROW)"]
            }
        }
        return .page(try render(driver, area: area, secret: secret, principal: principal, banner: banner, failed: false), driver: driver.id)
    }


    /// `POST /d/SECRET/status` with the form's fields `trip`, `report` and `rid`: the report as
    /// `trip status` stores it. Refused reports show the page with the reason; nothing is stored.
    /// `overRate` is asked once the link's driver is known: the reports a minute the driver has
    /// spent, if they have (then nothing is done), or nil.
    public func report(secret: String, form: [String: String], overRate: (DriverID) -> Int? = { _ in nil }) throws -> DriverFaceAnswer {
        guard let (secret, driver) = try linked(secret) else { return .notFound }
        let principal = Self.principal(driver)
        let area = try application.service.area(driver.area)
        let words = Words(area.language)
        do {
            if let rate = overRate(driver.id) {
                let banner = [words("driverpage.rate_limited", ["count": rate])]
                return .page(try render(driver, area: area, secret: secret, principal: principal, banner: banner, failed: true), driver: driver.id)
            }
            guard let trip = form["trip"], let report = form["report"], let rid = form["rid"] else {
                throw PhapaiError.usage("the form needs trip, report and rid", field: form["trip"] == nil ? "trip" : form["report"] == nil ? "report" : "rid")
            }
            let arguments = Arguments(["id": trip, "action": report, "rid": rid])
            _ = try application.run(.tripStatus, arguments, as: principal, face: .driverWeb) { response in
                var renderer = try Renderer(application: application, era: .usual(for: words.language), language: words.language)
                return RenderedReply(lines: try renderer.render(response))
            }
            return .redirect(DriverLinkPath.page(secret) + "?r=" + rid, driver: driver.id)
        } catch let error as PhapaiError {
            // A second tap from an older page: what it asked is already so.
            if error.keyword == "INVALID_TRANSITION", let trip = form["trip"].flatMap(Int64.init).map(TripID.init),
                let report = form["report"].flatMap(DriverReport.init(rawValue:)), let current = try application.service.findTrip(trip),
                Self.alreadyRecorded(report, current.status)
            {
                let banner = [words("driverpage.already", ["trip": trip, "status": words.status(current.status)])]
                return .page(try render(driver, area: area, secret: secret, principal: principal, banner: banner, failed: false), driver: driver.id)
            }
            // The rule in the page's language, what exactly was wrong when the error says it in
            // that language (its years in the page's era), and the keyword for the office.
            let reason = words.optional("error." + error.keyword) ?? error.message
            let format = LocalFormat(offset: area.offset, era: .usual(for: words.language), language: words.language)
            let detail = error.phrase != nil || words.language == .en ? [format.text(words.detail(of: error))] : []
            let lines = [words("driverpage.refused", ["reason": reason])] + detail + [error.keyword]
            return .page(try render(driver, area: area, secret: secret, principal: principal, banner: lines, failed: true), driver: driver.id)
        }
    }

    /// Whether a trip in `status` already shows what `report` would record.
    static func alreadyRecorded(_ report: DriverReport, _ status: TripStatus) -> Bool {
        switch report {
        case .arrive: [.enRoute, .pickedUp, .droppedOff].contains(status)
        case .pickup: [.pickedUp, .droppedOff].contains(status)
        case .dropoff: status == .droppedOff
        case .noshow: status == .noShow
        case .undo: false
        }
    }

    private func render(_ driver: Driver, area: AreaSettings, secret: DriverLinkSecret, principal: Principal, banner: [String], failed: Bool) throws -> String {
        let words = Words(area.language)
        let era = Era.usual(for: area.language)
        let today = area.offset.date(of: application.service.clock())
        var manifests: [Manifest] = []
        if case .runs(let runs, _, _) = try application.run(.runs, Arguments(["date": today.iso]), as: principal).result {
            for vehicle in runs.map(\.vehicle).uniqued() {
                if case .manifests(let own) = try application.run(.runShow, Arguments(["date": today.iso, "vehicle": vehicle.rawValue]), as: principal).result {
                    manifests += own
                }
            }
        }
        // Each button its own request id: a double tap of one is stored once, another button is another report.
        let nonce = (0..<8).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
        let action = DriverLinkPath.status(secret)
        func button(_ stop: ManifestStop, _ report: DriverReport, _ label: String, main: Bool = false, undo: Bool = false) -> String {
            """
            <form class="act\(undo ? " undo" : "")" method="post" action="\(action)"><input type="hidden" name="trip" value="\(stop.trip)">\
            <input type="hidden" name="rid" value="w\(nonce)-\(stop.trip)-\(report.rawValue)">\
            <button type="submit" name="report" value="\(report.rawValue)"\(main ? " class=\"main\"" : "")>\(label)</button></form>
            """
        }
        // Buttons only where the driver is: the next stop and the others at the same place (two
        // patients at one hospital), so a tap on a card further down cannot report a stop hours
        // early. Undo only on the last stop reported.
        var here: Set<String> = []
        var lastReported: Set<String> = []
        for manifest in manifests {
            let key = { (stop: ManifestStop) in "\(manifest.run.shift)/\(stop.sequence)" }
            if let next = manifest.stops.first(where: { !$0.isDone }) {
                for stop in manifest.stops where !stop.isDone && stop.place.id == next.place.id { here.insert(key(stop)) }
            }
            if let last = manifest.stops.last(where: { $0.isDone && [.pickedUp, .droppedOff, .noShow].contains($0.status) }) {
                lastReported.insert(key(last))
            }
        }
        func controls(_ manifest: Manifest, _ stop: ManifestStop) -> String {
            let key = "\(manifest.run.shift)/\(stop.sequence)"
            var buttons = ""
            if here.contains(key) {
                switch (stop.action, stop.status) {
                case (.pickup, .scheduled) where !stop.awaitingRelease:
                    buttons = button(stop, .arrive, words("driverpage.arrive"), main: true) + button(stop, .pickup, words("driverpage.pickup"))
                case (.pickup, .enRoute):
                    buttons = button(stop, .pickup, words("driverpage.pickup"), main: true) + button(stop, .noshow, words("driverpage.noshow"))
                        + button(stop, .undo, words("driverpage.undo_last"), undo: true)
                case (.dropoff, .pickedUp):
                    buttons = button(stop, .dropoff, words("driverpage.dropoff"), main: true)
                default:
                    break
                }
            } else if lastReported.contains(key) {
                buttons = button(stop, .undo, words("driverpage.undo_last"), undo: true)
            }
            return buttons.isEmpty ? "" : "<div class=\"acts\">\(buttons)</div>"
        }
        var top = "<p class=\"reload\"><a href=\"\(DriverLinkPath.page(secret))\">\(words("driverpage.reload"))</a> \(words("driverpage.reload_why"))</p>\n"
        if !banner.isEmpty {
            top = "<div class=\"banner\(failed ? " error" : "")\">" + banner.map { "<p>\(ManifestFormat.escape($0))</p>" }.joined() + "</div>\n" + top
        }
        if manifests.isEmpty {
            top += "<h1>\(ManifestFormat.escape(driver.name))</h1><p>\(ManifestFormat.escape(words("driverpage.no_run", ["date": today.format(era: era)])))</p>\n"
        } else if manifests.allSatisfy({ $0.stops.allSatisfy(\.isDone) }) {
            top += "<p class=\"banner\">\(ManifestFormat.escape(words("driverpage.all_done")))</p>\n"
        } else {
            top += "<p class=\"reload\"><a href=\"#next\">\(words("driverpage.to_next"))</a></p>\n"
        }
        // Locks are the office's business: the driver's page does not show them.
        return ManifestFormat.html(manifests, offset: area.offset, era: era, words: words, banner: top, showLocks: false, controls: controls)
    }
}

extension Sequence where Element: Hashable {
    /// The elements in order, each once.
    fileprivate func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
