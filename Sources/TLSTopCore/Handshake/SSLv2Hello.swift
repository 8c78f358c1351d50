/// SSL 2.0 record framing and hello messages (draft-hickman-netscape-ssl-00), needed both for real
/// SSLv2 and for the SSLv2-compatible ClientHello that old TLS clients send first.
public enum SSLv2Hello {
    static let clientHelloType: UInt8 = 1
    static let serverHelloType: UInt8 = 4

    /// Length of an SSLv2 record whose 2-byte header (high bit set) starts `reader`, or nil when the
    /// bytes are not an SSLv2 two-byte header.
    static func recordLength(_ first: UInt8, _ second: UInt8) -> Int? {
        guard first & 0x80 != 0 else { return nil }
        return Int(first & 0x7F) << 8 | Int(second)
    }

    /// Parses an SSLv2 CLIENT-HELLO body (after the record header, starting at the message type).
    /// Cipher specs are 3 bytes; those with a zero first byte are TLS cipher suites.
    public static func parseClientHello(_ reader: inout ByteReader) throws(ParseError) -> ClientHello {
        guard try reader.readUInt8() == clientHelloType else { throw .unsupportedMessage }
        var hello = ClientHello(legacyVersion: ProtocolVersion(rawValue: try reader.readUInt16()))
        hello.isSSLv2Format = true
        let specsLength = Int(try reader.readUInt16())
        let sessionLength = Int(try reader.readUInt16())
        let challengeLength = Int(try reader.readUInt16())
        guard specsLength % 3 == 0 else { throw .malformed("SSLv2 cipher specs length \(specsLength)") }
        guard sessionLength == 0 || sessionLength == 16 else { throw .malformed("SSLv2 session id length") }
        guard (16...32).contains(challengeLength) else { throw .malformed("SSLv2 challenge length") }
        var specs = try reader.slice(specsLength)
        var suites: [CipherSuite] = []
        while !specs.isAtEnd {
            let high = try specs.readUInt8()
            let code = try specs.readUInt16()
            if high == 0, suites.count < ClientHello.maximumListLength {
                let suite = CipherSuite(rawValue: code)
                if !suite.isGREASE { suites.append(suite) }
            }
        }
        hello.cipherSuites = CodePointList(suites)
        hello.sessionID = try reader.readBytes(sessionLength)
        try reader.skip(challengeLength)
        return hello
    }

    /// Parses an SSLv2 SERVER-HELLO: the server chose SSL 2.0 itself.
    public static func parseServerHello(_ reader: inout ByteReader) throws(ParseError) -> (
        version: ProtocolVersion, certificate: [UInt8]?
    ) {
        guard try reader.readUInt8() == serverHelloType else { throw .unsupportedMessage }
        try reader.skip(2)  // session id hit, certificate type
        let version = ProtocolVersion(rawValue: try reader.readUInt16())
        let certificateLength = Int(try reader.readUInt16())
        try reader.skip(4)  // cipher specs length, connection id length
        let certificate = try reader.slice(certificateLength)
        return (version, certificateLength > 0 ? Array(certificate.unreadBytes) : nil)
    }
}

extension ParseError {
    static let unsupportedMessage = ParseError(.unsupported, "not the expected SSLv2 message")
}
