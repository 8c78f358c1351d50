/// The parameters of a TLS 1.2-and-older ServerKeyExchange that say how strong the key exchange is.
///
/// The message has no type tag of its own: its layout follows the negotiated cipher suite's key
/// exchange (RFC 4492 §5.4 for ECDHE, RFC 5246 §7.4.3 for DHE, RFC 4279 §2 for the PSK variants).
public struct ServerKeyExchange: Sendable, Equatable {
    /// The named curve of an ECDHE exchange.
    public var group: NamedGroup?
    /// Bit length of the DHE prime p.
    public var dhPrimeBits: Int?
    /// The algorithm the server signed its parameters with (TLS 1.2 and DTLS 1.2 name it; older
    /// versions imply it from the certificate). Nil when unsigned (PSK) or cut short.
    public var signatureScheme: SignatureScheme?

    public init(group: NamedGroup? = nil, dhPrimeBits: Int? = nil, signatureScheme: SignatureScheme? = nil) {
        self.group = group
        self.dhPrimeBits = dhPrimeBits
        self.signatureScheme = signatureScheme
    }

    /// ECCurveType named_curve.
    static let namedCurve: UInt8 = 3

    /// - Parameter namesSignature: the version is (D)TLS 1.2, whose signed parameters start with
    ///   the SignatureAndHashAlgorithm (RFC 5246 §7.4.3).
    public init(parsing reader: inout ByteReader, keyExchange: KeyExchange, namesSignature: Bool = false)
        throws(ParseError)
    {
        switch keyExchange {
        case .ecdhe, .ecdhePSK:
            if keyExchange == .ecdhePSK { _ = try reader.prefixed16() }  // psk_identity_hint
            let curveType = try reader.readUInt8()
            guard curveType == Self.namedCurve else {
                // explicit_prime / explicit_char2 curves are obsolete (RFC 8422 §5.4); keep no group.
                return
            }
            group = NamedGroup(rawValue: try reader.readUInt16())
            guard keyExchange == .ecdhe, namesSignature else { return }
            // ECPoint public (RFC 8422 §5.4), then the signature of an ECDHE_ECDSA/ECDHE_RSA exchange.
            signatureScheme = Self.signatureScheme(after: &reader) { (reader) throws(ParseError) in
                _ = try reader.prefixed8()
            }
        case .dhe, .dhePSK:
            if keyExchange == .dhePSK { _ = try reader.prefixed16() }
            let prime = try reader.prefixed16()
            guard prime.remaining > 0 else { throw .malformed("empty DH prime") }
            dhPrimeBits = Self.bitLength(prime.unreadBytes)
            guard keyExchange == .dhe, namesSignature else { return }
            // dh_g and dh_Ys, then the signature (anonymous DH sends none: nothing is left).
            signatureScheme = Self.signatureScheme(after: &reader) { (reader) throws(ParseError) in
                _ = try reader.prefixed16()
                _ = try reader.prefixed16()
            }
        default:
            return
        }
    }

    /// The signature algorithm after the rest of the parameters; nil when the message ends first
    /// (anonymous suites, or a message cut short: the group and prime size still count).
    private static func signatureScheme(
        after reader: inout ByteReader, skippingParameters skip: (inout ByteReader) throws(ParseError) -> Void
    ) -> SignatureScheme? {
        do {
            try skip(&reader)
            guard reader.remaining >= 2 else { return nil }
            return SignatureScheme(rawValue: try reader.readUInt16())
        } catch {
            return nil
        }
    }

    /// Bit length of a big-endian unsigned integer, ignoring leading zero bytes.
    static func bitLength(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let first = bytes.firstIndex(where: { $0 != 0 }) else { return 0 }
        let leading = bytes[first].leadingZeroBitCount
        return (bytes.count - first) * 8 - leading
    }
}
