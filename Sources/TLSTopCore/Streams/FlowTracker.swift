/// Turns decoded packets into connections and feeds their bytes to the handshake analysis.
///
/// The per-packet cost of a connection whose handshake is classified is one hash lookup and a few
/// counter updates; nothing is allocated per packet.
public final class FlowTracker {
    public struct Configuration: Sendable {
        /// Flows tracked at once. When full, the longest-idle ones are evicted (and counted).
        public var maximumConnections = 1 << 20
        /// Connections kept in detail for the snapshot (active ones and the most recent finished
        /// ones). Older finished connections are folded into the host aggregates and dropped.
        public var maximumRetainedConnections = 1 << 14
        /// Host rows (server name and port) aggregated; when full, the least used sixteenth is
        /// dropped and counted. Inbound servers have a handful; a busy proxy reaches thousands.
        public var maximumHosts = 1 << 16
        /// Out-of-order bytes held per direction while waiting for a lost segment.
        public var maximumReassemblyBytes = TCPReassembler.defaultMaximumPendingBytes
        /// Idle time after which a flow leaves the active table.
        public var tcpIdleTimeout = Duration.seconds(120)
        public var udpIdleTimeout = Duration.seconds(30)
        /// A closed (FIN/RST) connection stays active this long to absorb its last packets.
        public var closedLinger = Duration.seconds(5)
        /// How long a clear-text session runs before it is reported (`onReport`) if it has not ended.
        public var plaintextReportDelay = Duration.seconds(10)
        /// How connections are judged when they are folded into the host aggregates.
        public var policy = Policy.intermediate
        public var handshakeLimits = HandshakeAnalyzer.Limits()
        /// Distinct certificates whose decoded facts are kept for reuse.
        public var certificateCacheSize = 4096

        public init() {}
    }

    public let configuration: Configuration
    public private(set) var statistics = TrafficStatistics()
    /// Connections held in detail, in order of first packet: the active ones and the most recent
    /// finished ones (see `maximumRetainedConnections`).
    public var connections: ArraySlice<Connection> { retained[retainedStart...] }
    private var retained: [Connection] = []
    private var retainedStart = 0
    /// Held connections past which `trimRetained` runs next. It moves with what a trim could not
    /// fold (active connections stay held), so a flood of active flows costs one pass per quarter
    /// more flows, not one pass per flow.
    private var nextTrim: Int
    /// Flows in the table that have not carried payload yet (no analyzer): eviction's first choice.
    private var silentConnections = 0
    /// Aggregates of the connections no longer held in detail.
    public private(set) var hostHistory: HostTable
    private var nextSweep: Timestamp?
    private static let sweepInterval: Int64 = 1_000_000_000
    private var table: [FlowKey: Connection] = [:]
    /// Every active connection, by the second it may go idle (see `sweep`).
    private var expiry: ExpiryWheel
    private var dueScratch: [Connection] = []
    /// Connections announced by another one (FTP data channels), by the endpoint they will reach.
    private var expectedConnections: [Connection.Endpoint: ApplicationProtocol] = [:]
    static let maximumExpectedConnections = 1024
    public var activeConnectionCount: Int { table.count }
    /// Entries waiting in the expiry wheel, live or stale (bounded by twice the table, for tests).
    var pendingExpiryEntries: Int { expiry.count }
    public private(set) var firstTimestamp: Timestamp?
    public private(set) var lastTimestamp: Timestamp?

    /// Called once per connection, on the thread that feeds packets, with its judged snapshot:
    /// when its analysis is classified (a handshake finished, a protocol recognized), or, for a
    /// connection that carried payload without getting that far, when it leaves the table or the
    /// run ends (`reportUnreported`). Connections of an unknown protocol are not reported. Unset,
    /// it costs one nil check per classification. The event stream and the metrics count these.
    public var onReport: ((ConnectionRecord) -> Void)?

