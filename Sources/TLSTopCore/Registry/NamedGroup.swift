/// A key-exchange group from the `supported_groups` and `key_share` extensions (formerly
/// "elliptic curves").
///
/// The dashboard's main question about a group is whether it resists a future quantum computer,
/// so each known group carries a `kind` as well as its IANA "TLS Supported Groups" name.
public struct NamedGroup: TLSCodePoint {
    /// The family a group belongs to.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Elliptic curves, including x25519/x448, brainpool, GOST and SM2 curves.
        case ellipticCurve
        /// RFC 7919 finite-field Diffie-Hellman groups.
        case finiteField
        /// A classical curve combined with a post-quantum KEM (X25519MLKEM768, Kyber drafts, …).
        case postQuantumHybrid
        /// A post-quantum KEM used on its own (MLKEM512/768/1024).
        case postQuantum
        /// Unknown values and GREASE.
        case unknown
    }

    public let rawValue: UInt16

    @inlinable
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// The IANA name, or the name real clients use for an unregistered value.
    public static func knownName(_ rawValue: UInt16) -> String? { entries[rawValue]?.name }

    public var kind: Kind { Self.entries[rawValue]?.kind ?? .unknown }

    /// Whether the group involves an ML-KEM or Kyber-family (or other lattice) KEM, hybrid or pure.
    /// The registry's post-quantum rows by value, without the table lookup: every judged hello asks
    /// this of each group it lists (`RegistryTests` checks it against `kind` for every value).
    public var isPostQuantum: Bool {
        switch rawValue {
        case 0x0200...0x0202, 0x11EB...0x11EE, 0x4138, 0x6399, 0x639A, 0xFE30...0xFE32: true
        default: false
        }
    }

    /// Whether the group combines a classical exchange with a post-quantum KEM.
    public var isHybrid: Bool { kind == .postQuantumHybrid }

    /// Every named group, in ascending code point order.
    public static let allKnown: [NamedGroup] = entries.keys.sorted().map(NamedGroup.init(rawValue:))
}

extension NamedGroup {
    public static let secp256r1 = NamedGroup(rawValue: 0x0017)
    public static let secp384r1 = NamedGroup(rawValue: 0x0018)
    public static let secp521r1 = NamedGroup(rawValue: 0x0019)
    public static let x25519 = NamedGroup(rawValue: 0x001D)
    public static let x448 = NamedGroup(rawValue: 0x001E)
    public static let ffdhe2048 = NamedGroup(rawValue: 0x0100)
    public static let ffdhe3072 = NamedGroup(rawValue: 0x0101)
    public static let mlkem512 = NamedGroup(rawValue: 0x0200)
    public static let mlkem768 = NamedGroup(rawValue: 0x0201)
    public static let mlkem1024 = NamedGroup(rawValue: 0x0202)
    public static let secP256r1MLKEM768 = NamedGroup(rawValue: 0x11EB)
    public static let x25519MLKEM768 = NamedGroup(rawValue: 0x11EC)
    public static let secP384r1MLKEM1024 = NamedGroup(rawValue: 0x11ED)
    public static let x25519Kyber768Draft00 = NamedGroup(rawValue: 0x6399)
}

extension NamedGroup {
    struct Entry: Sendable {
        let name: String
        let kind: Kind
    }

