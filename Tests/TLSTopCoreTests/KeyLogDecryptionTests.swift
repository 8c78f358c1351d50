import Foundation
import TestSupport
import Testing

@testable import TLSTopCore

/// TLS 1.3 and QUIC captures of real clients with the key logs they wrote
/// (Tests/Fixtures/make-keylog-fixtures.sh); the expected facts come from tshark's own decryption.
@Suite struct KeyLogDecryptionTests {
    /// One connection of fixtures-keylog.json (snake_case keys, read with convertFromSnakeCase).
    struct Expected: Decodable {
        struct Certificate: Decodable {
            var keyType: String
            var keyBits: Int
            var signatureAlgorithm: String
            var notAfter: String
            var expired: Bool
        }
        var clientPort: Int
        var protocolName: String
        var cipher: String
        var group: String
        var alpn: String?
        var helloRetryRequest: Bool
        var cert: Certificate
        var chainLength: Int
        var certificateVerifyScheme: String?
        var clientCertificate: Bool

        enum CodingKeys: String, CodingKey {
            case clientPort, cipher, group, alpn, helloRetryRequest, cert, chainLength
            case certificateVerifyScheme, clientCertificate
            case protocolName = "protocol"
        }
    }

    struct Entry: Decodable {
        var keylog: String
        var wrongKeylog: String?
        var connections: [Expected]
    }

    static let manifest: [String: Entry] = {
        let url = Fixtures.directory.appendingPathComponent("fixtures-keylog.json")
        guard let data = try? Data(contentsOf: url),
            let manifest = try? Self.decoder.decode([String: Entry].self, from: data)
        else { return [:] }
        return manifest
    }()

    static var names: [String] { manifest.keys.sorted() }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    static func keyLog(_ name: String) throws -> KeyLog {
        let keyLog = KeyLog()
        let bytes = try Data(contentsOf: Fixtures.directory.appendingPathComponent("keylogs/\(name)"))
        keyLog.ingest(Array(bytes))
        keyLog.finish()
        return keyLog
    }

    static func analysis(of name: String, keyLog: KeyLog?) throws -> TrafficAnalysis {
        let fixture = try PcapFixture(contentsOf: Fixtures.pcap(name))
        let analysis = TrafficAnalysis()
        analysis.tracker.keyLog = keyLog
        fixture.feed(into: analysis)
        analysis.finish()
        return analysis
    }

    @Test func theManifestListsEveryKindOfCapture() {
        // Guards the tests below against passing on an empty or unreadable manifest.
        #expect(Self.names.count >= 7)
        #expect(Self.names.contains("keylog-quic.pcap"))
        #expect(Self.manifest.values.contains { $0.connections.contains(where: \.helloRetryRequest) })
        #expect(Self.manifest.values.contains { $0.connections.contains(where: \.clientCertificate) })
    }

    @Test(arguments: names)
    func theKeyLogShowsTheCertificateTheWireHides(name: String) throws {
        let entry = try #require(Self.manifest[name])
        let snapshot = try Self.analysis(of: name, keyLog: Self.keyLog(entry.keylog))
            .snapshot(source: .init(kind: "file", name: name), generatedAt: .zero)
        for expected in entry.connections {
            let record = try #require(snapshot.connections.first { Int($0.client.port) == expected.clientPort })
            let certificate = try #require(record.certificate, "\(name): no certificate")
            #expect(record.certificateSource == .keyLog)
            #expect(certificate.source == .keyLog)
            #expect(record.protocol.name == expected.protocolName)
            #expect(record.cipher?.name == expected.cipher)
            #expect(record.group?.name == expected.group)
            #expect(record.alpn == expected.alpn)
            #expect(record.helloRetryRequest == expected.helloRetryRequest)
            #expect(certificate.keyType == expected.cert.keyType)
            #expect(certificate.keyBits == expected.cert.keyBits)
            #expect(certificate.signatureAlgorithm == expected.cert.signatureAlgorithm)
            #expect(certificate.notAfter.rfc3339.prefix(19) == expected.cert.notAfter.prefix(19))
            #expect(certificate.chainLength == expected.chainLength)
            #expect(certificate.signatureScheme?.name == expected.certificateVerifyScheme)
            #expect(record.clientCertificate == expected.clientCertificate)
            let ids = Set(record.findings.map(\.id))
            #expect(ids.contains(.weakRSAKey) == (expected.cert.keyType == "RSA" && expected.cert.keyBits < 2048))
            #expect(ids.contains(.certExpired) == expected.cert.expired)
            #expect(record.violation == nil)
        }
        #expect(snapshot.statistics.keyLog?.decryptedHandshakes == entry.connections.count)
    }

    @Test(arguments: names)
    func withoutTheKeyLogTheCertificateStaysUnknown(name: String) throws {
        let snapshot = try Self.analysis(of: name, keyLog: nil)
            .snapshot(source: .init(kind: "file", name: name), generatedAt: .zero)
        #expect(!snapshot.connections.isEmpty)
        for record in snapshot.connections {
            #expect(record.certificate == nil)
            #expect(record.certificateSource == nil)
            #expect(!record.findings.contains { $0.id == .weakRSAKey })
        }
        #expect(snapshot.statistics.keyLog == nil)
    }

    @Test func aWrongKeyGivesNoCertificateAndOnlyACounter() throws {
        let entry = try #require(Self.manifest["keylog-rsa1024.pcap"])
        let wrong = try #require(entry.wrongKeylog)
        let snapshot = try Self.analysis(of: "keylog-rsa1024.pcap", keyLog: Self.keyLog(wrong))
            .snapshot(source: .init(kind: "file", name: "x"), generatedAt: .zero)
        let record = try #require(snapshot.connections.first)
        #expect(record.certificate == nil)
        #expect(record.violation == nil)
        #expect(record.established == true)
        #expect(snapshot.statistics.keyLog?.decryptionFailures == 1)
        #expect(snapshot.statistics.keyLog?.decryptedHandshakes == 0)
    }

