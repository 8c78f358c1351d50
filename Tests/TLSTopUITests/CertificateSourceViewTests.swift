import Foundation
import Testing

@testable import TLSTopCore
@testable import TLSTopUI

/// TLS 1.3 certificates the wire hid: the detail pane says where one came from, or that it is
/// hidden, and the header gives the share brought to light.
@Suite struct CertificateSourceViewTests {
    static func tls13(_ snapshot: Snapshot) throws -> ConnectionRecord {
        try #require(snapshot.connections.first { $0.isProbeCandidate && $0.certificate == nil })
    }

    static func certificateFacts(_ snapshot: Snapshot) throws -> CertificateFacts {
        try #require(snapshot.connections.lazy.compactMap(\.certificate).first).facts
    }

    @Test func aProbedCertificateSaysWhichListenerAndHowLongAgo() throws {
        let snapshot = try DashboardRendererTests.snapshot()
        var record = try Self.tls13(snapshot)
        let now = Timestamp(nanoseconds: 1_800_000_000_000_000_000)
        record.certificate = CertificateRecord(
            facts: try Self.certificateFacts(snapshot), chainLength: 1, coversServerName: true, source: .probe,
            probe: ProbeOrigin(
                endpoint: Endpoint(address: IPAddress("10.0.0.5")!, port: 443), serverName: "tlstop.test",
                at: Timestamp(nanoseconds: now.nanoseconds - 125_000_000_000)))
        record.certificateSource = .probe
        let lines = DetailLines.connection(record, now: now).map(\.0)
        #expect(lines.contains("Certificate from probe of 10.0.0.5:443, 2 min ago"))
    }

    @Test func aDecryptedCertificateSaysTheKeyLog() throws {
        let snapshot = try DashboardRendererTests.snapshot()
        var record = try Self.tls13(snapshot)
        record.certificate = CertificateRecord(
            facts: try Self.certificateFacts(snapshot), chainLength: 1, coversServerName: true, source: .keyLog)
        #expect(DetailLines.connection(record).map(\.0).contains { $0.hasPrefix("Certificate from the key log") })
    }

    @Test func aHiddenCertificateSaysSoAndHowToSeeIt() throws {
        let record = try Self.tls13(try DashboardRendererTests.snapshot())
        #expect(DetailLines.connection(record).map(\.0).contains { $0.hasPrefix("Certificate  hidden by TLS 1.3") })
    }

    @Test func theHeaderGivesTheShareOfTLS13CertificatesKnown() throws {
        var snapshot = try DashboardRendererTests.snapshot()
        snapshot.totals.tls13 = 8
        snapshot.totals.tls13Certificates = 2
        let text = DashboardRenderer().render(snapshot, state: DashboardState(), width: 200, height: 60).text
        #expect(text.contains("1.3 certs 25.0%"))
    }
}
