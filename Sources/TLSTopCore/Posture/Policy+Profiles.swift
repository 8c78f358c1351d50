/// The built-in profiles. docs/policy.md prints these tables and cites the section of each
/// standard behind every choice, with what tlstop chose where a standard leaves room.
///
/// Under the standards' profiles (NIST, PCI DSS, BSI, CNSA) `critical` means the connection fails a
/// mandatory requirement ("shall", "must", "not permitted"), `warn` a recommendation or a
/// transition the standard announces, `info` something worth seeing that the standard does not rule.
extension Policy {
    public static func builtIn(_ profile: Profile) -> Policy {
        let column = Profile.allCases.firstIndex(of: profile) ?? 0
        var policy = Policy(
            name: profile.rawValue, profile: profile, allowedVersions: [.tls12, .tls13],
            allowedCipherSuites: suites(Suites.tls13Mozilla + Suites.ecdheAEAD), allowedGroups: Set(Groups.mozilla6),
            minimumRSABits: 2048, minimumDHBits: 2048, minimumECBits: 256, certificateExpiryWarningDays: 30,
            severities: severities(at: column))
        policy.references = references(of: profile)
        switch profile {
        case .modern:
            policy.allowedVersions = [.tls13]
            policy.allowedCipherSuites = suites(Suites.tls13Mozilla)
        case .intermediate:
            break
        case .legacy:
            // Server Side TLS 5.7 "old": TLS 1.0–1.3, CBC, static RSA and 3DES still listed, DH 1024.
            policy.allowedVersions = [.tls10, .tls11, .tls12, .tls13]
            policy.allowedCipherSuites = suites(Suites.tls13Mozilla + Suites.ecdheAEAD + Suites.mozillaOld)
            policy.allowedGroups = [.x25519, .secp256r1, .secp384r1]
            policy.minimumDHBits = 1024
        case .nistSP800r2:
            // §3.1 for government-only servers (a monitor cannot tell them from citizen-facing ones,
            // which may keep TLS 1.0/1.1): TLS 1.0 shall not, TLS 1.1 should not (the severities).
            policy.allowedCipherSuites = suites(Suites.nistTLS13 + Suites.nistTLS12)
            policy.allowedGroups = Set(Groups.nist)
            // §3.2.1: key and signature of at least 112 bits of security (P-224 and up).
            policy.minimumECBits = 224
        case .pciDSS4:
            // "Strong cryptography": at least 112 bits of effective strength, industry-tested
            // algorithms. PCI DSS lists no suites, so any AEAD or CBC suite of AES, ChaCha20, Camellia
            // or ARIA passes; the weak ones have findings of their own.
            policy.allowedCipherSuites = Set(CipherSuite.allKnown.filter(isStrongPCI))
            policy.allowedGroups = Set(Groups.pci)
            policy.minimumECBits = 224
        case .bsiTR02102:
            policy.allowedCipherSuites = suites(Suites.bsiTLS13 + Suites.bsiTLS12)
            policy.allowedGroups = Set(Groups.bsi)
            policy.minimumRSABits = 3000
            policy.minimumDHBits = 3000
            policy.minimumECBits = 250
            let endOf2029 = Timestamp(seconds: 1_893_456_000, nanoseconds: 0)  // 2030-01-01T00:00:00Z
            let endOf2031 = Timestamp(seconds: 1_956_528_000, nanoseconds: 0)  // 2032-01-01T00:00:00Z
            policy.sunsets = Sunsets(tls12: endOf2031, finiteFieldDHE: endOf2029, classicalKeyExchange: endOf2031)
        case .cnsa2:
            policy.allowedVersions = [.tls13]
            policy.allowedCipherSuites = suites([0x1302])
            policy.allowedGroups = [.mlkem1024, .secP384r1MLKEM1024]
            policy.minimumRSABits = 3072
            policy.minimumDHBits = 3072
            policy.minimumECBits = 384
            policy.minimumPQSignatureCategory = 5
            policy.restrictsPostQuantumGroups = true
        }
        return policy
    }

    private static func suites(_ values: [UInt16]) -> Set<CipherSuite> { Set(values.map(CipherSuite.init(rawValue:))) }

    private static func isStrongPCI(_ suite: CipherSuite) -> Bool {
        guard let info = suite.info, !info.isNullCipher, !info.isAnonymous, !info.isExport, !info.isRC4, !info.isDES,
            !info.isTripleDES, info.keyExchange != .null
        else { return false }
        let strong = ["AES_128", "AES_256", "CHACHA20", "CAMELLIA_128", "CAMELLIA_256", "ARIA_128", "ARIA_256"]
        return strong.contains { info.encryption.hasPrefix($0) }
    }

