import TestSupport
import Testing

@testable import TLSTopCore

/// ClientHello parsing on real bytes from the committed loopback captures.
@Suite struct ClientHelloTests {
    static func clientHello(_ fixture: String) throws -> [UInt8] {
        let streams = try FixtureStreams(PcapFixture(contentsOf: Fixtures.pcap(fixture)))
        return try #require(FixtureStreams.body(of: 1, in: streams.client))
    }

    @Test func opensslTLS13Hello() throws {
        let hello = try Self.clientHello("tls13-x25519.pcap").parse { try ClientHello(parsing: &$0) }
        #expect(hello.legacyVersion == .tls12)
        #expect(hello.supportedVersions.contains(.tls13))
        #expect(hello.highestVersion == .tls13)
        #expect(hello.serverName == "tlstop.test")
        #expect(hello.alpnProtocols == ["h2", "http/1.1"])
        #expect(hello.cipherSuites.contains(CipherSuite(rawValue: 0x1301)))
        #expect(hello.keyShareGroups == [.x25519])
        #expect(hello.supportedGroups.first == .x25519)
        #expect(!hello.signatureAlgorithms.isEmpty)
        #expect(!hello.hasEncryptedClientHello)
    }

    @Test func tls12OnlyHelloHasNoSupportedVersions() throws {
        let hello = try Self.clientHello("tls12-ecdhe-rsa.pcap").parse { try ClientHello(parsing: &$0) }
        #expect(hello.supportedVersions.isEmpty)
        #expect(hello.highestVersion == .tls12)
        #expect(
            hello.cipherSuites.map(\.name) == [
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
            ])
    }

    static let realHellos = [
        "tls13-x25519.pcap", "tls12-ecdhe-rsa.pcap", "tls10-ecdhe.pcap", "gnutls-tls13.pcap",
        "curl-nginx-tls13.pcap", "tls13-hrr.pcap",
    ]

    /// Every prefix is "need more bytes", except the one that ends right after the compression
    /// methods: that is a complete extension-less hello, valid before TLS 1.2 (RFC 5246 §7.4.1.2).
    @Test(arguments: realHellos)
    func everyPrefixIsTruncatedNeverACrash(fixture: String) throws {
        let bytes = try Self.clientHello(fixture)
        _ = try bytes.parse { try ClientHello(parsing: &$0) }
        var complete: [Int] = []
        for length in 0..<bytes.count {
            do {
                _ = try Array(bytes.prefix(length)).parse { try ClientHello(parsing: &$0) }
                complete.append(length)
            } catch let error as ParseError {
                #expect(error.code == .truncated, "prefix \(length): \(error)")
            }
        }
        let sessionLength = Int(bytes[34])
        let suitesLength = Int(bytes[35 + sessionLength]) << 8 | Int(bytes[36 + sessionLength])
        let compressionOffset = 37 + sessionLength + suitesLength
        #expect(complete == [compressionOffset + 1 + Int(bytes[compressionOffset])])
    }

    @Test(arguments: realHellos)
    func trailingGarbageIsMalformed(fixture: String) throws {
        let bytes = try Self.clientHello(fixture) + [0x00]
        #expect(throws: ParseError(.malformed, "")) { try bytes.parse { try ClientHello(parsing: &$0) } }
    }

    @Test func malformedLengthsAreRejectedWithTypedErrors() throws {
        let good = try Self.clientHello("tls13-x25519.pcap")
        // session_id length 33 (> 32) at offset 2 + 32.
        var badSession = good
        badSession[34] = 33
        #expect(throws: ParseError(.malformed, "")) { try badSession.parse { try ClientHello(parsing: &$0) } }
        // An odd cipher_suites length.
        var oddSuites = good
        let sessionLength = Int(good[34])
        let suitesOffset = 35 + sessionLength
        oddSuites[suitesOffset + 1] |= 1
        #expect(throws: ParseError.self) { try oddSuites.parse { try ClientHello(parsing: &$0) } }
        // A cipher_suites length beyond the message.
        var hugeSuites = good
        hugeSuites[suitesOffset] = 0xFF
        #expect(throws: ParseError.self) { try hugeSuites.parse { try ClientHello(parsing: &$0) } }
    }

    @Test func greaseValuesAreLeftOut() throws {
        // A synthetic hello offering GREASE in every list, built to RFC 8701.
        var body: [UInt8] = [0x03, 0x03] + [UInt8](repeating: 0, count: 32) + [0]
        body += [0, 4, 0x0A, 0x0A, 0x13, 0x01]  // cipher suites: GREASE, TLS_AES_128_GCM_SHA256
        body += [1, 0]
        let groups: [UInt8] = [0, 10, 0, 6, 0, 4, 0x2A, 0x2A, 0, 0x1D]
        let versions: [UInt8] = [0, 43, 0, 5, 4, 0x3A, 0x3A, 3, 4]
        let extensions = [0x4A, 0x4A, 0, 0] + groups + versions
        body += [UInt8(extensions.count >> 8), UInt8(extensions.count & 0xFF)] + extensions
        let hello = try body.parse { try ClientHello(parsing: &$0) }
        #expect(hello.cipherSuites == [CipherSuite(rawValue: 0x1301)])
        #expect(hello.supportedGroups == [.x25519])
        #expect(hello.supportedVersions == [.tls13])
        #expect(hello.extensionTypes == [0x4A4A, 10, 43])
    }

    @Test func overlongNamesAreCutAndCounted() throws {
        var body: [UInt8] = [0x03, 0x03] + [UInt8](repeating: 0, count: 32) + [0]
        body += [0, 2, 0x13, 0x01, 1, 0]
        let name = [UInt8](repeating: UInt8(ascii: "a"), count: 300)
        let entry: [UInt8] = [0, 1, 44] + name  // host_name, 300 bytes
        let sni: [UInt8] = [0, 0, 1, 49, 1, 47] + entry
        let protocols = (0..<20).flatMap { index -> [UInt8] in [2, UInt8(ascii: "p"), UInt8(48 + index % 10)] }
        let alpn: [UInt8] = [0, 16, 0, UInt8(protocols.count + 2), 0, UInt8(protocols.count)] + protocols
        let extensions = sni + alpn
        body += [UInt8(extensions.count >> 8), UInt8(extensions.count & 0xFF)] + extensions
        let hello = try body.parse { try ClientHello(parsing: &$0) }
        #expect(hello.serverName?.utf8.count == ClientHello.maximumNameLength)
        #expect(hello.alpnProtocols.count == ClientHello.maximumALPNProtocols)
        #expect(hello.truncatedFields == 1 + 4, "the name, and the four protocols past the sixteenth")
    }

    /// The server name and ALPN names are kept as bytes in the hello's buffer (two to a value):
    /// odd and even lengths, an empty name and invalid UTF-8 read back as they were sent.
    @Test func namesKeptAsBytesReadBackAsSent() throws {
        var hello = ClientHello(legacyVersion: .tls12)
        #expect(hello.serverName == nil && hello.alpnProtocols.isEmpty)
        hello.serverName = ""
        #expect(hello.serverName == "", "present but empty is not absent")
        hello.serverName = "odd.example"
        hello.alpnProtocols = ["h2", "http/1.1", "x"]
        hello.cipherSuites = [CipherSuite(rawValue: 0x1301)]
        #expect(hello.serverName == "odd.example")
        #expect(hello.alpnProtocols == ["h2", "http/1.1", "x"])
        #expect(hello.cipherSuites.map(\.rawValue) == [0x1301], "the other lists keep their spans")
        hello.serverName = nil
        #expect(hello.serverName == nil && hello.alpnProtocols == ["h2", "http/1.1", "x"])
        #expect(!hello.offersSessionID([]) && !hello.offersSessionID([1]))
        for length in [1, 2, 3, 32] {
            let session = (0..<length).map { UInt8($0 * 7 + 1) }
            hello.sessionID = session
            #expect(hello.sessionID == session && hello.offersSessionID(session))
            #expect(!hello.offersSessionID(Array(session.dropLast())) && !hello.offersSessionID(session + [0]))
            var changed = session
            changed[length - 1] ^= 0xFF
            #expect(!hello.offersSessionID(changed), "the last byte differs")
        }

        var body: [UInt8] = [0x03, 0x03] + [UInt8](repeating: 0, count: 32) + [0]
        body += [0, 2, 0x13, 0x01, 1, 0]
        let entry: [UInt8] = [0, 0, 4, 0x61, 0xFF, 0x2E, 0x62]  // "a\u{FFFD}.b": invalid UTF-8 is repaired
        let sni: [UInt8] = [0, 0, 0, UInt8(entry.count + 2), 0, UInt8(entry.count)] + entry
        let protocols: [UInt8] = [3, 0x66, 0xFF, 0x6F, 2, 0x68, 0x32]  // "f\u{FFFD}o" (invalid UTF-8), "h2"
        let alpn: [UInt8] = [0, 16, 0, UInt8(protocols.count + 2), 0, UInt8(protocols.count)] + protocols
        let extensions = sni + alpn
        body += [UInt8(extensions.count >> 8), UInt8(extensions.count & 0xFF)] + extensions
        let parsed = try body.parse { try ClientHello(parsing: &$0) }
        #expect(parsed.serverName == "a\u{FFFD}.b")
        #expect(parsed.alpnProtocols == ["f\u{FFFD}o", "h2"])
        #expect(Array(parsed.firstALPNEdges) == [0x66, 0x6F], "JA4 reads the bytes as sent")
        #expect(ClientOffer(parsed).alpn == ["f\u{FFFD}o", "h2"])
    }
}

