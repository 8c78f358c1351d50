/// Makes network-supplied text safe for a terminal: control characters and escape sequences are
/// shown as visible `\xHH` escapes instead of being sent to the terminal, which would let a hostile
/// SNI clear the screen, move the cursor, or worse.
public enum TerminalText {
    public static func sanitize(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x20 || value == 0x7F || (0x80..<0xA0).contains(value) || value == 0x2028 || value == 0x2029 {
                out += "\\x" + (value < 0x10 ? "0" : "") + String(value, radix: 16)
            } else if (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value) {
                // Bidirectional overrides can make a name read as another one.
                out += "\\u{" + String(value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
