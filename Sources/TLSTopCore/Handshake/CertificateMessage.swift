/// The chain in a TLS 1.2-and-older Certificate message (RFC 5246 §7.4.2), or a TLS 1.3 one when
/// it travels in clear (never over TCP; kept for completeness of the parser).
public struct CertificateMessage: Sendable, Equatable {
    /// A chain longer than this is not a real deployment; the rest is counted, not kept.
    static let maximumKeptCertificates = 1

    /// DER of the leaf (the first certificate), if any.
    public var leaf: [UInt8]?
    public var chainLength = 0

    public init(parsing reader: inout ByteReader, isTLS13: Bool) throws(ParseError) {
        if isTLS13 { _ = try reader.prefixed8() }  // certificate_request_context
        var list = try reader.prefixed24()
        try reader.expectEnd("Certificate")
        while !list.isAtEnd {
            let certificate = try list.prefixed24()
            guard certificate.remaining > 0 else { throw .malformed("empty certificate in chain") }
            if isTLS13 { _ = try list.prefixed16() }  // per-certificate extensions
            if chainLength == 0 { leaf = Array(certificate.unreadBytes) }
            chainLength += 1
        }
    }
}