@Suite struct ServerHelloTests {
    static func serverMessages(_ fixture: String) throws -> [[UInt8]] {
        let streams = try FixtureStreams(PcapFixture(contentsOf: Fixtures.pcap(fixture)))
        return FixtureStreams.handshakeMessages(streams.server)
    }

    @Test func tls13ServerHelloSelectsVersionAndGroup() throws {
        let message = try #require(try Self.serverMessages("tls13-x25519.pcap").first)
        let hello = try Array(message.dropFirst(4)).parse { try ServerHello(parsing: &$0) }
        #expect(hello.legacyVersion == .tls12)
        #expect(hello.selectedVersion == .tls13)
        #expect(hello.keyShareGroup == .x25519)
        #expect(!hello.isHelloRetryRequest)
        #expect(hello.cipherSuite.name.hasPrefix("TLS_AES_"))
    }

    @Test func helloRetryRequestIsRecognized() throws {
        let message = try #require(try Self.serverMessages("tls13-hrr.pcap").first)
        let hello = try Array(message.dropFirst(4)).parse { try ServerHello(parsing: &$0) }
        #expect(hello.isHelloRetryRequest)
        #expect(hello.keyShareGroup == .secp256r1)
    }

    /// As for the ClientHello, the prefix that ends before the extensions is a complete hello.
    @Test(arguments: ["tls13-x25519.pcap", "tls12-ecdhe-rsa.pcap", "tls12-dhe-rsa.pcap", "tls10-ecdhe.pcap"])
    func everyPrefixIsTruncated(fixture: String) throws {
        let bytes = Array(try #require(try Self.serverMessages(fixture).first).dropFirst(4))
        var complete: [Int] = []
        for length in 0..<bytes.count {
            do {
                _ = try Array(bytes.prefix(length)).parse { try ServerHello(parsing: &$0) }
                complete.append(length)
            } catch let error as ParseError {
                #expect(error.code == .truncated, "prefix \(length): \(error)")
            }
        }
        #expect(complete == [2 + 32 + 1 + Int(bytes[34]) + 3])
    }

    @Test func ecdheServerKeyExchangeNamesTheCurve() throws {
        let messages = try Self.serverMessages("tls12-ecdhe-rsa.pcap")
        let body = try #require(messages.first { $0.first == 12 }).dropFirst(4)
        let exchange = try Array(body).parse { try ServerKeyExchange(parsing: &$0, keyExchange: .ecdhe) }
        #expect(exchange.group != nil)
        // TLS 1.2 names the signature algorithm after the point: OpenSSL 3 signs with RSA-PSS.
        #expect(exchange.signatureScheme == nil, "only read when the version names it")
        let signed = try Array(body).parse {
            try ServerKeyExchange(parsing: &$0, keyExchange: .ecdhe, namesSignature: true)
        }
        #expect(signed.group == exchange.group)
        #expect(signed.signatureScheme == .rsaPSSRSAESHA256)
        #expect(signed.signatureScheme?.isRSAPKCS1 == false)
        // Cut inside the signature part: the group still counts, the scheme is unknown.
        let cut = Array(body.prefix(4 + 1 + Int(body[body.startIndex + 3])))
        let short = try cut.parse { try ServerKeyExchange(parsing: &$0, keyExchange: .ecdhe, namesSignature: true) }
        #expect(short.group == exchange.group && short.signatureScheme == nil)
    }

    @Test func rsaPKCS1SchemesAreTheV15Ones() {
        let pkcs1: [UInt16] = [0x0101, 0x0201, 0x0301, 0x0401, 0x0501, 0x0601, 0x0420, 0x0520, 0x0620]
        for value in pkcs1 { #expect(SignatureScheme(rawValue: value).isRSAPKCS1, "\(value)") }
        for value: UInt16 in [0x0403, 0x0804, 0x0809, 0x0807, 0x0202, 0x0906, 0x0701] {
            #expect(!SignatureScheme(rawValue: value).isRSAPKCS1, "\(value)")
        }
        #expect(SignatureScheme.mldsa87.isPostQuantum && !SignatureScheme.ed25519.isPostQuantum)
    }

    @Test(arguments: [("tls12-dhe-rsa.pcap", 2048), ("tls12-dhe-1024.pcap", 1024)])
    func dheServerKeyExchangeMeasuresThePrime(fixture: String, bits: Int) throws {
        let messages = try Self.serverMessages(fixture)
        let body = Array(try #require(messages.first { $0.first == 12 }).dropFirst(4))
        let exchange = try body.parse { try ServerKeyExchange(parsing: &$0, keyExchange: .dhe) }
        #expect(exchange.dhPrimeBits == bits)
        let signed = try body.parse { try ServerKeyExchange(parsing: &$0, keyExchange: .dhe, namesSignature: true) }
        #expect(signed.dhPrimeBits == bits && signed.signatureScheme == .rsaPSSRSAESHA256)
        for length in 0..<8 {
            #expect(throws: ParseError(.truncated, "")) {
                try Array(body.prefix(length)).parse { try ServerKeyExchange(parsing: &$0, keyExchange: .dhe) }
            }
        }
    }

    @Test func certificateMessageYieldsTheLeafAndChainLength() throws {
        let messages = try Self.serverMessages("tls12-ecdhe-rsa.pcap")
        let body = Array(try #require(messages.first { $0.first == 11 }).dropFirst(4))
        let chain = try body.parse { try CertificateMessage(parsing: &$0, isTLS13: false) }
        #expect(chain.chainLength >= 1)
        let leaf = try #require(chain.leaf)
        let facts = try CertificateFacts(der: leaf)
        #expect(facts.covers(hostName: "tlstop.test"))
        for length in stride(from: 0, to: body.count, by: 7) {
            #expect(throws: ParseError(.truncated, "")) {
                try Array(body.prefix(length)).parse { try CertificateMessage(parsing: &$0, isTLS13: false) }
            }
        }
    }
}
