import Foundation
import Testing
import PhapaiCore
import PhapaiProtocol
import PhapaiServer
import PhapaiService
@testable import PhapaiSim

/// phapaid in this process on 127.0.0.1 port 0, over a fresh database with the sample area.
final class LocalServer {
    let folder = NSTemporaryDirectory() + "phapai-sim-" + UUID().uuidString
    let service: PhapaiService
    let server: Server
    let port: UInt16
    let adminToken: String
    let plannerToken: String

    init() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        service = try PhapaiService.open(path: folder + "/phapai.db", create: true, actor: "test")
        let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("config")
        let policies = try ConfigDecoding.decode(Policies.self, from: Data(contentsOf: config.appendingPathComponent("policies.json")), file: "p")
        _ = try service.importArea(try AreaFile.decode(
            Data(contentsOf: config.appendingPathComponent("areas/sample-tambon.json")), file: "a").build(defaults: policies))
        adminToken = try service.addUser(name: "load", role: .admin).token
        plannerToken = try service.addUser(name: "reader", role: .planner).token
        var configuration = ServerConfiguration()
        configuration.port = 0
        server = Server(configuration: configuration, service: service)
        port = try server.start()
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(atPath: folder)
    }
}

@Suite("phapai-sim load")
struct LoadTests {
    @Test func aFixedRateSendsEveryDueRequestAndEveryBookingIsStored() throws {
        let local = try LocalServer()
        var options = LoadOptions()
        options.port = local.port
        options.token = local.adminToken
        options.clients = 2
        options.rate = 50
        options.duration = 0.4
        options.patients = 7
        options.mix = [.book: 1]
        let result = try LoadTest(options: options).run(progress: { _ in })
        // Client i's k-th request is due at (k + i/2) * 40 ms: ten each before 0.4 s.
        let book = try #require(result.figures.first)
        #expect(book.operation == "book" && book.sent == 20 && book.succeeded == 20 && book.failed == 0 && book.refused == 0)
        #expect(book.latencies.count == 20)
        // Admin tokens see STATS: the server counted the 20 bookings and the 7 patients as writes.
        #expect(result.serverStats["writes"] == "27")
        local.server.stop()
        let trips = try local.service.store.trips()
        #expect(trips.count == 20)
        #expect(Set(trips.map(\.patient)).count == 7)
    }

    @Test func aFixedDepthMixKeepsItsShapeAndCountsRefusals() throws {
        let local = try LocalServer()
        var options = LoadOptions()
        options.port = local.port
        options.token = local.adminToken
        options.clients = 3
        options.depth = 4
        options.duration = 0.3
        options.patients = 5
        options.mix = [.book: 2, .show: 1, .list: 1, .cancel: 1, .ping: 1]
        let result = try LoadTest(options: options).run(progress: { _ in })
        #expect(result.figures.map(\.operation) == ["book", "cancel", "list", "ping", "show"])
        for figure in result.figures {
            #expect(figure.failed == 0, "\(figure.operation) failed \(figure.failed) times")
            #expect(figure.succeeded + figure.refused == figure.sent)
            #expect(figure.latencies.count == figure.sent)
        }
        let booked = result.figures[0].succeeded
        let cancelled = result.figures[1].succeeded
        local.server.stop()
        let trips = try local.service.store.trips()
        #expect(trips.count == booked)
        #expect(trips.filter { $0.status == .cancelled }.count <= cancelled)
    }

    @Test func aTokenThatCannotBookStopsTheRunWithAReason() throws {
        let local = try LocalServer()
        var options = LoadOptions()
        options.port = local.port
        options.token = "not-a-token"
        #expect(throws: LoadError.self) { try LoadTest(options: options).run(progress: { _ in }) }
        options.token = local.plannerToken
        let error = #expect(throws: LoadError.self) { try LoadTest(options: options).run(progress: { _ in }) }
        #expect(error?.description.contains("PATIENT ADD") == true)
    }

    @Test func aBookingsTripComesFromItsTripFieldBeforeItsText() {
        func trip(_ reply: Reply) -> Int? { LoadConnection.Answer(operation: .book, due: 0, reply: reply).bookedTrip }
        let text = ["Booked for P004 นางสาวบุญส่ง อินทร์ทอง on 2026-11-23:", "  trip 7 outbound: pickup 08:10-08:25"]
        #expect(trip(Reply(code: 200, keyword: "BOOKED", fields: [.init("trip", "35"), .init("return", "36")], data: text)) == 35)
        #expect(trip(Reply(code: 200, keyword: "DONE", fields: [.init("exit", "0")], data: text)) == 7)
        #expect(trip(Reply(code: 200, keyword: "DONE", fields: [.init("exit", "0")])) == nil)
    }

    @Test func percentilesAreNearestRank() {
        var figure = LoadFigures(operation: "x")
        figure.latencies = (1...100).map(Double.init).reversed()
        #expect(figure.percentile(0.5) == 50)
        #expect(figure.percentile(0.99) == 99)
        #expect(figure.percentile(0.999) == 100)
        #expect(figure.percentile(1) == 100)
    }
}
