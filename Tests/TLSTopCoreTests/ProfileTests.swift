import Foundation
import TestSupport
import Testing

@testable import TLSTopCore

/// Each built-in profile passes a connection and fails another, on real captures wherever a tool
/// here can make one, for a reason its standard gives (docs/policy.md cites the sections).
@Suite struct ProfileOnFixturesTests {
    enum Expectation: Sendable, CustomStringConvertible {
        /// Nothing above info.
        case passes
        /// This finding at this severity (the connection is at least that bad).
        case fails(FindingID, Severity)

        var description: String {
            switch self {
            case .passes: "passes"
            case .fails(let id, let severity): "fails with \(id) \(severity.name)"
            }
        }
    }

    static let cases: [(Policy.Profile, String, Expectation)] = [
        // Mozilla 6.0 intermediate: TLS 1.2 ECDHE AEAD passes; TLS 1.0 is not listed.
        (.intermediate, "tls12-ecdhe-rsa.pcap", .passes),
        (.intermediate, "tls10-ecdhe.pcap", .fails(.tls10, .warn)),
        // Mozilla 6.0 modern: TLS 1.3 only (its pass needs a PQ group: synthetic, below).
        (.modern, "tls12-ecdhe-rsa.pcap", .fails(.tls12, .warn)),
        (.modern, "tls13-x25519.pcap", .fails(.notPQ, .warn)),
        // Mozilla 5.7 old: TLS 1.0 with ECDHE-RSA-AES256-SHA is listed; NULL never was.
        (.legacy, "tls10-ecdhe.pcap", .passes),
        (.legacy, "policy-null-cipher.pcap", .fails(.nullCipher, .critical)),
        // SP 800-52r2: §3.3.1.1 lists DHE_RSA AES-128-GCM, §3.4.2.2 P-256; X25519 is not listed,
        // §3.1 government-only servers shall not use TLS 1.0, App. D does not recommend RSA key transport.
        (.nistSP800r2, "tls12-dhe-rsa.pcap", .passes),
        (.nistSP800r2, "gnutls-tls13.pcap", .passes),
        (.nistSP800r2, "tls13-x25519.pcap", .fails(.groupNotInProfile, .warn)),
        (.nistSP800r2, "tls10-ecdhe.pcap", .fails(.tls10, .critical)),
        (.nistSP800r2, "tls12-rsa-static.pcap", .fails(.cipherNotInProfile, .warn)),
        // PCI DSS 4.0.1 Req. 4.2.1: strong cryptography passes; early TLS and expired certificates fail.
        (.pciDSS4, "tls12-ecdhe-rsa.pcap", .passes),
        (.pciDSS4, "tls11-ecdhe.pcap", .fails(.tls11, .critical)),
        (.pciDSS4, "policy-expired-cert.pcap", .fails(.certExpired, .critical)),
        (.pciDSS4, "plain-ftp-login.pcap", .fails(.cleartextCredentials, .critical)),
        // BSI TR-02102-2: TLS 1.3 with P-256 and AES-256-GCM passes; X25519 is not in its groups, RSA
        // PKCS#1 v1.5 signatures and RSA/DH under 3000 bits are no longer recommended.
        (.bsiTR02102, "gnutls-tls13.pcap", .passes),
        (.bsiTR02102, "tls13-x25519.pcap", .fails(.groupNotInProfile, .warn)),
        (.bsiTR02102, "tls12-ecdhe-rsa.pcap", .fails(.rsaPKCS1Signature, .warn)),
        (.bsiTR02102, "tls12-ecdhe-rsa.pcap", .fails(.weakRSAKey, .warn)),
        (.bsiTR02102, "tls12-dhe-rsa.pcap", .fails(.weakDH, .warn)),
        // CNSA 2.0: ML-KEM-1024 only, so x25519 fails (its pass is synthetic, below); TLS 1.3 only.
        (.cnsa2, "tls13-x25519.pcap", .fails(.notPQ, .critical)),
        (.cnsa2, "tls13-x25519.pcap", .fails(.groupNotInProfile, .critical)),
        (.cnsa2, "tls12-ecdsa.pcap", .fails(.tls12, .critical)),
        (.cnsa2, "tls12-ecdsa.pcap", .fails(.notPQAuthentication, .warn)),
    ]

