/// Turns decoded packets into connections and feeds their bytes to the handshake analysis.
///
/// The per-packet cost of a connection whose handshake is classified is one hash lookup and a few
/// counter updates; nothing is allocated per packet. The tracker judges nothing and keeps no
/// history: it tells its `observer` when a connection opens, has something to report, leaves the
/// table, or when an attempt that never carried payload ends, and the aggregator takes it from there.
public final class FlowTracker {
    public struct Configuration: Sendable {
        /// Flows with payload tracked at once. When full, the longest-idle ones are evicted (and counted).
        public var maximumConnections = 1 << 20
        /// TCP flows without payload yet (SYNs and their answers) tracked at once; when full, the
        /// oldest are dropped (and counted). Each costs about 150 bytes.
        public var maximumAttempts = 1 << 18
        /// Out-of-order bytes held per direction while waiting for a lost segment.
        public var maximumReassemblyBytes = TCPReassembler.defaultMaximumPendingBytes
        /// Idle time after which a flow leaves the active table.
        public var tcpIdleTimeout = Duration.seconds(120)
        public var udpIdleTimeout = Duration.seconds(30)
        /// Idle time after which an attempt without payload (answered or not) is given up.
        public var attemptIdleTimeout = Duration.seconds(10)
        /// A closed (FIN/RST) connection stays active this long to absorb its last packets.
        public var closedLinger = Duration.seconds(5)
        /// How long a clear-text session runs before it is reported if it has not ended.
        public var plaintextReportDelay = Duration.seconds(10)
        public var handshakeLimits = HandshakeAnalyzer.Limits()
        /// Distinct certificates whose decoded facts are kept for reuse.
        public var certificateCacheSize = 4096

        public init() {}
    }

