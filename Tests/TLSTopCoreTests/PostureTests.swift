import Foundation
import TestSupport
import Testing

@testable import TLSTopCore

/// Findings on real captures wherever real traffic can produce them.
@Suite struct PostureOnFixturesTests {
    static func connections(_ fixture: String, policy: Policy = .intermediate) throws -> [ConnectionRecord] {
        let tracker = try PcapFixture(contentsOf: Fixtures.pcap(fixture)).track(policy: policy)
        return tracker.snapshot(
            source: .init(kind: "file", name: fixture), generatedAt: .zero
        ).connections.filter { $0.protocol != .unknown }
    }

    /// fixture, finding expected on its first classified connection, severity under intermediate.
    static let cases: [(String, String, Severity)] = [
        ("tls12-rsa-static.pcap", "no-pfs", .warn),
        ("tls12-rsa-static.pcap", "cbc-mode", .info),
        ("tls10-ecdhe.pcap", "tls10", .warn),
        ("tls11-ecdhe.pcap", "tls11", .warn),
        ("tls12-dhe-1024.pcap", "weak-dh", .warn),
        ("tls12-dhe-rsa.pcap", "cipher-not-in-profile", .info),
        ("tls12-handshake-failure.pcap", "handshake-failed", .warn),
        ("tls12-ecdhe-rsa.pcap", "not-pq", .info),
        ("http-plain.pcap", "plaintext", .warn),
        ("http-plain.pcap", "cleartext-credentials", .critical),
        ("starttls-smtp-refused.pcap", "starttls-not-used", .warn),
        ("starttls-smtp-never.pcap", "starttls-not-used", .warn),
        ("plain-ldap-simple-bind.pcap", "cleartext-credentials", .critical),
        ("starttls-postgres-psql.pcap", "no-sni", .info),
    ]

    @Test(arguments: cases)
    func findingOnRealTraffic(fixture: String, id: String, severity: Severity) throws {
        let connection = try #require(try Self.connections(fixture).first)
        let finding = try #require(connection.findings.first { $0.id.rawValue == id }, "\(fixture) lacks \(id)")
        #expect(finding.severity == severity)
        #expect(!finding.detail.isEmpty)
        #expect(connection.severity >= severity)
    }

    @Test(arguments: ["tls13-x25519.pcap", "curl-nginx-tls12.pcap", "tls12-ecdsa.pcap", "gnutls-tls13.pcap"])
    func cleanModernConnectionsHaveOnlyInformationalFindings(fixture: String) throws {
        let connection = try #require(try Self.connections(fixture).first)
        #expect(connection.severity <= .info, "\(connection.findings)")
        #expect(connection.pfs == true)
    }

    @Test func forwardSecrecyFollowsTheKeyExchange() throws {
        #expect(try Self.connections("tls12-rsa-static.pcap").first?.pfs == false)
        #expect(try Self.connections("tls12-dhe-rsa.pcap").first?.pfs == true)
        #expect(try Self.connections("tls12-ecdhe-rsa.pcap").first?.pfs == true)
        // TLS 1.3 PSK resumption with psk_dhe_ke (OpenSSL's default) keeps PFS.
        let resumption = try Self.connections("tls13-resumption.pcap")
        #expect(resumption.count == 2)
        #expect(resumption.allSatisfy { $0.pfs == true })
        #expect(resumption.last?.resumed == true)
        // TLS 1.2 ticket resumption inherits the suite's key exchange.
        let tickets = try Self.connections("tls12-resumption-ticket.pcap")
        #expect(tickets.count >= 2)
        #expect(tickets.allSatisfy { $0.pfs == true })
        // Not TLS: unknown, never guessed.
        #expect(try Self.connections("http-plain.pcap").first?.pfs == nil)
    }

    @Test func hostGradesFollowTheCaps() throws {
        func grade(_ fixture: String) throws -> HostSnapshot {
            let tracker = try PcapFixture(contentsOf: Fixtures.pcap(fixture)).track()
            let snapshot = tracker.snapshot(source: .init(kind: "file", name: ""), generatedAt: .zero)
            return try #require(snapshot.hosts.first { $0.grade != nil })
        }
        #expect(try grade("http-plain.pcap").grade == .f)
        #expect(try grade("http-plain.pcap").gradeReason == "capped by plaintext")
        #expect(try grade("tls12-rsa-static.pcap").grade == .b)
        #expect(try grade("tls10-ecdhe.pcap").gradeReason == "capped by tls10")
        #expect(try grade("tls13-x25519.pcap").grade == .a)
        let counts = try grade("tls12-rsa-static.pcap").findingCounts
        #expect(counts[.noPFS] == 1)
    }