    @Test(arguments: cases)
    func profileOnRealTraffic(profile: Policy.Profile, fixture: String, expected: Expectation) throws {
        let connection = try #require(
            try PostureOnFixturesTests.connections(fixture, policy: .builtIn(profile)).first)
        switch expected {
        case .passes:
            #expect(connection.severity <= .info, "\(profile.rawValue) on \(fixture): \(connection.findings)")
        case .fails(let id, let severity):
            let finding = try #require(
                connection.findings.first { $0.id == id }, "\(profile.rawValue) on \(fixture): \(connection.findings)")
            #expect(finding.severity == severity)
            #expect(!finding.detail.isEmpty)
        }
    }

    @Test func everyProfileHasAPassAndAFail() {
        let synthetic: Set<Policy.Profile> = [.modern, .cnsa2]  // their passes need a PQ group
        for profile in Policy.Profile.allCases {
            let mine = Self.cases.filter { $0.0 == profile }
            let passes = mine.contains { if case .passes = $0.2 { true } else { false } }
            #expect(passes || synthetic.contains(profile), "\(profile.rawValue) has no passing capture")
            #expect(mine.contains { if case .fails = $0.2 { true } else { false } }, "\(profile.rawValue)")
        }
    }

    @Test func cnsaTurnsAnX25519TLS13ConnectionIntoAWarningWhereIntermediateKeepsItInformational() throws {
        let intermediate = try #require(try PostureOnFixturesTests.connections("tls13-x25519.pcap").first)
        let cnsa = try #require(
            try PostureOnFixturesTests.connections("tls13-x25519.pcap", policy: .builtIn(.cnsa2)).first)
        #expect(intermediate.severity == .info)
        #expect(cnsa.severity >= .warn)
    }

    @Test func findingsCiteTheRuleOfTheProfilesStandard() {
        #expect(
            Policy.builtIn(.nistSP800r2).reference(of: .tls10)
                == "NIST SP 800-52 Rev. 2 §3.1 (protocol version support)")
        #expect(Policy.builtIn(.pciDSS4).reference(of: .certExpired).hasPrefix("PCI DSS v4.0.1 Req. 4.2.1"))
        #expect(Policy.builtIn(.bsiTR02102).reference(of: .rsaPKCS1Signature).hasPrefix("BSI TR-02102-2"))
        #expect(Policy.builtIn(.cnsa2).reference(of: .groupNotInProfile).contains("ML-KEM-1024"))
        // A finding a standard does not rule on keeps its RFC.
        #expect(Policy.builtIn(.cnsa2).reference(of: .sniMismatch) == FindingID.sniMismatch.reference)
        for profile in Policy.Profile.allCases {
            let policy = Policy.builtIn(profile)
            #expect(policy.name == profile.rawValue)
            #expect(FindingID.all.allSatisfy { !policy.reference(of: $0).isEmpty })
        }
    }

    @Test func oldIsTheRetiredNameOfLegacy() throws {
        let named = try #require(Policy.Profile.named("old"))
        #expect(named.profile == .legacy)
        #expect(named.notice?.contains("legacy") == true)
        #expect(Policy.Profile.named("legacy")?.notice == nil)
        #expect(Policy.Profile.named("mozilla") == nil)
        let file = try PolicyFile.parse("base = \"old\"\n")
        #expect(file.profile == .legacy && file.name == "legacy+file")
    }
}

/// What no tool on this machine can negotiate: post-quantum key exchange, in hellos laid out as
/// the RFCs say and fed through the whole pipeline.
@Suite struct PostQuantumReadinessTests {
    typealias Hellos = PostQuantumHandshake

