/// Makes network-supplied text safe for a terminal: control characters and escape sequences are
/// shown as visible `\xHH` escapes instead of being sent to the terminal, which would let a hostile
/// SNI clear the screen, move the cursor, or worse.
public enum TerminalText {
    public static func sanitize(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if isControl(scalar) {
                out += "\\x" + (value < 0x10 ? "0" : "") + String(value, radix: 16)
            } else if isBidirectionalOverride(scalar) {
                out += "\\u{" + String(value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// C0 and C1 controls, DEL, and the Unicode line and paragraph separators: what a terminal
    /// acts on instead of showing.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || value == 0x7F || (0x80..<0xA0).contains(value) || value == 0x2028 || value == 0x2029
    }

    /// Bidirectional overrides and isolates can make a name read as another one.
    public static func isBidirectionalOverride(_ scalar: Unicode.Scalar) -> Bool {
        (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }

    /// Whether a character may go to the terminal as it is.
    public static func isSafe(_ character: Character) -> Bool {
        !character.unicodeScalars.contains { isControl($0) || isBidirectionalOverride($0) }
    }
}
