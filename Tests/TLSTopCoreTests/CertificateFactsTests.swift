import Foundation
import TestSupport
import Testing

@testable import TLSTopCore

/// Fixtures come from Tests/Fixtures/certs-unit/make-certs.sh (fixed dates and serials).
@Suite("CertificateFacts")
struct CertificateFactsTests {
    // MARK: Fixtures

    static let fixtureDirectory: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.pathComponents.count > 1 && url.lastPathComponent != "Tests" {
            url.deleteLastPathComponent()
        }
        return url.appendingPathComponent("Fixtures").appendingPathComponent("certs-unit")
    }()

    static func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: fixtureDirectory.appendingPathComponent(name + ".der")))
    }

    static let jan2020 = Date(timeIntervalSince1970: 1_577_836_800)
    static let jan2021 = Date(timeIntervalSince1970: 1_609_459_200)
    static let jan2025 = Date(timeIntervalSince1970: 1_735_689_600)
    static let jan2035 = Date(timeIntervalSince1970: 2_051_222_400)
    static let jan2055 = Date(timeIntervalSince1970: 2_682_374_400)

    static let caName = "O=tlstop,CN=tlstop Test CA"
    static let selfSAN = ["selfsigned.tlstop.test"]

    struct Expectation: Sendable, CustomTestStringConvertible {
        var file: String
        var facts: CertificateFacts
        var testDescription: String { file }
    }

    static func expect(
        _ file: String, subject: String, issuer: String? = nil, commonName: String?,
        subjectAltNames: [String] = selfSAN, notBefore: Date = jan2025, notAfter: Date = jan2035,
        serial: String, keyType: String, keyBits: Int?, curve: String? = nil, signature: String,
        selfSigned: Bool
    ) -> Expectation {
        Expectation(
            file: file,
            facts: CertificateFacts(
                subject: subject, issuer: issuer ?? subject, commonName: commonName,
                subjectAltNames: subjectAltNames, notBefore: notBefore, notAfter: notAfter,
                serialNumber: serial, keyType: keyType, keyBits: keyBits, curve: curve,
                signatureAlgorithm: signature, isSelfSigned: selfSigned))
    }

    static let expectations: [Expectation] = [
        // Loaded by swift-certificates too: self-signature really verified. notAfter 2055 is a GeneralizedTime.
        expect(
            "rsa2048-ca", subject: caName, commonName: "tlstop Test CA", subjectAltNames: [],
            notAfter: jan2055, serial: "1000", keyType: "RSA", keyBits: 2048,
            signature: "sha256WithRSAEncryption", selfSigned: true),
        expect(
            "rsa2048-leaf", subject: "O=tlstop,CN=tlstop.test", issuer: caName, commonName: "tlstop.test",
            subjectAltNames: ["tlstop.test", "*.wild.tlstop.test", "127.0.0.1", "::1"],
            serial: "1001", keyType: "RSA", keyBits: 2048, signature: "sha256WithRSAEncryption",
            selfSigned: false),
        expect(
            "expired", subject: "CN=expired.tlstop.test", issuer: caName, commonName: "expired.tlstop.test",
            subjectAltNames: ["expired.tlstop.test"], notBefore: jan2020, notAfter: jan2021,
            serial: "1002", keyType: "RSA", keyBits: 2048, signature: "sha256WithRSAEncryption",
            selfSigned: false),
        expect(
            "cn-only", subject: "O=tlstop,CN=cnonly.tlstop.test", issuer: caName,
            commonName: "cnonly.tlstop.test", subjectAltNames: [], serial: "1003", keyType: "RSA",
            keyBits: 2048, signature: "sha256WithRSAEncryption", selfSigned: false),
        // Subject == issuer, but signed by the CA key: the signature check says no.
        expect(
            "rsa2048-samename", subject: caName, commonName: "tlstop Test CA", subjectAltNames: [],
            serial: "1004", keyType: "RSA", keyBits: 2048, signature: "sha256WithRSAEncryption",
            selfSigned: false),
        // Weak keys swift-certificates refuses to load: facts via the SwiftASN1 walk, self-signed
        // via the key identifier fallback.
        expect(
            "rsa1024-sha1", subject: "CN=weak1024.tlstop.test", commonName: "weak1024.tlstop.test",
            serial: "2001", keyType: "RSA", keyBits: 1024, signature: "sha1WithRSAEncryption",
            selfSigned: true),
        expect(
            "rsa512-md5", subject: "CN=weak512.tlstop.test", commonName: "weak512.tlstop.test",
            serial: "2002", keyType: "RSA", keyBits: 512, signature: "md5WithRSAEncryption",
            selfSigned: true),
        expect(
            "rsa1024-samename", subject: "CN=weak1024.tlstop.test", commonName: "weak1024.tlstop.test",
            subjectAltNames: [], serial: "2004", keyType: "RSA", keyBits: 1024,
            signature: "sha1WithRSAEncryption", selfSigned: false),
        expect(
            "rsa2048-pss", subject: "CN=pss.tlstop.test", commonName: "pss.tlstop.test", serial: "2003",
            keyType: "RSA", keyBits: 2048, signature: "rsassa-pss", selfSigned: true),
        // RSASSA-PSS key (id-RSASSA-PSS in the SubjectPublicKeyInfo): still an RSA key.
        expect(
            "rsapss-key", subject: "CN=psskey.tlstop.test", commonName: "psskey.tlstop.test",
            serial: "2005", keyType: "RSA", keyBits: 2048, signature: "rsassa-pss", selfSigned: true),
        expect(
            "ec-p256", subject: "CN=p256.tlstop.test", commonName: "p256.tlstop.test", serial: "3001",
            keyType: "EC", keyBits: 256, curve: "secp256r1", signature: "ecdsa-with-SHA256",
            selfSigned: true),
        expect(
            "ec-p384", subject: "CN=p384.tlstop.test", commonName: "p384.tlstop.test", serial: "3002",
            keyType: "EC", keyBits: 384, curve: "secp384r1", signature: "ecdsa-with-SHA384",
            selfSigned: true),
        expect(
            "ed25519", subject: "CN=ed25519.tlstop.test", commonName: "ed25519.tlstop.test",
            serial: "3003", keyType: "Ed25519", keyBits: 256, signature: "ed25519", selfSigned: true),
        expect(
            "ed448", subject: "CN=ed448.tlstop.test", commonName: "ed448.tlstop.test", serial: "3004",
            keyType: "Ed448", keyBits: 456, signature: "ed448", selfSigned: true),
        expect(
            "dsa2048", subject: "CN=dsa.tlstop.test", commonName: "dsa.tlstop.test", serial: "4001",
            keyType: "DSA", keyBits: 2048, signature: "dsa-with-SHA256", selfSigned: true),
        // FIPS 204 keys (make-pq-certs.py), named and sized like Ed25519: the public key's bits
        // (1312, 1952 and 2592 bytes). swift-certificates cannot verify them: key-id fallback.
        expect(
            "mldsa44", subject: "CN=mldsa44.tlstop.test", commonName: "mldsa44.tlstop.test", serial: "5001",
            keyType: "ML-DSA-44", keyBits: 10_496, signature: "ML-DSA-44", selfSigned: true),
        expect(
            "mldsa65", subject: "CN=mldsa65.tlstop.test", commonName: "mldsa65.tlstop.test", serial: "5002",
            keyType: "ML-DSA-65", keyBits: 15_616, signature: "ML-DSA-65", selfSigned: true),
        expect(
            "mldsa87", subject: "CN=mldsa87.tlstop.test", commonName: "mldsa87.tlstop.test", serial: "5003",
            keyType: "ML-DSA-87", keyBits: 20_736, signature: "ML-DSA-87", selfSigned: true),
    ]

    @Test func signatureDigestsAreJudgedByName() throws {
        #expect(try CertificateFacts(der: Self.fixture("rsa512-md5")).signatureDigest == .broken)
        #expect(try CertificateFacts(der: Self.fixture("rsa1024-sha1")).signatureDigest == .collidable)
        #expect(try CertificateFacts(der: Self.fixture("ec-p256")).signatureDigest == nil)
        var facts = try CertificateFacts(der: Self.fixture("ec-p256"))
        let names: [(String, CertificateFacts.SignatureDigestWeakness?)] = [
            ("md2WithRSAEncryption", .broken), ("md4WithRSAEncryption", .broken), ("ecdsa-with-SHA1", .collidable),
            ("dsa-with-SHA1", .collidable), ("sha1WithRSAEncryption", .collidable), ("sha256WithRSAEncryption", nil),
            ("ecdsa-with-SHA384", nil), ("rsassa-pss", nil), ("ML-DSA-65", nil), ("1.2.3.4", nil),
        ]
        for (name, weakness) in names {
            facts.signatureAlgorithm = name
            #expect(facts.signatureDigest == weakness, "\(name)")
        }
    }

    @Test func postQuantumKeysHaveTheirSecurityCategory() throws {
        #expect(try CertificateFacts(der: Self.fixture("mldsa44")).postQuantumCategory == 2)
        #expect(try CertificateFacts(der: Self.fixture("mldsa65")).postQuantumCategory == 3)
        #expect(try CertificateFacts(der: Self.fixture("mldsa87")).postQuantumCategory == 5)
        #expect(try CertificateFacts(der: Self.fixture("ec-p384")).postQuantumCategory == 0)
    }

    /// CNSA 2.0 asks for ML-DSA-87; other profiles take any post-quantum key and, by default, say
    /// nothing about classical ones.
    @Test(arguments: [
        ("mldsa87", Policy.Profile.cnsa2, false), ("mldsa65", .cnsa2, true), ("ec-p384", .cnsa2, true),
        ("ec-p384", .intermediate, false), ("mldsa44", .intermediate, false),
    ])
    func certificateKeysAreJudgedForPostQuantumAuthentication(file: String, profile: Policy.Profile, raised: Bool)
        throws
    {
        var facts = HandshakeFacts()
        facts.serverHello = ServerHello(legacyVersion: .tls12, cipherSuite: CipherSuite(rawValue: 0x1302))
        facts.serverHello?.selectedVersion = .tls13
        facts.serverCertificate = try CertificateFacts(der: Self.fixture(file))
        let posture = PostureEvaluator.evaluate(
            facts, protocol: .tls, policy: .builtIn(profile), at: Timestamp(seconds: 1_800_000_000, nanoseconds: 0))
        #expect(posture.findings.contains { $0.id == .notPQAuthentication } == raised, "\(posture.findings)")
        #expect(posture.pqAuthentication == file.hasPrefix("mldsa"))
    }

    // MARK: Facts

    @Test(arguments: expectations)
    func factsOfFixture(_ expectation: Expectation) throws {
        let facts = try CertificateFacts(der: Self.fixture(expectation.file))
        let want = expectation.facts
        #expect(facts.subject == want.subject)
        #expect(facts.issuer == want.issuer)
        #expect(facts.commonName == want.commonName)
        #expect(facts.subjectAltNames == want.subjectAltNames)
        #expect(facts.notBefore == want.notBefore)
        #expect(facts.notAfter == want.notAfter)
        #expect(facts.serialNumber == want.serialNumber)
        #expect(facts.keyType == want.keyType)
        #expect(facts.keyBits == want.keyBits)
        #expect(facts.curve == want.curve)
        #expect(facts.signatureAlgorithm == want.signatureAlgorithm)
        #expect(facts.isSelfSigned == want.isSelfSigned)
        #expect(facts == want)
    }

    /// Documents why the SwiftASN1 walk exists: swift-certificates cannot load these at all.
    @Test(arguments: [
        ("rsa2048-ca", true), ("rsa2048-leaf", true), ("ec-p256", true), ("ec-p384", true), ("ed25519", true),
        ("rsa1024-sha1", false), ("rsa512-md5", false), ("rsa1024-samename", false), ("rsa2048-pss", false),
        ("rsapss-key", false), ("ed448", false), ("dsa2048", false), ("mldsa44", false), ("mldsa87", false),
    ])
    func swiftCertificatesLoadsOnlySomeFixtures(_ file: String, _ loadable: Bool) throws {
        let der = try Self.fixture(file)
        #expect((CertificateFacts.swiftCertificatesCertificate(der) != nil) == loadable)
        #expect(throws: Never.self) { try CertificateFacts(der: der) }
    }

    @Test func fixturesAreAllCovered() throws {
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: Self.fixtureDirectory.path)
            .filter { $0.hasSuffix(".der") }
            .map { String($0.dropLast(4)) }
        let tested = Set(Self.expectations.map(\.file)).union(["many-names"])
        #expect(Set(onDisk) == tested)
    }

    @Test func namesAreCapped() throws {
        let facts = try CertificateFacts(der: Self.fixture("many-names"))
        #expect(facts.subject.unicodeScalars.count == CertificateFacts.maximumTextLength)
        #expect(facts.subject.hasPrefix("OU=e"))
        #expect(facts.issuer == facts.subject)
        #expect(facts.commonName == "many.tlstop.test")
        #expect(facts.subjectAltNames.count == CertificateFacts.maximumSubjectAltNames)
        #expect(facts.subjectAltNames.first == "host01.many.tlstop.test")
        #expect(facts.subjectAltNames.last == "host64.many.tlstop.test")
        #expect(facts.covers(hostName: "host64.many.tlstop.test"))
        #expect(!facts.covers(hostName: "host65.many.tlstop.test"))  // dropped by the cap
        #expect(!facts.covers(hostName: "many.tlstop.test"))  // DNS SANs present: CN not consulted
        #expect(facts.isSelfSigned)
        #expect(facts.truncatedFields == 3, "subject, issuer, and the SANs past the 64th")
        #expect(try CertificateFacts(der: Self.fixture("ec-p256")).truncatedFields == 0)
    }

    @Test(arguments: ["ec-p256", "ed25519", "rsa2048-ca"])
    func brokenSelfSignatureIsNotSelfSigned(_ file: String) throws {
        var der = try Self.fixture(file)
        let intact = try CertificateFacts(der: der)
        #expect(intact.isSelfSigned)
        der[der.count - 1] ^= 0x01  // last octet of the signature value
        let broken = try CertificateFacts(der: der)
        #expect(!broken.isSelfSigned)
        #expect(broken.subject == intact.subject)
        #expect(broken.keyBits == intact.keyBits)
    }

    // MARK: Host name coverage

    @Test(arguments: [
        ("tlstop.test", true),
        ("TLSTOP.Test", true),
        ("tlstop.test.", true),
        ("a.wild.tlstop.test", true),
        ("A-1.WILD.tlstop.TEST", true),
        ("a.wild.tlstop.test.", true),
        ("a.b.wild.tlstop.test", false),
        ("wild.tlstop.test", false),
        (".wild.tlstop.test", false),
        ("*.wild.tlstop.test", false),
        ("a..wild.tlstop.test", false),
        ("x.tlstop.test", false),
        ("eviltlstop.test", false),
        ("tlstop.test.evil", false),
        ("tlstop.test..", false),
        ("", false),
        (".", false),
        ("127.0.0.1", true),
        ("::1", true),
        ("[::1]", true),
        ("[127.0.0.1]", false),
        ("[tlstop.test]", false),
        ("0:0:0:0:0:0:0:1", true),
        ("127.0.0.2", false),
        ("::2", false),
        ("127.0.0.01", false),
    ])
    func leafCovers(_ host: String, _ expected: Bool) throws {
        let facts = try CertificateFacts(der: Self.fixture("rsa2048-leaf"))
        #expect(facts.covers(hostName: host) == expected)
    }

    @Test func commonNameIsUsedOnlyWithoutDNSNames() throws {
        let cnOnly = try CertificateFacts(der: Self.fixture("cn-only"))
        #expect(cnOnly.covers(hostName: "cnonly.tlstop.test"))
        #expect(cnOnly.covers(hostName: "CNONLY.tlstop.test."))
        #expect(!cnOnly.covers(hostName: "other.tlstop.test"))

        var facts = cnOnly
        facts.subjectAltNames = ["192.0.2.1"]  // an IP SAN alone does not disable the CN
        #expect(facts.covers(hostName: "cnonly.tlstop.test"))
        #expect(facts.covers(hostName: "192.0.2.1"))
        facts.subjectAltNames = ["192.0.2.1", "san.tlstop.test"]
        #expect(!facts.covers(hostName: "cnonly.tlstop.test"))
        #expect(facts.covers(hostName: "san.tlstop.test"))
        facts.subjectAltNames = []
        facts.commonName = nil
        #expect(!facts.covers(hostName: "cnonly.tlstop.test"))
        facts.commonName = "*.cn.tlstop.test"
        #expect(facts.covers(hostName: "x.cn.tlstop.test"))
        #expect(!facts.covers(hostName: "cn.tlstop.test"))
    }

    @Test(arguments: [
        ("*.com", "a.com", false),
        ("*", "a", false),
        ("*.", "a.", false),
        ("f*.tlstop.test", "foo.tlstop.test", false),
        ("*o.tlstop.test", "foo.tlstop.test", false),
        ("*.*.tlstop.test", "a.b.tlstop.test", false),
        ("a.*.tlstop.test", "a.b.tlstop.test", false),
        ("*.tlstop.test", "a.tlstop.test", true),
        ("*.tlstop.test.", "a.tlstop.test", true),
        ("*.TLSTOP.test", "a.tlstop.TEST", true),
        ("*.tlstop.test", "tlstop.test", false),
        ("", "", false),
        ("exact.tlstop.test", "exact.tlstop.test", true),
        ("exact..tlstop.test", "exact..tlstop.test", false),
    ])
    func wildcardRules(_ pattern: String, _ host: String, _ expected: Bool) {
        let facts = CertificateFacts(
            subject: "", issuer: "", commonName: nil, subjectAltNames: [pattern],
            notBefore: Self.jan2025, notAfter: Self.jan2035, serialNumber: "01", keyType: "EC",
            keyBits: 256, curve: "secp256r1", signatureAlgorithm: "ecdsa-with-SHA256", isSelfSigned: false)
        #expect(facts.covers(hostName: host) == expected)
    }

    @Test func ipAddressText() {
        #expect(CertificateFacts.formatIPAddress([192, 0, 2, 1]) == "192.0.2.1")
        let v6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        #expect(CertificateFacts.formatIPAddress(v6) == "2001:db8::1")
        let oneZero: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]
        #expect(CertificateFacts.formatIPAddress(oneZero) == "2001:db8:0:1:1:1:1:1")
        #expect(CertificateFacts.formatIPAddress([UInt8](repeating: 0, count: 16)) == "::")
        #expect(CertificateFacts.formatIPAddress([1, 2, 3]) == nil)
        #expect(CertificateFacts.parseIPAddress("2001:DB8::1") == v6)
        #expect(CertificateFacts.parseIPAddress("::ffff:192.0.2.1")?.count == 16)
        #expect(CertificateFacts.parseIPAddress("1:2:3:4:5:6:7:8:9") == nil)
        #expect(CertificateFacts.parseIPAddress("1::2::3") == nil)
        #expect(CertificateFacts.parseIPAddress("256.0.0.1") == nil)
        #expect(CertificateFacts.parseIPAddress("+1::") == nil)
    }

    // MARK: Robustness

    @Test func rejectsOversizedAndEmptyInput() {
        #expect(throws: ParseError(.tooLarge, "")) {
            try CertificateFacts(der: [UInt8](repeating: 0x30, count: CertificateFacts.maximumDERSize + 1))
        }
        #expect(throws: ParseError(.malformed, "")) {
            try CertificateFacts(der: [UInt8](repeating: 0x30, count: CertificateFacts.maximumDERSize))
        }
        #expect(throws: ParseError(.malformed, "")) { try CertificateFacts(der: []) }
        #expect(throws: ParseError(.malformed, "")) { try CertificateFacts(der: [0x05, 0x00]) }
    }

    @Test func rejectsTrailingBytes() throws {
        let der = try Self.fixture("ec-p256")
        #expect(throws: ParseError(.malformed, "")) { try CertificateFacts(der: der + [0]) }
    }

    @Test(arguments: ["rsa2048-leaf", "rsa1024-sha1"])
    func everyPrefixIsRejected(_ file: String) throws {
        let der = try Self.fixture(file)
        for length in 0..<der.count {
            #expect(throws: ParseError.self) { try CertificateFacts(der: Array(der.prefix(length))) }
        }
        #expect(throws: Never.self) { try CertificateFacts(der: der) }
    }

    @Test(arguments: [
        ("rsa2048-leaf", 2000), ("rsa1024-sha1", 2000), ("ec-p256", 1000), ("rsa2048-ca", 500), ("dsa2048", 500),
    ])
    func randomByteFlipsNeverCrash(_ file: String, _ iterations: Int) throws {
        let original = try Self.fixture(file)
        var random = SplitMix64(seed: 0x7115_7091 ^ UInt64(original.count))
        var parsed = 0
        var rejected = 0
        for _ in 0..<iterations {
            var der = original
            for _ in 0..<(1 + random.next() % 4) {
                let index = Int(random.next() % UInt64(der.count))
                der[index] ^= UInt8(truncatingIfNeeded: 1 + random.next() % 255)
            }
            do throws(ParseError) {
                let facts = try CertificateFacts(der: der)
                parsed += 1
                #expect(facts.subject.unicodeScalars.count <= CertificateFacts.maximumTextLength)
                #expect(facts.subjectAltNames.count <= CertificateFacts.maximumSubjectAltNames)
                _ = facts.covers(hostName: "tlstop.test")
            } catch {
                rejected += 1
                #expect(error.code != .truncated)
            }
        }
        #expect(parsed + rejected == iterations)
        #expect(rejected > 0)
    }
}