    @Test func aKeyLogForOtherConnectionsCountsTheMisses() throws {
        let snapshot = try Self.analysis(of: "keylog-rsa1024.pcap", keyLog: Self.keyLog("keylog-rsa2048.keys"))
            .snapshot(source: .init(kind: "file", name: "x"), generatedAt: .zero)
        #expect(snapshot.connections.first?.certificate == nil)
        #expect(snapshot.statistics.keyLog?.decryptedHandshakes == 0)
        #expect(snapshot.statistics.keyLog?.missingSecrets == 1)
    }

    /// The two byte streams of the first TCP connection of a capture.
    static func streams(_ name: String) throws -> (client: [UInt8], server: [UInt8], segments: [(Bool, [UInt8])]) {
        let payloads = try PcapFixture(contentsOf: Fixtures.pcap(name)).tcpPayloads().filter { !$0.bytes.isEmpty }
        var client: [UInt8] = []
        var server: [UInt8] = []
        for payload in payloads {
            if payload.fromClient { client += payload.bytes } else { server += payload.bytes }
        }
        return (client, server, payloads.map { ($0.fromClient, $0.bytes) })
    }

    static func analyzer(_ keyLog: KeyLog) -> HandshakeAnalyzer {
        HandshakeAnalyzer(serverPort: 45001, clientPort: 33260, keyLog: keyLog)
    }

    @Test func byteByByteTheSameFactsAsWhole() throws {
        let (client, server, _) = try Self.streams("keylog-rsa1024.pcap")
        let keyLog = try Self.keyLog("keylog-rsa1024.keys")
        let whole = Self.analyzer(keyLog)
        client.withUnsafeBytes { _ = whole.consume($0, from: .client) }
        server.withUnsafeBytes { _ = whole.consume($0, from: .server) }
        let bytewise = Self.analyzer(keyLog)
        for byte in client { [byte].withUnsafeBytes { _ = bytewise.consume($0, from: .client) } }
        for byte in server { [byte].withUnsafeBytes { _ = bytewise.consume($0, from: .server) } }
        #expect(whole.facts.serverCertificate?.keyBits == 1024)
        #expect(bytewise.facts.serverCertificate == whole.facts.serverCertificate)
        #expect(bytewise.facts.decrypted == whole.facts.decrypted)
        #expect(whole.facts.decrypted?.serverFinished == true)
    }

    @Test func everyPrefixOfTheServerFlightIsSafeAndShowsTheCertificateOnlyWhenWhole() throws {
        let (client, server, _) = try Self.streams("keylog-rsa1024.pcap")
        let keyLog = try Self.keyLog("keylog-rsa1024.keys")
        var firstWithCertificate: Int?
        for length in 0...server.count {
            let analyzer = Self.analyzer(keyLog)
            client.withUnsafeBytes { _ = analyzer.consume($0, from: .client) }
            server.prefix(length).withUnsafeBytes { _ = analyzer.consume($0, from: .server) }
            #expect(analyzer.facts.violation == nil, "prefix \(length)")
            if analyzer.facts.serverCertificate != nil, firstWithCertificate == nil { firstWithCertificate = length }
            if firstWithCertificate != nil { #expect(analyzer.facts.serverCertificate != nil) }
        }
        // The certificate sits in a record after the ServerHello: some prefixes lack it.
        let first = try #require(firstWithCertificate)
        #expect(first > 100)
    }

    @Test func recordsThatCameBeforeTheirKeysAreOpenedWhenTheKeysArrive() throws {
        // Live: the key log is read a little after the packets that need it.
        let (_, _, segments) = try Self.streams("keylog-rsa1024.pcap")
        let full = try Self.keyLog("keylog-rsa1024.keys")
        let late = KeyLog()
        let analyzer = Self.analyzer(late)
        var inserted = false
        for (fromClient, bytes) in segments {
            if !fromClient, analyzer.facts.serverHello != nil, !inserted, analyzer.facts.serverApplicationRecords > 0 {
                // The server's first encrypted record went by without keys: now they are there.
                let random = try #require(analyzer.clientRandom)
                late.insert(try #require(full.secrets(for: random)), for: random)
                inserted = true
            }
            bytes.withUnsafeBytes { _ = analyzer.consume($0, from: fromClient ? .client : .server) }
        }
        #expect(inserted)
        #expect(analyzer.facts.serverCertificate?.keyBits == 1024)
    }

    @Test func sealedRecordsOpenAndATamperedOneDoesNot() throws {
        let keys = TrafficKeys(secret: [UInt8](repeating: 7, count: 32), aead: .chacha20Poly1305)
        let header: [UInt8] = [23, 3, 3, 0, 21]
        var sealed = keys.seal([1, 2, 3, 4, 22], additionalData: header, sequence: 5)
        let opened = try sealed.withUnsafeBytes { sealed in
            try header.withUnsafeBytes { try keys.open(sealed, additionalData: $0, sequence: 5) }
        }
        #expect(opened == [1, 2, 3, 4, 22])
        sealed[0] ^= 1
        #expect(throws: DecryptionError.authentication) {
            try sealed.withUnsafeBytes { sealed in
                try header.withUnsafeBytes { try keys.open(sealed, additionalData: $0, sequence: 5) }
            }
        }
    }
}
