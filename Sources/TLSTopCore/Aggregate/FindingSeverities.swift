/// The worst severity seen of each finding of the catalogue (`FindingID.all`), two bits an id in
/// two words: what a host's grade reads, updated for every finding of every connection folded in
/// without hashing (a `[FindingID: Severity]` dictionary took two SipHash lookups per finding).
///
/// Only catalogue ids are kept: grading reads no other, and tlstop raises no other (an id outside
/// the catalogue comes from a policy file's typo and names nothing that can be found).
struct FindingSeverities: Sendable, Equatable {
    /// Room for this many catalogue ids; `FindingSeveritiesTests` checks the catalogue fits.
    static let capacity = 64
    private var seen: UInt64 = 0
    /// Severity raw values, two bits an id: ids 0–31 in the first word, 32–63 in the second.
    private var levels: (UInt64, UInt64) = (0, 0)

    static func == (lhs: FindingSeverities, rhs: FindingSeverities) -> Bool {
        lhs.seen == rhs.seen && lhs.levels == rhs.levels
    }

    subscript(id: FindingID) -> Severity? {
        let index = Int(id.index)
        guard index < Self.capacity, seen & (1 << UInt64(index)) != 0 else { return nil }
        let word = index < 32 ? levels.0 : levels.1
        return Severity(rawValue: Int(word >> UInt64(2 * (index % 32)) & 0b11))
    }

    /// Each catalogue id of `table` at its severity.
    init(_ table: [FindingID: Severity]) {
        for (id, severity) in table { set(id, to: severity) }
    }

    init() {}

    /// Records `severity` for `id`, whatever was there.
    mutating func set(_ id: FindingID, to severity: Severity) {
        let index = Int(id.index)
        guard index < Self.capacity else { return }
        seen |= 1 << UInt64(index)
        let shift = UInt64(2 * (index % 32))
        let cleared = ~(UInt64(0b11) << shift)
        let value = UInt64(severity.rawValue & 0b11) << shift
        if index < 32 {
            levels.0 = levels.0 & cleared | value
        } else {
            levels.1 = levels.1 & cleared | value
        }
    }

    /// Records `severity` for `id` unless a worse one was seen.
    mutating func raise(_ id: FindingID, to severity: Severity) {
        let index = Int(id.index)
        guard index < Self.capacity else { return }
        if let current = self[id], current >= severity { return }
        set(id, to: severity)
    }
}
