/// A signature algorithm from the `signature_algorithms(_cert)` extensions and from
/// CertificateVerify / ServerKeyExchange.
///
/// TLS 1.3 names these "SignatureScheme"; TLS 1.2 sent the same two bytes as a
/// (hash, signature) pair. Both are covered, so legacy pairs that never got a SignatureScheme
/// name (such as MD5 or DSA ones) are still shown in readable form and flagged as weak.
public struct SignatureScheme: TLSCodePoint {
    public let rawValue: UInt16

    @inlinable
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// The IANA name, or a `<signature>_<hash>` name for unnamed TLS 1.2 pairs.
    public static func knownName(_ rawValue: UInt16) -> String? { entries[rawValue]?.name }

    /// Signs a SHA-1 digest, which is vulnerable to chosen-prefix collisions (RFC 9155 deprecates it).
    public var usesSHA1: Bool { Self.entries[rawValue]?.hash == .sha1 }

    /// Signs an MD5 digest, which is broken.
    public var usesMD5: Bool { Self.entries[rawValue]?.hash == .md5 }

    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2): the TLS 1.2 (hash, rsa) pairs and the `_legacy` schemes.
    /// TLS 1.3 forbids it in CertificateVerify; BSI TR-02102-2 withdrew it for handshakes.
    public var isRSAPKCS1: Bool {
        let hash = rawValue >> 8
        return (rawValue & 0xFF == 0x01 && (1...6).contains(hash))
            || (rawValue & 0xFF == 0x20 && (4...6).contains(hash))
    }

    /// A FIPS 204 ML-DSA scheme (draft-ietf-tls-mldsa).
    public var isPostQuantum: Bool { (0x0904...0x0906).contains(rawValue) }

    /// Every named scheme, in ascending code point order.
    public static let allKnown: [SignatureScheme] = entries.keys.sorted().map(SignatureScheme.init(rawValue:))
}

extension SignatureScheme {
    public static let rsaPKCS1SHA1 = SignatureScheme(rawValue: 0x0201)
    public static let ecdsaSHA1 = SignatureScheme(rawValue: 0x0203)
    public static let rsaPKCS1SHA256 = SignatureScheme(rawValue: 0x0401)
    public static let ecdsaSecp256r1SHA256 = SignatureScheme(rawValue: 0x0403)
    public static let rsaPKCS1SHA384 = SignatureScheme(rawValue: 0x0501)
    public static let ecdsaSecp384r1SHA384 = SignatureScheme(rawValue: 0x0503)
    public static let rsaPKCS1SHA512 = SignatureScheme(rawValue: 0x0601)
    public static let ecdsaSecp521r1SHA512 = SignatureScheme(rawValue: 0x0603)
    public static let rsaPSSRSAESHA256 = SignatureScheme(rawValue: 0x0804)
    public static let rsaPSSRSAESHA384 = SignatureScheme(rawValue: 0x0805)
    public static let rsaPSSRSAESHA512 = SignatureScheme(rawValue: 0x0806)
    public static let ed25519 = SignatureScheme(rawValue: 0x0807)
    public static let ed448 = SignatureScheme(rawValue: 0x0808)
    public static let rsaPSSPSSSHA256 = SignatureScheme(rawValue: 0x0809)
    public static let rsaPSSPSSSHA384 = SignatureScheme(rawValue: 0x080A)
    public static let rsaPSSPSSSHA512 = SignatureScheme(rawValue: 0x080B)
    public static let mldsa44 = SignatureScheme(rawValue: 0x0904)
    public static let mldsa65 = SignatureScheme(rawValue: 0x0905)
    public static let mldsa87 = SignatureScheme(rawValue: 0x0906)
}

extension SignatureScheme {
    /// The digest a scheme signs, tracked only where it makes the scheme weak.
    enum WeakHash: Sendable {
        case md5, sha1
    }

    struct Entry: Sendable {
        let name: String
        let hash: WeakHash?
    }

