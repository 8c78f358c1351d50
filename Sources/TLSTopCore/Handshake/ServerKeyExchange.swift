/// The parameters of a TLS 1.2-and-older ServerKeyExchange that say how strong the key exchange is.
///
/// The message has no type tag of its own: its layout follows the negotiated cipher suite's key
/// exchange (RFC 4492 §5.4 for ECDHE, RFC 5246 §7.4.3 for DHE, RFC 4279 §2 for the PSK variants).
public struct ServerKeyExchange: Sendable, Equatable {
    /// The named curve of an ECDHE exchange.
    public var group: NamedGroup?
    /// Bit length of the DHE prime p.
    public var dhPrimeBits: Int?

    public init(group: NamedGroup? = nil, dhPrimeBits: Int? = nil) {
        self.group = group
        self.dhPrimeBits = dhPrimeBits
    }

    /// ECCurveType named_curve.
    static let namedCurve: UInt8 = 3

    public init(parsing reader: inout ByteReader, keyExchange: KeyExchange) throws(ParseError) {
        switch keyExchange {
        case .ecdhe, .ecdhePSK:
            if keyExchange == .ecdhePSK { _ = try reader.prefixed16() }  // psk_identity_hint
            let curveType = try reader.readUInt8()
            guard curveType == Self.namedCurve else {
                // explicit_prime / explicit_char2 curves are obsolete (RFC 8422 §5.4); keep no group.
                return
            }
            group = NamedGroup(rawValue: try reader.readUInt16())
        case .dhe, .dhePSK:
            if keyExchange == .dhePSK { _ = try reader.prefixed16() }
            let prime = try reader.prefixed16()
            guard prime.remaining > 0 else { throw .malformed("empty DH prime") }
            dhPrimeBits = Self.bitLength(prime.unreadBytes)
        default:
            return
        }
    }

    /// Bit length of a big-endian unsigned integer, ignoring leading zero bytes.
    static func bitLength(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let first = bytes.firstIndex(where: { $0 != 0 }) else { return 0 }
        let leading = bytes[first].leadingZeroBitCount
        return (bytes.count - first) * 8 - leading
    }
}
