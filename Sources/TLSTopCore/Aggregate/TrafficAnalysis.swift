/// The whole pure-Swift pipeline, wired once: packets go to a `FlowTracker`, whose connections
/// an `ConnectionAggregator` turns into records, host rows and totals, and snapshots come out.
///
/// The capture session, the command and the tests use this instead of wiring the two by hand.
public final class TrafficAnalysis {
    /// Every cap and choice of a run, as the command line sets them (`--limit`, `--policy`).
    public struct Configuration: Sendable {
        public var tracker = FlowTracker.Configuration()
        public var aggregation = ConnectionAggregator.Configuration()

        public init() {}
    }

    public let tracker: FlowTracker
    public let aggregator: ConnectionAggregator

    public init(configuration: Configuration = Configuration()) {
        tracker = FlowTracker(configuration: configuration.tracker)
        aggregator = ConnectionAggregator(configuration: configuration.aggregation)
        tracker.observer = aggregator
    }

    public var policy: Policy { aggregator.policy }

    /// Decodes one captured frame and processes it.
    @inline(__always)
    public func ingest(
        frame: UnsafeRawBufferPointer, linkType: LinkType, wireLength: Int, timestamp: Timestamp,
        frameNumber: Int? = nil
    ) {
        tracker.ingest(
            frame: frame, linkType: linkType, wireLength: wireLength, timestamp: timestamp, frameNumber: frameNumber)
    }

    public func process(_ packet: DecodedPacket, timestamp: Timestamp) {
        tracker.process(packet, timestamp: timestamp)
    }

    public func sweep(now: Timestamp) { tracker.sweep(now: now) }

    /// See `ConnectionAggregator.onReport`.
    public var onReport: ((ConnectionRecord) -> Void)? {
        get { aggregator.onReport }
        set { aggregator.onReport = newValue }
    }

    /// The end of a run: attempts still open are counted, and connections not yet reported are.
    public func finish() {
        tracker.endAllAttempts()
        aggregator.reportUnreported()
    }

    /// The tracker's counters with the aggregator's (folded connections, evicted hosts).
    public var statistics: TrafficStatistics {
        var statistics = tracker.currentStatistics
        statistics.foldedConnections = aggregator.foldedConnections
        statistics.evictedHosts = aggregator.hostHistory.evictedHosts
        statistics.evictedHostConnections = aggregator.hostHistory.evictedHostConnections
        return statistics
    }
    /// The connections held in detail, in order of first payload.
    public var connections: [Connection] { aggregator.connections }

    public func applyProcessAnswers() { tracker.applyProcessAnswers() }

    public func snapshot(
        source: Snapshot.Source, generatedAt: Timestamp, isFinal: Bool = false, listsConnections: Bool = true
    ) -> Snapshot {
        aggregator.snapshot(
            statistics: tracker.currentStatistics, firstPacket: tracker.firstTimestamp,
            lastPacket: tracker.lastTimestamp, source: source, generatedAt: generatedAt, isFinal: isFinal,
            listsConnections: listsConnections)
    }

    /// See `ConnectionAggregator.parts`: this analysis's share of a sharded read.
    public func parts(
        isFinal: Bool = false, listsConnections: Bool = true, placement: SnapshotParts.Placement? = nil
    ) -> SnapshotParts {
        aggregator.parts(
            statistics: tracker.currentStatistics, firstPacket: tracker.firstTimestamp,
            lastPacket: tracker.lastTimestamp, isFinal: isFinal, listsConnections: listsConnections,
            placement: placement)
    }
}

extension TrafficAnalysis {
    /// Connections in the tracker's table now.
    public var activeConnectionCount: Int { tracker.activeConnectionCount }
    public var currentStatistics: TrafficStatistics { statistics }

    /// See `FlowTracker.localAddresses` (a live capture's own addresses).
    public var localAddresses: Set<IPAddress>? {
        get { tracker.localAddresses }
        set { tracker.localAddresses = newValue }
    }

    /// Probes of listeners whose TLS 1.3 certificates stayed hidden: the aggregator asks for them
    /// and judges with their answers; the tracker leaves their own connections out.
    public var probes: ListenerProbes? {
        get { aggregator.probes }
        set {
            aggregator.probes = newValue
            tracker.probes = newValue
        }
    }

    /// See `FlowTracker.processLookup`.
    public var processLookup: (any ProcessLookup)? {
        get { tracker.processLookup }
        set { tracker.processLookup = newValue }
    }
}

extension TrafficAnalysis {
    public var firstTimestamp: Timestamp? { tracker.firstTimestamp }
    public var lastTimestamp: Timestamp? { tracker.lastTimestamp }
    public var certificates: CertificateCache { tracker.certificates }
    var pendingExpiryEntries: Int { tracker.pendingExpiryEntries }
}
