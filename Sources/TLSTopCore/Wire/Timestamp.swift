/// A capture timestamp in nanoseconds since the Unix epoch.
public struct Timestamp: Comparable, Hashable, Sendable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public init(seconds: Int64, nanoseconds: Int64) {
        self.nanoseconds = seconds &* 1_000_000_000 &+ nanoseconds
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public static let zero = Timestamp(nanoseconds: 0)

    /// RFC 3339 UTC with microseconds, e.g. `2024-05-01T12:00:00.123456Z`.
    public var rfc3339: String {
        var text: [UInt8] = []
        text.reserveCapacity(27)
        appendRFC3339(to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// The day of `rfc3339` (`2024-05-01`, UTC), as findings and reports name a date: made in
    /// one buffer, not cut from the whole text (a finding's detail cost 4,400 instructions).
    public var rfc3339Day: String {
        var text: [UInt8] = []
        text.reserveCapacity(32)
        appendRFC3339(to: &text)
        let end = text.firstIndex(of: UInt8(ascii: "T")) ?? text.endIndex
        return String(decoding: text[..<end], as: UTF8.self)
    }

    /// Writes `rfc3339` into a byte buffer: exports write two per connection, and building each
    /// as an interpolated String was a tenth of an export.
    func appendRFC3339(to text: inout some ByteSink) {
        let seconds = nanoseconds.floorDivided(by: 1_000_000_000)
        // From the remainder, not `nanoseconds - seconds * 10^9`, which overflows near Int64.min.
        let remainder = nanoseconds % 1_000_000_000
        let micros = (remainder < 0 ? remainder + 1_000_000_000 : remainder) / 1000
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
        if year < 0 { text.append(UInt8(ascii: "-")) }
        // Years past 9999 (only a hostile certificate's) take the digits they need.
        Self.appendDigits(year.magnitude, width: 4, to: &text)
        // The rest has a fixed width: filled in place, appended once.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 23) { field in
            func put(_ value: Int64, _ width: Int, at offset: Int) {
                var rest = value
                for position in stride(from: offset + width - 1, through: offset, by: -1) {
                    field[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                    rest /= 10
                }
            }
            field[0] = UInt8(ascii: "-")
            put(month, 2, at: 1)
            field[3] = UInt8(ascii: "-")
            put(day, 2, at: 4)
            field[6] = UInt8(ascii: "T")
            put(secondOfDay / 3600, 2, at: 7)
            field[9] = UInt8(ascii: ":")
            put(secondOfDay / 60 % 60, 2, at: 10)
            field[12] = UInt8(ascii: ":")
            put(secondOfDay % 60, 2, at: 13)
            field[15] = UInt8(ascii: ".")
            put(micros, 6, at: 16)
            field[22] = UInt8(ascii: "Z")
            text.append(bytes: UnsafeRawBufferPointer(field))
        }
    }

    /// Decimal digits, zero-padded to `width` (more digits when the value needs them).
    private static func appendDigits(_ value: UInt64, width: Int, to text: inout some ByteSink) {
        var digits = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        for _ in digits..<max(digits, width) { text.append(UInt8(ascii: "0")) }
        var divisor: UInt64 = 1  // at most 10^19: a UInt64 has at most 20 digits
        for _ in 1..<digits { divisor *= 10 }
        rest = value
        while divisor > 0 {
            text.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `civil_from_days`).
    static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
