import TestSupport
import Testing

@testable import TLSTopCore

/// Every cap that traffic can push against: when it is reached, the oldest or least used state
/// goes, the loss is counted, and memory stays bounded.
@Suite struct ResourceLimitTests {
    static func request(_ port: UInt16, to server: String, at time: Int64) -> [([UInt8], Int64)] {
        let payload = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        return [
            (FrameBuilder.ipv4TCP(from: ("10.0.0.1", port), to: (server, 80), sequence: 1, flags: [.syn]), time),
            (
                FrameBuilder.ipv4TCP(
                    from: ("10.0.0.1", port), to: (server, 80), sequence: 2, flags: [.ack, .psh, .fin],
                    payload: payload), time + 1
            ),
        ]
    }

    @Test func aFullHostTableEvictsTheLeastUsedHostsAndCountsThem() throws {
        var configuration = TrafficAnalysis.Configuration()
        configuration.aggregation.maximumHosts = 16
        configuration.aggregation.maximumRetainedConnections = 8
        let tracker = TrafficAnalysis(configuration: configuration)
        var time: Int64 = 0
        var total = 0
        // One busy server, and a scan of 300 one-off destinations around it.
        for index in 0..<300 {
            for server in ["10.0.0.9", "10.1.\(index / 250).\(index % 250 + 1)"] {
                for (frame, at) in Self.request(UInt16(10_000 + total), to: server, at: time) {
                    tracker.ingest(raw: frame, at: at)
                }
                total += 1
                time += 10_000_000
            }
        }
        let snapshot = tracker.snapshot(source: .init(kind: "file", name: ""), generatedAt: .zero)
        #expect(snapshot.hosts.count <= 16)
        #expect(snapshot.statistics.evictedHosts >= 284)
        let busy = try #require(snapshot.hosts.first { $0.addresses == [IPAddress("10.0.0.9")!] })
        #expect(busy.connections == 300, "the busy server keeps every connection it had")
        let counted = snapshot.hosts.reduce(0) { $0 + $1.connections } + snapshot.statistics.evictedHostConnections
        #expect(counted == total, "every connection is in a row or in the evicted count")
    }

    @Test func aSYNFloodFillsOnlyTheAttemptTableAndKeepsTheRealConnections() throws {
        var configuration = TrafficAnalysis.Configuration()
        configuration.tracker.maximumConnections = 64
        configuration.tracker.maximumAttempts = 256
        let tracker = TrafficAnalysis(configuration: configuration)
        // A real client, first in the table (so the oldest), that has sent its request.
        for (frame, at) in Self.request(40_000, to: "10.0.0.9", at: 0).prefix(1) { tracker.ingest(raw: frame, at: at) }
        tracker.ingest(
            raw: FrameBuilder.ipv4TCP(
                from: ("10.0.0.1", 40_000), to: ("10.0.0.9", 80), sequence: 2, flags: [.ack, .psh],
                payload: Array("GET / HTTP/1.1\r\n".utf8)), at: 1)
        var random = SplitMix64(seed: 7)
        for index in 0..<2000 {
            let source = "10.\(random.next() % 250).\(random.next() % 250).\(random.next() % 250 + 1)"
            tracker.ingest(
                raw: FrameBuilder.ipv4TCP(
                    from: (source, UInt16(1024 + random.next() % 60_000)), to: ("10.0.0.9", 443),
                    sequence: UInt32(truncatingIfNeeded: random.next()), flags: [.syn]),
                at: Int64(2 + index))
        }
        #expect(tracker.activeConnectionCount == 1, "half-open flows are attempts, not connections")
        #expect(tracker.tracker.activeAttemptCount <= 256)
        #expect(tracker.statistics.evictedAttempts >= 2000 - 256)
        #expect(tracker.statistics.evictedConnections == 0)
        let real = try #require(tracker.connections.first { $0.client.port == 40_000 })
        #expect(real.isActive, "the connection with data outlives the flood")
        tracker.finish()
        let snapshot = tracker.snapshot(source: .init(kind: "file", name: ""), generatedAt: .zero)
        #expect(snapshot.connections.count == 1, "attempts are counted, not listed")
        let flooded = try #require(snapshot.hosts.first { $0.port == 443 })
        #expect(flooded.attempts == 2000 && flooded.connections == 0, "evicted attempts still count")
        #expect(snapshot.totals.attempts == 2000 && snapshot.totals.connections == 1)
    }

