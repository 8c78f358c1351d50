/// A TLS cipher suite code point, as found in ClientHello and ServerHello.
///
/// Any 16-bit value is representable, because peers offer values we have never heard of and the
/// dashboard must still show them faithfully. Names come from the IANA "TLS Cipher Suites"
/// registry plus a few widely deployed unregistered values that Wireshark also names (see
/// `CipherSuiteTable.swift`).
public struct CipherSuite: TLSCodePoint {
    public let rawValue: UInt16

    @inlinable
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// The IANA name, or the Wireshark name of a widely deployed unregistered value.
    public static func knownName(_ rawValue: UInt16) -> String? { entries[rawValue]?.name }

    /// Signalling cipher suite values (RFC 5746 renegotiation info, RFC 7507 fallback) are flags
    /// smuggled into the suite list, not suites, so they have no `info`.
    public var isSignalingValue: Bool {
        self == .emptyRenegotiationInfoSCSV || self == .fallbackSCSV
    }

    /// How the suite protects traffic; nil for unknown values, GREASE and signalling values.
    public var info: CipherSuiteInfo? { Self.entries[rawValue]?.info }

    /// Every named suite, in ascending code point order.
    public static let allKnown: [CipherSuite] = entries.keys.sorted().map(CipherSuite.init(rawValue:))
}

extension CipherSuite {
    public static let nullWithNullNull = CipherSuite(rawValue: 0x0000)
    public static let emptyRenegotiationInfoSCSV = CipherSuite(rawValue: 0x00FF)
    public static let fallbackSCSV = CipherSuite(rawValue: 0x5600)

    public static let tlsAES128GCMSHA256 = CipherSuite(rawValue: 0x1301)
    public static let tlsAES256GCMSHA384 = CipherSuite(rawValue: 0x1302)
    public static let tlsChaCha20Poly1305SHA256 = CipherSuite(rawValue: 0x1303)
    public static let tlsAES128CCMSHA256 = CipherSuite(rawValue: 0x1304)
    public static let tlsAES128CCM8SHA256 = CipherSuite(rawValue: 0x1305)
}

extension CipherSuite {
    struct Entry: Sendable {
        let name: String
        let info: CipherSuiteInfo?
    }

    /// Name and parsed info per code point, built once from `registry` on first use.
    static let entries: [UInt16: Entry] = lookupTable(
        registry.lazy.map { value, name in (value, Entry(name: name, info: CipherSuiteInfo(parsingName: name))) })
}
