extension StringProtocol {
    /// Byte-wise substring search, for ASCII keywords in protocol lines. With Foundation imported,
    /// `contains(_:)` resolves to NSString's locale-aware search, which costs far more than the
    /// handful of bytes compared here.
    func containsBytes(_ needle: String) -> Bool {
        let haystack = Array(utf8)
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty else { return true }
        guard haystack.count >= pattern.count else { return false }
        for start in 0...(haystack.count - pattern.count)
        where haystack[start] == pattern[0] && haystack[start..<(start + pattern.count)].elementsEqual(pattern) {
            return true
        }
        return false
    }

    /// Whether the lowercase ASCII `needle` occurs, ignoring ASCII case, without copying either.
    func containsIgnoringASCIICase(_ needle: StaticString) -> Bool {
        needle.withUTF8Buffer { pattern in
            guard !pattern.isEmpty else { return true }
            let bytes = utf8
            var start = bytes.startIndex
            while start != bytes.endIndex {
                var index = start
                var matched = 0
                while matched < pattern.count, index != bytes.endIndex,
                    Self.lowercasedASCII(bytes[index]) == pattern[matched]
                {
                    index = bytes.index(after: index)
                    matched += 1
                }
                if matched == pattern.count { return true }
                start = bytes.index(after: start)
            }
            return false
        }
    }

    private static func lowercasedASCII(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }
}

extension String {
    /// Splits at every "::" (without Foundation's `components(separatedBy:)`).
    func splitOnDoubleColon() -> [String] {
        var parts: [String] = []
        var current = ""
        var previousWasColon = false
        for character in self {
            if character == ":" && previousWasColon {
                current.removeLast()
                parts.append(current)
                current = ""
                previousWasColon = false
                continue
            }
            current.append(character)
            previousWasColon = character == ":"
        }
        parts.append(current)
        return parts
    }
}
