/// Recognizes DNS messages (RFC 1035 §4.1) without decoding them: enough to name the flow.
enum DNSHeader {
    /// A standard query: QR 0, opcode 0 (query), 2 (status), 4 (notify) or 5 (update), one to four
    /// questions, no answers. `strict` (no port hint) also requires a well-formed first name.
    static func looksLikeQuery(_ bytes: UnsafeRawBufferPointer, strict: Bool) -> Bool {
        guard bytes.count >= 12 else { return false }
        let flags = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        let opcode = (flags >> 11) & 0xF
        let questions = UInt16(bytes[4]) << 8 | UInt16(bytes[5])
        let answers = UInt16(bytes[6]) << 8 | UInt16(bytes[7])
        guard flags & 0x8000 == 0, [0, 2, 4, 5].contains(opcode), (1...4).contains(questions), answers == 0 else {
            return false
        }
        return !strict || hasValidName(UnsafeRawBufferPointer(rebasing: bytes.dropFirst(12)))
    }

    /// A response: QR 1, at most 64 records in each section.
    static func looksLikeResponse(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 12 else { return false }
        let flags = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        let questions = UInt16(bytes[4]) << 8 | UInt16(bytes[5])
        return flags & 0x8000 != 0 && questions <= 4
    }

    /// Labels of 1–63 bytes ending in the root label, 255 bytes at most.
    static func hasValidName(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count, offset < 255 {
            let length = Int(bytes[offset])
            if length == 0 { return offset > 0 || bytes.count >= 5 }
            guard length <= 63, offset + 1 + length <= bytes.count else { return false }
            offset += 1 + length
        }
        return false
    }
}
