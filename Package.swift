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
        .target(name: "PhapaiCLI", dependencies: ["PhapaiCore", "PhapaiNet", "PhapaiProtocol", "PhapaiStore", "PhapaiService"]),
        .target(name: "PhapaiServer", dependencies: ["PhapaiCLI", "PhapaiCore", "PhapaiNet", "PhapaiProtocol", "PhapaiService", "PhapaiStore"]),
        .target(name: "PhapaiBench", dependencies: ["PhapaiCore", "PhapaiScheduler", "PhapaiService", "PhapaiStore"]),
        .target(name: "PhapaiSim", dependencies: ["PhapaiCore", "PhapaiNet", "PhapaiProtocol", "PhapaiScheduler", "PhapaiService", "PhapaiStore"]),
        .executableTarget(name: "phapai", dependencies: ["PhapaiCLI"]),
        .executableTarget(name: "phapai-sim", dependencies: ["PhapaiSim"]),
        .executableTarget(name: "phapai-bench", dependencies: ["PhapaiBench"]),
        .executableTarget(name: "phapaid", dependencies: ["PhapaiServer"]),
        .testTarget(name: "PhapaiCoreTests", dependencies: ["PhapaiCore"]),
        .testTarget(name: "PhapaiSchedulerTests", dependencies: ["PhapaiScheduler"], exclude: ["Fixtures"]),
        .testTarget(name: "PhapaiProtocolTests", dependencies: ["PhapaiProtocol"]),
        .testTarget(name: "PhapaiNetTests", dependencies: ["PhapaiNet"]),
        .testTarget(name: "PhapaiServerTests", dependencies: ["PhapaiServer", "PhapaiCLI", "PhapaiNet", "PhapaiProtocol", "PhapaiService", "PhapaiStore", "PhapaiCore"]),
        .testTarget(name: "PhapaiSimTests", dependencies: ["PhapaiSim", "PhapaiServer", "PhapaiService", "PhapaiCore", "PhapaiProtocol"]),
        .testTarget(name: "PhapaiBenchTests", dependencies: ["PhapaiBench", "PhapaiScheduler"]),
        .testTarget(name: "PhapaiStoreTests", dependencies: ["PhapaiStore", "CSQLite"]),
        .testTarget(name: "PhapaiServiceTests", dependencies: ["PhapaiService"]),
        .testTarget(name: "PhapaiCLITests", dependencies: ["PhapaiCLI", "PhapaiCore", "PhapaiProtocol", "PhapaiService", "PhapaiStore", "phapai"]),
    ],
    swiftLanguageModes: [.v6]
)
