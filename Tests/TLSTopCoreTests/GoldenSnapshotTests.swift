import Foundation
import TestSupport
import Testing

@testable import TLSTopCore

/// Each committed capture's snapshot, compared with its committed golden JSON.
/// Regenerate after an intended change with `TLSTOP_UPDATE_GOLDEN=1 swift test --filter GoldenSnapshotTests`
/// and review the diff.
@Suite struct GoldenSnapshotTests {
    static func snapshot(of name: String) throws -> Snapshot {
        let fixture = try PcapFixture(contentsOf: Fixtures.pcap(name))
        let tracker = fixture.track()
        return tracker.snapshot(
            source: .init(kind: "file", name: name, linkType: "\(fixture.linkType)"),
            generatedAt: .zero)
    }

    @Test(arguments: Fixtures.allCaptureNames)
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
        for name in Fixtures.allCaptureNames {
            let data = try Data(contentsOf: Fixtures.golden.appendingPathComponent(name + ".json"))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(object["schema"] as? String == "tlstop.snapshot/2")
            #expect(object["connections"] is [Any])
            #expect(object["hosts"] is [Any])
        }
    }
}

/// The snapshot agrees with what the real client itself reported when the fixture was captured.
/// The manifests (Tests/Fixtures/fixtures*.json) are written by the make-*-fixtures.sh scripts from the
/// clients' and servers' own output (s_client, curl, gnutls-cli, the responders), cross-checked with tshark.
@Suite struct FixtureManifestTests {
    static func manifests() throws -> [(String, [[String: Any]])] {
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.directory.path)
            .filter { $0.hasPrefix("fixtures") && $0.hasSuffix(".json") }.sorted()
        var result: [(String, [[String: Any]])] = []
        for name in names {
            let data = try Data(contentsOf: Fixtures.directory.appendingPathComponent(name))
            let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            for file in manifest.keys.sorted() {
                // An entry the test cannot read would otherwise pass without a check.
                guard let entry = manifest[file] as? [String: Any],
                    let connections = entry["connections"] as? [[String: Any]], !connections.isEmpty
                else {
                    Issue.record("\(name): '\(file)' has no connections list")
                    continue
                }
                result.append((file, connections))
            }
        }
        return result
    }

    static var stringFields: [(String, KeyPath<ConnectionRecord, String?>)] {
        [
            ("version", \.version?.name), ("cipher", \.cipher?.name), ("group", \.group?.name), ("sni", \.sni),
            ("alpn", \.alpn), ("app", \.application?.rawValue), ("starttls", \.startTLS?.rawValue),
            ("quic_version", \.quicVersion?.name), ("user_agent", \.googleQUIC?.userAgent),
            ("tunnel_target", \.tunnel?.target), ("rdp_protocol", \.tunnel?.rdpSecurity?.rawValue),
        ]
    }
    static var boolFields: [(String, KeyPath<ConnectionRecord, Bool>)] {
        [
            ("starttls_offered", \.startTLSOffered), ("starttls_used", \.startTLSUsed),
            ("cleartext_credentials", \.cleartextCredentials),
        ]
    }

    @Test func everyFixtureMatchesItsClientsReport() throws {
        let all = try Self.manifests()
        #expect(all.count >= 15)
        var totalChecks = 0
        // Compressed captures are read through zlib in the capture tests.
        for (file, wanted) in all where file.hasSuffix(".pcap") || file.hasSuffix(".pcapng") {
            let snapshot = try GoldenSnapshotTests.snapshot(of: file)
            let seen = snapshot.connections.filter { $0.protocol != .unknown || $0.packets > 1 }
            // A SYN refused or a stray segment without payload is an attempt, counted per host.
            let attempts = wanted.filter { $0["protocol"] as? String == "unknown" && $0["client_hellos"] as? Int == 0 }
            if !attempts.isEmpty {
                #expect(
                    snapshot.hosts.map(\.attempts).reduce(0, +) >= attempts.count,
                    "\(file): \(attempts.count) attempts expected")
            }
            var matched = Set<Int>()
            for (index, expectation) in wanted.enumerated() {
                if expectation["protocol"] as? String == "unknown", expectation["client_hellos"] as? Int == 0 {
                    continue
                }
                let got: ConnectionRecord
                if let port = expectation["client_port"] as? Int,
                    let match = seen.first(where: {
                        !matched.contains($0.id) && ($0.client.port == port || $0.server.port == port)
                    })
                {
                    got = match
                    matched.insert(match.id)
                } else if index < seen.count {
                    got = seen[index]
                } else {
                    Issue.record("\(file)#\(index): no connection")
                    continue
                }
                let label = "\(file)#\(index)"
                var checks = 0
                defer {
                    // A connection whose every key is misspelt or missing would pass unchecked.
                    #expect(checks > 0, "\(label): nothing in its manifest entry was checked")
                    totalChecks += checks
                }
                if let value = expectation["protocol"] as? String {
                    #expect(got.protocol.name == value, "\(label) protocol")
                    checks += 1
                }
                for (key, path) in Self.stringFields {
                    guard let value = expectation[key], !(value is NSNull) else { continue }
                    // TLS 1.3 sends the server's ALPN choice in the encrypted EncryptedExtensions.
                    if key == "alpn", got.version?.isTLS13Family == true { continue }
                    #expect(got[keyPath: path] == value as? String, "\(label) \(key)")
                    checks += 1
                }
                for (key, path) in Self.boolFields {
                    guard let value = expectation[key] as? Bool else { continue }
                    #expect(got[keyPath: path] == value, "\(label) \(key)")
                    checks += 1
                }
                // A tunnel is asserted both ways: named where the manifest names one, absent where null.
                if let tunnel = expectation["tunnel"] {
                    #expect(got.tunnel?.kind.rawValue == tunnel as? String, "\(label) tunnel")
                    checks += 1
                }
                let isTLS = expectation["protocol"] as? String == "tls"
                if isTLS, let resumed = expectation["resumed"] as? Bool {
                    #expect(got.resumed == resumed, "\(label) resumed")
                    checks += 1
                }
                if isTLS, let established = expectation["established"] as? Bool {
                    #expect(got.established == established, "\(label) established")
                    checks += 1
                }
                if let bits = expectation["dh_bits"] as? Int {
                    #expect(got.dhBits == bits, "\(label) dh_bits")
                    checks += 1
                }
                if let pfs = expectation["pfs"] as? Bool {
                    #expect(got.pfs == pfs, "\(label) pfs")
                    checks += 1
                }
                // Findings the capture was made to trigger (intermediate policy, certificates judged
                // at capture time).
                for id in expectation["expected_findings"] as? [String] ?? [] {
                    #expect(
                        got.findings.contains { $0.id.rawValue == id },
                        "\(label) lacks \(id): \(got.findings.map(\.id))")
                    checks += 1
                }
            }
        }
        // 999 facts in the manifests today: far fewer would mean keys went unread.
        #expect(totalChecks >= 990, "\(totalChecks) facts checked")
    }
}
