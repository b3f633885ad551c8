// swift-tools-version:6.0
import PackageDescription

// Phapai: patient transport dispatch and scheduling. No third-party packages: the toolchain and
// the system SQLite library are the only dependencies.
let package = Package(
    name: "phapai",
    products: [
        .executable(name: "phapai", targets: ["phapai"]),
        .executable(name: "phapai-bench", targets: ["phapai-bench"]),
        .executable(name: "phapaid", targets: ["phapaid"]),
        .executable(name: "phapai-sim", targets: ["phapai-sim"]),
        .library(name: "PhapaiCore", targets: ["PhapaiCore"]),
        .library(name: "PhapaiScheduler", targets: ["PhapaiScheduler"]),
        .library(name: "PhapaiProtocol", targets: ["PhapaiProtocol"]),
        .library(name: "PhapaiStore", targets: ["PhapaiStore"]),
        .library(name: "PhapaiService", targets: ["PhapaiService"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(name: "PhapaiCore"),
        .target(name: "PhapaiScheduler"),
        .target(name: "PhapaiProtocol"),
        .target(name: "PhapaiNet"),
        .target(name: "PhapaiStore", dependencies: ["CSQLite", "PhapaiCore"]),
        .target(name: "PhapaiService", dependencies: ["PhapaiCore", "PhapaiScheduler", "PhapaiStore"]),
        .target(name: "PhapaiApp", dependencies: ["PhapaiCore", "PhapaiService"]),
        .target(name: "PhapaiCLI", dependencies: ["PhapaiApp", "PhapaiCore", "PhapaiNet", "PhapaiProtocol", "PhapaiService"]),
        .target(name: "PhapaiServer", dependencies: ["PhapaiApp", "PhapaiCore", "PhapaiNet", "PhapaiProtocol", "PhapaiService"]),
        .target(name: "PhapaiBench", dependencies: ["PhapaiCore", "PhapaiScheduler", "PhapaiService"]),
        .target(name: "PhapaiSim", dependencies: ["PhapaiApp", "PhapaiCore", "PhapaiNet", "PhapaiProtocol", "PhapaiScheduler", "PhapaiServer", "PhapaiService"]),
        // What the test suites share: the sample world, a running server, a wire client.
        .target(name: "PhapaiTestSupport", dependencies: ["PhapaiApp", "PhapaiCore", "PhapaiNet", "PhapaiProtocol", "PhapaiServer", "PhapaiService"]),
        .executableTarget(name: "phapai", dependencies: ["PhapaiCLI"]),
        .executableTarget(name: "phapai-sim", dependencies: ["PhapaiSim"]),
        .executableTarget(name: "phapai-bench", dependencies: ["PhapaiBench"]),
        .executableTarget(name: "phapaid", dependencies: ["PhapaiServer"]),
        .testTarget(name: "PhapaiCoreTests", dependencies: ["PhapaiCore"]),
        .testTarget(name: "PhapaiSchedulerTests", dependencies: ["PhapaiScheduler"], exclude: ["Fixtures"]),
        .testTarget(name: "PhapaiProtocolTests", dependencies: ["PhapaiProtocol"]),
        .testTarget(name: "PhapaiNetTests", dependencies: ["PhapaiNet"]),
        .testTarget(name: "PhapaiServerTests", dependencies: ["PhapaiApp", "PhapaiServer", "PhapaiCLI", "PhapaiNet", "PhapaiProtocol", "PhapaiService", "PhapaiCore", "PhapaiTestSupport"]),
        .testTarget(name: "PhapaiSimTests", dependencies: ["PhapaiSim", "PhapaiServer", "PhapaiService", "PhapaiCore", "PhapaiProtocol", "PhapaiTestSupport"]),
        .testTarget(name: "PhapaiBenchTests", dependencies: ["PhapaiBench", "PhapaiScheduler"]),
        .testTarget(name: "PhapaiStoreTests", dependencies: ["PhapaiStore", "CSQLite"]),
        .testTarget(name: "PhapaiServiceTests", dependencies: ["PhapaiService", "PhapaiStore", "PhapaiTestSupport"]),
        .testTarget(name: "PhapaiAppTests", dependencies: ["PhapaiApp", "PhapaiCore", "PhapaiService", "PhapaiTestSupport"]),
        .testTarget(name: "PhapaiCLITests", dependencies: ["PhapaiApp", "PhapaiCLI", "PhapaiCore", "PhapaiProtocol", "PhapaiService", "PhapaiTestSupport", "phapai"]),
    ],
    swiftLanguageModes: [.v6]
)