    /// The same traffic judged by each profile, as docs/policy.md says.
    @Test func switchingThePolicyChangesTheVerdicts() throws {
        func severity(_ fixture: String, _ id: FindingID, _ profile: Policy.Profile) throws -> Severity? {
            try Self.connections(fixture, policy: .builtIn(profile)).first?.findings.first { $0.id == id }?.severity
        }
        #expect(try severity("tls10-ecdhe.pcap", .tls10, .modern) == .critical)
        #expect(try severity("tls10-ecdhe.pcap", .tls10, .intermediate) == .warn)
        #expect(try severity("tls10-ecdhe.pcap", .tls10, .legacy) == .info)
        #expect(try severity("tls12-rsa-static.pcap", .noPFS, .modern) == .critical)
        #expect(try severity("tls12-rsa-static.pcap", .noPFS, .legacy) == .info)
        // TLS 1.2 is a finding only where the profile requires TLS 1.3.
        #expect(try severity("tls12-ecdhe-rsa.pcap", .tls12, .modern) == .warn)
        #expect(try severity("tls12-ecdhe-rsa.pcap", .tls12, .intermediate) == nil)
        // DH 1024 is weak for intermediate and modern, acceptable for legacy (5.7 old lists 1024).
        #expect(try severity("tls12-dhe-1024.pcap", .weakDH, .intermediate) == .warn)
        #expect(try severity("tls12-dhe-1024.pcap", .weakDH, .legacy) == nil)
        // Static RSA with CBC is inside the legacy (5.7 old) profile, outside intermediate.
        #expect(try severity("tls12-rsa-static.pcap", .cipherNotInProfile, .intermediate) == .info)
        #expect(try severity("tls12-rsa-static.pcap", .cipherNotInProfile, .legacy) == nil)
        // not-pq: silent under legacy, informational under intermediate, a warning under modern.
        #expect(try severity("tls13-x25519.pcap", .notPQ, .legacy) == nil)
        #expect(try severity("tls13-x25519.pcap", .notPQ, .intermediate) == .info)
        #expect(try severity("tls13-x25519.pcap", .notPQ, .modern) == .warn)
    }
}

/// Findings no loopback peer here can produce (OpenSSL 3 has no SSLv2/SSLv3, export, RC4 or DES), on
/// handshake facts built to the RFCs.
@Suite struct PostureOnSyntheticFactsTests {
    static func facts(version: ProtocolVersion, suite: UInt16, offered: [UInt16] = []) -> HandshakeFacts {
        var facts = HandshakeFacts()
        var hello = ClientHello(legacyVersion: version)
        hello.cipherSuites = CodePointList((offered.isEmpty ? [suite] : offered).map(CipherSuite.init(rawValue:)))
        hello.serverName = "x.test"
        facts.clientHello = hello
        facts.serverHello = ServerHello(legacyVersion: version, cipherSuite: CipherSuite(rawValue: suite))
        return facts
    }

    static let cases: [(ProtocolVersion, UInt16, FindingID, Severity)] = [
        (.sslv3, 0x000A, .sslv3, .critical),
        (.tls10, 0x0003, .exportCipher, .critical),  // TLS_RSA_EXPORT_WITH_RC4_40_MD5
        (.tls12, 0x0005, .rc4, .critical),  // TLS_RSA_WITH_RC4_128_SHA
        (.tls10, 0x0009, .des, .critical),  // TLS_RSA_WITH_DES_CBC_SHA
        (.tls12, 0x000A, .tripleDES, .warn),  // TLS_RSA_WITH_3DES_EDE_CBC_SHA
        (.tls12, 0x003B, .nullCipher, .critical),  // TLS_RSA_WITH_NULL_SHA256
        (.tls12, 0x00A6, .anonCipher, .critical),  // TLS_DH_anon_WITH_AES_128_GCM_SHA256
        (.tls12, 0x0030, .noPFS, .warn),  // TLS_DH_DSS_WITH_AES_128_CBC_SHA: static DH
    ]

    @Test(arguments: cases)
    func finding(version: ProtocolVersion, suite: UInt16, id: FindingID, severity: Severity) {
        let posture = PostureEvaluator.evaluate(
            Self.facts(version: version, suite: suite), protocol: .tls, policy: .intermediate, at: .zero)
        #expect(posture.findings.first { $0.id == id }?.severity == severity, "\(posture.findings)")
    }

