/// The active connections by flow: an open-addressing table (`FlowSlotTable`) of connection
/// references.
///
/// A `[FlowKey: Connection]` dictionary stores the 40-byte key beside each reference and hashes it
/// with SipHash on every packet; at a million open flows its slots cost 64–128 bytes a connection
/// and the hash was 8% of a handshake-heavy run. Here a slot is the reference and 32 bits of the
/// flow's hash (16 bytes): the key is the connection's own endpoints, compared only when the
/// stored hash bits match.
struct ConnectionTable {
    private struct Slot: FlowSlot {
        var connection: Connection?
        var hash: UInt32 = 0

        static var empty: Slot { Slot() }
        var isOccupied: Bool { connection != nil }
        func holds(_ key: FlowKey) -> Bool { connection?.matches(key) ?? false }
    }

    private var table: FlowSlotTable<Slot>

    init(minimumCapacity: Int = 16) {
        table = FlowSlotTable(minimumCapacity: minimumCapacity)
    }

    var count: Int { table.count }

    subscript(key: FlowKey) -> Connection? {
        table.index(of: key).flatMap { table[$0].connection }
    }

    /// Adds `connection` under `key`, replacing the connection already there.
    mutating func insert(_ connection: Connection, for key: FlowKey) {
        table.insert(for: key) { Slot(connection: connection, hash: $0) }
    }

    @discardableResult
    mutating func remove(_ key: FlowKey) -> Connection? {
        guard let index = table.index(of: key) else { return nil }
        let connection = table[index].connection
        table.remove(at: index)
        return connection
    }

    mutating func reserveCapacity(_ entries: Int) { table.reserveCapacity(entries) }

    /// Every connection in the table, in slot order.
    var connections: some Sequence<Connection> { table.occupied.lazy.compactMap(\.connection) }
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
