import Foundation
import TestSupport
import Testing

@testable import TLSTopCore

@Suite struct ExportFormatTests {
    static func connection(sni: String) -> ConnectionRecord {
        ConnectionRecord(
            id: 1, client: Endpoint(address: IPAddress("192.0.2.1")!, port: 51000),
            server: Endpoint(address: IPAddress("198.51.100.7")!, port: 443),
            transport: .tcp, protocol: .tls, application: nil, version: .tls12,
            cipher: CipherSuite(rawValue: 0xC02F), group: nil,
            dhBits: nil, sni: sni, alpn: nil, established: true, resumed: false, helloRetryRequest: false,
            startTLS: nil, startTLSOffered: false, startTLSRequested: false, startTLSRefused: false,
            startTLSUsed: false, cleartextCredentials: false, credentialMechanism: nil, plaintextOnTLSPort: false,
            tlsOnPlaintextPort: false, clientCertificate: false, alert: nil, violation: nil,
            certificate: nil, certificateError: nil, clientOffer: nil, packets: 1, bytes: 2, firstSeen: .zero,
            lastSeen: .zero, closed: false, gap: false)
    }

    static func snapshot(sni: String) -> Snapshot {
        let connections = [connection(sni: sni)]
        return Snapshot(
            generatedAt: .zero, source: .init(kind: "file", name: "x"), statistics: .init(), firstPacket: nil,
            lastPacket: nil, connections: connections, hosts: HostTable.rows(of: connections))
    }

    @Test func jsonEscapesControlCharactersAndStaysParseable() throws {
        let hostile = "evil\u{1B}[2J\u{07}\"\\\n\u{0}\u{7F}\u{9B}x.test"
        let json = Self.snapshot(sni: hostile).json()
        #expect(!json.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(!json.contains("\u{1B}"))
        #expect(json.contains("\\u001b[2J"))
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let connections = try #require(parsed?["connections"] as? [[String: Any]])
        #expect(connections.first?["sni"] as? String == hostile)
    }

    @Test(arguments: ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)"])
    func csvNeutralizesFormulas(sni: String) {
        let csv = Self.snapshot(sni: sni).csv()
        let row = csv.split(separator: "\r\n")[1]
        #expect(row.contains("'" + sni.prefix(1)))
        #expect(!row.contains("," + sni.prefix(1)))
    }

    @Test func csvQuotesSeparatorsAndReplacesControls() {
        let csv = Self.snapshot(sni: "a,b\"c\u{1B}d").csv()
        #expect(csv.contains("\"a,b\"\"c\u{FFFD}d\""))
        #expect(csv.split(separator: "\r\n").count == 2)
        #expect(csv.hasPrefix(Snapshot.csvColumns.joined(separator: ",")))
    }

    @Test func jsonLeavesUnknownFactsOutOfConnectionsButNotOutOfHosts() throws {
        let json = Self.snapshot(sni: "x").json()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let connection = try #require((object["connections"] as? [[String: Any]])?.first)
        #expect(connection["group"] == nil && connection["version"] as? String == "TLSv1.2")
        let host = try #require((object["hosts"] as? [[String: Any]])?.first)
        #expect(host["grade"] is NSNull || host["grade"] is String)
        #expect(host.keys.contains("worst_finding"))
        #expect(json.contains("\"schema\":\"tlstop.snapshot/2\""))
    }
}

/// The exports are streamed: written in pieces, they are the same bytes as written whole, and a
/// failing sink stops the export with its error.
@Suite struct StreamedExportTests {
    static func fixtureSnapshot() throws -> Snapshot {
        try PcapFixture(contentsOf: Fixtures.pcap("many-conns.pcap")).track()
            .snapshot(source: .init(kind: "file", name: "many-conns.pcap"), generatedAt: .zero)
    }

    @Test func jsonInSmallPiecesIsTheSameDocument() throws {
        let snapshot = try Self.fixtureSnapshot()
        var pieces: [[UInt8]] = []
        try snapshot.writeJSON(flushSize: 512) { pieces.append(Array($0)) }
        #expect(pieces.count > 10)
        #expect(String(decoding: pieces.joined(), as: UTF8.self) == snapshot.json())
    }

    @Test func csvInSmallPiecesIsTheSameTable() throws {
        let snapshot = try Self.fixtureSnapshot()
        var pieces: [[UInt8]] = []
        try snapshot.writeCSV(flushSize: 256) { pieces.append(Array($0)) }
        #expect(pieces.count > 5)
        #expect(String(decoding: pieces.joined(), as: UTF8.self) == snapshot.csv())
    }

    struct DiskFull: Error {}

    @Test func aFailingSinkStopsTheExport() throws {
        let snapshot = try Self.fixtureSnapshot()
        var calls = 0
        #expect(throws: DiskFull.self) {
            try snapshot.writeJSON(flushSize: 512) { _ in
                calls += 1
                if calls == 2 { throw DiskFull() }
            }
        }
        #expect(calls == 2, "nothing is written after the failure")
    }

    @Test func eachConnectionIsOneLineWhateverItsNamesHold() throws {
        var snapshot = try Self.fixtureSnapshot()
        snapshot.connections[0].sni = "evil\n\r\u{2028}\"},{\"id\":1\n.test"
        let lines = snapshot.json().split(separator: "\n")
        let connectionLines = lines.filter { $0.hasPrefix("    {\"id\":") }
        #expect(connectionLines.count == snapshot.connections.count)
    }
}

/// The word-at-a-time check for strings that need no escape, against the byte-by-byte rule,
/// with every byte value at every position of a word and of the tail.
@Suite struct PlainASCIITests {
    private static func reference(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }
    }

    @Test func agreesWithTheByteRuleForEveryByteAnywhere() {
        let base = Array("abcdefghijklmnopqrs".utf8)  // two words and a three-byte tail
        var checked = 0
        for position in base.indices {
            for value in 0...255 {
                var bytes = base
                bytes[position] = UInt8(value)
                let plain = bytes.withUnsafeBytes(JSONValue.isPlainASCII)
                #expect(plain == Self.reference(bytes), "byte \(value) at \(position)")
                checked += 1
            }
        }
        #expect(checked == base.count * 256)
        #expect([UInt8]().withUnsafeBytes(JSONValue.isPlainASCII))
    }

    @Test func escapedStringsStillComeOutEscaped() {
        var out: [UInt8] = []
        JSONValue.writeString("tab\there \"quoted\" back\\slash \u{7F}", to: &out)
        #expect(String(decoding: out, as: UTF8.self) == #""tab\there \"quoted\" back\\slash \u007f""#)
    }
}