    @Test func sslv2IsCritical() {
        var facts = HandshakeFacts()
        facts.sslv2ServerVersion = .sslv2
        let posture = PostureEvaluator.evaluate(facts, protocol: .sslv2, policy: .intermediate, at: .zero)
        #expect(posture.findings.first?.id == .sslv2)
        #expect(posture.severity == .critical)
    }

    @Test func weakOfferNamesWhatTheClientOfferedBesidesTheChoice() throws {
        let facts = Self.facts(version: .tls12, suite: 0xC02F, offered: [0xC02F, 0x0005, 0x000A, 0x0003, 0x0009])
        let posture = PostureEvaluator.evaluate(facts, protocol: .tls, policy: .intermediate, at: .zero)
        let offer = try #require(posture.findings.first { $0.id == .weakOffer })
        #expect(offer.detail.contains("TLS_RSA_WITH_RC4_128_SHA"))
        #expect(offer.detail.contains("1 more"))
        #expect(!posture.findings.contains { $0.id == .rc4 })
    }

    @Test func versionDowngradeSaysTheServerLimitedIt() throws {
        var facts = Self.facts(version: .tls12, suite: 0xC02F)
        facts.clientHello?.supportedVersions = [.tls13, .tls12]
        let posture = PostureEvaluator.evaluate(facts, protocol: .tls, policy: .intermediate, at: .zero)
        let downgrade = try #require(posture.findings.first { $0.id == .versionDowngrade })
        #expect(downgrade.detail == "client offered TLSv1.3, server chose TLSv1.2 (server limited it)")
    }

    @Test func pskKeOnlyResumptionHasNoForwardSecrecy() {
        var facts = Self.facts(version: .tls12, suite: 0x1301)
        facts.serverHello?.selectedVersion = .tls13
        facts.serverHello?.selectsPreSharedKey = true
        facts.serverHello?.keyShareGroup = nil
        #expect(PostureEvaluator.forwardSecrecy(facts) == false)
        facts.serverHello?.keyShareGroup = .x25519
        #expect(PostureEvaluator.forwardSecrecy(facts) == true)
        #expect(PostureEvaluator.forwardSecrecy(HandshakeFacts()) == nil)
    }

    @Test func postQuantumGroupsAreRecognizedAndOffersCounted() {
        var facts = Self.facts(version: .tls12, suite: 0x1301)
        facts.serverHello?.selectedVersion = .tls13
        facts.serverHello?.keyShareGroup = .x25519MLKEM768
        facts.clientHello?.keyShareGroups = [.x25519MLKEM768, .x25519]
        let posture = PostureEvaluator.evaluate(facts, protocol: .tls, policy: .builtIn(.modern), at: .zero)
        #expect(posture.pq && posture.pqOffered)
        #expect(!posture.findings.contains { $0.id == .notPQ })
        facts.serverHello?.keyShareGroup = .x25519
        let classical = PostureEvaluator.evaluate(facts, protocol: .tls, policy: .builtIn(.modern), at: .zero)
        #expect(!classical.pq && classical.pqOffered)
        #expect(classical.findings.first { $0.id == .notPQ }?.detail.contains("client offered") == true)
    }

    @Test func everyFindingHasAnExplanationAndAReference() {
        for id in FindingID.all {
            #expect(!id.explanation.hasPrefix("finding "), "\(id)")
            #expect(!id.reference.isEmpty)
        }
        #expect(Set(FindingID.all).count == FindingID.all.count)
        #expect(Policy.severityTable.map(\.0) == FindingID.all)
    }
}

@Suite struct PolicyFileTests {
    @Test func overridesThresholdsSeveritiesAndAllowLists() throws {
        let policy = try PolicyFile.parse(
            """
            # strict payments policy
            base = "intermediate"
            name = "payments"
            [thresholds]
            rsa_min_bits = 3072
            cert_expiring_days = 21
            [severity]
            no-pfs = "critical"   # a comment after a value
            not-pq = "ok"
            [allow]
            versions = ["TLSv1.3"]
            groups = ["X25519MLKEM768", "x25519",]
            """)
        #expect(policy.name == "payments")
        #expect(policy.minimumRSABits == 3072)
        #expect(policy.minimumDHBits == 2048)
        #expect(policy.certificateExpiryWarningDays == 21)
        #expect(policy.severity(of: .noPFS) == .critical)
        #expect(policy.severity(of: .notPQ) == .ok)
        #expect(policy.allowedVersions == [.tls13])
        #expect(policy.allowedGroups == [.x25519MLKEM768, .x25519])
    }

