/// A slot of a flow table: empty, or an entry filed under its flow's hash.
protocol FlowSlot {
    static var empty: Self { get }
    var isOccupied: Bool { get }
    /// The flow hash's low 32 bits: where the entry wants to live, and a cheap first compare.
    var hash: UInt32 { get }
    /// Whether the occupied slot holds the flow `key` names (asked only when the hashes match).
    func holds(_ key: FlowKey) -> Bool
}

/// The open addressing both flow tables (`ConnectionTable`, `AttemptTable`) share: linear probing
/// over a power-of-two array at most three quarters full, under `FlowHasher`'s seeded hash, and
/// backward-shift removal, so that no tombstone accumulates under the churn of short flows.
///
/// Callers find an entry's index once and read, change or remove it there: one probe per packet.
struct FlowSlotTable<Slot: FlowSlot> {
    private var slots: [Slot]
    private var mask: Int
    private(set) var count = 0
    private let hasher = FlowHasher()

    init(minimumCapacity: Int = 16) {
        let capacity = FlowHasher.capacity(for: minimumCapacity)
        slots = Array(repeating: .empty, count: capacity)
        mask = capacity - 1
    }

    @inline(__always)
    func hash(_ key: FlowKey) -> UInt32 { hasher.hash(key) }

    /// Where `key`'s entry is, if it is in the table.
    @inline(__always)
    func index(of key: FlowKey) -> Int? {
        let hash = hash(key)
        var index = Int(hash) & mask
        while slots[index].isOccupied {
            if slots[index].hash == hash, slots[index].holds(key) { return index }
            index = (index + 1) & mask
        }
        return nil
    }

    /// The slot at an index `index(of:)` or `insert` gave, valid until the next insert or removal.
    subscript(index: Int) -> Slot {
        @inline(__always) get { slots[index] }
        @inline(__always) set { slots[index] = newValue }
    }

    /// Files `slot` (made by `make` from the key's hash) under `key`, replacing the entry already
    /// there; returns its index.
    @discardableResult
    mutating func insert(for key: FlowKey, _ make: (_ hash: UInt32) -> Slot) -> Int {
        if count + 1 > slots.count - slots.count / 4 { resize(to: slots.count * 2) }
        let hash = hash(key)
        var index = Int(hash) & mask
        while slots[index].isOccupied {
            if slots[index].hash == hash, slots[index].holds(key) {
                slots[index] = make(hash)
                return index
            }
            index = (index + 1) & mask
        }
        slots[index] = make(hash)
        count += 1
        return index
    }

    /// Empties the slot at `removed`, then moves back each later entry of the run that the hole
    /// now separates from the slot it hashes to.
    mutating func remove(at removed: Int) {
        var hole = removed
        var index = (removed + 1) & mask
        while slots[index].isOccupied {
            if FlowHasher.mayFill(hole: hole, from: index, home: Int(slots[index].hash) & mask, mask: mask) {
                slots[hole] = slots[index]
                hole = index
            }
            index = (index + 1) & mask
        }
        slots[hole] = .empty
        count -= 1
    }

    mutating func reserveCapacity(_ entries: Int) {
        let capacity = FlowHasher.capacity(for: entries)
        if capacity > slots.count { resize(to: capacity) }
    }

    private mutating func resize(to capacity: Int) {
        let old = slots
        slots = Array(repeating: .empty, count: capacity)
        mask = capacity - 1
        for slot in old where slot.isOccupied {
            var index = Int(slot.hash) & mask
            while slots[index].isOccupied { index = (index + 1) & mask }
            slots[index] = slot
        }
    }

    /// Every occupied slot, in slot order.
    var occupied: some Sequence<Slot> { slots.lazy.filter(\.isOccupied) }
}
