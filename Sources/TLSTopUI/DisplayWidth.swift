/// How many terminal columns text takes, and how to cut it on a cell boundary.
public enum DisplayWidth {
    /// 0 for combining marks and zero-width characters, 2 for East Asian wide/fullwidth characters and
    /// emoji presentation, 1 otherwise (the common cases of Unicode UAX #11).
    public static func of(_ character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        let value = scalar.value
        if character.unicodeScalars.count == 1 {
            if value < 0x300 { return 1 }
            if (0x300...0x36F).contains(value) || (0x200B...0x200F).contains(value) || value == 0xFEFF { return 0 }
        }
        if isWide(value) { return 2 }
        if character.unicodeScalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
        return 1
    }

    static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    public static func of(_ text: some StringProtocol) -> Int { text.reduce(0) { $0 + of($1) } }

    /// `text` cut to at most `columns`, ending in `…` when cut; a wide character that would straddle
    /// the edge is dropped rather than split.
    public static func truncate(_ text: String, to columns: Int) -> String {
        guard columns > 0 else { return "" }
        guard of(text) > columns else { return text }
        var out = ""
        var used = 0
        for character in text {
            let width = of(character)
            if used + width > columns - 1 { break }
            out.append(character)
            used += width
        }
        return out + "…"
    }
}
