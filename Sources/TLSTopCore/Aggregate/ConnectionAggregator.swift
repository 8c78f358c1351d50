/// Owns what the tracker's connections become: their records (judged under the policy), the
/// connections held in detail, the host rows of those no longer held, and totals over all of
/// them. Reports each connection to `onReport` once, and builds snapshots.
///
/// It reads connections and never writes to them: data flows one way, packets → tracker →
/// records → host rows → snapshot.
public final class ConnectionAggregator: FlowObserver {
    public struct Configuration: Sendable {
        /// How connections are judged.
        public var policy = Policy.intermediate
        /// More policies to judge each listed connection by (`--policy a,b`): their verdicts are in
        /// the records and exports; host rows, grades and totals follow `policy`.
        public var otherPolicies: [Policy] = []
        /// Connections kept in detail for the snapshot (active ones and the most recent finished
        /// ones). Older finished connections are folded into the host rows and totals and dropped.
        public var maximumRetainedConnections = 1 << 14
        /// Host rows (server name and port) aggregated; when full, the least used sixteenth is
        /// dropped and counted. Inbound servers have a handful; a busy proxy reaches thousands.
        public var maximumHosts = 1 << 16

        public init() {}
    }

    public let configuration: Configuration
    public var policy: Policy { configuration.policy }

    /// Called once per connection, on the thread that feeds packets, with its record: when its
    /// analysis has something to report (a handshake finished, a protocol recognized, a
    /// clear-text session known for a while), or, for a connection that never got that far,
    /// when it leaves the table or the run ends (`reportUnreported`). Connections of an unknown
    /// protocol are not reported. The event stream and the metrics count these.
    public var onReport: ((ConnectionRecord) -> Void)?
    /// Live capture with `--probe`: asked for the listeners whose TLS 1.3 certificate stayed
    /// hidden, and read for the certificates probes brought back.
    public var probes: ListenerProbes?
    /// `probes.generation` when the cached records were judged.
    private var probeGeneration = 0

    /// A connection held in detail, with what the aggregator knows of it.
    private final class Held {
        let connection: Connection
        /// The last record made, valid while the connection's revision has not moved (only its
        /// counters are brought up to date): a finished connection is judged once, whatever the
        /// publish rate. Boxed: a connection no snapshot asked about (a batch run's) costs a
        /// pointer here, not the record's 632 bytes.
        private var box: RecordBox?
        var revision: UInt32 = 0
        /// `probes.generation` when the record was made (32 bits keep the entry at 48 bytes).
        var probeGeneration: UInt32 = 0
        var reported = false
        /// Reportable, but waiting for the process lookup (an event that names the program).
        var reportHeld = false

        init(_ connection: Connection) { self.connection = connection }

        var record: ConnectionRecord? {
            get { box?.record }
            set {
                guard let newValue else {
                    box = nil
                    return
                }
                if let box { box.record = newValue } else { box = RecordBox(newValue) }
            }
        }
    }

    private final class RecordBox {
        var record: ConnectionRecord
        init(_ record: ConnectionRecord) { self.record = record }
    }

