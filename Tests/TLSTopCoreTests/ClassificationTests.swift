import Foundation
import TestSupport
import Testing

@testable import TLSTopCore

/// Paths the real captures do not take: refusals, harmless logins, ports that do not match.
@Suite struct ClassificationTests {
    /// Feeds a scripted conversation, each element one direction's bytes.
    static func converse(_ turns: [(Direction, [UInt8])], serverPort: UInt16 = 10_000) -> HandshakeAnalyzer {
        let analyzer = HandshakeAnalyzer(serverPort: serverPort, clientPort: 50_000)
        for (direction, bytes) in turns { bytes.withUnsafeBytes { _ = analyzer.consume($0, from: direction) } }
        return analyzer
    }

    static func text(_ direction: Direction, _ line: String) -> (Direction, [UInt8]) {
        (direction, Array((line + "\r\n").utf8))
    }

    @Test func imapStartTLSRefusedStaysPlaintext() {
        let facts = Self.converse([
            Self.text(.server, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready"),
            Self.text(.client, "a1 STARTTLS"),
            Self.text(.server, "a1 NO TLS unavailable"),
            Self.text(.client, "a2 LOGOUT"),
        ]).facts.application
        #expect(facts.protocolName == .imap)
        #expect(facts.upgradeAdvertised && facts.upgradeRequested && facts.upgradeRefused)
        #expect(!facts.upgraded)
        #expect(!facts.cleartextCredentials)
    }

    @Test func postgresSSLRequestRefusedThenCleartextPassword() {
        let sslRequest: [UInt8] = [0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F]
        var startup: [UInt8] = [0, 3, 0, 0] + Array("user\0tlstopuser\0\0".utf8)
        startup = [0, 0, 0, UInt8(startup.count + 4)] + startup
        let cleartextRequest: [UInt8] = [UInt8(ascii: "R"), 0, 0, 0, 8, 0, 0, 0, 3]
        let password: [UInt8] = [UInt8(ascii: "p"), 0, 0, 0, 9] + Array("pass\0".utf8)
        let facts = Self.converse([
            (.client, sslRequest), (.server, [UInt8(ascii: "N")]), (.client, startup), (.server, cleartextRequest),
            (.client, password),
        ]).facts.application
        #expect(facts.protocolName == .postgres)
        #expect(facts.upgradeRequested && facts.upgradeRefused && !facts.upgraded)
        #expect(facts.credentialMechanism == "postgres-cleartext-password")
    }

    @Test func postgresMD5PasswordIsNotCleartext() {
        var startup: [UInt8] = [0, 3, 0, 0] + Array("user\0u\0\0".utf8)
        startup = [0, 0, 0, UInt8(startup.count + 4)] + startup
        let md5Request: [UInt8] = [UInt8(ascii: "R"), 0, 0, 0, 12, 0, 0, 0, 5, 1, 2, 3, 4]
        let password: [UInt8] = [UInt8(ascii: "p"), 0, 0, 0, 40] + Array(repeating: 0x61, count: 35) + [0]
        let facts = Self.converse([(.client, startup), (.server, md5Request), (.client, password)]).facts.application
        #expect(facts.protocolName == .postgres)
        #expect(!facts.cleartextCredentials)
    }

    @Test func ldapStartTLSRefused() {
        // ExtendedRequest for 1.3.6.1.4.1.1466.20037, message 1; ExtendedResponse resultCode 2.
        let oid = Array("1.3.6.1.4.1.1466.20037".utf8)
        let request: [UInt8] =
            [
                0x30, UInt8(5 + 2 + oid.count), 0x02, 0x01, 0x01, 0x77, UInt8(2 + oid.count), 0x80,
                UInt8(oid.count),
            ] + oid
        let response: [UInt8] = [0x30, 0x0C, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0A, 0x01, 0x02, 0x04, 0x00, 0x04, 0x00]
        let facts = Self.converse([(.client, request), (.server, response)]).facts.application
        #expect(facts.protocolName == .ldap)
        #expect(facts.upgradeRequested && facts.upgradeRefused)
    }

    @Test func anonymousLDAPBindIsNotACredential() {
        // BindRequest v3, empty name, simple [0] with an empty password.
        let bind: [UInt8] = [0x30, 0x0C, 0x02, 0x01, 0x01, 0x60, 0x07, 0x02, 0x01, 0x03, 0x04, 0x00, 0x80, 0x00]
        let facts = Self.converse([(.client, bind)], serverPort: 389).facts.application
        #expect(facts.protocolName == .ldap)
        #expect(!facts.cleartextCredentials)
    }

    @Test func anonymousFTPAndHashedSMTPAuthAreNotCredentials() {
        let ftp = Self.converse([
            Self.text(.server, "220 FTP ready"), Self.text(.client, "USER anonymous"),
            Self.text(.server, "331 guest ok"), Self.text(.client, "PASS guest@example.org"),
        ]).facts.application
        #expect(ftp.protocolName == .ftp)
        #expect(!ftp.cleartextCredentials)
        let smtp = Self.converse([
            Self.text(.server, "220 mail ESMTP"), Self.text(.client, "EHLO x"), Self.text(.server, "250 AUTH CRAM-MD5"),
            Self.text(.client, "AUTH CRAM-MD5"), Self.text(.server, "334 PDEyMzQ+"),
            Self.text(.client, "dXNlciBkaWdlc3Q="),
        ]).facts.application
        #expect(smtp.protocolName == .smtp)
        #expect(!smtp.cleartextCredentials)
    }

    @Test func mysqlOfferingTLSThatIsNotUsed() {
        // Protocol-10 greeting with CLIENT_SSL in the low capability flags, then a plain login.
        var greeting: [UInt8] = [10] + Array("10.11.0\0".utf8) + [1, 0, 0, 0] + Array(repeating: 0x41, count: 8) + [0]
        greeting += [0xFF, 0xFF, 0x21, 0x02, 0x00] + Array(repeating: 0, count: 13)
        let packet = [UInt8(greeting.count), 0, 0, 0] + greeting
        var login: [UInt8] = [0x05, 0xA6, 0x0F, 0x00, 0, 0, 0, 1, 0x21] + Array(repeating: 0, count: 23)
        login += Array("tlstopuser\0".utf8) + [0]
        let loginPacket = [UInt8(login.count), 0, 0, 1] + login
        let facts = Self.converse([(.server, packet), (.client, loginPacket)]).facts.application
        #expect(facts.protocolName == .mysql)
        #expect(facts.upgradeAdvertised)
        #expect(!facts.upgradeRequested && !facts.upgraded)
    }

    @Test func xmppStartTLSFailure() {
        let facts = Self.converse([
            (.client, Array("<stream:stream to='x' version='1.0'>".utf8)),
            (.server, Array("<stream:stream from='x'><stream:features><starttls/></stream:features>".utf8)),
            (.client, Array("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>".utf8)),
            (.server, Array("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>".utf8)),
        ]).facts.application
        #expect(facts.protocolName == .xmpp)
        #expect(facts.upgradeAdvertised && facts.upgradeRequested && facts.upgradeRefused && !facts.upgraded)
    }

    @Test func unrecognizedBytesStayUnknown() {
        let analyzer = Self.converse([(.client, [0x07, 0x01, 0x00]), (.client, [0x99, 0x98, 0x97, 0x96, 0x95])])
        #expect(analyzer.facts.application.protocolName == nil)
        #expect(analyzer.isFinished(.client))
    }

    // MARK: Ports

    static func snapshot(of frames: [[UInt8]]) -> [ConnectionRecord] {
        let tracker = TrafficAnalysis()
        for frame in frames { tracker.ingest(raw: frame) }
        return tracker.snapshot(source: .init(kind: "file", name: "t"), generatedAt: .zero)
            .connections
    }

    @Test func plaintextOnATLSPortIsMarked() throws {
        let request = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        let frames = [
            FrameBuilder.ipv4TCP(from: ("10.0.0.1", 50_000), to: ("10.0.0.2", 443), sequence: 1, flags: [.syn]),
            FrameBuilder.ipv4TCP(
                from: ("10.0.0.1", 50_000), to: ("10.0.0.2", 443), sequence: 2, flags: [.ack, .psh], payload: request),
        ]
        let connection = try #require(Self.snapshot(of: frames).first)
        #expect(connection.protocol == .plaintext)
        #expect(connection.application?.rawValue == "http")
        #expect(connection.plaintextOnTLSPort)
        #expect(!connection.tlsOnPlaintextPort)
    }

    @Test func directTLSOnAPlaintextPortIsMarked() throws {
        let hello = try FlowTrackerTests.realClientHelloRecord()
        let frames = [
            FrameBuilder.ipv4TCP(from: ("10.0.0.1", 50_000), to: ("10.0.0.2", 80), sequence: 1, flags: [.syn]),
            FrameBuilder.ipv4TCP(
                from: ("10.0.0.1", 50_000), to: ("10.0.0.2", 80), sequence: 2, flags: [.ack, .psh], payload: hello),
        ]
        let connection = try #require(Self.snapshot(of: frames).first)
        #expect(connection.protocol == .tls)
        #expect(connection.tlsOnPlaintextPort)
        #expect(!connection.plaintextOnTLSPort)
    }

    @Test func startTLSOnItsOwnPortIsNotAMismatch() throws {
        let snapshot = try GoldenSnapshotTests.snapshot(of: "starttls-smtp-curl.pcap")
        let connection = try #require(snapshot.connections.first)
        #expect(connection.startTLSUsed)
        #expect(!connection.tlsOnPlaintextPort)
    }

    @Test func hostsCountEncryptedPlaintextAndUnknownConnectionsAndBytes() throws {
        var tls = ExportFormatTests.connection(sni: "a.test")
        tls.bytes = 100
        var plain = ExportFormatTests.connection(sni: "a.test")
        plain.protocol = .plaintext
        plain.bytes = 10
        plain.cleartextCredentials = true
        var unknown = ExportFormatTests.connection(sni: "a.test")
        unknown.protocol = .unknown
        unknown.bytes = 1
        let host = try #require(HostTable.rows(of: [tls, plain, unknown, tls]).first)
        #expect(host.connections == 4)
        #expect(host.encryptedConnections == 2 && host.encryptedBytes == 200)
        #expect(host.plaintextConnections == 1 && host.plaintextBytes == 10)
        #expect(host.unknownConnections == 1 && host.unknownBytes == 1)
        #expect(host.cleartextCredentialConnections == 1)
    }
}
