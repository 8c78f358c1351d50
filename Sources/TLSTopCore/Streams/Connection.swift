/// One TCP connection or UDP flow, from its first packet on.
///
/// A class, because the flow table and the list of all connections share it and the per-packet path
/// updates it in place. Everything the snapshot reports is derived from these fields.
public final class Connection {
    public typealias Endpoint = TLSTopCore.Endpoint

    public let id: Int
    public var client: Endpoint { Endpoint(address: clientAddress, port: clientPort) }
    public var server: Endpoint { Endpoint(address: serverAddress, port: serverPort) }
    // Addresses and ports apart: two 18-byte endpoints would take 48 bytes with their padding.
    private var clientAddress: IPAddress
    private var serverAddress: IPAddress
    public let firstSeen: Timestamp
    public internal(set) var lastSeen: Timestamp
    public internal(set) var clientPackets = 0
    public internal(set) var serverPackets = 0
    public internal(set) var clientBytes = 0
    public internal(set) var serverBytes = 0
    // The small members together: declaration order is layout order.
    private var clientPort: UInt16
    private var serverPort: UInt16
    public let transport: DecodedPacket.Transport
    /// A SYN (client) or SYN-ACK (server) fixed who is who; otherwise the first payload decides.
    public internal(set) var rolesKnown: Bool
    public internal(set) var sawFIN = false
    public internal(set) var sawRST = false
    /// Set once the handshake has told all it can: later packets only update counters.
    public internal(set) var isClassified = false
    /// In the flow table (false once expired or evicted; finished connections stay reportable).
    public internal(set) var isActive = true
    /// Which ends are this host's (live capture only; see `FlowTracker.localAddresses`).
    public internal(set) var isClientLocal = false
    public internal(set) var isServerLocal = false
    /// The tracker asked for the process behind it and has no answer yet.
    public internal(set) var isAwaitingProcess = false
    /// A clear-text session known long enough to be reported (see `FlowObserver.reportable`).
    public internal(set) var isSettled = false
    /// True when a direction lost bytes the analysis needed.
    public internal(set) var hadGap = false
    /// Moves whenever what a record of the connection says may have changed beyond its counters
    /// (bytes analyzed, a process found), so an aggregator can keep its record until it does.
    public internal(set) var revision: UInt32 = 0
    /// The program behind this host's end, once `FlowTracker.processLookup` answered. Boxed:
    /// only live captures with attribution have one, and inline it would add 70 bytes to every
    /// connection.
    public internal(set) var localProcess: LocalProcess? {
        get { localProcessBox?.value }
        set { localProcessBox = newValue.map(FactsBox.init) }
    }
    private var localProcessBox: FactsBox<LocalProcess>?

    /// Inbound to a local listener, outbound from this host, nil when neither end is local or the
    /// capture is a file.
    public var direction: ConnectionDirection? {
        isServerLocal ? .inbound : isClientLocal ? .outbound : nil
    }

    /// The second under which the expiry wheel last filed this connection.
    var expiryDue: Int64 = 0

    var clientStream = TCPReassembler()
    var serverStream = TCPReassembler()
    /// Created by the tracker with the first payload byte (a flow that never carries data stays an
    /// attempt and never becomes a `Connection`), freed once the handshake is classified (`settle`).
    public internal(set) var analyzer: HandshakeAnalyzer?

    init(
        id: Int, transport: DecodedPacket.Transport, client: Endpoint, server: Endpoint, rolesKnown: Bool,
        timestamp: Timestamp
    ) {
        self.id = id
        self.transport = transport
        self.clientAddress = client.address
        self.clientPort = client.port
        self.serverAddress = server.address
        self.serverPort = server.port
        self.rolesKnown = rolesKnown
        self.firstSeen = timestamp
        self.lastSeen = timestamp
    }

    @inline(__always)
    func direction(of packet: DecodedPacket) -> Direction {
        packet.sourcePort == clientPort && packet.source == clientAddress ? .client : .server
    }

    /// Swaps who is client and who is server, before any byte was analyzed.
    func swapRoles() {
        swap(&clientAddress, &serverAddress)
        swap(&clientPort, &serverPort)
        swap(&clientPackets, &serverPackets)
        swap(&clientBytes, &serverBytes)
        swap(&clientStream, &serverStream)
        swap(&isClientLocal, &isServerLocal)
        analyzer?.serverPort = serverPort
        analyzer?.clientPort = clientPort
    }

    /// The flow table's key for this connection.
    var key: FlowKey {
        FlowKey(clientAddress, clientPort, serverAddress, serverPort, transport: transport.rawValue)
    }

    /// The facts and fingerprints once the analysis is over; `analyzer` is nil from then on.
    public internal(set) var settled: SettledAnalysis?

    public var facts: HandshakeFacts { analyzer?.facts ?? settled?.facts ?? ConnectionJudge.unanalyzedFacts }

    /// Whether any payload was analyzed (an analyzer was made, settled or not).
    public var isAnalyzed: Bool { analyzer != nil || settled != nil }

    /// JA3, JA4 and JA3S of the hellos seen.
    /// - Parameter cache: fingerprints of hellos seen on other connections (see `FingerprintCache`).
    public func fingerprints(remembering: Bool = true, cache: FingerprintCache? = nil) -> (
        ja3: String?, ja4: String?, ja3s: String?
    )? {
        analyzer?.fingerprints(remembering: remembering, cache: cache)
            ?? settled?.fingerprints(remembering: remembering, cache: cache)
    }

    /// The handshake has told all it can: keep its facts, free the analyzer.
    func settle() {
        guard let analyzer else { return }
        settled = SettledAnalysis(analyzer)
        self.analyzer = nil
    }
}
