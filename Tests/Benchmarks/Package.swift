// swift-tools-version: 6.1
// Component benchmarks (package-benchmark): the hot pieces of tlstop, one at a time. A package of
// its own so that the main build and the tests never build the benchmark tooling.
//
//   cd Tests/Benchmarks && swift package --disable-sandbox benchmark
import PackageDescription

let package = Package(
    name: "TLSTopBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "tlstop", path: "../.."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "TLSTopBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TLSTopCore", package: "tlstop"),
                .product(name: "TLSTopUI", package: "tlstop"),
            ],
            path: "Benchmarks/TLSTopBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ],
    swiftLanguageModes: [.v6]
)
