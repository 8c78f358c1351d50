/// What one analysis knows at a moment, in a form that merges: a sharded read (`--threads`) builds
/// one per shard, each on its shard's thread, and merges them into the one snapshot that a single
/// analysis of the whole capture would have made.
///
/// Host rows stay ungraded tables until the end (grading does not merge; its inputs do).
public struct SnapshotParts: Sendable {
    public var statistics: TrafficStatistics
    public var firstPacket: Timestamp?
    public var lastPacket: Timestamp?
    /// The connections held in detail, by id (the number of their first frame): a shard's own,
    /// or, once `merging` moved them, all shards' in one array.
    private var records: RecordList
    private var merged: [ConnectionRecord]?
    public var hosts: HostTable
    public var totals: ConnectionTotals

    /// - Parameter connections: in order of id (the aggregator lists them so).
    init(
        statistics: TrafficStatistics, firstPacket: Timestamp?, lastPacket: Timestamp?,
        connections: RecordList, hosts: HostTable, totals: ConnectionTotals
    ) {
        assert(connections.isInOrderOfID, "snapshot parts list connections by id")
        self.statistics = statistics
        self.firstPacket = firstPacket
        self.lastPacket = lastPacket
        records = connections
        self.hosts = hosts
        self.totals = totals
    }

    /// How many connections are listed in detail.
    public var connectionCount: Int { merged?.count ?? records.count }

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
    /// - Parameter parts: emptied: taken, not shared, so that their records move into the merged
    ///   list instead of being copied.
    public static func merging(_ parts: inout [SnapshotParts]) -> SnapshotParts? {
        guard parts.count > 1 else { return parts.popLast() }
        // Moved, not copied, when no other copy of a part holds them.
        var lists: [RecordList] = []
        for index in parts.indices {
            lists.append(
                isKnownUniquelyReferenced(&parts[index].records)
                    ? parts[index].records : RecordList(copying: parts[index].connections))
        }
        let records = RecordList.interleaving(lists)
        parts.reverse()
        guard var merged = parts.popLast() else { return nil }
        while let part = parts.popLast() {
            merged.statistics.merge(part.statistics)
            merged.firstPacket = [merged.firstPacket, part.firstPacket].compactMap { $0 }.min()
            merged.lastPacket = [merged.lastPacket, part.lastPacket].compactMap { $0 }.max()
            merged.hosts.merge(part.hosts)
            merged.totals.merge(part.totals)
        }
        merged.statistics.evictedHosts = merged.hosts.evictedHosts
        merged.statistics.evictedHostConnections = merged.hosts.evictedHostConnections
        merged.records = RecordList()
        merged.merged = records
        return merged
    }

    /// Copies of the connections listed, in order of id.
    var connections: [ConnectionRecord] { merged ?? records.copied() }

    /// The snapshot, host rows graded. The parts are used up: their records move into it.
    public consuming func snapshot(source: Snapshot.Source, generatedAt: Timestamp, policies: [Policy]) -> Snapshot {
        let connections = merged ?? (isKnownUniquelyReferenced(&records) ? records.takeAll() : records.copied())
        return Snapshot(
            generatedAt: generatedAt, source: source, policies: policies, statistics: statistics,
            firstPacket: firstPacket, lastPacket: lastPacket, connections: connections, hosts: hosts.snapshots(),
            totals: totals)
    }
}
