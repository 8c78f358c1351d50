/// How a cipher suite establishes the premaster secret.
///
/// The case decides forward secrecy, which is the single most important posture property of a
/// pre-TLS 1.3 suite, so the static and ephemeral variants are kept apart.
public enum KeyExchange: String, Sendable, Hashable, CaseIterable {
    /// Static RSA key transport: the server's long-term key decrypts every recorded session.
    case rsa
    /// Static Diffie-Hellman from a certificate (`DH_DSS`, `DH_RSA`).
    case dh
    /// Ephemeral Diffie-Hellman, including anonymous `DH_anon`.
    case dhe
    /// Static elliptic-curve Diffie-Hellman from a certificate (`ECDH_ECDSA`, `ECDH_RSA`).
    case ecdh
    /// Ephemeral elliptic-curve Diffie-Hellman, including anonymous `ECDH_anon`.
    case ecdhe
    /// Plain pre-shared key (RFC 4279).
    case psk
    /// Pre-shared key combined with ephemeral DH (`DHE_PSK`, also spelled `PSK_DHE`).
    case dhePSK
    /// Pre-shared key combined with ephemeral ECDH.
    case ecdhePSK
    /// Pre-shared key combined with RSA key transport.
    case rsaPSK
    /// Kerberos 5 (RFC 2712).
    case krb5
    /// Secure Remote Password (RFC 5054).
    case srp
    /// `TLS_NULL_WITH_NULL_NULL`: the state before the first handshake completes.
    case null
    /// TLS 1.3 suites, which name only the AEAD and hash; key exchange is negotiated separately
    /// and is always ephemeral.
    case tls13
    /// Russian GOST key transport (VKO) in TLS 1.2 and the pre-standard GOST suites.
    case gost
    /// Elliptic-curve password authentication, "dragonfly" (RFC 8492).
    case eccpwd
    /// Anything else, e.g. SSL 3.0 FORTEZZA KEA or EC J-PAKE.
    case other
}

/// The cryptographic make-up of one cipher suite, derived from its registered name.
///
/// Only TLS 1.0–1.2 suites spell out key exchange and authentication; TLS 1.3 suites report
/// `.tls13` and `"any"` because those are negotiated by other extensions.
public struct CipherSuiteInfo: Sendable, Hashable {
    public var keyExchange: KeyExchange
    /// Who proves identity: `"RSA"`, `"ECDSA"`, `"DSS"`, `"anon"`, `"PSK"`, `"NULL"`, `"KRB5"`,
    /// `"SRP"`, `"ECCPWD"`, a GOST algorithm, or `"any"` for TLS 1.3.
    public var authentication: String
    /// Bulk cipher as spelled in the suite name, e.g. `"AES_128_GCM"`, `"3DES_EDE_CBC"`, `"NULL"`.
    public var encryption: String
    /// Record MAC hash (`"SHA"`, `"MD5"`, `"SHA256"`, …) or `"AEAD"` when the cipher
    /// authenticates records itself; integrity-only TLS 1.3 suites (RFC 9150) report their HMAC hash.
    public var mac: String
    /// 40- or 56-bit "export" grade suites, deliberately weakened and trivially breakable today.
    public var isExport: Bool
    /// No peer authentication at all, so a man in the middle is undetectable.
    public var isAnonymous: Bool
    /// Records are not encrypted.
    public var isNullCipher: Bool
    public var isRC4: Bool
    /// Single DES, including the 40-bit export variants.
    public var isDES: Bool
    public var isTripleDES: Bool
    /// CBC mode, which in TLS uses MAC-then-encrypt and has a long history of padding oracles.
    public var isCBC: Bool
    public var isAEAD: Bool
    /// Whether recorded traffic stays safe if the server's long-term key later leaks.
    ///
    /// True for ephemeral (EC)DH in all variants (anonymous and PSK ones included), the
    /// password-authenticated exchanges ECCPWD and EC J-PAKE, and every TLS 1.3 suite; false for
    /// static RSA, static (EC)DH, plain PSK, RSA-PSK, Kerberos, SRP and GOST key transport.
    public var hasForwardSecrecy: Bool

    public init(
        keyExchange: KeyExchange,
        authentication: String,
        encryption: String,
        mac: String,
        isExport: Bool,
        isAnonymous: Bool,
        isNullCipher: Bool,
        isRC4: Bool,
        isDES: Bool,
        isTripleDES: Bool,
        isCBC: Bool,
        isAEAD: Bool,
        hasForwardSecrecy: Bool
    ) {
        self.keyExchange = keyExchange
        self.authentication = authentication
        self.encryption = encryption
        self.mac = mac
        self.isExport = isExport
        self.isAnonymous = isAnonymous
        self.isNullCipher = isNullCipher
        self.isRC4 = isRC4
        self.isDES = isDES
        self.isTripleDES = isTripleDES
        self.isCBC = isCBC
        self.isAEAD = isAEAD
        self.hasForwardSecrecy = hasForwardSecrecy
    }
}

// MARK: - Deriving info from a registered name