    public let configuration: Configuration
    /// What every analyzer shares (caps, caches, the key log), made again when the key log changes.
    private var analysisContext: HandshakeAnalyzer.Context
    public internal(set) var statistics = TrafficStatistics()
    /// Told about every connection and attempt (see `FlowObserver`); the aggregator.
    public weak var observer: (any FlowObserver)?
    var nextSweep: Timestamp?
    static let sweepInterval: Int64 = 1_000_000_000
    var table = ConnectionTable()
    var attempts = AttemptTable()
    var endedAttempts: [(FlowKey, AttemptTable.Attempt)] = []
    /// Every active connection, by the second it may go idle (see `sweep`).
    var expiry: ExpiryWheel
    var dueScratch: [Connection] = []
    /// Connections announced by another one (FTP data channels), by the endpoint they will reach.
    private var expectedConnections: [Connection.Endpoint: ApplicationProtocol] = [:]
    static let maximumExpectedConnections = 1024
    public var activeConnectionCount: Int { table.count }
    public var activeAttemptCount: Int { attempts.count }
    /// Entries waiting in the expiry wheel, live or stale (bounded by twice the table, for tests).
    var pendingExpiryEntries: Int { expiry.count }
    /// The number of the frame being processed (see `ingest`): new connections and attempts take
    /// it as their id, so an id is the same whether one tracker or several shards read the file.
    public internal(set) var currentFrame = 0
    public private(set) var firstTimestamp: Timestamp?
    public private(set) var lastTimestamp: Timestamp?

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
    /// TLS 1.3 handshake secrets (`--keylog`): the analyzers open encrypted server flights with them.
    public var keyLog: KeyLog? {
        didSet {
            analysisContext = HandshakeAnalyzer.Context(
                limits: configuration.handshakeLimits, certificates: certificates,
                limitCounter: handshakeLimitCounter, keyLog: keyLog)
        }
    }
    /// Live capture with probes: their own connections are left out.
    public var probes: ListenerProbes?
    private let handshakeLimitCounter = HandshakeLimitCounter()

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        let certificates = CertificateCache(capacity: configuration.certificateCacheSize)
        self.certificates = certificates
        self.analysisContext = HandshakeAnalyzer.Context(
            limits: configuration.handshakeLimits, certificates: certificates, limitCounter: handshakeLimitCounter,
            keyLog: nil)
        let longest = max(configuration.tcpIdleTimeout, configuration.udpIdleTimeout, configuration.closedLinger)
        self.expiry = ExpiryWheel(span: Int(clamping: longest.components.seconds) + 2)
        table.reserveCapacity(min(configuration.maximumConnections, 1 << 16))
    }

    /// The counters, with those kept elsewhere (handshake caps, the attempt table) brought in.
    public var currentStatistics: TrafficStatistics {
        var current = statistics
        current.activeConnections = table.count
        current.activeAttempts = attempts.count
        current.handshakeLimitHits = handshakeLimitCounter.hits
        current.truncatedFields = handshakeLimitCounter.truncatedFields
        current.violations = handshakeLimitCounter.violations
        if let probes { current.probes = probes.counts }
        if let keyLog {
            let counts = keyLog.counts
            current.keyLog = TrafficStatistics.KeyLogUse(
                secrets: counts.secrets, malformedLines: counts.malformed,
                decryptedHandshakes: handshakeLimitCounter.decryptedHandshakes,
                missingSecrets: handshakeLimitCounter.keyLogMisses,
                decryptionFailures: handshakeLimitCounter.decryptionFailures)
        }
        return current
    }

    /// Decodes one captured frame and processes it.
    /// - Parameter frameNumber: the frame's number in its capture file, counted from 1 before any
    ///   filter (Wireshark's `frame.number`); nil counts the frames given to this tracker. A new
    ///   connection takes the number of its first frame as its id.
    public func ingest(
        frame: UnsafeRawBufferPointer, linkType: LinkType, wireLength: Int, timestamp: Timestamp,
        frameNumber: Int? = nil
    ) {
        ingest(
            PacketDecoder.outcome(of: frame, linkType: linkType), wireLength: wireLength, timestamp: timestamp,
            frameNumber: frameNumber)
    }

    /// Processes a frame someone else decoded: a shard of a sharded read decodes each frame to
    /// choose whether it is its own, and hands over what it decoded.
    public func ingest(
        _ outcome: PacketDecoder.Outcome, wireLength: Int, timestamp: Timestamp, frameNumber: Int? = nil
    ) {
        currentFrame = frameNumber ?? currentFrame &+ 1
        statistics.packets += 1
        statistics.bytes += wireLength
        if firstTimestamp == nil { firstTimestamp = timestamp }
        lastTimestamp = timestamp
        switch outcome {
        case .packet(let packet): handle(packet, timestamp: timestamp)
        case .skipped(.notIP): statistics.nonIPPackets += 1
        case .skipped(.notTCPOrUDP): statistics.otherTransportPackets += 1
        case .skipped(.fragment): statistics.fragments += 1
        case .truncated: statistics.truncatedPackets += 1
        case .malformed: statistics.malformedPackets += 1
        }
    }

    /// Processes an already decoded packet (the next frame: it is numbered, not counted).
    public func process(_ packet: DecodedPacket, timestamp: Timestamp) {
        currentFrame &+= 1
        handle(packet, timestamp: timestamp)
    }

    private func handle(_ packet: DecodedPacket, timestamp: Timestamp) {
        if let due = nextSweep {
            if timestamp >= due { sweep(now: Self.sweepTime(of: timestamp)) }
        } else {
            nextSweep = Timestamp(nanoseconds: Self.sweepTime(of: timestamp).nanoseconds &+ Self.sweepInterval)
        }
        let key = FlowKey(packet)
        let isTCP = packet.transport == .tcp
        switch packet.transport {
        case .tcp: statistics.tcpPackets += 1
        case .udp: statistics.udpPackets += 1
        case .esp: statistics.espPackets += 1
        }
        let opensConnection = isTCP && packet.tcpFlags.contains(.syn) && !packet.tcpFlags.contains(.ack)

        var existing = table[key]
        if let old = existing, opensConnection, startsNewConnection(old, packet) {
            table.remove(key)
            deactivate(old)
            existing = nil
        }
        let connection: Connection
        if let existing {
            connection = existing
        } else if let probes, probes.isOwn(packet) {
            // tlstop's own probe of a listener: not traffic.
            statistics.probePackets += 1
            return
        } else if isTCP && packet.declaredPayloadLength == 0 {
            // No payload yet: a small attempt, not a connection (SYN floods, scans, handshakes).
            trackAttempt(key, packet, timestamp: timestamp)
            return
        } else {
            connection = makeConnection(key, packet, timestamp: timestamp)
        }

        connection.lastSeen = timestamp
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

    // MARK: - Connections

    /// A connection for a packet with payload (or any UDP/ESP packet): promoted from its attempt
    /// when the handshake was seen, else new.
    private func makeConnection(_ key: FlowKey, _ packet: DecodedPacket, timestamp: Timestamp) -> Connection {
        if table.count >= configuration.maximumConnections { evictIdlest() }
        let connection: Connection
        if let attempt = attempts.remove(key) {
            let (client, server) = Self.endpoints(key, clientIsLow: attempt.flags.contains(.clientIsLow))
            connection = Connection(
                id: attempt.id, transport: packet.transport, client: client, server: server,
                rolesKnown: attempt.flags.contains(.rolesKnown), timestamp: Timestamp(nanoseconds: attempt.firstSeen))
            connection.clientPackets = Int(attempt.clientPackets)
            connection.serverPackets = Int(attempt.serverPackets)
            connection.clientBytes = Int(attempt.clientBytes)
            connection.serverBytes = Int(attempt.serverBytes)
            if attempt.flags.contains(.clientSYN) { _ = connection.clientStream.acceptSYN(sequence: attempt.clientISN) }
            if attempt.flags.contains(.serverSYN) { _ = connection.serverStream.acceptSYN(sequence: attempt.serverISN) }
            if !attempt.flags.isDisjoint(with: [.clientRST, .serverRST]) { connection.sawRST = true }
            if attempt.flags.contains(.fin) { connection.sawFIN = true }
        } else {
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
            connection = Connection(
                id: currentFrame, transport: packet.transport,
                client: sourceIsClient ? source : destination, server: sourceIsClient ? destination : source,
                rolesKnown: rolesKnown, timestamp: timestamp)
        }
        table.insert(connection, for: key)
        if let localAddresses { attribute(connection, localAddresses: localAddresses) }
        file(connection)
        if !expectedConnections.isEmpty, let application = expectedConnections.removeValue(forKey: connection.server) {
            analyzer(of: connection).presetApplication(application)
        }
        observer?.opened(connection)
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
        connection.isAwaitingProcess = true
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
            connection.localProcess = answer.process ?? LocalProcess(state: ended ? .exited : .unknown)
            connection.isAwaitingProcess = false
            connection.revision &+= 1
            observer?.processAnswered(connection)
        }
        processAnswers.removeAll(keepingCapacity: true)
    }

    private func feedTCP(_ connection: Connection, _ packet: DecodedPacket, direction: Direction) {
        var direction = direction
        connection.revision &+= 1
        if packet.tcpFlags.contains(.ack), !packet.tcpFlags.contains(.syn) {
            // The first acknowledgment says which of several SYN-ACKs (or SYNs) the peer took.
            if direction == .client {
                connection.serverStream.realign(toAcknowledgment: packet.acknowledgmentNumber)
            } else {
                connection.clientStream.realign(toAcknowledgment: packet.acknowledgmentNumber)
            }
        }
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
            // Data on a SYN (TCP Fast Open, RFC 7413) starts after the SYN's own sequence number.
            let sequence = packet.sequenceNumber &+ (packet.tcpFlags.contains(.syn) ? 1 : 0)
            if direction == .client {
                let overflowed = connection.clientStream.overflowed
                stillWanted = connection.clientStream.accept(
                    sequence: sequence, payload: packet.payload,
                    declaredLength: packet.declaredPayloadLength, maximumPendingBytes: cap
                ) { analyzer.consume($0, from: .client) }
                if connection.clientStream.hasGap && !analyzer.isFinished(.client) { connection.hadGap = true }
                if connection.clientStream.overflowed && !overflowed { statistics.reassemblyOverflows += 1 }
            } else {
                let overflowed = connection.serverStream.overflowed
                stillWanted = connection.serverStream.accept(
                    sequence: sequence, payload: packet.payload,
                    declaredLength: packet.declaredPayloadLength, maximumPendingBytes: cap
                ) { analyzer.consume($0, from: .server) }
                if connection.serverStream.hasGap && !analyzer.isFinished(.server) { connection.hadGap = true }
                if connection.serverStream.overflowed && !overflowed { statistics.reassemblyOverflows += 1 }
            }
            if !stillWanted { analyzer.finish(direction) }
        }
        guard let analyzer = connection.analyzer else { return }
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
        if connection.isClassified {
            connection.settle()
            observer?.reportable(connection)
        } else if !connection.isSettled, isSettledPlaintext(connection, analyzer) {
            connection.isSettled = true
            observer?.reportable(connection)
        }
    }

    /// A clear-text session is analyzed until it ends (a password may come late), which for a
    /// long-lived one may be hours: it is reported once its protocol has been known for a while,
    /// unless an upgrade to TLS is under way.
    private func isSettledPlaintext(_ connection: Connection, _ analyzer: HandshakeAnalyzer) -> Bool {
        let facts = analyzer.facts
        guard facts.application.protocolName != nil, facts.clientHello == nil, facts.serverHello == nil,
            !facts.application.upgradePending
        else { return false }
        let age = connection.lastSeen.nanoseconds &- connection.firstSeen.nanoseconds
        return age >= Self.nanoseconds(configuration.plaintextReportDelay)
    }

    /// The connection's analyzer, created on first use with the tracker's caps and shared caches.
    private func analyzer(of connection: Connection) -> HandshakeAnalyzer {
        if let existing = connection.analyzer { return existing }
        let created = HandshakeAnalyzer(
            context: analysisContext, serverPort: connection.server.port, clientPort: connection.client.port)
        connection.analyzer = created
        return created
    }

    /// Who sent a payload that starts with a TLS or SSLv2 hello, if it does.
    static func helloSender(_ payload: UnsafeRawBufferPointer) -> Direction? {
        guard payload.count >= 6, let first = payload.byte(at: 0) else { return nil }
        if first == ContentType.handshake.rawValue, payload.byte(at: 1) == 3 {
            switch payload.byte(at: 5).flatMap(HandshakeType.init(rawValue:)) {
            case .clientHello: return .client
            case .serverHello: return .server
            default: return nil
            }
        }
        if first & 0x80 != 0 {
            let type = payload.byte(at: 2)
            if type == SSLv2Hello.clientHelloType { return .client }
            if type == SSLv2Hello.serverHelloType { return .server }
        }
        return nil
    }

    private func classifyDatagram(_ connection: Connection, _ packet: DecodedPacket, direction: Direction) {
        let analyzer = analyzer(of: connection)
        connection.revision &+= 1
        if packet.transport == .esp {
            analyzer.markEncrypted(.esp)
        } else {
            _ = analyzer.observeDatagram(packet.payload, from: direction)
        }
        connection.isClassified = analyzer.isFinished
        if connection.isClassified {
            connection.settle()
            observer?.reportable(connection)
        }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
    }
}

/// What the tracker tells the aggregator, on the thread that feeds packets. Each call is about one
/// connection (or attempt) and happens a bounded number of times per connection, never per packet
/// of a classified one.
public protocol FlowObserver: AnyObject {
    /// A flow carried its first payload (or is a UDP/ESP flow) and is in the table.
    func opened(_ connection: Connection)
    /// The analysis has something to report: the handshake was classified, or a clear-text
    /// session has been known long enough. May come more than once; report once.
    func reportable(_ connection: Connection)
    /// The connection left the table (idle, closed, evicted, or replaced by a new SYN).
    func deactivated(_ connection: Connection)
    /// The process lookup of the connection answered (`localProcess` is set).
    func processAnswered(_ connection: Connection)
    /// A TCP flow ended without carrying payload.
    func attemptEnded(_ attempt: AttemptSummary)
}
