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
        connections: [(record: ConnectionRecord, isActive: Bool)], hosts: HostTable, totals: ConnectionTotals,
        retentionCap: Int
    ) {
        self.statistics = statistics
        self.firstPacket = firstPacket
        self.lastPacket = lastPacket
        // Held in order of first payload; listed in order of first frame, which does not depend on
        // how the capture was split.
        let ordered =
            connections.isSorted { $0.record.id < $1.record.id }
            ? connections : connections.sorted { $0.record.id < $1.record.id }
        self.connections = ordered.map(\.record)
        self.active = ordered.map(\.isActive)
        self.hosts = hosts
        self.totals = totals
        self.retentionCap = retentionCap
    }

    /// One picture of several shards of a capture: counters and totals add up, host rows merge,
    /// connections are listed by id, and the oldest finished ones past the cap are folded (they
    /// are already counted in the rows and totals).
    public static func merging(_ parts: [SnapshotParts]) -> SnapshotParts? {
        guard var merged = parts.first else { return nil }
        for part in parts.dropFirst() {
            merged.statistics.merge(part.statistics)
            merged.firstPacket = [merged.firstPacket, part.firstPacket].compactMap { $0 }.min()
            merged.lastPacket = [merged.lastPacket, part.lastPacket].compactMap { $0 }.max()
            merged.hosts.merge(part.hosts)
            merged.totals.merge(part.totals)
            var pairs = zip(merged.connections, merged.active).map { (record: $0, isActive: $1) }
            pairs += zip(part.connections, part.active).map { (record: $0, isActive: $1) }
            pairs.sort { $0.record.id < $1.record.id }
            merged.connections = pairs.map(\.record)
            merged.active = pairs.map(\.isActive)
        }
        merged.foldFinished()
        merged.statistics.evictedHosts = merged.hosts.evictedHosts
        merged.statistics.evictedHostConnections = merged.hosts.evictedHostConnections
        return merged
    }

    /// Drops the oldest finished connections past the cap from the listing, as the aggregator's
    /// trim does; active ones stay whatever their age.
    private mutating func foldFinished() {
        var toFold = connections.count - retentionCap
        guard toFold > 0 else { return }
        var keptConnections: [ConnectionRecord] = []
        var keptActive: [Bool] = []
        keptConnections.reserveCapacity(retentionCap)
        keptActive.reserveCapacity(retentionCap)
        for (record, isActive) in zip(connections, active) {
            if toFold > 0, !isActive {
                toFold -= 1
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

extension Array {
    fileprivate func isSorted(by areInIncreasingOrder: (Element, Element) -> Bool) -> Bool {
        zip(self, dropFirst()).allSatisfy { !areInIncreasingOrder($1, $0) }
    }
}
