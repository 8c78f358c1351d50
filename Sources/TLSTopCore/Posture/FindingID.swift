/// The stable identifiers of findings, with a one-line explanation and the reference behind each.
///
/// Ids are part of the snapshot contract and of policy files: never rename one.
public struct FindingID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String
    /// The id's place in `all`, `unknown` for an id tlstop does not raise (a policy file's typo):
    /// equality and hashing read this byte, not the string, since every judged connection looks
    /// its findings up in the policy's, the totals' and its host's tables.
    let index: UInt8
    static let unknown = UInt8.max

    public init(rawValue: String) {
        self.rawValue = rawValue
        self.index = Self.indexByName[rawValue] ?? Self.unknown
    }

    private init(known rawValue: String, _ index: UInt8) {
        self.rawValue = rawValue
        self.index = index
    }

    private static let indexByName = Dictionary(uniqueKeysWithValues: all.map { ($0.rawValue, $0.index) })

    public static func == (lhs: FindingID, rhs: FindingID) -> Bool {
        lhs.index == rhs.index && (lhs.index != unknown || lhs.rawValue == rhs.rawValue)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(index)
        if index == Self.unknown { hasher.combine(rawValue) }
    }

    public var description: String { rawValue }

    public static func < (lhs: FindingID, rhs: FindingID) -> Bool { lhs.rawValue < rhs.rawValue }

    public static let plaintext = FindingID(known: "plaintext", 0)
    public static let cleartextCredentials = FindingID(known: "cleartext-credentials", 1)
    public static let starttlsNotUsed = FindingID(known: "starttls-not-used", 2)
    public static let sslv2 = FindingID(known: "sslv2", 3)
    public static let sslv3 = FindingID(known: "sslv3", 4)
    public static let tls10 = FindingID(known: "tls10", 5)
    public static let tls11 = FindingID(known: "tls11", 6)
    public static let tls12 = FindingID(known: "tls12", 7)
    public static let nullCipher = FindingID(known: "null-cipher", 8)
    public static let anonCipher = FindingID(known: "anon-cipher", 9)
    public static let exportCipher = FindingID(known: "export-cipher", 10)
    public static let rc4 = FindingID(known: "rc4", 11)
    public static let des = FindingID(known: "des", 12)
    public static let tripleDES = FindingID(known: "3des", 13)
    public static let cbcMode = FindingID(known: "cbc-mode", 14)
    public static let cipherNotInProfile = FindingID(known: "cipher-not-in-profile", 15)
    public static let noPFS = FindingID(known: "no-pfs", 16)
    public static let weakDH = FindingID(known: "weak-dh", 17)
    public static let weakRSAKey = FindingID(known: "weak-rsa-key", 18)
    public static let weakECKey = FindingID(known: "weak-ec-key", 19)
    public static let weakSignature = FindingID(known: "weak-signature", 20)
    public static let certExpired = FindingID(known: "cert-expired", 21)
    public static let certNotYetValid = FindingID(known: "cert-not-yet-valid", 22)
    public static let certExpiringSoon = FindingID(known: "cert-expiring-soon", 23)
    public static let selfSigned = FindingID(known: "self-signed", 24)
    public static let sniMismatch = FindingID(known: "sni-mismatch", 25)
    public static let noSNI = FindingID(known: "no-sni", 26)
    public static let notPQ = FindingID(known: "not-pq", 27)
    public static let groupNotInProfile = FindingID(known: "group-not-in-profile", 28)
    public static let versionDowngrade = FindingID(known: "version-downgrade", 29)
    public static let weakOffer = FindingID(known: "weak-offer", 30)
    public static let handshakeFailed = FindingID(known: "handshake-failed", 31)
    public static let pqMissed = FindingID(known: "pq-missed", 32)
    public static let pqHelloRetry = FindingID(known: "pq-hrr", 33)
    public static let notPQAuthentication = FindingID(known: "not-pq-auth", 34)
    public static let rsaPKCS1Signature = FindingID(known: "rsa-pkcs1-signature", 35)

    /// Every finding tlstop can raise, in the order the documentation lists them.
    public static let all: [FindingID] = [
        .plaintext, .cleartextCredentials, .starttlsNotUsed, .sslv2, .sslv3, .tls10, .tls11, .tls12, .nullCipher,
        .anonCipher, .exportCipher, .rc4, .des, .tripleDES, .cbcMode, .cipherNotInProfile, .noPFS, .weakDH,
        .weakRSAKey, .weakECKey, .weakSignature, .certExpired, .certNotYetValid, .certExpiringSoon, .selfSigned,
        .sniMismatch, .noSNI, .notPQ, .groupNotInProfile, .versionDowngrade, .weakOffer, .handshakeFailed,
        .pqMissed, .pqHelloRetry, .notPQAuthentication, .rsaPKCS1Signature,
    ]

    /// One line a person can act on.
    public var explanation: String {
        switch rawValue {
        case "plaintext": "traffic is not encrypted: anyone on the path can read and change it"
        case "cleartext-credentials": "a password or token crossed the network in clear"
        case "starttls-not-used": "the server offers STARTTLS but this session stayed in clear"
        case "sslv2": "SSL 2.0 is broken (DROWN); prohibited by RFC 6176"
        case "sslv3": "SSL 3.0 is broken (POODLE); prohibited by RFC 7568"
        case "tls10": "TLS 1.0 is deprecated (RFC 8996): CBC and SHA-1 weaknesses"
        case "tls11": "TLS 1.1 is deprecated (RFC 8996)"
        case "tls12": "TLS 1.2 is below the profile's TLS 1.3-only requirement"
        case "null-cipher": "NULL cipher: records are authenticated but not encrypted"
        case "anon-cipher": "anonymous key exchange: no server authentication, trivially intercepted"
        case "export-cipher": "export-grade cipher: 40/56-bit keys, broken (FREAK, Logjam)"
        case "rc4": "RC4 is broken; prohibited by RFC 7465"
        case "des": "single DES: 56-bit key, brute-forced in hours"
        case "3des": "3DES has 64-bit blocks: Sweet32 collisions after ~32 GB (RFC 9325)"
        case "cbc-mode": "CBC mode with MAC-then-encrypt: padding-oracle history (Lucky13); prefer AEAD"
        case "cipher-not-in-profile": "cipher suite outside the policy profile's list"
        case "no-pfs": "static key exchange: one stolen server key decrypts every recorded session"
        case "weak-dh": "Diffie-Hellman prime below the policy minimum (Logjam)"
        case "weak-rsa-key": "RSA key below the policy minimum"
        case "weak-ec-key": "elliptic-curve key below the policy minimum"
        case "weak-signature": "certificate signed with SHA-1 or MD5: collisions are practical"
        case "cert-expired": "certificate has expired"
        case "cert-not-yet-valid": "certificate is not valid yet"
        case "cert-expiring-soon": "certificate expires within the policy's warning window"
        case "self-signed": "self-signed certificate: clients cannot authenticate the server"
        case "sni-mismatch": "the certificate does not cover the name the client asked for"
        case "no-sni": "no server name sent: virtual hosting and certificate checks are blind"
        case "not-pq": "no post-quantum hybrid key exchange: recorded traffic is exposed to future quantum attacks"
        case "group-not-in-profile": "key-exchange group outside the policy profile's list"
        case "version-downgrade": "the client offered a newer TLS version than the one chosen"
        case "weak-offer": "the client offers weak cipher suites (not chosen this time)"
        case "handshake-failed": "the handshake ended with a fatal alert"
        case "pq-missed":
            "the client offered a post-quantum hybrid key exchange and the server chose a classical group: enable it on the server"
        case "pq-hrr": "a HelloRetryRequest (an extra round trip) was needed to reach the post-quantum group"
        case "not-pq-auth":
            "the server authenticates with a classical or too weak signature key: a quantum computer could forge it"
        case "rsa-pkcs1-signature": "the server signed the handshake with RSA PKCS#1 v1.5 instead of RSA-PSS"
        default: "finding \(rawValue)"
        }
    }

    /// Where the judgment comes from.
    public var reference: String {
        switch rawValue {
        case "sslv2": "RFC 6176"
        case "sslv3": "RFC 7568"
        case "tls10", "tls11": "RFC 8996"
        case "rc4": "RFC 7465"
        case "3des", "cbc-mode", "no-pfs", "null-cipher", "anon-cipher", "export-cipher", "des": "RFC 9325 §4"
        case "weak-dh": "RFC 7919, RFC 9325 §4.5"
        case "weak-rsa-key", "weak-ec-key": "NIST SP 800-57 Part 1 Rev. 5, RFC 9325 §4.3"
        case "weak-signature": "RFC 9155, CA/B Forum Baseline Requirements"
        case "cleartext-credentials", "plaintext", "starttls-not-used": "RFC 8314, RFC 7525"
        case "sni-mismatch": "RFC 6125"
        case "no-sni": "RFC 6066 §3"
        case "not-pq": "draft-ietf-tls-ecdhe-mlkem, Mozilla Server Side TLS 6.0"
        case "tls12", "cipher-not-in-profile", "group-not-in-profile": "Mozilla Server Side TLS 6.0 / 5.8"
        case "version-downgrade": "RFC 8446 §4.1.3, RFC 7507"
        case "pq-missed", "pq-hrr": "draft-ietf-tls-ecdhe-mlkem, RFC 8446 §4.1.4"
        case "not-pq-auth": "FIPS 204, FIPS 205"
        case "weak-offer": "RFC 9325 §4"
        case "handshake-failed": "RFC 8446 §6"
        case "rsa-pkcs1-signature": "RFC 8446 §4.2.3, RFC 8017"
        default: "RFC 5280, RFC 8446"
        }
    }
}
