/// What "good enough" means: which versions, suites and groups a profile accepts, the key-size
/// thresholds, and how severe each finding is. Built-in profiles follow Mozilla's Server Side TLS
/// guidelines (modern and intermediate from 6.0, old from 5.8); a policy file can adjust any of it.
public struct Policy: Sendable, Equatable {
    public enum Profile: String, Sendable, CaseIterable {
        case modern, intermediate, old
    }

    public var name: String
    public var profile: Profile
    public var allowedVersions: Set<ProtocolVersion>
    /// Cipher suites the profile lists, TLS 1.3 and TLS ≤ 1.2 together.
    public var allowedCipherSuites: Set<CipherSuite>
    public var allowedGroups: Set<NamedGroup>
    public var minimumRSABits: Int
    public var minimumDHBits: Int
    public var minimumECBits: Int
    /// A certificate expiring within this many days raises `cert-expiring-soon`.
    public var certificateExpiryWarningDays: Int
    public var severities: [FindingID: Severity]

    public func severity(of id: FindingID) -> Severity { severities[id] ?? .info }

    public static func builtIn(_ profile: Profile) -> Policy {
        let tls13Suites: [UInt16] = [0x1301, 0x1302, 0x1303]
        let ecdheAEAD: [UInt16] = [0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8]
        let groups6: [NamedGroup] = [.x25519MLKEM768, .x25519, .secp256r1, .secp384r1]
        switch profile {
        case .modern:
            return Policy(
                name: "modern", profile: .modern, allowedVersions: [.tls13],
                allowedCipherSuites: Set(tls13Suites.map(CipherSuite.init(rawValue:))), allowedGroups: Set(groups6),
                minimumRSABits: 2048, minimumDHBits: 2048, minimumECBits: 256, certificateExpiryWarningDays: 30,
                severities: severities(at: 0))
        case .intermediate:
            return Policy(
                name: "intermediate", profile: .intermediate, allowedVersions: [.tls12, .tls13],
                allowedCipherSuites: Set((tls13Suites + ecdheAEAD).map(CipherSuite.init(rawValue:))),
                allowedGroups: Set(groups6), minimumRSABits: 2048, minimumDHBits: 2048, minimumECBits: 256,
                certificateExpiryWarningDays: 30, severities: severities(at: 1))
        case .old:
            // Server Side TLS 5.8 "old": TLS 1.0–1.3, CBC, static RSA and 3DES still listed, DH 1024.
            let old: [UInt16] =
                tls13Suites + ecdheAEAD + [
                    0x009E, 0x009F, 0xCCAA, 0xC023, 0xC027, 0xC009, 0xC013, 0xC024, 0xC028, 0xC00A, 0xC014, 0x0067,
                    0x006B, 0x009C, 0x009D, 0x003C, 0x003D, 0x002F, 0x0035, 0x000A,
                ]
            return Policy(
                name: "old", profile: .old, allowedVersions: [.tls10, .tls11, .tls12, .tls13],
                allowedCipherSuites: Set(old.map(CipherSuite.init(rawValue:))),
                allowedGroups: [.x25519, .secp256r1, .secp384r1], minimumRSABits: 2048, minimumDHBits: 1024,
                minimumECBits: 256, certificateExpiryWarningDays: 30, severities: severities(at: 2))
        }
    }

    /// Default severities per profile: (modern, intermediate, old). docs/policy.md shows this table.
    static let severityTable: [(FindingID, [Severity])] = [
        (.plaintext, [.critical, .warn, .warn]),
        (.cleartextCredentials, [.critical, .critical, .critical]),
        (.starttlsNotUsed, [.critical, .warn, .warn]),
        (.sslv2, [.critical, .critical, .critical]),
        (.sslv3, [.critical, .critical, .critical]),
        (.tls10, [.critical, .warn, .info]),
        (.tls11, [.critical, .warn, .info]),
        (.tls12, [.warn, .ok, .ok]),
        (.nullCipher, [.critical, .critical, .critical]),
        (.anonCipher, [.critical, .critical, .critical]),
        (.exportCipher, [.critical, .critical, .critical]),
        (.rc4, [.critical, .critical, .critical]),
        (.des, [.critical, .critical, .critical]),
        (.tripleDES, [.critical, .warn, .info]),
        (.cbcMode, [.warn, .info, .ok]),
        (.cipherNotInProfile, [.warn, .info, .info]),
        (.noPFS, [.critical, .warn, .info]),
        (.weakDH, [.critical, .warn, .warn]),
        (.weakRSAKey, [.critical, .warn, .warn]),
        (.weakECKey, [.critical, .warn, .warn]),
        (.weakSignature, [.critical, .warn, .info]),
        (.certExpired, [.critical, .critical, .critical]),
        (.certNotYetValid, [.warn, .warn, .warn]),
        (.certExpiringSoon, [.warn, .info, .info]),
        (.selfSigned, [.warn, .warn, .info]),
        (.sniMismatch, [.warn, .warn, .warn]),
        (.noSNI, [.info, .info, .ok]),
        (.notPQ, [.warn, .info, .ok]),
        (.groupNotInProfile, [.warn, .info, .info]),
        (.versionDowngrade, [.warn, .warn, .info]),
        (.weakOffer, [.info, .info, .ok]),
        (.handshakeFailed, [.warn, .warn, .warn]),
    ]

    static func severities(at column: Int) -> [FindingID: Severity] {
        Dictionary(uniqueKeysWithValues: severityTable.map { ($0.0, $0.1[column]) })
    }

    public static let intermediate = builtIn(.intermediate)
}
