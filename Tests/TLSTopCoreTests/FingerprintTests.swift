import Foundation
import TestSupport
import Testing

@testable import TLSTopCore

/// JA3 / JA3S against Wireshark's on every fixture, JA4 against the examples of its specification
/// (FoxIO-LLC/ja4, technical_details/JA4.md) and against the fixtures' own hellos.
@Suite struct FingerprintTests {
    /// tshark's ja3 / ja3s per capture and connection (`make-fingerprints.py`).
    static let tshark: [String: [String: [String: String]]] = {
        let url = Fixtures.directory.appendingPathComponent("fingerprints-tshark.json")
        guard let data = try? Data(contentsOf: url),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return json["captures"] as? [String: [String: [String: String]]] ?? [:]
    }()

    @Test func theReferenceCoversEveryFixture() {
        #expect(Set(Self.tshark.keys).isSuperset(of: Fixtures.allPcapNames))
        #expect(Self.tshark.values.map(\.count).reduce(0, +) > 60)
    }

    @Test(arguments: Fixtures.allPcapNames)
    func ja3AndJA3SAgreeWithTshark(name: String) throws {
        let tracker = try PcapFixture(contentsOf: Fixtures.pcap(name)).track()
        let snapshot = tracker.snapshot(source: .init(kind: "file", name: name), generatedAt: .zero)
        let reference = Self.tshark[name] ?? [:]
        var ours: [String: [String: String]] = [:]
        for c in snapshot.connections {
            var entry: [String: String] = [:]
            entry["ja3"] = c.ja3
            entry["ja3s"] = c.ja3s
            if !entry.isEmpty {
                ours[
                    "\(c.client.address.description):\(c.client.port)>\(c.server.address.description):\(c.server.port)"] =
                    entry
            }
        }
        #expect(ours == reference, "\(name)")
    }

    /// The specification's worked example, built as the hello it describes.
    static var specificationHello: ClientHello {
        var hello = ClientHello(legacyVersion: .tls12)
        hello.supportedVersions = [.tls13, .tls12]
        hello.cipherSuites = CodePointList(
            [
                0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d,
                0x002f, 0x0035,
            ].map { CipherSuite(rawValue: $0) })
        hello.extensionTypes = [
            0x1a1a, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b,
            0xff01, 0x000b, 0x000a, 0x0015,
        ]
        hello.signatureAlgorithms = CodePointList(
            [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601].map { SignatureScheme(rawValue: $0) })
        hello.firstALPNEdges = CodePointList("h2".utf8)
        return hello
    }

    @Test func theSpecificationExample() {
        #expect(TLSFingerprint.ja4(Self.specificationHello, carrier: .tcp) == "t13d1516h2_8daaf6152771_e5627efa2ab1")
        #expect(TLSFingerprint.ja4(Self.specificationHello, carrier: .quic).hasPrefix("q13d1516h2_"))
    }

    @Test func theSpecificationHashes() {
        #expect(
            TLSFingerprint.sha256Prefix("002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9")
                == "8daaf6152771")
        #expect(
            TLSFingerprint.sha256Prefix("0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01")
                == "6d807ffa2a79")
    }

    @Test func withoutSignatureAlgorithmsTheExtensionListIsHashedAlone() {
        var hello = Self.specificationHello
        hello.signatureAlgorithms = []
        #expect(TLSFingerprint.ja4(hello, carrier: .tcp) == "t13d1516h2_8daaf6152771_6d807ffa2a79")
    }

    @Test func emptyListsAreZeros() {
        var hello = ClientHello(legacyVersion: .tls10)
        hello.cipherSuites = []
        #expect(TLSFingerprint.ja4(hello, carrier: .tcp) == "t10i000000_000000000000_000000000000")
    }

    @Test(arguments: [
        ([UInt8](), "00"), (Array("h2".utf8), "h2"), (Array("http/1.1".utf8).edges, "h1"), ([0xAB, 0xAB], "ab"),
        ([0xAB, 0xCD], "ad"), ([0x30, 0xAB], "3b"), ([0x30, 0xCD], "3d"), ([0x30, 0x31], "01"), ([0x78, 0x78], "xx"),
    ])
    func alpnCharacters(edges: [UInt8], expected: String) {
        // The spec's examples: 0xAB → "ab", 0xAB 0xCD → "ad", 0x30 0xAB → "3b",
        // 0x30 0x31 0xAB 0xCD → "3d", 0x30 0xAB 0xCD 0x31 → "01"; a single character counts twice.
        #expect(TLSFingerprint.alpnCode(edges) == expected)
    }

    @Test func countsStopAtNinetyNineAndIgnoreGREASE() {
        var hello = ClientHello(legacyVersion: .tls12)
        hello.cipherSuites = CodePointList((0..<150).map { CipherSuite(rawValue: UInt16(0x1000 + $0)) })
        hello.extensionTypes = CodePointList(GREASE.values + [0x0000, 0x000a])
        #expect(TLSFingerprint.ja4(hello, carrier: .tcp).hasPrefix("t12d9902"))
    }

    @Test func fixtureHellosHaveTheirCarrierAndVersion() throws {
        let expectations = [
            ("tls13-x25519.pcap", "t13d"), ("quic-v1.pcap", "q13d"), ("dtls12-openssl.pcap", "dd2d"),
            ("curl-nginx-tls12.pcap", "t12d"),
        ]
        for (name, prefix) in expectations {
            let tracker = try PcapFixture(contentsOf: Fixtures.pcap(name)).track()
            let snapshot = tracker.snapshot(source: .init(kind: "file", name: name), generatedAt: .zero)
            let ja4 = try #require(snapshot.connections.compactMap(\.ja4).first, "\(name)")
            #expect(ja4.hasPrefix(prefix), "\(name): \(ja4)")
            #expect(ja4.wholeMatch(of: /[tqd][0-9sd][0-9][di][0-9]{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}/) != nil)
            #expect(ja4.split(separator: "_").count == 3)
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate var edges: [UInt8] { isEmpty ? [] : [self[0], self[count - 1]] }
}
