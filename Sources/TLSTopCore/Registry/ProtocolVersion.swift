/// A (D)TLS protocol version as it appears on the wire: record headers, `legacy_version`, and the
/// `supported_versions` extension.
///
/// The wire value cannot be compared numerically: DTLS versions count down (DTLS 1.2 is 0xFEFD,
/// DTLS 1.0 is 0xFEFF) and TLS 1.3 drafts (0x7Fxx) sort above TLS 1.3 (0x0304). `ordinal` gives
/// the ordering a posture dashboard needs, and `Comparable` uses it.
public struct ProtocolVersion: TLSCodePoint, Comparable {
    public let rawValue: UInt16

    @inlinable
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// E.g. `"TLSv1.2"`, `"DTLSv1.3"`, `"TLSv1.3-draft-23"`.
    public static func knownName(_ rawValue: UInt16) -> String? { entries[rawValue]?.name }

    /// The draft number of a TLS 1.3 draft version (0x7F00 + N), nil for any other.
    public var tls13Draft: Int? { rawValue >> 8 == 0x7F ? Int(rawValue & 0xFF) : nil }

    /// TLS 1.3 or one of its drafts or vendor variants (Facebook's 0xFBxx): the TLS 1.3 handshake,
    /// encrypted after the ServerHello.
    public var isTLS13Family: Bool { self == .tls13 || tls13Draft != nil || rawValue >> 8 == 0xFB }

    /// DTLS uses major version 254 (one's complement of 1); 0x0100 is OpenSSL's pre-standard
    /// DTLS 1.0 (`DTLS1_BAD_VER`).
    public var isDTLS: Bool { rawValue >> 8 == 0xFE || rawValue == 0x0100 }

    /// Strength order: larger is newer. 0 for unknown values and GREASE.
    ///
    /// Each TLS version is a multiple of 1000 (SSLv2 = 2000 … TLS 1.3 = 7000). A DTLS version
    /// sits just above the TLS version it is derived from (DTLS 1.0 ≈ TLS 1.1, DTLS 1.2 ≈ TLS 1.2,
    /// DTLS 1.3 ≈ TLS 1.3), so DTLS versions order correctly among themselves and a mixed list
    /// still sorts sensibly. TLS 1.3 drafts and vendor variants sit between TLS 1.2 and TLS 1.3,
    /// ordered by draft number.
    public var ordinal: Int { Self.entries[rawValue]?.ordinal ?? 0 }

    /// Orders by `ordinal`, then by wire value so that the order is total and agrees with `==`.
    public static func < (lhs: ProtocolVersion, rhs: ProtocolVersion) -> Bool {
        let (left, right) = (lhs.ordinal, rhs.ordinal)
        return left != right ? left < right : lhs.rawValue < rhs.rawValue
    }

    /// Every named version, in ascending code point order.
    public static let allKnown: [ProtocolVersion] = entries.keys.sorted().map(ProtocolVersion.init(rawValue:))
}

extension ProtocolVersion {
    public static let sslv2 = ProtocolVersion(rawValue: 0x0002)
    public static let sslv3 = ProtocolVersion(rawValue: 0x0300)
    public static let tls10 = ProtocolVersion(rawValue: 0x0301)
    public static let tls11 = ProtocolVersion(rawValue: 0x0302)
    public static let tls12 = ProtocolVersion(rawValue: 0x0303)
    public static let tls13 = ProtocolVersion(rawValue: 0x0304)
    public static let dtls10 = ProtocolVersion(rawValue: 0xFEFF)
    public static let dtls12 = ProtocolVersion(rawValue: 0xFEFD)
    public static let dtls13 = ProtocolVersion(rawValue: 0xFEFC)
}

extension ProtocolVersion {
    struct Entry: Sendable {
        let name: String
        let ordinal: Int
    }

    /// Released versions and the variants that real stacks have put on the wire.
    private static let registry: [(UInt16, String, Int)] = [
        (0x0002, "SSLv2", 2000),
        (0x0300, "SSLv3", 3000),
        (0x0301, "TLSv1.0", 4000),
        (0x0101, "TLCPv1.1", 4500),  // Chinese GB/T 38636 TLCP ("GMTLS"), a TLS 1.1 derivative
        (0x0302, "TLSv1.1", 5000),
        (0x0100, "DTLSv1.0-openssl-pre", 5001),  // OpenSSL before 0.9.8f, DTLS1_BAD_VER
        (0xFEFF, "DTLSv1.0", 5002),
        (0x0303, "TLSv1.2", 6000),
        (0xFEFD, "DTLSv1.2", 6002),
        (0xFB17, "TLSv1.3-fb-23", draftOrdinal(23) + 1),  // Facebook Fizz variant of draft 23
        (0xFB1A, "TLSv1.3-fb-26", draftOrdinal(26) + 1),  // Facebook Fizz variant of draft 26
        (0x0304, "TLSv1.3", 7000),
        (0xFEFC, "DTLSv1.3", 7002),
    ]

    /// Draft N of TLS 1.3 used 0x7F00 + N; its ordinal leaves room for a vendor variant at +1.
    private static func draftOrdinal(_ draft: Int) -> Int { 6100 + 2 * draft }

    /// Built once: the fixed rows plus one "TLSv1.3-draft-N" row for every 0x7Fxx value, so that
    /// `name` never formats strings for a draft version on the hot path.
    static let entries: [UInt16: Entry] = {
        var table: [UInt16: Entry] = [:]
        table.reserveCapacity(registry.count + 256)
        for draft in 0...0xFF {
            table[0x7F00 | UInt16(draft)] = Entry(name: "TLSv1.3-draft-\(draft)", ordinal: draftOrdinal(draft))
        }
        for (value, name, ordinal) in registry {
            table[value] = Entry(name: name, ordinal: ordinal)
        }
        return table
    }()
}
