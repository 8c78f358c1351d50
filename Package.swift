// swift-tools-version: 6.2
import Foundation
import PackageDescription

// The per-packet path updates a dozen counters on the tracker and the connection; in release
// builds the runtime exclusivity check of each access cost 15% of the read loop. Debug builds (the
// tests) keep the checks, and so do fuzzing builds: Tests/Fuzz/fuzz.sh sets TLSTOP_CHECKED=1.
let releaseSettings: [SwiftSetting] =
    ProcessInfo.processInfo.environment["TLSTOP_CHECKED"] == nil
    ? [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))] : []

// Every target of ours builds with warnings as errors, here and in CI alike (remote packages
// keep their own settings): a deprecation or an unused result is fixed when it appears.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "tlstop",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tlstop", targets: ["tlstop"]),
        .library(name: "TLSTopCore", targets: ["TLSTopCore"]),
        .library(name: "TLSTopUI", targets: ["TLSTopUI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        // The Prometheus text exposition format, and a small HTTP server (no SwiftNIO) to serve it.
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swhitty/FlyingFox.git", from: "0.27.1"),
    ],
    targets: [
        // System-library shims: static inline wrappers for what Swift cannot import (macros, globals).
        .systemLibrary(name: "CPcap", path: "Sources/CPcap"),
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses"),
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

        // Pure Swift: decode → streams → handshake → snapshot. No C dependency.
        .target(
            name: "TLSTopCore",
            dependencies: [
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
                // QUIC Initial packets: HKDF, AES-128-GCM and the AES block function for header protection.
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: releaseSettings + strict
        ),
        // Pure Swift dashboard: renders a snapshot into an in-memory screen; keys change the view.
        .target(name: "TLSTopUI", dependencies: ["TLSTopCore"], swiftSettings: strict),
        // ncurses adapter: draws a TLSTopUI screen on the terminal and reads keys.
        .target(name: "TLSTopTerminal", dependencies: ["CNcurses", "TLSTopUI"], swiftSettings: strict),
        // Feeds for other systems: the NDJSON event stream (file or stdout, reopened on SIGHUP) and
        // the Prometheus /metrics endpoint.
        .target(
            name: "TLSTopExport",
            dependencies: [
                "TLSTopCore", "CLinux",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "FlyingFox", package: "FlyingFox"),
            ],
            swiftSettings: strict
        ),
        // libpcap adapter: reads files and interfaces, hands raw frames to the core; Linux privileges
        // and /proc: which local process owns a connection.
        // Capture files are read by the core; gzip-compressed ones through zlib.
        .target(
            name: "TLSTopCapture", dependencies: ["CPcap", "CLinux", "CZlib", "TLSTopCore"], swiftSettings: strict),
        .executableTarget(
            name: "tlstop",
            dependencies: [
                "TLSTopCore", "TLSTopCapture", "TLSTopUI", "TLSTopTerminal", "TLSTopExport", "CLinux",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Helpers shared by the test targets: a seeded random generator, the fixtures and a pcap reader.
        .target(name: "TestSupport", dependencies: ["TLSTopCore"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "TLSTopCoreTests", dependencies: ["TLSTopCore", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "TLSTopCaptureTests", dependencies: ["TLSTopCapture", "TLSTopCore", "TestSupport"],
            swiftSettings: strict),
        .testTarget(name: "TLSTopUITests", dependencies: ["TLSTopUI", "TLSTopCore"], swiftSettings: strict),
        .testTarget(
            name: "TLSTopExportTests", dependencies: ["TLSTopExport", "TLSTopCore", "TestSupport"],
            swiftSettings: strict),
        // Runs the built `tlstop` binary; depending on the target makes `swift build --build-tests` build it.
        .testTarget(name: "tlstopTests", dependencies: ["tlstop", "TestSupport"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
