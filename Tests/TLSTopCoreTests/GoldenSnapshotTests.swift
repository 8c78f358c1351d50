import Foundation
import Testing

@testable import TLSTopCore

/// Each committed capture's snapshot, compared with its committed golden JSON.
/// Regenerate after an intended change with `TLSTOP_UPDATE_GOLDEN=1 swift test --filter GoldenSnapshotTests`
/// and review the diff.
@Suite struct GoldenSnapshotTests {
    static func snapshot(of name: String) throws -> Snapshot {
        let fixture = try PcapFixture(contentsOf: Fixtures.pcap(name))
        let tracker = fixture.track()
        return SnapshotBuilder.build(
            from: tracker, source: .init(kind: "file", name: name, linkType: "\(fixture.linkType)"),
            generatedAt: .zero)
    }

    @Test(arguments: Fixtures.allPcapNames)
    func snapshotMatchesGolden(name: String) throws {
        let json = try Self.snapshot(of: name).json()
        let golden = Fixtures.golden.appendingPathComponent(name + ".json")
        if ProcessInfo.processInfo.environment["TLSTOP_UPDATE_GOLDEN"] != nil {
            try FileManager.default.createDirectory(at: Fixtures.golden, withIntermediateDirectories: true)
            try json.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(json == expected, "snapshot of \(name) differs from \(golden.lastPathComponent)")
    }

    @Test func goldenFilesAreValidJSONWithTheSchemaVersion() throws {
        for name in Fixtures.allPcapNames {
            let data = try Data(contentsOf: Fixtures.golden.appendingPathComponent(name + ".json"))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(object["schema"] as? String == "tlstop.snapshot/1")
            #expect(object["connections"] is [Any])
            #expect(object["hosts"] is [Any])
        }
    }
}

/// The snapshot agrees with what the real client itself reported when the fixture was captured
/// (Tests/Fixtures/fixtures.json is written by make-fixtures.sh from s_client / curl / gnutls-cli output).
@Suite struct FixtureManifestTests {
    struct Expectation {
        var file: String
        var index: Int
        var fields: [String: Any]
    }

    static func expectations() throws -> [(String, [[String: Any]])] {
        let data = try Data(contentsOf: Fixtures.directory.appendingPathComponent("fixtures.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return manifest.keys.sorted().compactMap { file in
            guard let entry = manifest[file] as? [String: Any],
                let connections = entry["connections"] as? [[String: Any]]
            else { return nil }
            return (file, connections)
        }
    }

    @Test func everyFixtureMatchesItsClientsReport() throws {
        let all = try Self.expectations()
        #expect(all.count >= 15)
        // The pcapng variant is read through libpcap in the capture tests.
        for (file, wanted) in all where file.hasSuffix(".pcap") {
            let snapshot = try GoldenSnapshotTests.snapshot(of: file)
            let tcp = snapshot.connections.filter { $0.protocol != "unknown" }
            #expect(tcp.count >= wanted.count, "\(file): \(tcp.count) connections, want \(wanted.count)")
            for (index, expectation) in wanted.enumerated() where index < tcp.count {
                let got = tcp[index]
                if let port = expectation["client_port"] as? Int {
                    #expect(got.clientPort == port, "\(file)#\(index) client_port")
                }
                for key in ["version", "cipher", "group", "sni", "alpn", "protocol"] {
                    guard let value = expectation[key], !(value is NSNull) else { continue }
                    // TLS 1.3 sends the server's ALPN choice in the encrypted EncryptedExtensions.
                    if key == "alpn", got.version == "TLSv1.3" { continue }
                    let gotValue: String? =
                        switch key {
                        case "version": got.version
                        case "cipher": got.cipher
                        case "group": got.group
                        case "sni": got.sni
                        case "alpn": got.alpn
                        default: got.protocol
                        }
                    #expect(gotValue == value as? String, "\(file)#\(index) \(key)")
                }
                let isTLS = expectation["protocol"] as? String == "tls"
                if isTLS, let resumed = expectation["resumed"] as? Bool {
                    #expect(got.resumed == resumed, "\(file)#\(index) resumed")
                }
                if isTLS, let established = expectation["established"] as? Bool {
                    #expect(got.established == established, "\(file)#\(index) established")
                }
                if let bits = expectation["dh_bits"] as? Int {
                    #expect(got.dhBits == bits, "\(file)#\(index) dh_bits")
                }
            }
        }
    }
}
