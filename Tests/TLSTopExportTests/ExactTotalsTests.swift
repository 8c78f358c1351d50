import Foundation
import TLSTopCore
import TestSupport
import Testing

@testable import TLSTopExport

/// Counts agree across views when most connections are folded into host rows: the snapshot's
/// totals, the sum of the host rows and the Prometheus counters give the same figures per
/// protocol, version and severity.
@Suite struct ExactTotalsTests {
    static let mix = [
        "many-conns.pcap", "http-plain.pcap", "tls10-ecdhe.pcap", "tls12-rsa-static.pcap", "tls13-x25519.pcap",
        "quic-v1.pcap",
        "dtls12-openssl.pcap", "enc-ssh.pcap", "policy-expired-cert.pcap", "plain-ftp-login.pcap",
        "policy-rsa1024.pcap",
    ]

    static func analysis(retained: Int) throws -> TrafficAnalysis {
        var configuration = TrafficAnalysis.Configuration()
        configuration.aggregation.maximumRetainedConnections = retained
        let analysis = TrafficAnalysis(configuration: configuration)
        for name in mix {
            try PcapFixture(contentsOf: Fixtures.pcap(name)).feed(into: analysis)
        }
        analysis.finish()
        return analysis
    }

    static func run(retained: Int) throws -> (Snapshot, [String: Double]) {
        var configuration = TrafficAnalysis.Configuration()
        configuration.aggregation.maximumRetainedConnections = retained
        let analysis = TrafficAnalysis(configuration: configuration)
        let recorder = MetricsRecorder(version: "test", policy: "intermediate")
        analysis.onReport = { recorder.record($0) }
        for name in mix {
            try PcapFixture(contentsOf: Fixtures.pcap(name)).feed(into: analysis)
        }
        analysis.finish()
        let snapshot = analysis.snapshot(source: .init(kind: "file", name: "mix"), generatedAt: .zero)
        recorder.update(from: snapshot)
        return (snapshot, MetricsRecorderTests.samples(recorder))
    }

    /// `family{a="x",b="y"} v` summed by the value of one label.
    static func sum(_ samples: [String: Double], family: String, by label: String) -> [String: Int] {
        var sums: [String: Int] = [:]
        for (key, value) in samples where key.hasPrefix(family + "{") {
            guard let range = key.range(of: label + "=\""), let end = key[range.upperBound...].firstIndex(of: "\"")
            else { continue }
            sums[String(key[range.upperBound..<end]), default: 0] += Int(value)
        }
        return sums.filter { $0.value > 0 }
    }

    @Test func totalsHostRowsAndMetricsAgreePastTheRetentionCap() throws {
        let (snapshot, samples) = try Self.run(retained: 3)
        let totals = snapshot.totals
        #expect(snapshot.statistics.foldedConnections > 3, "the cap was reached")
        #expect(snapshot.connections.count < totals.connections)
        #expect(Set(totals.protocols.keys).isSuperset(of: [.tls, .quic, .dtls, .ssh, .plaintext]))

        // Host rows: every connection is in one.
        var hostProtocols: [ConnectionProtocol: Int] = [:]
        var hostVersions: [ProtocolVersion: Int] = [:]
        for host in snapshot.hosts {
            hostProtocols.merge(host.protocols, uniquingKeysWith: +)
            hostVersions.merge(host.versions, uniquingKeysWith: +)
        }
        #expect(hostProtocols == totals.protocols)
        #expect(hostVersions == totals.versions)
        #expect(snapshot.hosts.reduce(0) { $0 + $1.connections } == totals.connections)

        // Metrics: every classified connection was reported once; unknown ones are not.
        let reported = totals.protocols.filter { $0.key != .unknown }
        let byProtocol = Self.sum(samples, family: "tlstop_connections_total", by: "protocol")
        #expect(byProtocol == Dictionary(uniqueKeysWithValues: reported.map { ($0.key.name, $0.value) }))
        var severities = Dictionary(uniqueKeysWithValues: totals.severities.map { ($0.key.name, $0.value) })
        severities["ok", default: 0] -= totals.protocols[.unknown] ?? 0
        #expect(
            Self.sum(samples, family: "tlstop_connections_total", by: "severity") == severities.filter { $0.value > 0 })
        let tlsVersions = Self.sum(samples, family: "tlstop_tls_connections_total", by: "version")
        #expect(tlsVersions == Dictionary(uniqueKeysWithValues: totals.versions.map { ($0.key.name, $0.value) }))

        // The same capture with nothing folded counts the same.
        let (unfolded, _) = try Self.run(retained: 1 << 14)
        #expect(unfolded.statistics.foldedConnections == 0)
        #expect(unfolded.totals == totals)
    }

    /// The batch summary without --export asks for hosts and totals only: the same figures, no
    /// connection listed, and what it prints as "listed in detail" (every connection not folded)
    /// is what the full snapshot lists.
    @Test func aSummaryOnlySnapshotCountsTheSameWithoutListing() throws {
        let source = Snapshot.Source(kind: "file", name: "mix")
        let full = try Self.analysis(retained: 3).snapshot(source: source, generatedAt: .zero, isFinal: true)
        let summary = try Self.analysis(retained: 3).snapshot(
            source: source, generatedAt: .zero, isFinal: true, listsConnections: false)
        #expect(full.statistics.foldedConnections > 3)
        #expect(summary.connections.isEmpty && !full.connections.isEmpty)
        #expect(summary.totals == full.totals)
        #expect(summary.hosts == full.hosts)
        #expect(summary.statistics.foldedConnections == full.statistics.foldedConnections)
        #expect(full.connections.count == full.totals.connections - full.statistics.foldedConnections)
    }
}
