/// An IPv4 or IPv6 address held in 128 bits, IPv4 as an IPv4-mapped IPv6 address (::ffff:a.b.c.d).
///
/// One fixed-size representation keeps flow keys small, hashable without allocation, and lets
/// IPv4 and IPv6 share every table.
public struct IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    static let ipv4MappedPrefix: UInt64 = 0x0000_FFFF_0000_0000

    @inlinable
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init(ipv4 value: UInt32) {
        high = 0
        low = Self.ipv4MappedPrefix | UInt64(value)
    }

    public var isIPv4: Bool { high == 0 && low & 0xFFFF_FFFF_0000_0000 == Self.ipv4MappedPrefix }

    public var ipv4Value: UInt32? { isIPv4 ? UInt32(truncatingIfNeeded: low) : nil }

    /// 127.0.0.0/8 or ::1.
    public var isLoopback: Bool {
        if let v4 = ipv4Value { return v4 >> 24 == 127 }
        return high == 0 && low == 1
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// Parses dotted-quad IPv4 or RFC 4291 text IPv6 (with `::` and an embedded IPv4 tail).
    public init?(_ text: some StringProtocol) {
        if let v4 = Self.parseIPv4(Substring(text)) {
            self.init(ipv4: v4)
            return
        }
        guard let (h, l) = Self.parseIPv6(Substring(text)) else { return nil }
        self.init(high: h, low: l)
    }

    public var description: String {
        if let v4 = ipv4Value {
            return "\(v4 >> 24).\(v4 >> 16 & 0xFF).\(v4 >> 8 & 0xFF).\(v4 & 0xFF)"
        }
        return ipv6Text
    }

    /// `description`'s text, appended: an IPv4 address digit by digit, without making a String
    /// (an export writes two addresses per connection).
    func appendText(to out: inout some ByteSink) {
        guard let v4 = ipv4Value else {
            var text = ipv6Text
            text.withUTF8 { out.append(bytes: UnsafeRawBufferPointer($0)) }
            return
        }
        for shift in stride(from: 24, through: 0, by: -8) {
            let octet = UInt8(truncatingIfNeeded: v4 >> UInt32(shift))
            if octet >= 100 { out.append(UInt8(ascii: "0") + octet / 100) }
            if octet >= 10 { out.append(UInt8(ascii: "0") + octet / 10 % 10) }
            out.append(UInt8(ascii: "0") + octet % 10)
            if shift > 0 { out.append(UInt8(ascii: ".")) }
        }
    }

    /// RFC 5952 text: lowercase, the longest run (>1) of zero groups compressed to `::`.
    private var ipv6Text: String {
        var groups = [UInt16](repeating: 0, count: 8)
        for i in 0..<4 {
            groups[i] = UInt16(truncatingIfNeeded: high >> UInt64(48 - 16 * i))
            groups[i + 4] = UInt16(truncatingIfNeeded: low >> UInt64(48 - 16 * i))
        }
        var bestStart = -1
        var bestLength = 0
        var runStart = -1
        for i in 0...8 {
            if i < 8, groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength && i - runStart > 1 {
                    bestStart = runStart
                    bestLength = i - runStart
                }
                runStart = -1
            }
        }
        var text = ""
        var i = 0
        while i < 8 {
            if i == bestStart {
                text += "::"
                i += bestLength
                continue
            }
            if !text.isEmpty && !text.hasSuffix(":") { text += ":" }
            text += String(groups[i], radix: 16)
            i += 1
        }
        return text
    }

    private static func parseIPv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let octet = UInt8(part) else {
                return nil
            }
            value = value << 8 | UInt32(octet)
        }
        return value
    }

    private static func parseIPv6(_ text: Substring) -> (UInt64, UInt64)? {
        guard text.count <= 45, text.containsBytes(":") else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawDoubleColon = false
        let halves = String(text).splitOnDoubleColon()
        guard halves.count <= 2 else { return nil }
        sawDoubleColon = halves.count == 2
        func groups(_ s: String) -> [UInt16]? {
            if s.isEmpty { return [] }
            var out: [UInt16] = []
            let fields = s.split(separator: ":", omittingEmptySubsequences: false)
            for (index, field) in fields.enumerated() {
                if index == fields.count - 1, field.containsBytes("."), let v4 = parseIPv4(field) {
                    out.append(UInt16(v4 >> 16))
                    out.append(UInt16(v4 & 0xFFFF))
                } else {
                    guard (1...4).contains(field.count), let g = UInt16(field, radix: 16) else { return nil }
                    out.append(g)
                }
            }
            return out
        }
        guard let h = groups(halves[0]) else { return nil }
        head = h
        if sawDoubleColon {
            guard let t = groups(halves[1]) else { return nil }
            tail = t
            guard head.count + tail.count < 8 else { return nil }
        } else {
            guard head.count == 8 else { return nil }
        }
        let all = head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        for i in 0..<4 {
            hi = hi << 16 | UInt64(all[i])
            lo = lo << 16 | UInt64(all[i + 4])
        }
        return (hi, lo)
    }
}
