import Foundation

/// Numbers as people scan them.
enum Format {
    /// 1234567 → "1,234,567".
    static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// 8200 → "8.2k", 3400000 → "3.4M".
    static func compact(_ value: Double) -> String {
        switch value {
        case ..<1000: return String(format: "%.0f", value)
        case ..<1_000_000: return String(format: "%.1fk", value / 1000)
        default: return String(format: "%.1fM", value / 1_000_000)
        }
    }
}
