/// GREASE ("Generate Random Extensions And Sustain Extensibility") code points, RFC 8701.
///
/// Clients sprinkle these reserved values into cipher suite, extension, named group, signature
/// algorithm and version lists so that servers which choke on unknown values are found early. They
/// carry no meaning, so every registry reports them as `"GREASE"` instead of as unknown values,
/// and fingerprinting code must drop them before hashing.
public enum GREASE {
    /// The sixteen reserved 16-bit values `0x0A0A, 0x1A1A, …, 0xFAFA`, in ascending order.
    public static let values: [UInt16] = (0..<16).map { UInt16($0) &* 0x1010 &+ 0x0A0A }

    /// Whether `value` is one of the sixteen RFC 8701 GREASE values.
    ///
    /// Both bytes must be equal and have a low nibble of `0xA`; that single mask check is what
    /// lets the hot parsing path classify a value without a table lookup.
    @inlinable
    public static func isGREASE(_ value: UInt16) -> Bool {
        value & 0x0F0F == 0x0A0A && value >> 8 == value & 0x00FF
    }
}

/// Formatting shared by the registries for values they do not know.
///
/// Unknown code points are shown as the exact wire value so that a user can look them up;
/// a generic "unknown" label would throw that information away.
enum CodePointFormat {
    private static let hexDigits: [Character] = Array("0123456789abcdef")

    /// `0x` followed by exactly four lowercase hex digits, e.g. `0x00ff`.
    static func hex(_ value: UInt16) -> String {
        var text = "0x"
        for shift in stride(from: 12, through: 0, by: -4) {
            text.append(hexDigits[Int((value >> UInt16(shift)) & 0xF)])
        }
        return text
    }
}
