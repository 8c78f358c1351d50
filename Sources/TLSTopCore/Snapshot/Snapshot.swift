/// An immutable picture of everything tlstop knows at one moment: what the UI draws and what the
/// exporters write. Built from the tracker's state, then shared freely across threads.
public struct Snapshot: Sendable {
    public static let schema = "tlstop.snapshot/1"

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
    /// The policy the findings and grades were judged by.
    public var policy: String = Policy.intermediate.name
    /// Whether connections are attributed to local processes: `on`, or `off: why` (nil for files,
    /// which have no processes).
    public var processAttribution: String? = nil
    public var statistics: TrafficStatistics
    public var firstPacket: Timestamp?
    public var lastPacket: Timestamp?
    public var connections: [ConnectionRecord]
    public var hosts: [HostSnapshot]
}

/// Aggregates over every connection to one server name (or address) and port.
public struct HostSnapshot: Sendable, Equatable {
    public var key: HostKey
    /// The name shown and exported: the SNI, else the address.
    public var host: String
    public var port: Int
    public var addresses: [IPAddress]
    public var connections: Int
    public var protocols: [ConnectionProtocol: Int]
    public var versions: [ProtocolVersion: Int]
    public var ciphers: [CipherSuite: Int]
    public var groups: [NamedGroup: Int]
    /// Applications seen in clear or upgraded in band ("http", "smtp", …).
    public var applications: [ApplicationProtocol: Int]
    public var encryptedConnections: Int
    public var plaintextConnections: Int
    public var unknownConnections: Int
    public var encryptedBytes: Int
    public var plaintextBytes: Int
    public var unknownBytes: Int
    public var cleartextCredentialConnections: Int
    public var clients: Int
    public var packets: Int
    public var bytes: Int
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
    /// The id of the most severe finding seen on any connection to this host.
    public var worstFinding: FindingID?
    var worstFindingSeverity = Severity.ok
}
