/// An immutable picture of everything tlstop knows at one moment: what the UI draws and what the
/// exporters write. Built from the tracker's state, then shared freely across threads.
public struct Snapshot: Sendable {
    public static let schema = "tlstop.snapshot/2"

    public struct Source: Sendable, Equatable {
        /// "file" or "interface".
        public var kind: String
        public var name: String
        public var linkType: String?
        public var filter: String?

        public init(kind: String, name: String, linkType: String? = nil, filter: String? = nil) {
            self.kind = kind
            self.name = name
            self.linkType = linkType
            self.filter = filter
        }
    }

    public var generatedAt: Timestamp
    public var source: Source
    /// The policies connections were judged by: the first sets the findings, grades and totals,
    /// the others add verdicts to each listed connection.
    public var policies: [Policy] = [.intermediate]
    /// The name of the policy the findings and grades were judged by.
    public var policy: String { policies.first?.name ?? Policy.intermediate.name }
    /// The citation of a finding under the first policy.
    public func reference(of id: FindingID) -> String { policies.first?.reference(of: id) ?? id.reference }
    /// Whether connections are attributed to local processes: `on`, or `off: why` (nil for files,
    /// which have no processes).
    public var processAttribution: String? = nil
    public var statistics: TrafficStatistics
    public var firstPacket: Timestamp?
    public var lastPacket: Timestamp?
    public var connections: [ConnectionRecord]
    public var hosts: [HostSnapshot]
    /// Counts over every connection seen, listed in `connections` or not (see `ConnectionTotals`).
    public var totals = ConnectionTotals()
}

/// Aggregates over every connection to one server name (or address) and port.
public struct HostSnapshot: Sendable, Equatable {
    public var key: HostKey
    /// The name shown and exported: the SNI, else the address.
    public var host: String
    public var port: Int
    public var addresses: [IPAddress]
    public var connections = 0
    /// TCP flows to the host that never carried payload (a SYN and its answer, or none), and
    /// those the server reset: counted, never listed one by one.
    public var attempts = 0
    public var refusedAttempts = 0
    public var protocols: [ConnectionProtocol: Int] = [:]
    public var versions: [ProtocolVersion: Int] = [:]
    public var ciphers: [CipherSuite: Int] = [:]
    public var groups: [NamedGroup: Int] = [:]
    /// Applications seen in clear or upgraded in band ("http", "smtp", …).
    public var applications: [ApplicationProtocol: Int] = [:]
    public var encryptedConnections = 0
    public var plaintextConnections = 0
    public var unknownConnections = 0
    public var encryptedBytes = 0
    public var plaintextBytes = 0
    public var unknownBytes = 0
    public var cleartextCredentialConnections = 0
    public var clients = 0
    /// Packets and bytes of its connections (attempts count only in `attempts`).
    public var packets = 0
    public var bytes = 0
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    /// nil until a connection to the host is classified.
    public var grade: Grade? = nil
    public var gradeReason: String? = nil
    /// The worst severity among its connections.
    public var severity: Severity = .ok
    /// Connections carrying each finding.
    public var findingCounts: [FindingID: Int] = [:]
    /// Connections by the local program behind them (its unit, else its name), live capture only.
    public var services: [String: Int] = [:]
    /// Connections of the TLS family (TLS, SSL 2.0, DTLS, QUIC): the denominator of the PFS and
    /// PQ shares, whose numerators count the same connections.
    public var tlsConnections = 0
    /// TLS-family connections with forward secrecy, and with a post-quantum key exchange.
    public var pfsConnections = 0
    public var pqConnections = 0
    /// Connections whose client offered a post-quantum group and got a classical one.
    public var pqMissedConnections = 0
    /// The id of the most severe finding seen on any connection to this host.
    public var worstFinding: FindingID?
    var worstFindingSeverity = Severity.ok

    public init(key: HostKey, firstSeen: Timestamp) {
        self.key = key
        self.host = key.hostName
        self.port = Int(key.port)
        self.addresses = []
        self.firstSeen = firstSeen
        self.lastSeen = firstSeen
    }
}
