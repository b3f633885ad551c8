import Foundation
import Testing
import PhapaiCore
import PhapaiProtocol
import PhapaiServer
import PhapaiService
import PhapaiTestSupport
@testable import PhapaiSim

@Suite("phapai-sim load")
struct LoadTests {
    @Test func aFixedRateSendsEveryDueRequestAndEveryBookingIsStored() throws {
        let local = try TestServer(logins: [.init("load", .admin), .init("reader", .planner)])
        var options = LoadOptions()
        options.port = local.port
        options.token = local.tokens["load"]!
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
        let trips = try local.world.service.trips()
        #expect(trips.count == 20)
        #expect(Set(trips.map(\.patient)).count == 7)
    }

    @Test func aFixedDepthMixKeepsItsShapeAndCountsRefusals() throws {
        let local = try TestServer(logins: [.init("load", .admin), .init("reader", .planner)])
        var options = LoadOptions()
        options.port = local.port
        options.token = local.tokens["load"]!
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
        let trips = try local.world.service.trips()
        #expect(trips.count == booked)
        #expect(trips.filter { $0.status == .cancelled }.count <= cancelled)
    }

    @Test func aTokenThatCannotBookStopsTheRunWithAReason() throws {
        let local = try TestServer(logins: [.init("load", .admin), .init("reader", .planner)])
        var options = LoadOptions()
        options.port = local.port
        options.token = "not-a-token"
        #expect(throws: LoadError.self) { try LoadTest(options: options).run(progress: { _ in }) }
        options.token = local.tokens["reader"]!
        let error = #expect(throws: LoadError.self) { try LoadTest(options: options).run(progress: { _ in }) }
        #expect(error?.description.contains("PATIENT ADD") == true)
    }

    @Test func aBookingsTripComesFromItsTripField() {
        func trip(_ reply: Reply) -> Int? { LoadConnection.Answer(operation: .book, due: 0, reply: reply).bookedTrip }
        #expect(trip(Reply(code: 200, keyword: "BOOKED", fields: [.init("trip", "35"), .init("return", "36")], data: ["Booked ..."])) == 35)
        #expect(trip(Reply(code: 200, keyword: "BOOKED", data: ["  trip 7 outbound"])) == nil)
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
