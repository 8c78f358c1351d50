/// Default severities and citations per built-in profile. docs/policy.md shows both tables.
extension Policy {
    /// Severities in `Profile.allCases` order: modern, intermediate, legacy, NIST SP 800-52r2,
    /// PCI DSS 4, BSI TR-02102-2, CNSA 2.0.
    static let severityTable: [(FindingID, [Severity])] = {
        let (o, i, w, c) = (Severity.ok, Severity.info, Severity.warn, Severity.critical)
        return [
            (.plaintext, [c, w, w, w, c, w, c]),
            (.cleartextCredentials, [c, c, c, c, c, c, c]),
            (.starttlsNotUsed, [c, w, w, w, c, w, c]),
            (.sslv2, [c, c, c, c, c, c, c]),
            (.sslv3, [c, c, c, c, c, c, c]),
            (.tls10, [c, w, i, c, c, c, c]),
            (.tls11, [c, w, i, w, c, c, c]),
            (.tls12, [w, o, o, o, o, o, c]),
            (.nullCipher, [c, c, c, c, c, c, c]),
            (.anonCipher, [c, c, c, c, c, c, c]),
            (.exportCipher, [c, c, c, c, c, c, c]),
            (.rc4, [c, c, c, c, c, c, c]),
            (.des, [c, c, c, c, c, c, c]),
            (.tripleDES, [c, w, i, c, c, c, c]),
            (.cbcMode, [w, i, o, o, i, o, i]),
            (.cipherNotInProfile, [w, i, i, w, w, w, c]),
            (.noPFS, [c, w, i, w, i, c, c]),
            (.weakDH, [c, w, w, c, c, w, c]),
            (.weakRSAKey, [c, w, w, c, c, w, c]),
            (.weakECKey, [c, w, w, c, c, c, c]),
            (.weakSignature, [c, w, i, c, c, c, c]),
            (.certExpired, [c, c, c, c, c, c, c]),
            (.certNotYetValid, [w, w, w, w, c, w, w]),
            (.certExpiringSoon, [w, i, i, i, w, i, i]),
            (.selfSigned, [w, w, i, w, w, w, w]),
            (.sniMismatch, [w, w, w, w, w, w, w]),
            (.noSNI, [i, i, o, i, i, i, i]),
            (.notPQ, [w, i, o, i, i, i, c]),
            (.groupNotInProfile, [w, i, i, w, i, w, c]),
            (.versionDowngrade, [w, w, i, i, i, i, i]),
            (.weakOffer, [i, i, o, i, i, i, i]),
            (.handshakeFailed, [w, w, w, w, w, w, w]),
            (.pqMissed, [w, i, i, i, i, i, c]),
            (.pqHelloRetry, [i, i, i, i, i, i, i]),
            (.notPQAuthentication, [o, o, o, o, o, o, w]),
            (.rsaPKCS1Signature, [o, o, o, o, o, w, o]),
        ]
    }()

    static func severities(at column: Int) -> [FindingID: Severity] {
        Dictionary(uniqueKeysWithValues: severityTable.map { ($0.0, $0.1[column]) })
    }

    /// The section of the profile's standard behind each finding it rules on; `reference(of:)`
    /// prefixes the standard's name. Findings a standard does not rule on keep their RFC reference.
    static func references(of profile: Profile) -> [FindingID: String] {
        var table: [FindingID: String] = [:]
        func cite(_ section: String, _ ids: FindingID...) { for id in ids { table[id] = section } }
        let broken: [FindingID] = [.nullCipher, .anonCipher, .exportCipher, .rc4, .des, .tripleDES]
        switch profile {
        case .modern, .intermediate, .legacy:
            // The profile is the rule: `standard` names it.
            cite("", .tls10, .tls11, .tls12, .cipherNotInProfile, .groupNotInProfile)
        case .nistSP800r2:
            cite("§3.1 (protocol version support)", .sslv2, .sslv3, .tls10, .tls11, .tls12, .versionDowngrade)
            cite("§3.3.1 (cipher suites)", .cipherNotInProfile, .noPFS, .cbcMode)
            for id in broken { table[id] = "§3.3.1 (cipher suites)" }
            cite("§3.4.2.2 (supported groups)", .groupNotInProfile, .weakDH)
            cite("§3.2.1 (server certificate profile)", .weakRSAKey, .weakECKey, .weakSignature, .selfSigned)
            cite("§3.2.1 (server certificate profile)", .certExpired, .certNotYetValid, .sniMismatch)
            cite("§3.4.1 (TLS extensions: server_name)", .noSNI)
        case .pciDSS4:
            cite("Req. 4.2.1 (strong cryptography for transmission)", .plaintext, .starttlsNotUsed, .sslv2, .sslv3)
            cite("Req. 4.2.1, Appendix A2 (SSL/early TLS)", .tls10, .tls11, .versionDowngrade)
            cite("Req. 4.2.1, Glossary \"strong cryptography\"", .cipherNotInProfile, .groupNotInProfile, .weakDH)
            for id in broken { table[id] = "Req. 4.2.1, Glossary \"strong cryptography\"" }
            cite("Req. 4.2.1, Glossary \"strong cryptography\"", .weakRSAKey, .weakECKey, .weakSignature)
            cite("Req. 4.2.1 (certificates valid, not expired)", .certExpired, .certNotYetValid, .certExpiringSoon)
            cite("Req. 4.2.1 (certificates valid, not expired)", .selfSigned, .sniMismatch)
            cite("Req. 8.3.2 (authentication factors unreadable in transit)", .cleartextCredentials)
        case .bsiTR02102:
            cite("§3.2 Table 2 (SSL/TLS versions)", .sslv2, .sslv3, .tls10, .tls11, .tls12, .versionDowngrade)
            cite("§3.3.1 Tables 3–4 (TLS 1.2 cipher suites), §3.4 (TLS 1.3)", .cipherNotInProfile, .noPFS, .cbcMode)
            for id in broken { table[id] = "§3.3.1 Tables 3–4 (TLS 1.2 cipher suites)" }
            cite("Tables 6 and 10 (groups), TR-02102-1 (hybrid key agreement)", .groupNotInProfile, .notPQ, .pqMissed)
            cite("Tables 11–12 (signature algorithms)", .rsaPKCS1Signature, .weakSignature)
            cite("TR-02102-1 (key lengths: RSA and DH 3000, EC 250 bits)", .weakRSAKey, .weakECKey, .weakDH)
        case .cnsa2:
            cite("and its TLS 1.3 profile (draft-becker-cnsa2-tls-profile): TLS 1.3 only", .tls10, .tls11, .tls12)
            cite("(AES-256: TLS_AES_256_GCM_SHA384)", .cipherNotInProfile, .cbcMode)
            for id in broken { table[id] = "(AES-256: TLS_AES_256_GCM_SHA384)" }
            cite("(ML-KEM-1024 key establishment)", .groupNotInProfile, .notPQ, .pqMissed, .noPFS)
            cite("(ML-DSA-87 signatures)", .notPQAuthentication, .weakRSAKey, .weakECKey, .weakSignature)
        }
        return table
    }
}
