// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "anvil",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "anvil", targets: ["anvil"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
    ],
    targets: [
        // C shims: the system SQLite and zlib, and zstd loaded at run time.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "CAnvil", path: "Sources/CAnvil", linkerSettings: [.linkedLibrary("dl")]),

        .target(name: "AnvilCore", swiftSettings: strict),
        .target(
            name: "AnvilStorage",
            dependencies: ["AnvilCore"],
            swiftSettings: strict
        ),
        .target(
            name: "AnvilSQLite",
            dependencies: [
                "AnvilCore", "AnvilStorage", "CSQLite", "CZlib", "CAnvil",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AnvilIngest",
            dependencies: [
                "AnvilCore", "AnvilStorage", "CZlib", "CAnvil",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // OpenTelemetry (OTLP) decoding into run updates, and the OTLP/gRPC service.
        .target(
            name: "AnvilOTel",
            dependencies: [
                "AnvilCore", "AnvilStorage", "AnvilIngest", "AnvilAuth",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AnvilAuth",
            dependencies: [
                "AnvilCore", "AnvilStorage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // The web UI (plain ES modules + CSS) as resources.
        .target(
            name: "AnvilWeb",
            path: "Web",
            exclude: ["README.md"],
            sources: ["AnvilWeb.swift"],
            resources: [.copy("ui")]
        ),
        .target(
            name: "AnvilHTTP",
            dependencies: [
                "AnvilCore", "AnvilStorage", "AnvilIngest", "AnvilAuth", "AnvilOTel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AnvilServer",
            dependencies: [
                "AnvilCore", "AnvilStorage", "AnvilSQLite", "AnvilIngest", "AnvilAuth", "AnvilHTTP", "AnvilWeb", "AnvilOTel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "anvil",
            dependencies: [
                "AnvilServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AnvilTesting",
            dependencies: ["AnvilCore", "AnvilStorage"],
            path: "Tests/AnvilTesting",
            swiftSettings: strict
        ),
        .testTarget(name: "AnvilCoreTests", dependencies: ["AnvilCore"], swiftSettings: strict),
        .testTarget(
            name: "AnvilStorageTests",
            dependencies: ["AnvilCore", "AnvilStorage", "AnvilSQLite", "AnvilTesting", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AnvilIngestTests",
            dependencies: ["AnvilCore", "AnvilStorage", "AnvilIngest", "AnvilTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AnvilOTelTests",
            dependencies: ["AnvilOTel", "AnvilCore", "AnvilStorage", "AnvilIngest", "AnvilAuth", "AnvilTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AnvilHTTPTests",
            dependencies: [
                "AnvilServer", "AnvilHTTP", "AnvilCore", "AnvilStorage", "AnvilIngest", "AnvilAuth", "AnvilOTel", "AnvilTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
    ]
)
