import Foundation
import Testing
import PhapaiApp
import PhapaiCore
import PhapaiService
import PhapaiTestSupport

/// The answers kept for request ids: in one unit with the write, per actor, for a bounded time.
@Suite("The application: writes with a request id")
struct RequestIDTests {
    static let desk = Principal.local(actor: "test:desk")

    /// Runs `command` as the command line does, its answer being its text lines.
    static func run(_ application: Application, _ command: Command, _ values: [String: String], as principal: Principal = desk) throws -> Replied {
        try application.run(command, Arguments(values), as: principal, face: .commandLine) { response in
            var renderer = try Renderer(application: application, era: response.era, language: response.language)
            return RenderedReply(lines: try renderer.render(response))
        }
    }

    @Test func aKeptAnswerIsForgottenAfterSevenDaysAndPrunedByTheNextOne() throws {
        let world = try SampleWorld()
        let application = Application(service: world.service)
        let edit = ["id": "P004", "phone": "081-555-0104", "rid": "e-1", "lang": "en"]
        #expect(try Self.run(application, .patientEdit, edit).replayed == false)
        world.now = Instant(rawValue: world.now.rawValue + 7 * 86_400 - 60)
        #expect(try Self.run(application, .patientEdit, edit).replayed == true)
        // A week later the rid is forgotten: the request runs as new, and the old answer makes way.
        world.now = Instant(rawValue: world.now.rawValue + 120)
        let renewed = world.now
        let again = try Self.run(application, .patientEdit, edit)
        // Run again, it finds the phone already changed.
        #expect(again.replayed == false && again.reply.lines == ["Patient P004 updated: nothing changed"], "\(again.reply.lines)")
        #expect(try Self.run(application, .patientEdit, ["id": "P004", "phone": "081-555-0105", "rid": "e-2"]).replayed == false)
        // The next answer kept deletes those past the week: with the clock put back they are not found.
        world.now = Instant(rawValue: renewed.rawValue + 7 * 86_400 + 1)
        #expect(try Self.run(application, .patientEdit, ["id": "P004", "phone": "081-555-0106", "rid": "e-3"]).replayed == false)
        #expect(try world.service.requestRecord(actor: "test:desk", rid: "e-3") != nil)
        world.now = renewed
        #expect(try world.service.requestRecord(actor: "test:desk", rid: "e-1") == nil)
        #expect(try world.service.requestRecord(actor: "test:desk", rid: "e-2") == nil)
    }

    @Test func aFailedRenderingKeepsNeitherTheWriteNorTheAnswer() throws {
        let world = try SampleWorld()
        let application = Application(service: world.service)
        struct Broken: Error {}
        #expect(throws: Broken.self) {
            try application.run(.patientEdit, Arguments(["id": "P004", "phone": "081-555-0104", "rid": "e-1"]), as: Self.desk, face: .commandLine) { _ in
                throw Broken()
            }
        }
        #expect(try world.service.patient(PatientID(unchecked: "P004")).phone != "081-555-0104")
        #expect(try world.service.requestRecord(actor: "test:desk", rid: "e-1") == nil)
        #expect(try Self.run(application, .patientEdit, ["id": "P004", "phone": "081-555-0104", "rid": "e-1"]).replayed == false)
    }

    @Test func theFaceIsPartOfTheRequest() throws {
        let world = try SampleWorld()
        let application = Application(service: world.service)
        let edit = Arguments(["id": "P004", "phone": "081-555-0104", "rid": "e-1"])
        _ = try application.run(.patientEdit, edit, as: Self.desk, face: .commandLine) { _ in RenderedReply(lines: ["text"]) }
        #expect(throws: PhapaiError.conflict("rid", "RID_REUSED", "rid e-1 was given before with another command or other arguments; use a new rid for a new request")) {
            try application.run(.patientEdit, edit, as: Self.desk, face: .wire) { _ in RenderedReply(keyword: "UPDATED", lines: []) }
        }
    }
}