    /// Source: IANA "TLS SignatureScheme"
    /// (https://www.iana.org/assignments/tls-parameters/tls-parameters.xhtml#tls-signaturescheme).
    ///
    /// Rows marked "TLS 1.2 pair" are (hash, signature) combinations from the RFC 5246 registries
    /// that IANA lists only as "reserved for backward compatibility". They are named
    /// `<signature>_<hash>` following the registered `rsa_pkcs1_sha1` / `ecdsa_sha1` pattern; the
    /// GOST pairs use the "intrinsic" hash and, like `ed25519`, carry no hash suffix.
    static let registry: [(UInt16, String, WeakHash?)] = [
        (0x0101, "rsa_pkcs1_md5", .md5),  // TLS 1.2 pair
        (0x0102, "dsa_md5", .md5),  // TLS 1.2 pair
        (0x0103, "ecdsa_md5", .md5),  // TLS 1.2 pair
        (0x0201, "rsa_pkcs1_sha1", .sha1),
        (0x0202, "dsa_sha1", .sha1),  // TLS 1.2 pair
        (0x0203, "ecdsa_sha1", .sha1),
        (0x0301, "rsa_pkcs1_sha224", nil),  // TLS 1.2 pair
        (0x0302, "dsa_sha224", nil),  // TLS 1.2 pair
        (0x0303, "ecdsa_sha224", nil),  // TLS 1.2 pair
        (0x0401, "rsa_pkcs1_sha256", nil),
        (0x0402, "dsa_sha256", nil),  // TLS 1.2 pair
        (0x0403, "ecdsa_secp256r1_sha256", nil),
        (0x0420, "rsa_pkcs1_sha256_legacy", nil),
        (0x0501, "rsa_pkcs1_sha384", nil),
        (0x0502, "dsa_sha384", nil),  // TLS 1.2 pair
        (0x0503, "ecdsa_secp384r1_sha384", nil),
        (0x0520, "rsa_pkcs1_sha384_legacy", nil),
        (0x0601, "rsa_pkcs1_sha512", nil),
        (0x0602, "dsa_sha512", nil),  // TLS 1.2 pair
        (0x0603, "ecdsa_secp521r1_sha512", nil),
        (0x0620, "rsa_pkcs1_sha512_legacy", nil),
        (0x0704, "eccsi_sha256", nil),
        (0x0705, "iso_ibs1", nil),
        (0x0706, "iso_ibs2", nil),
        (0x0707, "iso_chinese_ibs", nil),
        (0x0708, "sm2sig_sm3", nil),
        (0x0709, "gostr34102012_256a", nil),
        (0x070A, "gostr34102012_256b", nil),
        (0x070B, "gostr34102012_256c", nil),
        (0x070C, "gostr34102012_256d", nil),
        (0x070D, "gostr34102012_512a", nil),
        (0x070E, "gostr34102012_512b", nil),
        (0x070F, "gostr34102012_512c", nil),
        (0x0804, "rsa_pss_rsae_sha256", nil),
        (0x0805, "rsa_pss_rsae_sha384", nil),
        (0x0806, "rsa_pss_rsae_sha512", nil),
        (0x0807, "ed25519", nil),
        (0x0808, "ed448", nil),
        (0x0809, "rsa_pss_pss_sha256", nil),
        (0x080A, "rsa_pss_pss_sha384", nil),
        (0x080B, "rsa_pss_pss_sha512", nil),
        (0x081A, "ecdsa_brainpoolP256r1tls13_sha256", nil),
        (0x081B, "ecdsa_brainpoolP384r1tls13_sha384", nil),
        (0x081C, "ecdsa_brainpoolP512r1tls13_sha512", nil),
        (0x0840, "gostr34102012_256", nil),  // TLS 1.2 pair (RFC 9189)
        (0x0841, "gostr34102012_512", nil),  // TLS 1.2 pair (RFC 9189)
        (0x0904, "mldsa44", nil),
        (0x0905, "mldsa65", nil),
        (0x0906, "mldsa87", nil),
    ]

    static let entries: [UInt16: Entry] = lookupTable(
        registry.lazy.map { value, name, hash in (value, Entry(name: name, hash: hash)) })
}
