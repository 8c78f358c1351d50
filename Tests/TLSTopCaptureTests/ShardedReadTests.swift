import Foundation
import TestSupport
import Testing

@testable import TLSTopCapture
@testable import TLSTopCore

/// A file read by several shards (`--threads`) gives the snapshot one analysis gives: same ids,
/// connections, host rows, totals and counters, byte for byte in the export.
@Suite struct ShardedReadTests {
    static func configuration(retentionCap: Int?) -> TrafficAnalysis.Configuration {
        var configuration = TrafficAnalysis.Configuration()
        if let retentionCap { configuration.aggregation.maximumRetainedConnections = retentionCap }
        return configuration
    }

    /// The export of `name` read by `shards` analyses (1: the plain read), with the analyses used.
    static func read(
        _ name: String, shards: Int, retentionCap: Int? = nil, filter: String? = nil
    ) throws -> (json: String, analyses: [TrafficAnalysis]) {
        let reader = try PcapFileReader(path: Fixtures.pcap(name).path, filter: filter)
        let source = Snapshot.Source(kind: "file", name: name)
        let configuration = configuration(retentionCap: retentionCap)
        let analyses = (0..<shards).map { _ in TrafficAnalysis(configuration: configuration) }
        let snapshot: Snapshot
        if shards == 1 {
            try reader.read(into: analyses[0].tracker)
            analyses[0].finish()
            snapshot = analyses[0].snapshot(source: source, generatedAt: .zero, isFinal: true)
        } else {
            let outcome = reader.read(into: analyses)
            #expect(outcome.error == nil)
            snapshot = outcome.parts.snapshot(source: source, generatedAt: .zero, policies: [.intermediate])
        }
        return (snapshot.json(), analyses)
    }

    static var readableCaptures: [String] {
        Fixtures.allCaptureNames.filter { name in
            (try? PcapFileReader(path: Fixtures.pcap(name).path))?.canBeReadAgain == true
        }
    }

    @Test(arguments: readableCaptures)
    func everyCaptureGivesTheSameSnapshotOnTwoAndThreeShards(name: String) throws {
        let single = try Self.read(name, shards: 1).json
        #expect(try Self.read(name, shards: 2).json == single, "\(name): 2 shards differ from 1")
        #expect(try Self.read(name, shards: 3).json == single, "\(name): 3 shards differ from 1")
    }

    @Test func theFlowsOfACaptureWithManyAddressPairsAreSpreadOverEveryShard() throws {
        // Without this the comparisons above could pass with every packet in shard 0.
        let (_, analyses) = try Self.read("demo.pcap", shards: 3)
        let packets = analyses.map(\.tracker.statistics.packets)
        #expect(packets.allSatisfy { $0 > 0 }, "packets per shard: \(packets)")
        let connections = analyses.map(\.tracker.statistics.connections)
        #expect(connections.allSatisfy { $0 > 0 }, "connections per shard: \(connections)")
    }

    @Test func theShardsFoldTheSameFinishedConnectionsPastTheCapAsOneAnalysis() throws {
        let single = try Self.read("demo.pcap", shards: 1, retentionCap: 4)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(single.json.utf8)) as? [String: Any])
        let stats = try #require(object["stats"] as? [String: Any])
        // The cap bites: some connections are only counted (else this test proves nothing).
        #expect((stats["folded_connections"] as? Int ?? 0) > 0)
        #expect(try Self.read("demo.pcap", shards: 2, retentionCap: 4).json == single.json)
        #expect(try Self.read("demo.pcap", shards: 3, retentionCap: 4).json == single.json)
    }

    @Test func aFilteredReadNumbersFramesAsTheFileDoes() throws {
        let single = try Self.read("demo.pcap", shards: 1, filter: "tcp port 443").json
        #expect(single.contains("\"id\":"))
        #expect(try Self.read("demo.pcap", shards: 2, filter: "tcp port 443").json == single)
    }

    @Test func aCompressedFileIsReadOnce() throws {
        let reader = try PcapFileReader(path: Fixtures.pcap("rw-tls13-x25519.pcap.gz").path)
        #expect(!reader.canBeReadAgain)
        #expect(try PcapFileReader(path: Fixtures.pcap("demo.pcap").path).canBeReadAgain)
    }

    @Test func theShardOfAFlowDoesNotDependOnItsDirection() {
        let chooser = ShardChooser(shards: 3)
        var seen = Set<Int>()
        // Both ends vary alike (192.0.2.N to 198.51.100.N), as in a lab or a replay.
        for host in 1...64 {
            let client = IPAddress(ipv4: 0xC000_0200 | UInt32(host))
            let server = IPAddress(ipv4: 0xC633_6400 | UInt32(host))
            let out = chooser.shard(source: client, destination: server)
            #expect(out == chooser.shard(source: server, destination: client))
            seen.insert(out)
        }
        #expect(seen == [0, 1, 2])
    }
}
