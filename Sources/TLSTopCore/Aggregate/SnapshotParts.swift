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
    public var hosts: HostTable
    public var totals: ConnectionTotals

    init(
        statistics: TrafficStatistics, firstPacket: Timestamp?, lastPacket: Timestamp?,
        connections: [ConnectionRecord], hosts: HostTable, totals: ConnectionTotals
    ) {
        self.statistics = statistics
        self.firstPacket = firstPacket
        self.lastPacket = lastPacket
        // Held in order of first payload; listed in order of first frame, which does not depend on
        // how the capture was split. Compared and sorted by index: a record is too large to copy.
        if connections.indices.dropFirst().allSatisfy({ connections[$0 - 1].id < connections[$0].id }) {
            self.connections = connections
        } else {
            self.connections = connections.indices.sorted { connections[$0].id < connections[$1].id }
                .map { connections[$0] }
        }
        self.hosts = hosts
        self.totals = totals
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
    /// connections are listed by id. The shards fold past the retention cap before (through the
    /// `foldThreshold` of all they hold), so the merge lists what one analysis would.
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
        merged.statistics.evictedHosts = merged.hosts.evictedHosts
        merged.statistics.evictedHostConnections = merged.hosts.evictedHostConnections
        return merged
    }

    /// Merges another part's connections into these, both in order of id. The records are
    /// copied into place once (they are large: reversing and moving them cost twice the memory
    /// traffic); `other` keeps its own, for its owner to free when it likes.
    private mutating func interleave(_ other: inout SnapshotParts) {
        guard !other.connections.isEmpty else { return }
        var records: [ConnectionRecord] = []
        records.reserveCapacity(connections.count + other.connections.count)
        var mine = 0
        var theirs = 0
        while mine < connections.count || theirs < other.connections.count {
            if theirs == other.connections.count
                || (mine < connections.count && connections[mine].id < other.connections[theirs].id)
            {
                records.append(connections[mine])
                mine += 1
            } else {
                records.append(other.connections[theirs])
                theirs += 1
            }
        }
        connections = records
    }

    /// The snapshot, host rows graded.
    public func snapshot(source: Snapshot.Source, generatedAt: Timestamp, policies: [Policy]) -> Snapshot {
        Snapshot(
            generatedAt: generatedAt, source: source, policies: policies, statistics: statistics,
            firstPacket: firstPacket, lastPacket: lastPacket, connections: connections, hosts: hosts.snapshots(),
            totals: totals)
    }
}
