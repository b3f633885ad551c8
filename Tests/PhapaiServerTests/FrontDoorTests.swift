#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import Synchronization
import Testing
import PhapaiCore
import PhapaiNet
import PhapaiProtocol
@testable import PhapaiServer
import PhapaiTestSupport

@Suite("phapaid: the front door")
struct FrontDoorTests {
    @Test(arguments: ["0.0.0.0", "192.168.1.10"])
    func theServerListensBeyondLoopbackOnlyWhenTheConfigurationSaysSo(host: String) throws {
        do {
            _ = try TestServer(configure: { $0.host = host })
            Issue.record("\(host) was taken without allowNonLoopback")
        } catch let error as PhapaiError {
            #expect(error.keyword == "NOT_LOOPBACK" && error.field == "listen")
            #expect(error.message.hasPrefix("\(host) is not a loopback address (127.0.0.0/8)") && error.message.contains(#""allowNonLoopback": true"#))
        }
        for loopback in ["127.0.0.1", "127.1.2.3"] {
            var configuration = ServerConfiguration()
            configuration.host = loopback
            try configuration.checkListenAddress()
        }
        var named = ServerConfiguration()
        named.host = "localhost"
        #expect(throws: PhapaiError.invalid("listen", "INVALID_ADDRESS", "localhost is not an IPv4 address; use HOST:PORT, e.g. 127.0.0.1:7878")) {
            try named.checkListenAddress()
        }
    }

    @Test func allowNonLoopbackLetsItListenOnEveryAddress() throws {
        let running = try TestServer(configure: {
            $0.host = "0.0.0.0"
            $0.allowNonLoopback = true
        })
        let client = try running.connect()
        #expect(try client.reply().first?.hasPrefix("220 READY") == true)
    }

    @Test func theConfigurationFileIsCheckedFieldByField() throws {
        func read(_ json: String) throws -> ServerConfiguration { try Daemon.configuration(from: Data(json.utf8), file: "test.json").0 }
        do {
            _ = try read(#"{"listen": "0.0.0.0:7878"}"#)
            Issue.record("0.0.0.0 was taken without allowNonLoopback")
        } catch let error as PhapaiError {
            #expect(error.keyword == "NOT_LOOPBACK" && error.field == "listen")
        }
        let open = try read(#"{"listen": "0.0.0.0:7878", "allowNonLoopback": true}"#)
        #expect(open.host == "0.0.0.0" && open.allowNonLoopback)
        let defaults = try read("{}")
        #expect(!defaults.allowNonLoopback)
        for (json, field) in [
            (#"{"listen": "localhost:7878"}"#, "listen"), (#"{"allowNonLoopback": "yes"}"#, "test.json: allowNonLoopback"),
        ] {
            do {
                _ = try read(json)
                Issue.record("\(json) was taken")
            } catch let error as PhapaiError {
                #expect(error.field == field, "\(json): \(error)")
            }
        }
    }
}