    /// Source: IANA "TLS Supported Groups"
    /// (https://www.iana.org/assignments/tls-parameters/tls-parameters.xhtml#tls-parameters-8).
    /// IANA marks 0x6399/0x639A "(OBSOLETE)"; that annotation is not part of the name. Rows with
    /// a trailing comment are unregistered values that real clients have sent.
    static let registry: [(UInt16, String, Kind)] = [
        (0x0001, "sect163k1", .ellipticCurve),
        (0x0002, "sect163r1", .ellipticCurve),
        (0x0003, "sect163r2", .ellipticCurve),
        (0x0004, "sect193r1", .ellipticCurve),
        (0x0005, "sect193r2", .ellipticCurve),
        (0x0006, "sect233k1", .ellipticCurve),
        (0x0007, "sect233r1", .ellipticCurve),
        (0x0008, "sect239k1", .ellipticCurve),
        (0x0009, "sect283k1", .ellipticCurve),
        (0x000A, "sect283r1", .ellipticCurve),
        (0x000B, "sect409k1", .ellipticCurve),
        (0x000C, "sect409r1", .ellipticCurve),
        (0x000D, "sect571k1", .ellipticCurve),
        (0x000E, "sect571r1", .ellipticCurve),
        (0x000F, "secp160k1", .ellipticCurve),
        (0x0010, "secp160r1", .ellipticCurve),
        (0x0011, "secp160r2", .ellipticCurve),
        (0x0012, "secp192k1", .ellipticCurve),
        (0x0013, "secp192r1", .ellipticCurve),
        (0x0014, "secp224k1", .ellipticCurve),
        (0x0015, "secp224r1", .ellipticCurve),
        (0x0016, "secp256k1", .ellipticCurve),
        (0x0017, "secp256r1", .ellipticCurve),
        (0x0018, "secp384r1", .ellipticCurve),
        (0x0019, "secp521r1", .ellipticCurve),
        (0x001A, "brainpoolP256r1", .ellipticCurve),
        (0x001B, "brainpoolP384r1", .ellipticCurve),
        (0x001C, "brainpoolP512r1", .ellipticCurve),
        (0x001D, "x25519", .ellipticCurve),
        (0x001E, "x448", .ellipticCurve),
        (0x001F, "brainpoolP256r1tls13", .ellipticCurve),
        (0x0020, "brainpoolP384r1tls13", .ellipticCurve),
        (0x0021, "brainpoolP512r1tls13", .ellipticCurve),
        (0x0022, "GC256A", .ellipticCurve),
        (0x0023, "GC256B", .ellipticCurve),
        (0x0024, "GC256C", .ellipticCurve),
        (0x0025, "GC256D", .ellipticCurve),
        (0x0026, "GC512A", .ellipticCurve),
        (0x0027, "GC512B", .ellipticCurve),
        (0x0028, "GC512C", .ellipticCurve),
        (0x0029, "curveSM2", .ellipticCurve),
        (0x0100, "ffdhe2048", .finiteField),
        (0x0101, "ffdhe3072", .finiteField),
        (0x0102, "ffdhe4096", .finiteField),
        (0x0103, "ffdhe6144", .finiteField),
        (0x0104, "ffdhe8192", .finiteField),
        (0x0200, "MLKEM512", .postQuantum),
        (0x0201, "MLKEM768", .postQuantum),
        (0x0202, "MLKEM1024", .postQuantum),
        (0x11EB, "SecP256r1MLKEM768", .postQuantumHybrid),
        (0x11EC, "X25519MLKEM768", .postQuantumHybrid),
        (0x11ED, "SecP384r1MLKEM1024", .postQuantumHybrid),
        (0x11EE, "curveSM2MLKEM768", .postQuantumHybrid),
        (0x4138, "CECPQ2", .postQuantumHybrid),  // Chrome 2019 X25519+NTRU-HRSS experiment
        (0x6399, "X25519Kyber768Draft00", .postQuantumHybrid),
        (0x639A, "SecP256r1Kyber768Draft00", .postQuantumHybrid),
        (0xFE30, "X25519Kyber512Draft00", .postQuantumHybrid),  // Cloudflare, private use range
        (0xFE31, "X25519Kyber768Draft00Old", .postQuantumHybrid),  // Cloudflare, private use range
        (0xFE32, "P256Kyber768Draft00", .postQuantumHybrid),  // Cloudflare, private use range
        (0xFF01, "arbitrary_explicit_prime_curves", .ellipticCurve),
        (0xFF02, "arbitrary_explicit_char2_curves", .ellipticCurve),
    ]

    static let entries: [UInt16: Entry] = lookupTable(
        registry.lazy.map { value, name, kind in (value, Entry(name: name, kind: kind)) })
}
