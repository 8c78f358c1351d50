import Foundation
import TLSTopCore
import TestSupport
import Testing

@testable import TLSTopExport

/// The Prometheus families: what real fixture connections count as, bounded labels, and output
/// that promtool accepts.
@Suite struct MetricsRecorderTests {
    /// Runs fixtures through a tracker whose reports feed a recorder, then updates it from the snapshot.
    static func record(_ names: [String], recorder: MetricsRecorder) throws -> Snapshot {
        let tracker = TrafficAnalysis()
        tracker.onReport = { recorder.record($0) }
        for name in names {
            try PcapFixture(contentsOf: Fixtures.pcap(name)).feed(into: tracker)
        }
        tracker.finish()
        let snapshot = tracker.snapshot(source: .init(kind: "file", name: "fixtures"), generatedAt: .zero)
        recorder.update(from: snapshot)
        return snapshot
    }

    /// Sample lines (`name{labels} value`), comments left out.
    static func samples(_ recorder: MetricsRecorder) -> [String: Double] {
        let text = String(decoding: recorder.exposition(), as: UTF8.self)
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    @Test func fixtureConnectionsAreCountedByWhatTheSnapshotSays() throws {
        let recorder = MetricsRecorder(version: "test", policy: "intermediate")
        let snapshot = try Self.record(
            ["many-conns.pcap", "plain-http-post-password.pcap", "policy-cbc-tls12.pcap"], recorder: recorder)
        let samples = Self.samples(recorder)
        // Each classified connection once, by protocol and severity, as in the snapshot.
        var expected: [String: Double] = [:]
        for connection in snapshot.connections where connection.protocol != .unknown {
            expected[
                #"tlstop_connections_total{protocol="\#(connection.protocol)",severity="\#(connection.severity.name)"}"#,
                default: 0] += 1
        }
        #expect(!expected.isEmpty)
        for (series, count) in expected { #expect(samples[series] == count, "\(series)") }
        let tls13 = snapshot.connections.filter { $0.version?.name == "TLSv1.3" }.count
        #expect(tls13 == 10)
        #expect(samples[#"tlstop_tls_connections_total{version="TLSv1.3",pfs="true",pq="false"}"#] == Double(tls13))
        #expect(samples[#"tlstop_findings_total{finding="cleartext-credentials",severity="critical"}"#] == 1)
        #expect((samples[#"tlstop_findings_total{finding="cbc-mode",severity="info"}"#] ?? 0) >= 1)
        #expect(samples["tlstop_packets_total"] == Double(snapshot.statistics.packets))
        #expect(samples["tlstop_flows_total"] == Double(snapshot.statistics.connections))
        #expect(samples[#"tlstop_build_info{version="test",policy="intermediate"}"#] == 1)
        #expect(samples.keys.contains { $0.hasPrefix("tlstop_host_connections{host=\"tlstop.test\"") })
    }

    @Test func trafficCountersOnlyGrow() throws {
        let recorder = MetricsRecorder(version: "test", policy: "intermediate")
        let snapshot = try Self.record(["many-conns.pcap"], recorder: recorder)
        var older = snapshot
        older.statistics.packets = 3
        recorder.update(from: older)  // a stale snapshot must not make a counter go down
        recorder.update(from: snapshot)
        #expect(Self.samples(recorder)["tlstop_packets_total"] == Double(snapshot.statistics.packets))
    }

    @Test func labelValuesAreBoundedAndTheRestCountAsOther() throws {
        let recorder = MetricsRecorder(maximumLabelValues: 3, version: "test", policy: "intermediate")
        let snapshot = try Self.record(["many-conns.pcap"], recorder: recorder)
        var template = try #require(snapshot.connections.first { $0.protocol == .tls })
        // A peer can choose any of 65,536 cipher codes: the family keeps three values.
        for code in 0..<500 {
            template.cipher = CipherSuite(rawValue: UInt16(0xE000 + code))
            recorder.record(template)
        }
        let ciphers = Self.samples(recorder).filter { $0.key.hasPrefix("tlstop_tls_cipher_connections_total") }
        #expect(ciphers.count == 4)
        #expect((ciphers[#"tlstop_tls_cipher_connections_total{cipher="other"}"#] ?? 0) >= 497)
    }

    @Test func onlyTheBusiestHostsGetSeriesAndTheyComeAndGo() throws {
        let recorder = MetricsRecorder(topHosts: 2, version: "test", policy: "intermediate")
        var snapshot = try Self.record(["many-conns.pcap"], recorder: recorder)
        let base = try #require(snapshot.hosts.first)
        snapshot.hosts = (0..<50).map { index in
            var host = base
            host.host = "client-\(index).example"
            host.connections = index
            return host
        }
        recorder.update(from: snapshot)
        var hosts = Self.samples(recorder).keys.filter { $0.hasPrefix("tlstop_host_connections{") }.sorted()
        #expect(hosts.count == 2)
        #expect(hosts.allSatisfy { $0.contains("client-49.example") || $0.contains("client-48.example") })
        snapshot.hosts[3].connections = 1000
        recorder.update(from: snapshot)
        hosts = Self.samples(recorder).keys.filter { $0.hasPrefix("tlstop_host_connections{") }.sorted()
        #expect(hosts.count == 2)
        #expect(hosts.contains { $0.contains("client-3.example") })
        #expect(!hosts.contains { $0.contains("client-48.example") })
    }

    @Test func hostileNamesAreEscapedInLabelValues() throws {
        let recorder = MetricsRecorder(version: "test", policy: "intermediate")
        var snapshot = try Self.record(["many-conns.pcap"], recorder: recorder)
        snapshot.hosts[0].host = "evil\"} 1\nfake_metric 9"
        recorder.update(from: snapshot)
        let text = String(decoding: recorder.exposition(), as: UTF8.self)
        #expect(!text.contains("\nfake_metric"))
        #expect(text.contains(#"host="evil\"} 1\nfake_metric 9""#))
        try Self.expectPromtoolAccepts(recorder)
    }

    @Test func attemptsWithoutPayloadAreCountedByOutcome() throws {
        let recorder = MetricsRecorder(version: "test", policy: "intermediate")
        var snapshot = try Self.record(["tls13-x25519.pcap"], recorder: recorder)
        snapshot.statistics.endedAttempts = 7
        snapshot.statistics.refusedAttempts = 2
        recorder.update(from: snapshot)
        let samples = Self.samples(recorder)
        #expect(samples[#"tlstop_attempts_total{outcome="refused"}"#] == 2)
        #expect(samples[#"tlstop_attempts_total{outcome="unanswered_or_idle"}"#] == 5)
    }

    @Test func promtoolAcceptsTheExposition() throws {
        let recorder = MetricsRecorder(version: "test", policy: "intermediate")
        _ = try Self.record(
            ["many-conns.pcap", "plain-http-post-password.pcap", "policy-cbc-tls12.pcap", "quic-v1.pcap"],
            recorder: recorder)
        try Self.expectPromtoolAccepts(recorder)
    }

    /// `promtool check metrics` (Debian's prometheus package, which `make test` installs).
    static func expectPromtoolAccepts(_ recorder: MetricsRecorder, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let promtool = "/usr/bin/promtool"
        try #require(
            FileManager.default.isExecutableFile(atPath: promtool),
            "promtool missing: apt-get install prometheus (make test does)", sourceLocation: sourceLocation)
        let input = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tlstop-metrics-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: input) }
        try Data(recorder.exposition()).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(promtool) check metrics < '\(input.path)' 2>&1"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "promtool: \(output)", sourceLocation: sourceLocation)
        #expect(output.isEmpty, "promtool lint: \(output)", sourceLocation: sourceLocation)
    }
}

@Suite struct ListenEndpointTests {
    @Test(arguments: [
        ("9810", "127.0.0.1:9810"), (":9810", "127.0.0.1:9810"), ("localhost:9810", "127.0.0.1:9810"),
        ("0.0.0.0:80", "0.0.0.0:80"), ("[::1]:9810", "[::1]:9810"), ("[::]:1", "[::]:1"),
    ])
    func acceptedForms(text: String, expected: String) {
        #expect(ListenEndpoint(parsing: text)?.description == expected)
    }

    @Test(arguments: ["", "0", "65536", "host.example:80", "::1:80", "[::1]80", "1.2.3:9", "127.0.0.1:", "[::1]:x"])
    func rejectedForms(text: String) {
        #expect(ListenEndpoint(parsing: text) == nil)
    }

    @Test func theFlyingFoxErrorBecomesItsMessage() {
        #expect(
            MetricsServer.reason(#"failed(type: "Bind", errno: 98, message: "Address already in use")"#)
                == "Address already in use")
    }
}