    private var held: [Held] = []
    private var heldByID: [Int: Held] = [:]
    /// Held connections past which `trim` runs next. It moves with what a trim could not fold
    /// (active connections stay held), so a flood of active flows costs one pass per quarter
    /// more flows, not one pass per flow.
    private var nextTrim: Int
    /// Rows of the connections no longer held, and of every attempt.
    public private(set) var hostHistory: HostTable
    /// Totals of the connections no longer held, and of every attempt.
    public private(set) var foldedTotals = ConnectionTotals()
    public private(set) var foldedConnections = 0
    /// JA3/JA4/JA3S of the hellos already judged: clients repeat theirs.
    private let fingerprints = FingerprintCache()

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.hostHistory = HostTable(capacity: configuration.maximumHosts)
        self.nextTrim = configuration.maximumRetainedConnections + max(64, configuration.maximumRetainedConnections / 4)
    }

    /// The connections held in detail, in order of first payload.
    public var connections: [Connection] { held.map(\.connection) }

    // MARK: - FlowObserver

    public func opened(_ connection: Connection) {
        let entry = Held(connection)
        held.append(entry)
        heldByID[connection.id] = entry
        if held.count > nextTrim { trim() }
    }

    public func reportable(_ connection: Connection) {
        guard onReport != nil, let entry = heldByID[connection.id], !entry.reported else { return }
        if connection.isAwaitingProcess {
            entry.reportHeld = true
        } else {
            report(entry)
        }
    }

    public func deactivated(_ connection: Connection) {
        // Cut mid-handshake, or a protocol never recognized: say what was seen, now.
        guard onReport != nil, let entry = heldByID[connection.id], !entry.reported else { return }
        report(entry)
    }

    public func processAnswered(_ connection: Connection) {
        guard let entry = heldByID[connection.id], entry.reportHeld, !entry.reported else { return }
        report(entry)
    }

    public func attemptEnded(_ attempt: AttemptSummary) {
        hostHistory.add(attempt)
        foldedTotals.add(attempt)
    }

    // MARK: - Records and reports

    private func report(_ entry: Held) {
        guard let onReport else { return }
        entry.reported = true
        entry.reportHeld = false
        let record = record(of: entry)
        if record.protocol != .unknown { onReport(record) }
    }

    /// Reports the connections still held that were not reported yet: at the end of a run, so
    /// that a capture cut mid-handshake still says what it saw.
    public func reportUnreported() {
        guard onReport != nil else { return }
        for entry in held where !entry.reported { report(entry) }
    }

    /// The entry's record: the cached one with its counters brought up to date when nothing
    /// else changed, else a fresh judgment (cached unless `keeping` is false).
    private func record(of entry: Held, keeping: Bool = true) -> ConnectionRecord {
        let connection = entry.connection
        if var record = entry.record, entry.revision == connection.revision,
            record.certificateSource != nil || !record.isProbeCandidate || probes == nil
                || entry.probeGeneration == UInt32(truncatingIfNeeded: probeGeneration)
        {
            record.packets = connection.clientPackets + connection.serverPackets
            record.bytes = connection.clientBytes + connection.serverBytes
            record.lastSeen = connection.lastSeen
            record.closed = connection.sawFIN || connection.sawRST
            record.gap = connection.hadGap
            if keeping { entry.record = record }
            return record
        }
        let record = ConnectionJudge.record(
            of: connection, policy: configuration.policy, otherPolicies: configuration.otherPolicies,
            remembering: keeping, fingerprintCache: fingerprints, probes: probes)
        if keeping {
            entry.record = record
            entry.revision = connection.revision
            entry.probeGeneration = UInt32(truncatingIfNeeded: probeGeneration)
        }
        if let probes, record.isProbeCandidate, record.certificateSource == nil {
            probes.offer(
                server: record.server, serverName: record.sni, direction: record.direction, now: record.lastSeen)
        }
        return record
    }

    /// A record for counting only (host rows, totals): one made for a snapshot is reused, else it
    /// is made without detail (no fingerprints, offer or certificate, which counting never reads:
    /// they were most of the cost of folding, and of a batch summary).
    private func countedRecord(of entry: Held) -> ConnectionRecord {
        entry.record != nil
            ? record(of: entry, keeping: false)
            : ConnectionJudge.record(
                of: entry.connection, policy: configuration.policy, detailed: false, probes: probes)
    }

    /// Keeps every active connection and the most recent finished ones; the older finished ones
    /// are judged once more and folded into the host rows and totals.
    private func trim() {
        var toFold = held.count - configuration.maximumRetainedConnections
        var kept: [Held] = []
        kept.reserveCapacity(held.count)
        for entry in held {
            // The oldest finished connections go first; active ones stay whatever their age.
            if toFold > 0, !entry.connection.isActive {
                fold(entry)
                toFold -= 1
            } else {
                kept.append(entry)
            }
        }
        held = kept
        let floor = max(configuration.maximumRetainedConnections, kept.count)
        nextTrim = floor + max(64, floor / 4)
    }

    /// Folds the finished connections with ids up to `threshold` into the host rows and totals.
    private func fold(through threshold: Int) {
        held.removeAll { entry in
            guard !entry.connection.isActive, entry.connection.id <= threshold else { return false }
            fold(entry)
            return true
        }
    }

    /// Counts a connection in the host rows and totals, and lets it go.
    private func fold(_ entry: Held) {
        let folded = countedRecord(of: entry)
        hostHistory.add(folded)
        foldedTotals.add(folded)
        heldByID.removeValue(forKey: entry.connection.id)
        foldedConnections += 1
    }

    // MARK: - Snapshots

    /// The picture of everything known now.
    /// - Parameter isFinal: nothing will ask again (the end of a batch run): the records made for
    ///   it are not kept for the next build, which saves a copy of each.
    /// - Parameter listsConnections: false when only the hosts and totals are wanted (a batch
    ///   summary with no export): each record is counted and dropped, `connections` stays empty,
    ///   and a million held connections do not need a million records at once.
    public func snapshot(
        statistics: TrafficStatistics, firstPacket: Timestamp?, lastPacket: Timestamp?, source: Snapshot.Source,
        generatedAt: Timestamp, isFinal: Bool = false, listsConnections: Bool = true
    ) -> Snapshot {
        parts(
            statistics: statistics, firstPacket: firstPacket, lastPacket: lastPacket, isFinal: isFinal,
            listsConnections: listsConnections
        ).snapshot(source: source, generatedAt: generatedAt, policies: policies)
    }

    /// The policies of the snapshots: the one that grades, then the others.
    public var policies: [Policy] { [configuration.policy] + configuration.otherPolicies }

    /// What `snapshot` is made of, before host rows are graded: what a shard hands over to be
    /// merged with the others (see `SnapshotParts`).
    /// - Parameter placement: where the records go (a sharded read's merged array, after
    ///   `foldFinished` folded through the threshold the shards agreed on and gave the ids held):
    ///   nothing is folded then, and the parts list none.
    public func parts(
        statistics: TrafficStatistics, firstPacket: Timestamp?, lastPacket: Timestamp?, isFinal: Bool = false,
        listsConnections: Bool = true, placement: SnapshotParts.Placement? = nil
    ) -> SnapshotParts {
        // Between trims (which wait for a quarter more connections), finished connections past
        // the cap are folded now, so that a snapshot lists at most the cap of finished ones: the
        // oldest by id, as shards do.
        if let placement {
            precondition(placement.places.count == held.count, "a place for every connection held")
        } else if held.count > configuration.maximumRetainedConnections,
            let threshold = SnapshotParts.foldThreshold(
                of: heldConnections, retentionCap: configuration.maximumRetainedConnections)
        {
            fold(through: threshold)
        }
        if let probes { probeGeneration = probes.generation }
        var records: [ConnectionRecord] = []
        if listsConnections, placement == nil { records.reserveCapacity(held.count) }
        var hosts = hostHistory
        var totals = foldedTotals
        // Held in order of first payload, listed in order of first frame (which does not depend on
        // how a capture was split): the entries are put in order, not the records, which are
        // large to move. Counted only, they need no order (nor the memory of one: a million held).
        let order =
            !listsConnections
                || held.indices.dropFirst().allSatisfy({ held[$0 - 1].connection.id < held[$0].connection.id })
            ? nil : held.indices.sorted { held[$0].connection.id < held[$1].connection.id }
        for rank in held.indices {
            let entry = held[order?[rank] ?? rank]
            let record = listsConnections ? record(of: entry, keeping: !isFinal) : countedRecord(of: entry)
            hosts.add(record)
            totals.add(record)
            guard listsConnections else { continue }
            if let placement {
                (placement.base + placement.places[rank]).initialize(to: record)
            } else {
                records.append(record)
            }
        }
        var statistics = statistics
        statistics.foldedConnections = foldedConnections
        statistics.evictedHosts = hosts.evictedHosts
        statistics.evictedHostConnections = hosts.evictedHostConnections
        return SnapshotParts(
            statistics: statistics, firstPacket: firstPacket, lastPacket: lastPacket, connections: records,
            hosts: hosts, totals: totals)
    }

    /// Folds the finished connections with ids up to `threshold` (what the shards of a read
    /// agreed on; nil folds nothing) and gives the ids of those still held, in order: their
    /// places in the merged snapshot follow from them (see `SnapshotParts.Placement`).
    /// - Parameter listing: false when no record will be listed: no ids are needed.
    public func foldFinished(through threshold: Int?, listing: Bool = true) -> [Int] {
        if let threshold { fold(through: threshold) }
        return listing ? held.map(\.connection.id).sorted() : []
    }

    /// The connections held in detail: their ids and whether they are still in the flow table.
    public var heldConnections: [(id: Int, isActive: Bool)] {
        held.map { (id: $0.connection.id, isActive: $0.connection.isActive) }
    }
}