    @Test(arguments: Policy.Profile.allCases)
    func aFlowWithoutPayloadIsJudgedAsTheFullEvaluationWould(profile: Policy.Profile) {
        let full = PostureEvaluator.evaluate(
            HandshakeFacts(), protocol: .unknown, policy: .builtIn(profile), at: Timestamp(nanoseconds: 1))
        #expect(full == ConnectionJudge.unanalyzedPosture)
    }

    @Test func outOfOrderDataPastTheCapIsCountedOncePerDirection() {
        var configuration = TrafficAnalysis.Configuration()
        configuration.tracker.maximumReassemblyBytes = 4096
        let tracker = TrafficAnalysis(configuration: configuration)
        tracker.ingest(
            raw: FrameBuilder.ipv4TCP(from: ("10.0.0.1", 40_000), to: ("10.0.0.2", 443), sequence: 0, flags: [.syn]))
        let chunk = [UInt8](repeating: 0x16, count: 1000)
        // The first segment never arrives: everything after it waits, until the cap.
        for index in 1..<40 {
            tracker.ingest(
                raw: FrameBuilder.ipv4TCP(
                    from: ("10.0.0.1", 40_000), to: ("10.0.0.2", 443), sequence: UInt32(1 + index * 1000),
                    flags: [.ack], payload: chunk))
        }
        #expect(tracker.currentStatistics.reassemblyOverflows == 1)
    }

    @Test func aHandshakeMessagePastTheCapStopsTheAnalysisAndIsCounted() {
        var configuration = TrafficAnalysis.Configuration()
        configuration.tracker.handshakeLimits.maximumHandshakeMessage = 1024
        let tracker = TrafficAnalysis(configuration: configuration)
        tracker.ingest(
            raw: FrameBuilder.ipv4TCP(from: ("10.0.0.1", 40_000), to: ("10.0.0.2", 443), sequence: 0, flags: [.syn]))
        // A record announcing a 64 KiB ClientHello.
        let record: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 3, 3, 0, 0]
        tracker.ingest(
            raw: FrameBuilder.ipv4TCP(
                from: ("10.0.0.1", 40_000), to: ("10.0.0.2", 443), sequence: 1, flags: [.ack, .psh], payload: record))
        #expect(tracker.currentStatistics.handshakeLimitHits == 1)
        let snapshot = tracker.snapshot(source: .init(kind: "file", name: ""), generatedAt: .zero)
        #expect(snapshot.statistics.handshakeLimitHits == 1)
        #expect(snapshot.connections.first?.violation?.description.contains("exceeds the cap") == true)
    }

    @Test(
        arguments: [
            ("connections=1000", \TrafficAnalysis.Configuration.tracker.maximumConnections, 1000),
            ("attempts=4k", \TrafficAnalysis.Configuration.tracker.maximumAttempts, 4096),
            ("hosts=64k", \TrafficAnalysis.Configuration.aggregation.maximumHosts, 65_536),
            ("reassembly=1M", \TrafficAnalysis.Configuration.tracker.maximumReassemblyBytes, 1 << 20),
            (
                "handshake-message=512K",
                \TrafficAnalysis.Configuration.tracker.handshakeLimits.maximumHandshakeMessage, 512 << 10
            ),
            ("handshake-stream=2M", \TrafficAnalysis.Configuration.tracker.handshakeLimits.maximumStreamBytes, 2 << 20),
            ("retained=10", \TrafficAnalysis.Configuration.aggregation.maximumRetainedConnections, 10),
            ("certificates=1", \TrafficAnalysis.Configuration.tracker.certificateCacheSize, 1),
        ] as [(String, WritableKeyPath<TrafficAnalysis.Configuration, Int> & Sendable, Int)])
    func limitsAreSetByName(
        _ assignment: String, _ keyPath: WritableKeyPath<TrafficAnalysis.Configuration, Int> & Sendable, _ value: Int
    ) throws {
        var configuration = TrafficAnalysis.Configuration()
        try configuration.setLimit(assignment)
        #expect(configuration[keyPath: keyPath] == value)
    }

    @Test(arguments: [
        "bogus=1", "hosts", "hosts=", "hosts=0", "hosts=-5", "hosts=1T", "hosts=99999999999999", "hosts=1.5k",
    ])
    func badLimitsAreRefusedWithTheNames(_ assignment: String) {
        var configuration = TrafficAnalysis.Configuration()
        #expect {
            try configuration.setLimit(assignment)
        } throws: { error in
            let text = (error as? TrafficAnalysis.Configuration.LimitError)?.description ?? ""
            return text.hasPrefix("--limit '\(assignment)'") && !text.contains("\n")
        }
    }
}