extension CipherSuiteInfo {
    /// Key exchange, authentication and forward secrecy for each key-exchange label that appears
    /// between `TLS_` and `_WITH_` (with any `EXPORT`/`EXPORT1024` token already removed).
    private static let keyExchangeLabels:
        [String: (keyExchange: KeyExchange, authentication: String, forwardSecret: Bool)] = [
            "NULL": (.null, "NULL", false),
            "RSA": (.rsa, "RSA", false),
            "RSA_FIPS": (.rsa, "RSA", false),
            "RSA_OLDFIPS": (.rsa, "RSA", false),
            "DH_DSS": (.dh, "DSS", false),
            "DH_RSA": (.dh, "RSA", false),
            "DHE_DSS": (.dhe, "DSS", true),
            "DHE_RSA": (.dhe, "RSA", true),
            "DH_anon": (.dhe, "anon", true),
            "FORTEZZA_KEA": (.other, "KEA", false),
            "KRB5": (.krb5, "KRB5", false),
            "PSK": (.psk, "PSK", false),
            "DHE_PSK": (.dhePSK, "PSK", true),
            "PSK_DHE": (.dhePSK, "PSK", true),
            "RSA_PSK": (.rsaPSK, "RSA", false),
            "ECDH_ECDSA": (.ecdh, "ECDSA", false),
            "ECDH_RSA": (.ecdh, "RSA", false),
            "ECDHE_ECDSA": (.ecdhe, "ECDSA", true),
            "ECDHE_RSA": (.ecdhe, "RSA", true),
            "ECDH_anon": (.ecdhe, "anon", true),
            "ECDHE_PSK": (.ecdhePSK, "PSK", true),
            "SRP_SHA": (.srp, "SRP", false),
            "SRP_SHA_RSA": (.srp, "RSA", false),
            "SRP_SHA_DSS": (.srp, "DSS", false),
            "ECCPWD": (.eccpwd, "ECCPWD", true),
            "ECJPAKE": (.other, "ECJPAKE", true),
            "GOSTR341094": (.gost, "GOSTR341094", false),
            "GOSTR341001": (.gost, "GOSTR341001", false),
            "GOSTR341112_256": (.gost, "GOSTR341112_256", false),
        ]

    /// Trailing name tokens that are a MAC or PRF hash rather than part of the cipher. `NULL` is
    /// here for the MAC of `TLS_NULL_WITH_NULL_NULL`.
    private static let hashTokens: Set<String> = [
        "SHA", "SHA1", "MD5", "SHA256", "SHA384", "SHA512", "SM3", "GOSTR3411", "IMIT", "OMAC", "NULL",
    ]

    /// Tokens that mark an AEAD construction.
    private static let aeadTokens: Set<String> = ["GCM", "CCM", "POLY1305", "MGM", "AEGIS"]

    /// Derives the info for a registered suite name such as `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`.
    ///
    /// Parsing the canonical name keeps the table a plain list of IANA strings that can be diffed
    /// against the registry, instead of 400 hand-maintained rows of flags. Returns nil for
    /// signalling values and for names whose key-exchange label is not recognised; the tests
    /// require every real suite in the table to parse.
    init?(parsingName name: String) {
        guard name.hasPrefix("TLS_") || name.hasPrefix("SSL_") else { return nil }
        var tokens = name.split(separator: "_").dropFirst().map(String.init)
        if tokens.last == "SCSV" { return nil }
        if tokens.last == "OLD" { tokens.removeLast() }  // pre-RFC 7905 ChaCha20 code points

        let cipherTokens: [String]
        var keyExchange: KeyExchange
        var authentication: String
        var forwardSecret: Bool
        var isExport = false

        if let withIndex = tokens.firstIndex(of: "WITH") {
            var labelTokens = Array(tokens[..<withIndex])
            if labelTokens.contains(where: { $0.hasPrefix("EXPORT") }) {
                isExport = true
                labelTokens.removeAll { $0.hasPrefix("EXPORT") }
            }
            cipherTokens = Array(tokens[(withIndex + 1)...])
            guard let label = Self.keyExchangeLabels[labelTokens.joined(separator: "_")] else { return nil }
            (keyExchange, authentication, forwardSecret) = label
            // RFC 9367 TLS 1.3 GOST suites keep a TLS 1.2-style name but use MGM AEAD modes.
            if keyExchange == .gost, cipherTokens.contains("MGM") {
                (keyExchange, authentication, forwardSecret) = (.tls13, "any", true)
            }
        } else {
            // TLS 1.3 naming: TLS_<AEAD>_<HASH>.
            cipherTokens = tokens
            (keyExchange, authentication, forwardSecret) = (.tls13, "any", true)
        }
        guard !cipherTokens.isEmpty else { return nil }

        var encryptionTokens = cipherTokens
        var mac = ""
        if encryptionTokens.count > 1, let last = encryptionTokens.last, Self.hashTokens.contains(last) {
            mac = last
            encryptionTokens.removeLast()
        }
        // RFC 9150 integrity-only suites (TLS_SHA256_SHA256): what is left is just a hash.
        if encryptionTokens.allSatisfy(Self.hashTokens.contains) {
            encryptionTokens = ["NULL"]
        }

        let encryption = encryptionTokens.joined(separator: "_")
        let isAEAD = encryptionTokens.contains(where: Self.aeadTokens.contains)
        let first = encryptionTokens[0]

        self.init(
            keyExchange: keyExchange,
            authentication: authentication,
            encryption: encryption,
            mac: isAEAD ? "AEAD" : mac,
            isExport: isExport,
            isAnonymous: authentication == "anon" || authentication == "NULL",
            isNullCipher: encryption == "NULL",
            isRC4: first == "RC4",
            isDES: first == "DES" || first == "DES40",
            isTripleDES: first == "3DES",
            isCBC: encryptionTokens.contains("CBC"),
            isAEAD: isAEAD,
            hasForwardSecrecy: forwardSecret
        )
    }
}
