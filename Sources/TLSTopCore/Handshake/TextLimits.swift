/// Turns network bytes into bounded Swift strings.
///
/// Invalid UTF-8 is repaired (U+FFFD) so every string is valid for JSON; control characters are
/// kept here and escaped by each output format, which knows its own rules.
enum TextLimits {
    static func string(from bytes: UnsafeRawBufferPointer, maximumLength: Int) -> String {
        let cut = UnsafeRawBufferPointer(rebasing: bytes.prefix(maximumLength))
        return String(decoding: cut, as: UTF8.self)
    }
}