    /// Cipher suite code points of each profile's list.
    enum Suites {
        static let tls13Mozilla: [UInt16] = [0x1301, 0x1302, 0x1303]
        static let ecdheAEAD: [UInt16] = [0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8]
        static let mozillaOld: [UInt16] = [
            0x009E, 0x009F, 0xCCAA, 0xC023, 0xC027, 0xC009, 0xC013, 0xC024, 0xC028, 0xC00A, 0xC014, 0x0067, 0x006B,
            0x009C, 0x009D, 0x003C, 0x003D, 0x002F, 0x0035, 0x000A,
        ]
        /// SP 800-52r2 §3.3.1.2: AES-GCM and AES-CCM; no ChaCha20 (not a NIST-approved algorithm).
        static let nistTLS13: [UInt16] = [0x1301, 0x1302, 0x1304, 0x1305]
        /// SP 800-52r2 §3.3.1.1: AES in GCM, CCM or CBC mode with ECDHE and DHE for ECDSA, RSA and
        /// DSA certificates, and with static (EC)DH for DH and ECDH certificates. Static RSA key
        /// transport is only tolerated (Appendix D: "do not recommend"), so it is not listed.
        static let nistTLS12: [UInt16] = [
            0xC02B, 0xC02C, 0xC0AC, 0xC0AD, 0xC0AE, 0xC0AF, 0xC023, 0xC024, 0xC009, 0xC00A,
            0xC02F, 0xC030, 0xC027, 0xC028, 0xC013, 0xC014,
            0x009E, 0x009F, 0xC09E, 0xC09F, 0xC0A2, 0xC0A3, 0x0067, 0x006B, 0x0033, 0x0039,
            0x00A2, 0x00A3, 0x0040, 0x006A, 0x0032, 0x0038,
            0x00A0, 0x00A1, 0x00A4, 0x00A5, 0x003E, 0x003F, 0x0068, 0x0069, 0x0030, 0x0031, 0x0036, 0x0037,
            0xC02D, 0xC02E, 0xC031, 0xC032, 0xC025, 0xC026, 0xC029, 0xC02A, 0xC004, 0xC005, 0xC00E, 0xC00F,
        ]
        /// TR-02102-2 §3.4.4: AES-GCM, AES-CCM (no CCM_8, no ChaCha20).
        static let bsiTLS13: [UInt16] = [0x1301, 0x1302, 0x1304]
        /// TR-02102-2 §3.3.1: (EC)DHE with AES-CBC (SHA-2), AES-GCM or AES-CCM.
        static let bsiTLS12: [UInt16] = [
            0xC023, 0xC024, 0xC02B, 0xC02C, 0xC0AC, 0xC0AD,
            0xC027, 0xC028, 0xC02F, 0xC030,
            0x0040, 0x006A, 0x00A2, 0x00A3,
            0x0067, 0x006B, 0x009E, 0x009F, 0xC09E, 0xC09F,
        ]
    }

    /// Group lists. Post-quantum groups are never `group-not-in-profile`: `pq` says what they are.
    enum Groups {
        static let mozilla6: [NamedGroup] = [.x25519MLKEM768, .x25519, .secp256r1, .secp384r1]
        /// SP 800-52r2 §3.4.2.2 and SP 800-56A Appendix D: the NIST curves and the RFC 7919 groups.
        /// X25519 and X448 are not listed (SP 800-52r2 predates SP 800-186).
        static let nist: [NamedGroup] = [
            NamedGroup(rawValue: 0x0015), .secp256r1, .secp384r1, .secp521r1, .ffdhe2048, .ffdhe3072,
            NamedGroup(rawValue: 0x0102), NamedGroup(rawValue: 0x0103), NamedGroup(rawValue: 0x0104),
        ]
        static let pci: [NamedGroup] = nist + brainpool + [.x25519, .x448]
        static let brainpool: [NamedGroup] = [0x001A, 0x001B, 0x001C, 0x001F, 0x0020, 0x0021].map(NamedGroup.init)
        /// TR-02102-2 §3.3.2/§3.4.3: the NIST P-256/P-384 and brainpool curves, ffdhe3072/4096 (2048 is
        /// under TR-02102-1's 3000 bits). No X25519, no secp521r1.
        static let bsi: [NamedGroup] = [.secp256r1, .secp384r1, .ffdhe3072, NamedGroup(rawValue: 0x0102)] + brainpool
    }
}
