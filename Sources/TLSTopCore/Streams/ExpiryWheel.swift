/// Connections filed by the second at which they may have gone idle: a timing wheel with one slot
/// per second, so that finding the idle flows costs work in proportion to the flows that come due,
/// not a pass over the whole table every second (a million open flows made that pass the largest
/// cost of reading a capture).
///
/// An entry is a hint, checked when its second comes: a flow that saw packets since is filed again
/// for its new deadline, so the per-packet path never touches the wheel. A flow filed twice (its
/// deadline moved earlier when it closed) keeps only the entry for `Connection.expiryDue`; the
/// other is dropped when found, and `compact` clears such entries, and those of flows evicted or
/// replaced meanwhile, when they outnumber the live ones.
struct ExpiryWheel {
    private var slots: [[Connection]]
    /// The next second not yet taken; nil before the first entry.
    private var cursor: Int64?
    /// Entries held, live or not.
    private(set) var count = 0

    /// - Parameter span: seconds ahead an entry can be filed; a later deadline is filed at the
    ///   span's end and filed again from there.
    init(span: Int) {
        slots = Array(repeating: [], count: max(2, min(span, 1 << 16)))
    }

    /// Files `connection` under `second`, or the nearest second the wheel can hold. `now` starts
    /// the wheel's clock on the first entry.
    mutating func file(_ connection: Connection, dueAt second: Int64, now: Int64) {
        let start = cursor ?? now
        cursor = start
        let due = min(max(second, start), start &+ Int64(slots.count - 1))
        connection.expiryDue = due
        slots[Self.slot(due, slots.count)].append(connection)
        count += 1
    }

    /// Moves each live entry filed under a second up to `second` to `due`.
    mutating func takeDue(through second: Int64, into due: inout [Connection]) {
        guard let start = cursor, second >= start else { return }
        let end = min(second, start &+ Int64(slots.count - 1))
        var current = start
        while current <= end {
            let index = Self.slot(current, slots.count)
            count -= slots[index].count
            for connection in slots[index] where connection.isActive && connection.expiryDue == current {
                due.append(connection)
            }
            slots[index].removeAll(keepingCapacity: true)
            current += 1
        }
        cursor = second &+ 1
    }

    /// Drops the entries of flows no longer in the table and those superseded by a later filing.
    mutating func compact() {
        guard let start = cursor else { return }
        count = 0
        for index in slots.indices {
            // The second this slot stands for: the one in [cursor, cursor + span) that maps to it.
            let offset = (Int64(index) - Int64(Self.slot(start, slots.count)) + Int64(slots.count)) % Int64(slots.count)
            let second = start &+ offset
            slots[index].removeAll { !$0.isActive || $0.expiryDue != second }
            count += slots[index].count
        }
    }

    /// Consecutive seconds map to consecutive slots, negative ones included.
    private static func slot(_ second: Int64, _ count: Int) -> Int {
        let count = Int64(count)
        return Int((second % count + count) % count)
    }
}
