/// What one analysis knows at a moment, in a form that merges: a sharded read (`--threads`) builds
/// one per shard, each on its shard's thread, and merges them into the one snapshot that a single
/// analysis of the whole capture would have made.
///
/// Host rows stay ungraded tables until the end (grading does not merge; its inputs do).
public struct SnapshotParts: Sendable {
    public var statistics: TrafficStatistics
    public var firstPacket: Timestamp?
    public var lastPacket: Timestamp?
    /// The connections held in detail, by id (the number of their first frame).
    public private(set) var connections: [ConnectionRecord]
    /// Whether each of `connections` is still in its flow table (finished ones may be folded).
    private var active: [Bool]
    public var hosts: HostTable
    public var totals: ConnectionTotals
    /// Connections listed in detail at most (see `ConnectionAggregator.Configuration`).
    public let retentionCap: Int

    init(
        statistics: TrafficStatistics, firstPacket: Timestamp?, lastPacket: Timestamp?,
        connections: [ConnectionRecord], active: [Bool], hosts: HostTable, totals: ConnectionTotals,
        retentionCap: Int
    ) {
        self.statistics = statistics
        self.firstPacket = firstPacket
        self.lastPacket = lastPacket
        // Held in order of first payload; listed in order of first frame, which does not depend on
        // how the capture was split. Sorted by index: a record is too large to move around.
        if zip(connections, connections.dropFirst()).allSatisfy({ $0.id < $1.id }) {
            self.connections = connections
            self.active = active
        } else {
            let order = connections.indices.sorted { connections[$0].id < connections[$1].id }
            self.connections = order.map { connections[$0] }
            self.active = order.map { active[$0] }
        }
        self.hosts = hosts
        self.totals = totals
        self.retentionCap = retentionCap
    }

    /// The id through which finished connections are folded so that at most `retentionCap` stay
    /// listed: the oldest finished ones go first, active ones stay whatever their age. nil when
    /// nothing needs folding.
    public static func foldThreshold(of held: [(id: Int, isActive: Bool)], retentionCap: Int) -> Int? {
        var toFold = held.count - retentionCap
        guard toFold > 0 else { return nil }
        var threshold: Int?
        for entry in held.sorted(by: { $0.id < $1.id }) where !entry.isActive {
            threshold = entry.id
            toFold -= 1
            if toFold == 0 { break }
        }
        return threshold
    }

    /// One picture of several shards of a capture: counters and totals add up, host rows merge,
    /// connections are listed by id, and the oldest finished ones past the cap are folded (they
    /// are already counted in the rows and totals).
    /// - Parameter parts: emptied: taken, not shared, so the first part's arrays are extended in
    ///   place rather than copied whole first.
    public static func merging(_ parts: inout [SnapshotParts]) -> SnapshotParts? {
        parts.reverse()
        guard var merged = parts.popLast() else { return nil }
        while var part = parts.popLast() {
            merged.statistics.merge(part.statistics)
            merged.firstPacket = [merged.firstPacket, part.firstPacket].compactMap { $0 }.min()
            merged.lastPacket = [merged.lastPacket, part.lastPacket].compactMap { $0 }.max()
            merged.hosts.merge(part.hosts)
            merged.totals.merge(part.totals)
            merged.interleave(&part)
        }
        merged.foldFinished()
        merged.statistics.evictedHosts = merged.hosts.evictedHosts
        merged.statistics.evictedHostConnections = merged.hosts.evictedHostConnections
        return merged
    }

    /// Merges another part's connections into these, both in order of id. The records are
    /// copied into place once (they are large: reversing and moving them cost twice the memory
    /// traffic); `other` keeps its own, for its owner to free when it likes.
    private mutating func interleave(_ other: inout SnapshotParts) {
        guard !other.connections.isEmpty else { return }
        let total = connections.count + other.connections.count
        var records: [ConnectionRecord] = []
        var flags: [Bool] = []
        records.reserveCapacity(total)
        flags.reserveCapacity(total)
        var mine = 0
        var theirs = 0
        while mine < connections.count || theirs < other.connections.count {
            if theirs == other.connections.count
                || (mine < connections.count && connections[mine].id < other.connections[theirs].id)
            {
                records.append(connections[mine])
                flags.append(active[mine])
                mine += 1
            } else {
                records.append(other.connections[theirs])
                flags.append(other.active[theirs])
                theirs += 1
            }
        }
        connections = records
        active = flags
    }

    /// Drops the oldest finished connections past the cap from the listing (shards that agreed
    /// on a `foldThreshold` have none left to drop).
    private mutating func foldFinished() {
        guard connections.count > retentionCap else { return }
        let held = connections.indices.map { (id: connections[$0].id, isActive: active[$0]) }
        guard let threshold = Self.foldThreshold(of: held, retentionCap: retentionCap) else { return }
        var keptConnections: [ConnectionRecord] = []
        var keptActive: [Bool] = []
        for (record, isActive) in zip(connections, active) {
            if !isActive, record.id <= threshold {
                statistics.foldedConnections += 1
            } else {
                keptConnections.append(record)
                keptActive.append(isActive)
            }
        }
        connections = keptConnections
        active = keptActive
    }

    /// The snapshot, host rows graded.
    public func snapshot(source: Snapshot.Source, generatedAt: Timestamp, policies: [Policy]) -> Snapshot {
        Snapshot(
            generatedAt: generatedAt, source: source, policies: policies, statistics: statistics,
            firstPacket: firstPacket, lastPacket: lastPacket, connections: connections, hosts: hosts.snapshots(),
            totals: totals)
    }
}