    @Test func silencedFindingsAreNotReported() throws {
        let policy = try PolicyFile.parse("[severity]\nno-pfs = \"ok\"\ncbc-mode = \"ok\"\n")
        let tracker = try PcapFixture(contentsOf: Fixtures.pcap("tls12-rsa-static.pcap")).track(policy: policy)
        let connection = try #require(
            tracker.snapshot(
                source: .init(kind: "file", name: ""), generatedAt: .zero
            )
            .connections.first)
        #expect(!connection.findings.contains { $0.id == .noPFS || $0.id == .cbcMode })
        #expect(connection.pfs == false)
    }

    @Test(arguments: [
        ("base = \"strict\"", 1, "key 'base'"),
        ("[severity]\nno-psf = \"warn\"", 2, "unknown finding id 'no-psf'"),
        ("[severity]\nno-pfs = \"loud\"", 2, "key 'no-pfs'"),
        ("[thresholds]\nrsa_min_bits = \"big\"", 2, "expected an integer"),
        ("[thresholds]\nrsa_min_bits = 12", 2, "outside"),
        ("[colors]\nx = 1", 1, "unknown table [colors]"),
        ("rsa_min_bits = 2048", 1, "unknown key 'rsa_min_bits' at the top level"),
        ("[allow]\nversions = [\"TLSv1.4\"]", 2, "unknown version 'TLSv1.4'"),
        ("[allow]\ncipher_suites = [\"AES128-SHA\"]", 2, "unknown IANA name"),
        ("[thresholds]\ndh_min_bits = 2048\ndh_min_bits = 1024", 3, "defined twice"),
        ("name = \"unterminated", 1, "unterminated string"),
        ("just words", 1, "expected 'key = value'"),
    ])
    func badFilesNameTheLineAndTheKey(text: String, line: Int, message: String) {
        #expect {
            try PolicyFile.parse(text)
        } throws: { error in
            guard let error = error as? PolicyFile.Error else { return false }
            return error.line == line && error.message.contains(message)
        }
    }
}

@Suite struct FindingCoverageTests {
    /// Every finding id is produced by a committed real capture, except the ones OpenSSL 3 can no
    /// longer negotiate at all, which the synthetic cases above cover.
    @Test func everyFindingComesFromRealTrafficOrAnExplicitSyntheticCase() throws {
        var seen: Set<FindingID> = []
        for name in Fixtures.allPcapNames {
            let fixture = try PcapFixture(contentsOf: Fixtures.pcap(name))
            for profile in Policy.Profile.allCases {
                let snapshot = fixture.track(policy: .builtIn(profile)).snapshot(
                    source: .init(kind: "file", name: name), generatedAt: .zero)
                for connection in snapshot.connections { seen.formUnion(connection.findings.map(\.id)) }
            }
        }
        let syntheticOnly: Set<FindingID> = [
            .sslv2, .sslv3, .exportCipher, .rc4, .des, .tripleDES, .pqMissed, .pqHelloRetry,
        ]
        let missing = Set(FindingID.all).subtracting(seen).subtracting(syntheticOnly)
        #expect(missing.isEmpty, "no real capture produces \(missing.sorted())")
        // pq-missed and pq-hrr: PostQuantumReadinessTests, on hellos with hybrid key shares.
        let covered = Set(PostureOnSyntheticFactsTests.cases.map(\.2)).union([.sslv2, .pqMissed, .pqHelloRetry])
        #expect(syntheticOnly.isSubset(of: covered))
    }
}

/// Finding ids compare and hash by their place in the catalogue; the string stays the contract.
@Suite struct FindingIDTests {
    @Test func anIdReadFromTextIsTheBuiltInOne() {
        #expect(Set(FindingID.all.map(\.index)).count == FindingID.all.count)
        for (position, id) in FindingID.all.enumerated() {
            let parsed = FindingID(rawValue: id.rawValue)
            #expect(Int(id.index) == position)
            #expect(parsed == id && parsed.hashValue == id.hashValue)
            #expect(parsed != FindingID.all[(position + 1) % FindingID.all.count])
        }
        let typo = FindingID(rawValue: "rc5")
        #expect(typo.index == FindingID.unknown && typo != .rc4)
        #expect(typo == FindingID(rawValue: "rc5") && typo != FindingID(rawValue: "rc6"))
        #expect([typo: 1][FindingID(rawValue: "rc5")] == 1)
    }
}
