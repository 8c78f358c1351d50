import Foundation
import TestSupport
import Testing

@testable import TLSTopCore

/// Credentials seen in clear are flagged, never stored: no output format may contain the test
/// password (the fixtures all use it), in clear or in the encodings it crossed the wire in.
@Suite struct SecretLeakTests {
    static let password = "S3cretTestPassw0rd"
    /// base64("tlstopuser:S3cretTestPassw0rd") as HTTP Basic sends it, and base64 of SASL PLAIN.
    static let encodedForms = [
        password, Data("tlstopuser:\(password)".utf8).base64EncodedString(),
        Data("\u{0}tlstopuser\u{0}\(password)".utf8).base64EncodedString(),
        Data(password.utf8).base64EncodedString(),
    ]

    @Test(arguments: Fixtures.allPcapNames)
    func noExportContainsThePassword(name: String) throws {
        let snapshot = try GoldenSnapshotTests.snapshot(of: name)
        for output in [snapshot.json(), snapshot.csv()] {
            for secret in Self.encodedForms {
                #expect(!output.contains(secret), "\(name) leaks \(secret)")
            }
        }
    }

    @Test func theCredentialFixturesReallyCarryThePasswordOnTheWire() throws {
        // Guards the test above against passing because the fixtures lost their secrets.
        let wire = try Fixtures.allPcapNames.filter { $0.hasPrefix("plain-") || $0.hasPrefix("http-plain") }
            .map { try Data(contentsOf: Fixtures.pcap($0)) }
        let carrying = wire.filter { data in
            Self.encodedForms.contains { data.range(of: Data($0.utf8)) != nil }
        }
        #expect(carrying.count >= 3)
    }
}
