/// A JSON document with object keys kept in the order they were written.
///
/// The snapshot is a contract read by people and scripts: a stable key order keeps golden files
/// and diffs readable, and explicit `null` says "unknown" where an omitted key would be ambiguous.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public static func string(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
    public static func int(_ value: Int?) -> JSONValue { value.map { .int($0) } ?? .null }
    public static func bool(_ value: Bool?) -> JSONValue { value.map { .bool($0) } ?? .null }

    /// Pretty-printed with two-space indentation and a trailing newline.
    public func serialized() -> String {
        var out = ""
        write(to: &out, indent: 0)
        out += "\n"
        return out
    }

    /// On one line, without spaces or a trailing newline: one NDJSON record. Every control
    /// character in a string is escaped, so the result never contains a line break.
    public func compactJSON() -> String {
        // Built as bytes: appending small pieces to a String cost most of the event stream's time.
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        writeCompact(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func writeCompact(to out: inout some ByteSink) {
        switch self {
        case .null: out.append("null")
        case .bool(let value): out.append(value ? "true" : "false")
        case .int(let value): JSONStreamWriter.appendDecimal(value, to: &out)
        case .double(let value):
            var text = value.isFinite ? String(value) : "null"
            text.withUTF8 { out.append(bytes: UnsafeRawBufferPointer($0)) }
        case .string(let value): Self.writeString(value, to: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.writeCompact(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                value.writeCompact(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// `writeString` into bytes; strings that need escapes take the scalar-by-scalar path.
    static func writeString(_ value: String, to out: inout some ByteSink) {
        // The common case in one pass over the string's own bytes: scanned, then copied whole
        // (a generic append of the UTF-8 view went byte by byte, and was most of an export).
        let copied = value.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard isPlainASCII(UnsafeRawBufferPointer(bytes)) || !needsEscaping(bytes) else { return false }
            out.append(UInt8(ascii: "\""))
            out.append(bytes: UnsafeRawBufferPointer(bytes))
            out.append(UInt8(ascii: "\""))
            return true
        }
        if copied == true { return }
        // Escapes needed, or bytes not contiguous (a bridged string): the String path decides.
        var text = ""
        writeString(value, to: &text)
        text.withUTF8 { out.append(bytes: UnsafeRawBufferPointer($0)) }
    }

    private func write(to out: inout String, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value):
            out += value.isFinite ? String(value) : "null"
        case .string(let value): Self.writeString(value, to: &out)
        case .array(let values):
            guard !values.isEmpty else {
                out += "[]"
                return
            }
            out += "[\n"
            for (index, value) in values.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                value.write(to: &out, indent: indent + 2)
                out += index == values.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let members):
            guard !members.isEmpty else {
                out += "{}"
                return
            }
            out += "{\n"
            for (index, (key, value)) in members.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                Self.writeString(key, to: &out)
                out += ": "
                value.write(to: &out, indent: indent + 2)
                out += index == members.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    /// RFC 8259 string escaping. Swift strings are valid Unicode, so the output is valid UTF-8;
    /// every control character, and DEL, is escaped so no raw terminal control byte survives.
    static func writeString(_ value: String, to out: inout String) {
        // Most strings (names, hex, dates) need no escape: copy them whole. Scalar by scalar
        // appending was most of the cost of the event stream.
        if !needsEscaping(value) {
            out += "\""
            out += value
            out += "\""
            return
        }
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value):
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// Whether any scalar is one `writeString` escapes: `"`, `\\`, C0 controls, DEL, C1 controls
    /// (U+0080…U+009F, UTF-8 C2 80…C2 9F).
    private static func needsEscaping(_ value: String) -> Bool {
        if let answer = value.utf8.withContiguousStorageIfAvailable({ needsEscaping($0) }) { return answer }
        return needsEscaping(Array(value.utf8))
    }

    private static func needsEscaping<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        var previous: UInt8 = 0
        for byte in bytes {
            // One comparison for the common case: printable ASCII other than `"` and `\`.
            if byte >= 0x20 && byte < 0x7F && byte != 0x22 && byte != 0x5C {
                previous = byte
                continue
            }
            if byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F { return true }
            if previous == 0xC2 && (0x80...0x9F).contains(byte) { return true }
            previous = byte
        }
        return false
    }

    /// Whether every byte is printable ASCII other than `"` and `\\`, eight bytes at a time: the
    /// answer for nearly every string an export writes (addresses, names, hex), which then needs
    /// no byte-by-byte scan. False sends the string to `needsEscaping`, which decides.
    static func isPlainASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var offset = 0
        while bytes.count - offset >= 8 {
            let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            // A byte below 0x20, or with its high bit set, or 0x7F (which adding one carries into
            // the high bit, no byte being above 0x7F by then).
            if (word &- ones &* 0x20) & ~word & highs != 0 || word & highs != 0 || (word &+ ones) & highs != 0 {
                return false
            }
            let quotes = word ^ (ones &* 0x22)
            let backslashes = word ^ (ones &* 0x5C)
            if (quotes &- ones) & ~quotes & highs != 0 || (backslashes &- ones) & ~backslashes & highs != 0 {
                return false
            }
            offset += 8
        }
        while offset < bytes.count {
            let byte = bytes[offset]
            guard byte >= 0x20, byte < 0x7F, byte != 0x22, byte != 0x5C else { return false }
            offset += 1
        }
        return true
    }
}