    /// This host's addresses (a live capture; nil for files): they give each connection its
    /// direction. Loopback counts as local.
    public var localAddresses: Set<IPAddress>?
    /// Finds the process behind each new connection with a local end (nil: no attribution).
    public var processLookup: (any ProcessLookup)?
    /// Connections whose lookup is under way, by id (bounded: a flood of new connections must
    /// not pin them all in memory while the lookups catch up).
    private var awaitingProcess: [Int: Connection] = [:]
    static let maximumAwaitingProcess = 1 << 16
    private var processAnswers: [ProcessLookupAnswer] = []

    public let certificates: CertificateCache
    private let handshakeLimitCounter = HandshakeLimitCounter()

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.certificates = CertificateCache(capacity: configuration.certificateCacheSize)
        self.hostHistory = HostTable(capacity: configuration.maximumHosts)
        let longest = max(configuration.tcpIdleTimeout, configuration.udpIdleTimeout, configuration.closedLinger)
        self.expiry = ExpiryWheel(span: Int(clamping: longest.components.seconds) + 2)
        table.reserveCapacity(min(configuration.maximumConnections, 1 << 16))
        self.nextTrim = configuration.maximumRetainedConnections + max(64, configuration.maximumRetainedConnections / 4)
    }

    /// The counters, with those kept elsewhere (host table, handshake caps) brought in.
    public var currentStatistics: TrafficStatistics {
        var current = statistics
        current.activeConnections = table.count
        current.handshakeLimitHits = handshakeLimitCounter.hits
        current.truncatedFields = handshakeLimitCounter.truncatedFields
        current.evictedHosts = hostHistory.evictedHosts
        current.evictedHostConnections = hostHistory.evictedHostConnections
        return current
    }

    /// Decodes one captured frame and processes it.
    public func ingest(
        frame: UnsafeRawBufferPointer, linkType: LinkType, wireLength: Int, timestamp: Timestamp
    ) {
        statistics.packets += 1
        statistics.bytes += wireLength
        if firstTimestamp == nil { firstTimestamp = timestamp }
        lastTimestamp = timestamp
        do throws(ParseError) {
            switch try PacketDecoder.decode(frame, linkType: linkType) {
            case .success(let packet):
                process(packet, timestamp: timestamp)
            case .failure(.notIP):
                statistics.nonIPPackets += 1
            case .failure(.notTCPOrUDP):
                statistics.otherTransportPackets += 1
            case .failure(.fragment):
                statistics.fragments += 1
            }
        } catch {
            if error.code == .truncated {
                statistics.truncatedPackets += 1
            } else {
                statistics.malformedPackets += 1
            }
        }
    }

    /// Processes an already decoded packet.
    public func process(_ packet: DecodedPacket, timestamp: Timestamp) {
        if let due = nextSweep {
            if timestamp >= due { sweep(now: timestamp) }
        } else {
            nextSweep = Timestamp(nanoseconds: timestamp.nanoseconds &+ Self.sweepInterval)
        }
        let key = FlowKey(packet)
        let isTCP = packet.transport == .tcp
        switch packet.transport {
        case .tcp: statistics.tcpPackets += 1
        case .udp: statistics.udpPackets += 1
        case .esp: statistics.espPackets += 1
        }
        let opensConnection = isTCP && packet.tcpFlags.contains(.syn) && !packet.tcpFlags.contains(.ack)

        var connection: Connection
        if let existing = table[key] {
            connection = existing
            if opensConnection, startsNewConnection(existing, packet) {
                guard let fresh = makeConnection(key, packet, timestamp: timestamp, replacing: true) else { return }
                connection = fresh
            }
        } else {
            guard let fresh = makeConnection(key, packet, timestamp: timestamp, replacing: false) else { return }
            connection = fresh
        }

        connection.lastSeen = timestamp
        connection.changed = true
        let direction = connection.direction(of: packet)
        if direction == .client {
            connection.clientPackets += 1
            connection.clientBytes += packet.ipLength
        } else {
            connection.serverPackets += 1
            connection.serverBytes += packet.ipLength
        }
        guard isTCP else {
            if !connection.isClassified { classifyDatagram(connection, packet, direction: direction) }
            return
        }
        if packet.tcpFlags.contains(.rst) || packet.tcpFlags.contains(.fin) {
            let wasOpen = !(connection.sawRST || connection.sawFIN)
            if packet.tcpFlags.contains(.rst) { connection.sawRST = true }
            if packet.tcpFlags.contains(.fin) { connection.sawFIN = true }
            // A closed flow leaves after the short linger, not the idle timeout it was filed for.
            if wasOpen { file(connection) }
        }
        guard !connection.isClassified else { return }
        feedTCP(connection, packet, direction: direction)
    }

    private func startsNewConnection(_ existing: Connection, _ packet: DecodedPacket) -> Bool {
        // A retransmitted SYN carries the same initial sequence number; anything else on a known
        // 4-tuple is a client reusing its port (load generators do).
        let stream = existing.direction(of: packet) == .client ? existing.clientStream : existing.serverStream
        return !(stream.sawSYN && stream.initialSequence == packet.sequenceNumber)
    }

    private func makeConnection(_ key: FlowKey, _ packet: DecodedPacket, timestamp: Timestamp, replacing: Bool)
        -> Connection?
    {
        if !replacing, table.count >= configuration.maximumConnections { evictIdlest() }
        if replacing, let old = table[key] { deactivate(old) }
        let source = Connection.Endpoint(address: packet.source, port: packet.sourcePort)
        let destination = Connection.Endpoint(address: packet.destination, port: packet.destinationPort)
        let flags = packet.tcpFlags
        let sourceIsClient: Bool
        let rolesKnown: Bool
        if packet.transport == .tcp && flags.contains(.syn) {
            sourceIsClient = !flags.contains(.ack)
            rolesKnown = true
        } else {
            // No SYN seen: guess that the well-known port is the server's until the payload tells.
            sourceIsClient = !(packet.sourcePort < 1024 && packet.destinationPort >= 1024)
            rolesKnown = false
        }
        statistics.connections += 1
        let connection = Connection(
            id: statistics.connections, transport: packet.transport,
            client: sourceIsClient ? source : destination, server: sourceIsClient ? destination : source,
            rolesKnown: rolesKnown, timestamp: timestamp)
        table[key] = connection
        if let localAddresses { attribute(connection, localAddresses: localAddresses) }
        file(connection)
        silentConnections += 1
        retained.append(connection)
        if retained.count - retainedStart > nextTrim { trimRetained() }
        if !expectedConnections.isEmpty, let application = expectedConnections.removeValue(forKey: connection.server) {
            analyzer(of: connection).presetApplication(application)
        }
        return connection
    }

    /// Marks the local ends and asks for the process behind them.
    private func attribute(_ connection: Connection, localAddresses: Set<IPAddress>) {
        let client = connection.client.address
        let server = connection.server.address
        connection.isClientLocal = localAddresses.contains(client) || client.isLoopback
        connection.isServerLocal = localAddresses.contains(server) || server.isLoopback
        guard let processLookup, connection.direction != nil,
            awaitingProcess.count < Self.maximumAwaitingProcess
        else { return }
        let inbound = connection.direction == .inbound
        processLookup.lookUp(
            ProcessLookupRequest(
                id: connection.id, isTCP: connection.transport == .tcp,
                local: inbound ? connection.server : connection.client,
                remote: inbound ? connection.client : connection.server))
        awaitingProcess[connection.id] = connection
    }

    /// Brings in the process lookups answered since the last call (a live capture calls it
    /// before each snapshot). A socket not found means the connection was gone (`exited`) if it
    /// had ended by then, else it lives where the lookup cannot see (`unknown`).
    public func applyProcessAnswers() {
        guard let processLookup else { return }
        processLookup.takeAnswers(into: &processAnswers)
        for answer in processAnswers {
            guard let connection = awaitingProcess.removeValue(forKey: answer.id) else { continue }
            let ended = connection.sawFIN || connection.sawRST || !connection.isActive
            let process = answer.process ?? LocalProcess(state: ended ? .exited : .unknown)
            connection.localProcess = process
            // Patch the cached snapshot rather than judge the whole connection again for one field.
            if !connection.changed, let cached = connection.snapshotCache {
                cached.snapshot.localProcess = process
            } else {
                connection.changed = true
            }
            if connection.reportHeld { report(connection) }
        }
        processAnswers.removeAll(keepingCapacity: true)
    }

    private func feedTCP(_ connection: Connection, _ packet: DecodedPacket, direction: Direction) {
        var direction = direction
        if packet.tcpFlags.contains(.syn) {
            _ =
                direction == .client
                ? connection.clientStream.acceptSYN(sequence: packet.sequenceNumber)
                : connection.serverStream.acceptSYN(sequence: packet.sequenceNumber)
        }
        if packet.declaredPayloadLength > 0 {
            if !connection.rolesKnown {
                connection.rolesKnown = true
                if let sender = Self.helloSender(packet.payload), sender != direction {
                    connection.swapRoles()
                    direction = sender
                }
            }
            let analyzer = analyzer(of: connection)
            let stillWanted: Bool
            let cap = configuration.maximumReassemblyBytes
            if direction == .client {
                let overflowed = connection.clientStream.overflowed
                stillWanted = connection.clientStream.accept(
                    sequence: packet.sequenceNumber, payload: packet.payload,
                    declaredLength: packet.declaredPayloadLength, maximumPendingBytes: cap
                ) { analyzer.consume($0, from: .client) }
                if connection.clientStream.hasGap && !analyzer.isFinished(.client) { connection.hadGap = true }
                if connection.clientStream.overflowed && !overflowed { statistics.reassemblyOverflows += 1 }
            } else {
                let overflowed = connection.serverStream.overflowed
                stillWanted = connection.serverStream.accept(
                    sequence: packet.sequenceNumber, payload: packet.payload,
                    declaredLength: packet.declaredPayloadLength, maximumPendingBytes: cap
                ) { analyzer.consume($0, from: .server) }
                if connection.serverStream.hasGap && !analyzer.isFinished(.server) { connection.hadGap = true }
                if connection.serverStream.overflowed && !overflowed { statistics.reassemblyOverflows += 1 }
            }
            if !stillWanted { analyzer.finish(direction) }
        }
        guard let analyzer = connection.analyzer else {
            // No byte of payload yet: nothing to analyze, unless a reset ends the flow for good.
            if packet.tcpFlags.contains(.rst) { connection.isClassified = true }
            return
        }
        if packet.tcpFlags.contains(.rst) {
            analyzer.finish(.client)
            analyzer.finish(.server)
        }
        if let announced = analyzer.takeAnnouncedDataPort() {
            if expectedConnections.count >= Self.maximumExpectedConnections { expectedConnections.removeAll() }
            let endpoint = Connection.Endpoint(
                address: announced.host ?? connection.server.address, port: announced.port)
            expectedConnections[endpoint] = .ftpData
        }
        connection.isClassified = analyzer.isFinished
        if onReport != nil, connection.isClassified || isSettledPlaintext(connection, analyzer) { report(connection) }
    }

    /// A clear-text session is analyzed until it ends (a password may come late), which for a
    /// long-lived one may be hours: it is reported once its protocol has been known for a while,
    /// unless an upgrade to TLS is under way.
    private func isSettledPlaintext(_ connection: Connection, _ analyzer: HandshakeAnalyzer) -> Bool {
        guard !connection.reported else { return false }
        let facts = analyzer.facts
        guard facts.application.protocolName != nil, facts.clientHello == nil, facts.serverHello == nil,
            !facts.application.upgradePending
        else { return false }
        let age = connection.lastSeen.nanoseconds &- connection.firstSeen.nanoseconds
        return age >= Self.nanoseconds(configuration.plaintextReportDelay)
    }

    /// Hands a connection to `onReport`, once.
    /// - Parameter waitingForProcess: hold the report while the connection's process lookup is
    ///   under way (it answers within milliseconds, seconds at most), so that the event names the
    ///   program. A connection leaving the table is reported at once.
    private func report(_ connection: Connection, waitingForProcess: Bool = true) {
        guard let onReport, !connection.reported, connection.analyzer != nil else { return }
        if waitingForProcess, awaitingProcess[connection.id] != nil {
            connection.reportHeld = true
            return
        }
        connection.reported = true
        connection.reportHeld = false
        let record = SnapshotBuilder.lastSnapshot(of: connection, policy: configuration.policy)
        if record.protocol != .unknown { onReport(record) }
    }

    /// Reports the connections still held that carried payload and were not reported yet: at the
    /// end of a run, so that a capture cut mid-handshake still says what it saw.
    public func reportUnreported() {
        guard onReport != nil else { return }
        for connection in retained[retainedStart...] { report(connection, waitingForProcess: false) }
    }

    /// The connection's analyzer, created on first use with the tracker's caps and shared caches.
    private func analyzer(of connection: Connection) -> HandshakeAnalyzer {
        if let existing = connection.analyzer { return existing }
        let created = HandshakeAnalyzer(
            limits: configuration.handshakeLimits, certificates: certificates, limitCounter: handshakeLimitCounter,
            serverPort: connection.server.port, clientPort: connection.client.port)
        connection.analyzer = created
        if connection.isActive { silentConnections -= 1 }
        return created
    }

    /// Who sent a payload that starts with a TLS or SSLv2 hello, if it does.
    static func helloSender(_ payload: UnsafeRawBufferPointer) -> Direction? {
        guard payload.count >= 6 else { return nil }
        if payload[0] == ContentType.handshake.rawValue, payload[1] == 3 {
            switch HandshakeType(rawValue: payload[5]) {
            case .clientHello: return .client
            case .serverHello: return .server
            default: return nil
            }
        }
        if payload[0] & 0x80 != 0 {
            if payload[2] == SSLv2Hello.clientHelloType { return .client }
            if payload[2] == SSLv2Hello.serverHelloType { return .server }
        }
        return nil
    }

    private func classifyDatagram(_ connection: Connection, _ packet: DecodedPacket, direction: Direction) {
        let analyzer = analyzer(of: connection)
        if packet.transport == .esp {
            analyzer.markEncrypted(.esp)
        } else {
            _ = analyzer.observeDatagram(packet.payload, from: direction)
        }
        connection.isClassified = analyzer.isFinished
        if connection.isClassified, onReport != nil { report(connection) }
    }

    // MARK: - Expiry, eviction and retention

    /// Moves idle and closed connections out of the active table. Called once a second of capture
    /// time from `process`, and by a live capture when packets stop coming.
    public func sweep(now: Timestamp) {
        nextSweep = Timestamp(nanoseconds: now.nanoseconds &+ Self.sweepInterval)
        var expired = 0
        let nowSecond = Self.second(of: now.nanoseconds)
        expiry.takeDue(through: nowSecond, into: &dueScratch)
        for connection in dueScratch {
            let deadline = expiryDeadline(of: connection)
            if deadline < now.nanoseconds {
                table.removeValue(forKey: connection.key)
                deactivate(connection)
                expired += 1
            } else {
                // Seen since it was filed: file it again for its new deadline.
                expiry.file(connection, dueAt: Self.second(of: deadline, roundingUp: true), now: nowSecond)
            }
        }
        dueScratch.removeAll(keepingCapacity: true)
        statistics.expiredConnections += expired
        statistics.activeConnections = table.count
    }

    /// Files a connection in the expiry wheel under the second its idle time would run out.
    private func file(_ connection: Connection) {
        expiry.file(
            connection, dueAt: Self.second(of: expiryDeadline(of: connection), roundingUp: true),
            now: Self.second(of: connection.lastSeen.nanoseconds))
        // Entries of flows that left the table, or were filed again, wait for their second; when
        // they outnumber the live ones (a flood evicting flows), drop them at once.
        if expiry.count > 2 * table.count + 4096 { expiry.compact() }
    }

    /// When the connection, if it sees no further packet, has been idle too long (nanoseconds).
    private func expiryDeadline(of connection: Connection) -> Int64 {
        let limit: Duration =
            connection.sawRST || connection.sawFIN
            ? configuration.closedLinger
            : (connection.transport == .tcp ? configuration.tcpIdleTimeout : configuration.udpIdleTimeout)
        return connection.lastSeen.nanoseconds &+ Self.nanoseconds(limit)
    }

    static func second(of nanoseconds: Int64, roundingUp: Bool = false) -> Int64 {
        let (quotient, remainder) = nanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
        if remainder > 0 && roundingUp { return quotient + 1 }
        if remainder < 0 && !roundingUp { return quotient - 1 }
        return quotient
    }

    /// The table is full: drop a sixteenth of it at once, so that a flood costs one pass per many
    /// new flows instead of a scan per flow.
    ///
    /// Flows that never carried payload go first, oldest first: half-open connections of a SYN
    /// flood or a scan hold no handshake, and evicting them keeps the real connections. Only when
    /// too few of those are left do the idlest flows with data go too.
    private func evictIdlest() {
        let target = max(1, table.count / 16)
        var victims: [FlowKey] = []
        victims.reserveCapacity(target)
        let silent = min(target, silentConnections)
        if silent > 0 {
            for connection in retained[retainedStart...] where victims.count < silent {
                if connection.isActive, connection.analyzer == nil { victims.append(connection.key) }
            }
        }
        if victims.count < target {
            // The idlest flows with data: a last-seen threshold from a sample of the table, then
            // one pass, instead of sorting a million flows.
            let step = max(1, table.count / 1024)
            var sample: [Int64] = []
            sample.reserveCapacity(1025)
            for (position, connection) in table.values.enumerated() where position % step == 0 {
                sample.append(connection.lastSeen.nanoseconds)
            }
            sample.sort()
            let quantile = Double(target - victims.count) / Double(max(1, table.count))
            let threshold = sample[min(sample.count - 1, Int(Double(sample.count) * quantile))]
            for (key, connection) in table where victims.count < target {
                if connection.analyzer != nil, connection.lastSeen.nanoseconds <= threshold { victims.append(key) }
            }
        }
        for key in victims {
            if let connection = table.removeValue(forKey: key) { deactivate(connection) }
        }
        statistics.evictedConnections += victims.count
    }

    /// Takes a connection out of the active set (it stays listed until folded).
    private func deactivate(_ connection: Connection) {
        connection.isActive = false
        connection.changed = true
        if connection.analyzer == nil { silentConnections -= 1 }
        if onReport != nil { report(connection, waitingForProcess: false) }
    }

    /// Keeps every active connection and the most recent finished ones; the older finished ones
    /// are judged once more and folded into `hostHistory`.
    private func trimRetained() {
        let held = retained[retainedStart...]
        // The oldest finished connections go first; active ones stay whatever their age.
        var toFold = held.count - configuration.maximumRetainedConnections
        var kept: [Connection] = []
        kept.reserveCapacity(held.count)
        for connection in held {
            if toFold > 0, !connection.isActive {
                hostHistory.add(SnapshotBuilder.lastSnapshot(of: connection, policy: configuration.policy))
                toFold -= 1
                statistics.foldedConnections += 1
            } else {
                kept.append(connection)
            }
        }
        retained = kept
        retainedStart = 0
        let floor = max(configuration.maximumRetainedConnections, kept.count)
        nextTrim = floor + max(64, floor / 4)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
    }
}
