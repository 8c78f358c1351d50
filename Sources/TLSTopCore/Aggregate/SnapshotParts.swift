/// What one analysis knows at a moment, in a form that merges: a sharded read (`--threads`) builds
/// one per shard, each on its shard's thread, and merges them into the one snapshot that a single
/// analysis of the whole capture would have made.
///
/// Host rows stay ungraded tables until the end (grading does not merge; its inputs do).
public struct SnapshotParts: Sendable {
    public var statistics: TrafficStatistics
    public var firstPacket: Timestamp?
    public var lastPacket: Timestamp?
    /// The connections held in detail, by id (the number of their first frame). Empty in a
    /// shard's parts whose records were placed straight into the merged array (see `Placement`).
    public private(set) var connections: [ConnectionRecord]
    public var hosts: HostTable
    public var totals: ConnectionTotals

    /// - Parameter connections: in order of id (the aggregator lists them so).
    init(
        statistics: TrafficStatistics, firstPacket: Timestamp?, lastPacket: Timestamp?,
        connections: [ConnectionRecord], hosts: HostTable, totals: ConnectionTotals
    ) {
        assert(
            connections.indices.dropFirst().allSatisfy { connections[$0 - 1].id <= connections[$0].id },
            "snapshot parts list connections by id")
        self.statistics = statistics
        self.firstPacket = firstPacket
        self.lastPacket = lastPacket
        self.connections = connections
        self.hosts = hosts
        self.totals = totals
    }

    /// Where a shard's records go in the merged snapshot's array: the shards of a read make
    /// their records straight into it, each into its own places, so the merge neither copies
    /// nor moves a record (copying one retains a few dozen references; the first touch of 600
    /// bytes a record was most of a merge's time).
    public struct Placement: @unchecked Sendable {
        // @unchecked: every shard initializes only its own places, and the array is read once
        // all of them are done.
        let base: UnsafeMutablePointer<ConnectionRecord>
        /// The place of each of the shard's records, in order of id.
        let places: [Int]

        public init(base: UnsafeMutablePointer<ConnectionRecord>, places: [Int]) {
            self.base = base
            self.places = places
        }
    }

    /// The places in the merged array of each list's ids (each list in order of id): the
    /// places of a merge of the lists by id.
    public static func places(of lists: [[Int]]) -> [[Int]] {
        var places = lists.map { [Int](repeating: 0, count: $0.count) }
        var heads = [Int](repeating: 0, count: lists.count)
        var next = 0
        while true {
            var best = -1
            for index in lists.indices where heads[index] < lists[index].count {
                if best < 0 || lists[index][heads[index]] < lists[best][heads[best]] { best = index }
            }
            guard best >= 0 else { return places }
            places[best][heads[best]] = next
            heads[best] += 1
            next += 1
        }
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
    /// - Parameter connections: every shard's records, placed by id (see `Placement`).
    public static func merging(_ parts: [SnapshotParts], listing connections: [ConnectionRecord]) -> SnapshotParts? {
        guard var merged = parts.first else { return nil }
        for part in parts.dropFirst() {
            merged.statistics.merge(part.statistics)
            merged.firstPacket = [merged.firstPacket, part.firstPacket].compactMap { $0 }.min()
            merged.lastPacket = [merged.lastPacket, part.lastPacket].compactMap { $0 }.max()
            merged.hosts.merge(part.hosts)
            merged.totals.merge(part.totals)
        }
        merged.statistics.evictedHosts = merged.hosts.evictedHosts
        merged.statistics.evictedHostConnections = merged.hosts.evictedHostConnections
        merged.connections = connections
        return merged
    }

    /// The snapshot, host rows graded.
    public func snapshot(source: Snapshot.Source, generatedAt: Timestamp, policies: [Policy]) -> Snapshot {
        Snapshot(
            generatedAt: generatedAt, source: source, policies: policies, statistics: statistics,
            firstPacket: firstPacket, lastPacket: lastPacket, connections: connections, hosts: hosts.snapshots(),
            totals: totals)
    }
}
