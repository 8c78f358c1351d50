/// What a Google QUIC client's hello (the CHLO handshake message) says in clear: the server name
/// and the user agent. Shared by the facts and the record, never copied.
public final class GoogleQUICHello: Sendable, Equatable {
    public let serverName: String?
    public let userAgent: String?

    init(serverName: String?, userAgent: String?) {
        self.serverName = serverName
        self.userAgent = userAgent
    }

    public static func == (lhs: GoogleQUICHello, rhs: GoogleQUICHello) -> Bool {
        lhs.serverName == rhs.serverName && lhs.userAgent == rhs.userAgent
    }
}

/// Google QUIC (gQUIC, Q043–Q050), which Chromium spoke before IETF QUIC: versions up to Q049 send
/// the client's first packet null-encrypted (a 12-byte FNV-1a hash, then frames), Q050 protects it
/// like an IETF Initial with its own salt. Either way the CHLO names the server and the client.
/// Layouts: Chromium's "QUIC Wire Layout" and "QUIC Crypto" documents, Wireshark's gQUIC dissector.
enum GoogleQUIC {
    static let maximumTags = 128
    static let nullEncryptionHashLength = 12

    /// "Q0xx": Google QUIC with QUIC crypto (the "T0xx" versions carry TLS instead).
    static func isQUICCrypto(_ version: QUICVersion) -> Bool { version.rawValue >> 16 == 0x5130 }

    /// The version of a packet in the legacy public header (Q043 and older): flags with the
    /// version bit, an 8-byte connection ID, then "Q0xx".
    static func publicHeaderVersion(_ bytes: UnsafeRawBufferPointer) -> QUICVersion? {
        guard bytes.count >= 14, let flags = bytes.first,
            flags & 0x01 != 0, flags & 0x08 != 0, flags & 0x80 == 0
        else { return nil }
        let version = QUICVersion(
            rawValue: UInt32(bytes[9]) << 24 | UInt32(bytes[10]) << 16 | UInt32(bytes[11]) << 8 | UInt32(bytes[12]))
        return isQUICCrypto(version) && (0x30...0x39).contains(bytes[11]) && (0x30...0x39).contains(bytes[12])
            ? version : nil
    }

    /// The CHLO of a client's null-encrypted first packet, in either header form.
    static func clearHello(_ datagram: UnsafeRawBufferPointer) throws(ParseError) -> GoogleQUICHello? {
        var reader = ByteReader(datagram)
        let first = try reader.readUInt8()
        if first & 0x80 != 0 {
            // Q046–Q049: the IETF-style long header with one byte of DCIL/SCIL nibbles.
            try reader.skip(4)
            let lengths = try reader.readUInt8()
            let destination = Int(lengths >> 4)
            let source = Int(lengths & 0x0F)
            try reader.skip((destination == 0 ? 0 : destination + 3) + (source == 0 ? 0 : source + 3))
            try reader.skip(Int(first & 0x03) + 1)  // packet number
        } else {
            // Q043: public flags, connection ID, version, (server) nonce, packet number.
            if first & 0x08 != 0 { try reader.skip(8) }
            if first & 0x01 != 0 { try reader.skip(4) }
            if first & 0x04 != 0 { try reader.skip(32) }
            let packetNumberLengths = [1, 2, 4, 6]
            try reader.skip(packetNumberLengths[Int(first >> 4 & 0x03)])
        }
        try reader.skip(nullEncryptionHashLength)
        return try helloInStreamFrames(&reader)
    }

    /// gQUIC frames up to the first STREAM frame of stream 1 (the crypto stream) at offset 0.
    private static func helloInStreamFrames(_ reader: inout ByteReader) throws(ParseError) -> GoogleQUICHello? {
        while !reader.isAtEnd {
            let type = try reader.readUInt8()
            switch type {
            case 0x07: continue  // PING
            case 0x80...0xFF:
                // STREAM: 1 F D OOO SS — stream ID of SS+1 bytes, offset of 0 or OOO+1 bytes,
                // a 2-byte data length when D is set (big-endian since Q039).
                let streamID = try readBigEndian(&reader, count: Int(type & 0x03) + 1)
                let offsetCode = Int(type >> 2 & 0x07)
                let offset = try readBigEndian(&reader, count: offsetCode == 0 ? 0 : offsetCode + 1)
                let length = type & 0x20 != 0 ? Int(try reader.readUInt16()) : reader.remaining
                var data = try reader.slice(length)
                if streamID == 1, offset == 0 { return try parseHello(&data) }
            default:
                return nil  // PADDING ends the packet; ACK and control frames precede no CHLO
            }
        }
        return nil
    }

    /// Q050: the CRYPTO frames (type 0x08, varint offset and length) of a decrypted Initial.
    static func helloInCryptoFrames(_ payload: [UInt8]) throws(ParseError) -> GoogleQUICHello? {
        let result = payload.withUnsafeBytes { bytes -> Result<GoogleQUICHello?, ParseError> in
            do throws(ParseError) {
                return .success(try helloInCryptoFrames(ByteReader(bytes)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func helloInCryptoFrames(_ frames: ByteReader) throws(ParseError) -> GoogleQUICHello? {
        var reader = frames
        while !reader.isAtEnd {
            switch try reader.readUInt8() {
            case 0x07: continue
            case 0x08:
                let offset = try QUICPacket.readVarint(&reader)
                let length = try QUICPacket.readVarint(&reader)
                guard length <= UInt64(reader.remaining) else { throw .truncated("gQUIC CRYPTO frame") }
                var data = try reader.slice(Int(length))
                if offset == 0 { return try parseHello(&data) }
            default:
                return nil
            }
        }
        return nil
    }

    private static func readBigEndian(_ reader: inout ByteReader, count: Int) throws(ParseError) -> UInt64 {
        var value: UInt64 = 0
        for _ in 0..<count { value = value << 8 | UInt64(try reader.readUInt8()) }
        return value
    }

    /// A handshake message: tag "CHLO", a little-endian tag count, 2 bytes of padding, (tag,
    /// end offset) pairs, then the values. nil for any other message (a REJ, an SHLO).
    static func parseHello(_ reader: inout ByteReader) throws(ParseError) -> GoogleQUICHello? {
        guard try reader.readUInt32() == 0x4348_4C4F else { return nil }  // "CHLO"
        let count = Int(try reader.readUInt16LittleEndian())
        guard count <= maximumTags else { throw .malformed("gQUIC CHLO with \(count) tags") }
        try reader.skip(2)
        var entries: [(tag: UInt32, end: Int)] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let tag = try reader.readUInt32()
            entries.append((tag, Int(try reader.readUInt32LittleEndian())))
        }
        let values = reader.rest()
        var serverName: String?
        var userAgent: String?
        var start = 0
        for entry in entries {
            guard entry.end >= start, entry.end <= values.remaining else {
                throw .malformed("gQUIC CHLO tag value out of bounds")
            }
            var value = values
            try value.skip(start)
            let bytes = try value.slice(entry.end - start).unreadBytes
            switch entry.tag {
            case 0x534E_4900:  // "SNI\0"
                serverName = TextLimits.string(from: bytes, maximumLength: ClientHello.maximumNameLength)
            case 0x5541_4944:  // "UAID"
                userAgent = TextLimits.string(from: bytes, maximumLength: 256)
            default:
                break
            }
            start = entry.end
        }
        return GoogleQUICHello(serverName: serverName, userAgent: userAgent)
    }
}
