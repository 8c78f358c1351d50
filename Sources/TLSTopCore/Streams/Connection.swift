/// One TCP connection or UDP flow, from its first packet on.
///
/// A class, because the flow table and the list of all connections share it and the per-packet path
/// updates it in place. Everything the snapshot reports is derived from these fields.
public final class Connection {
    public typealias Endpoint = TLSTopCore.Endpoint

    public let id: Int
    public let transport: DecodedPacket.Transport
    public private(set) var client: Endpoint
    public private(set) var server: Endpoint
    public let firstSeen: Timestamp
    public internal(set) var lastSeen: Timestamp
    public internal(set) var clientPackets = 0
    public internal(set) var serverPackets = 0
    public internal(set) var clientBytes = 0
    public internal(set) var serverBytes = 0
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
    /// The program behind this host's end, once `FlowTracker.processLookup` answered.
    public internal(set) var localProcess: LocalProcess?

    /// Inbound to a local listener, outbound from this host, nil when neither end is local or the
    /// capture is a file.
    public var direction: ConnectionDirection? {
        isServerLocal ? .inbound : isClientLocal ? .outbound : nil
    }

    /// Handed to the tracker's `onReport` (the event stream and metrics see each connection once).
    var reported = false
    /// Classified, but its report waits for the process lookup (see `FlowTracker.report`).
    var reportHeld = false
    /// True when a direction lost bytes the analysis needed.
    public internal(set) var hadGap = false

    /// The last snapshot built for this connection, valid while `changed` is false: finished
    /// connections are then never judged twice, whatever the publish rate.
    var snapshotCache: CachedSnapshot?
    /// Set by every packet; cleared when a snapshot is built.
    var changed = true
    /// The second under which the expiry wheel last filed this connection.
    var expiryDue: Int64 = 0

    var clientStream = TCPReassembler()
    var serverStream = TCPReassembler()
    /// Created by the tracker with the first payload byte: a flow that never carries data (a SYN
    /// flood, a port scan) costs only this object and its table slot.
    public internal(set) var analyzer: HandshakeAnalyzer?

    init(
        id: Int, transport: DecodedPacket.Transport, client: Endpoint, server: Endpoint, rolesKnown: Bool,
        timestamp: Timestamp
    ) {
        self.id = id
        self.transport = transport
        self.client = client
        self.server = server
        self.rolesKnown = rolesKnown
        self.firstSeen = timestamp
        self.lastSeen = timestamp
    }

    @inline(__always)
    func direction(of packet: DecodedPacket) -> Direction {
        packet.sourcePort == client.port && packet.source == client.address ? .client : .server
    }

    /// Swaps who is client and who is server, before any byte was analyzed.
    func swapRoles() {
        swap(&client, &server)
        swap(&clientPackets, &serverPackets)
        swap(&clientBytes, &serverBytes)
        swap(&clientStream, &serverStream)
        swap(&isClientLocal, &isServerLocal)
        analyzer?.serverPort = server.port
        analyzer?.clientPort = client.port
    }

    /// A box, so that a connection whose snapshot was never built (most flows of a flood) carries
    /// one pointer instead of the whole snapshot inline.
    final class CachedSnapshot {
        var snapshot: ConnectionRecord
        var policy: String

        init(_ snapshot: ConnectionRecord, policy: String) {
            self.snapshot = snapshot
            self.policy = policy
        }
    }

    /// The flow table's key for this connection.
    var key: FlowKey {
        FlowKey(client.address, client.port, server.address, server.port, transport: transport.rawValue)
    }

    public var facts: HandshakeFacts { analyzer?.facts ?? ConnectionJudge.unanalyzedFacts }
}
