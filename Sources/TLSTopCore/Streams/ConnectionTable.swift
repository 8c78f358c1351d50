/// The active connections by flow: an open-addressing table of connection references.
///
/// A `[FlowKey: Connection]` dictionary stores the 40-byte key beside each reference and hashes it
/// with SipHash on every packet; at a million open flows its slots cost 64–128 bytes a connection
/// and the hash was 8% of a handshake-heavy run. Here a slot is the reference and 32 bits of the
/// flow's hash (16 bytes): the key is the connection's own endpoints, compared only when the
/// stored hash bits match, and the hash is a seeded multiply-mix of the key's five words.
///
/// Linear probing, at most three quarters full; removal shifts the entries after it back, so no
/// tombstones accumulate under churn.
struct ConnectionTable {
    private struct Slot {
        var connection: Connection?
        /// The flow hash's low 32 bits: where the entry wants to live, and a cheap first compare.
        var hash: UInt32 = 0
    }

    private var slots: [Slot]
    private var mask: Int
    private(set) var count = 0
    private let hasher = FlowHasher()

    init(minimumCapacity: Int = 16) {
        let capacity = Self.capacity(for: minimumCapacity)
        slots = Array(repeating: Slot(), count: capacity)
        mask = capacity - 1
    }

    private static func capacity(for entries: Int) -> Int { FlowHasher.capacity(for: entries) }

    @inline(__always)
    private func hash(_ key: FlowKey) -> UInt32 { hasher.hash(key) }

    subscript(key: FlowKey) -> Connection? {
        let hash = hash(key)
        var index = Int(hash) & mask
        while let connection = slots[index].connection {
            if slots[index].hash == hash, connection.matches(key) { return connection }
            index = (index + 1) & mask
        }
        return nil
    }

    /// Adds `connection` under `key`, replacing the connection already there.
    mutating func insert(_ connection: Connection, for key: FlowKey) {
        if count + 1 > slots.count - slots.count / 4 { resize(to: slots.count * 2) }
        let hash = hash(key)
        var index = Int(hash) & mask
        while let existing = slots[index].connection {
            if slots[index].hash == hash, existing.matches(key) {
                slots[index].connection = connection
                return
            }
            index = (index + 1) & mask
        }
        slots[index] = Slot(connection: connection, hash: hash)
        count += 1
    }

    @discardableResult
    mutating func remove(_ key: FlowKey) -> Connection? {
        let hash = hash(key)
        var index = Int(hash) & mask
        while let connection = slots[index].connection {
            if slots[index].hash == hash, connection.matches(key) {
                removeSlot(at: index)
                return connection
            }
            index = (index + 1) & mask
        }
        return nil
    }

    /// Empties a slot, then moves back each later entry of the run that the hole now separates
    /// from the slot it hashes to (backward-shift deletion: lookups never meet a tombstone).
    private mutating func removeSlot(at removed: Int) {
        var hole = removed
        var index = (removed + 1) & mask
        while slots[index].connection != nil {
            let home = Int(slots[index].hash) & mask
            // The entry may fill the hole when its home is not in (hole, index], cyclically.
            if FlowHasher.mayFill(hole: hole, from: index, home: home, mask: mask) {
                slots[hole] = slots[index]
                hole = index
            }
            index = (index + 1) & mask
        }
        slots[hole] = Slot()
        count -= 1
    }

    mutating func reserveCapacity(_ entries: Int) {
        let capacity = Self.capacity(for: entries)
        if capacity > slots.count { resize(to: capacity) }
    }

    private mutating func resize(to capacity: Int) {
        let old = slots
        slots = Array(repeating: Slot(), count: capacity)
        mask = capacity - 1
        for slot in old where slot.connection != nil {
            var index = Int(slot.hash) & mask
            while slots[index].connection != nil { index = (index + 1) & mask }
            slots[index] = slot
        }
    }

    /// Every connection in the table, in slot order.
    var connections: some Sequence<Connection> { slots.lazy.compactMap(\.connection) }
}

extension Connection {
    /// Whether this is the flow `key` names (the key is in canonical order, the endpoints in roles).
    @inline(__always)
    func matches(_ key: FlowKey) -> Bool {
        guard transport.rawValue == key.transport else { return false }
        if client.port == key.lowPort && client.address == key.lowAddress {
            return server.port == key.highPort && server.address == key.highAddress
        }
        return server.port == key.lowPort && server.address == key.lowAddress && client.port == key.highPort
            && client.address == key.highAddress
    }
}
