// swift-tools-version: 6.0
// libFuzzer targets for the parsers that read untrusted bytes. Built apart from the main package
// because `--sanitize=fuzzer` links libFuzzer's own `main`: see Tests/Fuzz/README.md.
import PackageDescription

let package = Package(
    name: "tlstop-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "tlstop", path: "../.."),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "TLSTopCore", package: "tlstop")]),
        .executableTarget(name: "FuzzPipeline", dependencies: ["FuzzSupport"]),
        .executableTarget(name: "FuzzHandshake", dependencies: ["FuzzSupport"]),
        .executableTarget(name: "FuzzCaptureFile", dependencies: ["FuzzSupport"]),
        .executableTarget(name: "FuzzKeyLog", dependencies: ["FuzzSupport"]),
        .executableTarget(name: "FuzzDecryptedHandshake", dependencies: ["FuzzSupport"]),
        .executableTarget(name: "FuzzCertificate", dependencies: ["FuzzSupport"]),
        .executableTarget(
            name: "FuzzQUIC",
            dependencies: [
                "FuzzSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]),
        .executableTarget(
            name: "FuzzConfig", dependencies: ["FuzzSupport", .product(name: "TLSTopUI", package: "tlstop")]),
    ],
    swiftLanguageModes: [.v6]
)
