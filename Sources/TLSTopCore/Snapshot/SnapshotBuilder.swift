import Foundation

/// Derives a `Snapshot` from the tracker's live state.
public enum SnapshotBuilder {
    /// - Parameter isFinal: nothing will ask again (the end of a batch run): the connections'
    ///   snapshots are not kept for the next build, which saves a copy of each.
    public static func build(
        from tracker: FlowTracker, source: Snapshot.Source, generatedAt: Timestamp, policy: Policy = .intermediate,
        isFinal: Bool = false
    ) -> Snapshot {
        let connections = tracker.connections.map {
            isFinal ? lastSnapshot(of: $0, policy: policy) : snapshot(of: $0, policy: policy)
        }
        var hosts = tracker.hostHistory
        for connection in connections { hosts.add(connection) }
        var statistics = tracker.currentStatistics
        // The rows of connections still held count too: the table may have made room for them.
        statistics.evictedHosts = hosts.evictedHosts
        statistics.evictedHostConnections = hosts.evictedHostConnections
        return Snapshot(
            generatedAt: generatedAt, source: source, policy: policy.name, statistics: statistics,
            firstPacket: tracker.firstTimestamp, lastPacket: tracker.lastTimestamp,
            connections: connections, hosts: hosts.snapshots())
    }

    public static func snapshot(of connection: Connection, policy: Policy = .intermediate) -> ConnectionRecord {
        if let cached = cachedSnapshot(of: connection, policy: policy) { return cached }
        let fresh = ConnectionJudge.record(of: connection, policy: policy)
        if let cached = connection.snapshotCache {
            cached.snapshot = fresh
            cached.policy = policy.name
        } else {
            connection.snapshotCache = Connection.CachedSnapshot(fresh, policy: policy.name)
        }
        connection.changed = false
        return fresh
    }

    /// The snapshot of a connection about to leave memory: the cached one if still valid, else a
    /// fresh one that is not cached (nothing will ask again).
    static func lastSnapshot(of connection: Connection, policy: Policy) -> ConnectionRecord {
        cachedSnapshot(of: connection, policy: policy) ?? ConnectionJudge.record(of: connection, policy: policy)
    }

    /// The cached snapshot, if nothing changed since it was built under this policy.
    private static func cachedSnapshot(of connection: Connection, policy: Policy) -> ConnectionRecord? {
        guard !connection.changed, let cached = connection.snapshotCache, cached.policy == policy.name else {
            return nil
        }
        return cached.snapshot
    }

    /// One row per server name (SNI, else address) and port, in order of first appearance.
    public static func hosts(of connections: [ConnectionRecord]) -> [HostSnapshot] {
        var table = HostTable()
        for connection in connections { table.add(connection) }
        return table.snapshots()
    }
}
