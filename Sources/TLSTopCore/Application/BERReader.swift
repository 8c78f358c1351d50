/// Just enough BER (X.690) to frame and read LDAP and SNMP messages: tag, definite length, content.
///
/// Indefinite lengths are refused: LDAP (RFC 4511 §5.1) and SNMP both forbid them, so one here
/// means the bytes are something else.
extension ByteReader {
    /// Reads one element; the content comes back as its own reader bounded by the element's length.
    mutating func readBER() throws(ParseError) -> (tag: UInt8, content: ByteReader) {
        let tag = try readUInt8()
        if tag & 0x1F == 0x1F {
            // High tag number form: continuation bytes until one without the high bit (at most 4).
            var count = 0
            while try readUInt8() & 0x80 != 0 {
                count += 1
                guard count < 4 else { throw .malformed("BER tag longer than 4 bytes") }
            }
        }
        let length = try readBERLength()
        return (tag, try slice(length))
    }

    mutating func readBERLength() throws(ParseError) -> Int {
        let first = try readUInt8()
        if first < 0x80 { return Int(first) }
        let count = Int(first & 0x7F)
        guard count >= 1 else { throw .malformed("BER indefinite length") }
        guard count <= 4 else { throw .malformed("BER length of \(count) bytes") }
        var length = 0
        for _ in 0..<count { length = length << 8 | Int(try readUInt8()) }
        return length
    }

    /// A BER INTEGER small enough for an Int (message IDs, versions, result codes).
    mutating func readBERInteger(tag expected: UInt8 = 0x02) throws(ParseError) -> Int {
        var (tag, content) = try readBER()
        guard tag == expected else { throw .malformed("BER tag \(tag), expected \(expected)") }
        guard (1...8).contains(content.remaining) else { throw .malformed("BER integer of \(content.remaining) bytes") }
        var value = Int(Int8(bitPattern: try content.readUInt8()))
        while !content.isAtEnd { value = value << 8 | Int(try content.readUInt8()) }
        return value
    }

    /// Total size (header and content) of the BER element starting here, or nil when the header
    /// itself is not complete yet.
    func berElementSize() throws(ParseError) -> Int? {
        var probe = self
        do throws(ParseError) {
            _ = try probe.readUInt8()
            let length = try probe.readBERLength()
            return probe.offset - offset + length
        } catch {
            if error.code == .truncated { return nil }
            throw error
        }
    }
}