    @Test func aClassicalAnswerToAHybridOfferIsAMissedOpportunity() throws {
        let record = try #require(
            Hellos.judge([
                Hellos.clientHello(groups: [.x25519MLKEM768, .x25519], shares: [.x25519MLKEM768, .x25519]),
                Hellos.serverHello(group: .x25519),
            ]))
        #expect(record.group == .x25519 && !record.pq && record.pqOffered && record.pqMissed)
        let missed = try #require(record.findings.first { $0.id == .pqMissed })
        #expect(missed.severity == .info)
        #expect(missed.detail == "client offered X25519MLKEM768, server chose x25519")
        #expect(record.findings.contains { $0.id == .notPQ })
    }

    @Test func aHybridAnswerIsPostQuantumAndNotMissed() throws {
        let record = try #require(
            Hellos.judge(
                [
                    Hellos.clientHello(groups: [.x25519MLKEM768, .x25519], shares: [.x25519MLKEM768]),
                    Hellos.serverHello(group: .x25519MLKEM768),
                ], policies: [.builtIn(.modern)]))
        #expect(record.pq && !record.pqMissed && !record.helloRetryRequest)
        #expect(record.severity <= .info, "modern passes a hybrid TLS 1.3 connection: \(record.findings)")
        #expect(!record.findings.contains { $0.id == .notPQ || $0.id == .pqMissed || $0.id == .pqHelloRetry })
    }

    @Test func aClientThatDidNotOfferMissedNothing() throws {
        let record = try #require(
            Hellos.judge([Hellos.clientHello(groups: [.x25519], shares: [.x25519]), Hellos.serverHello(group: .x25519)])
        )
        #expect(!record.pqOffered && !record.pqMissed)
        #expect(!record.findings.contains { $0.id == .pqMissed })
    }

    @Test func aHelloRetryToReachTheHybridGroupIsNoted() throws {
        // The client sent only an x25519 share; the server asked again for X25519MLKEM768.
        let groups: [NamedGroup] = [.x25519, .x25519MLKEM768]
        let record = try #require(
            Hellos.judge([
                Hellos.clientHello(groups: groups, shares: [.x25519]),
                Hellos.serverHello(group: .x25519MLKEM768, retry: true),
                Hellos.clientHello(groups: groups, shares: [.x25519MLKEM768]),
                Hellos.serverHello(group: .x25519MLKEM768),
            ]))
        #expect(record.pq && record.helloRetryRequest && !record.pqMissed)
        let retry = try #require(record.findings.first { $0.id == .pqHelloRetry })
        #expect(retry.detail == "HelloRetryRequest for X25519MLKEM768")
    }

    @Test func cnsaAcceptsMLKEM1024AndNotX25519MLKEM768() throws {
        let cnsa = Policy.builtIn(.cnsa2)
        for group in [NamedGroup.mlkem1024, .secP384r1MLKEM1024] {
            let record = try #require(
                Hellos.judge(
                    [Hellos.clientHello(groups: [group], shares: [group]), Hellos.serverHello(group: group)],
                    policies: [cnsa]))
            #expect(record.severity <= .info, "\(group.name): \(record.findings)")
        }
        let hybrid768 = try #require(
            Hellos.judge(
                [
                    Hellos.clientHello(groups: [.x25519MLKEM768], shares: [.x25519MLKEM768]),
                    Hellos.serverHello(group: .x25519MLKEM768),
                ], policies: [cnsa]))
        #expect(hybrid768.findings.first { $0.id == .groupNotInProfile }?.severity == .critical)
        // AES-128 is not CNSA: only TLS_AES_256_GCM_SHA384 is.
        let aes128 = try #require(
            Hellos.judge(
                [
                    Hellos.clientHello(groups: [.mlkem1024], shares: [.mlkem1024]),
                    Hellos.serverHello(group: .mlkem1024, suite: 0x1301),
                ], policies: [cnsa]))
        #expect(aes128.findings.first { $0.id == .cipherNotInProfile }?.severity == .critical)
    }

    @Test func everyPolicyGivenIsJudgedAndTheFirstDecides() throws {
        let record = try #require(
            Hellos.judge(
                [
                    Hellos.clientHello(groups: [.x25519MLKEM768, .x25519], shares: [.x25519MLKEM768]),
                    Hellos.serverHello(group: .x25519),
                ], policies: [.intermediate, .builtIn(.cnsa2), .builtIn(.modern)]))
        #expect(record.severity == .info)
        #expect(record.otherVerdicts.map(\.policy) == ["cnsa-2.0", "modern"])
        #expect(record.otherVerdicts.first?.severity == .critical)
        #expect(record.otherVerdicts.last?.findings.first { $0.id == .pqMissed }?.severity == .warn)
    }

    @Test func theHeaderShareOfMissedConnectionsCountsEveryOne() throws {
        var totals = ConnectionTotals()
        for server in ["10.9.0.2", "10.9.0.3", "10.9.0.4"] {
            let answer: NamedGroup = server == "10.9.0.4" ? .x25519MLKEM768 : .x25519
            let record = try #require(
                Hellos.judge(
                    [
                        Hellos.clientHello(groups: [.x25519MLKEM768, .x25519], shares: [.x25519MLKEM768]),
                        Hellos.serverHello(group: answer),
                    ], server: server))
            totals.add(record)
        }
        #expect(totals.tlsFamily == 3 && totals.pq == 1 && totals.pqMissed == 2)
    }
}
