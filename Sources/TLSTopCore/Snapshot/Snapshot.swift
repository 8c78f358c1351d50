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
    public var connections: [ConnectionSnapshot]
    public var hosts: [HostSnapshot]
}

/// The certificate facts a snapshot reports for a server's leaf certificate.
public struct CertificateSnapshot: Sendable, Equatable {
    public var subject: String
    public var issuer: String
    public var commonName: String?
    public var subjectAltNames: [String]
    public var notBefore: Timestamp
    public var notAfter: Timestamp
    public var serialNumber: String
    public var keyType: String
    public var keyBits: Int?
    public var curve: String?
    public var signatureAlgorithm: String
    public var isSelfSigned: Bool
    public var chainLength: Int
    /// Whether the SNI the client asked for is covered by this certificate (nil without SNI).
    public var coversServerName: Bool?
}

/// What the client offered, next to what the server chose.
public struct ClientOfferSnapshot: Sendable, Equatable {
    public var versions: [String]
    public var cipherSuites: [String]
    public var groups: [String]
    public var keyShareGroups: [String]
    public var signatureAlgorithms: [String]
    public var alpn: [String]
    public var sessionResumption: Bool
    public var encryptedClientHello: Bool
    public var sslv2Format: Bool
}

public struct ConnectionSnapshot: Sendable, Equatable {
    public var id: Int
    public var clientIP: String
    public var clientPort: Int
    public var serverIP: String
    public var serverPort: Int
    public var transport: String
    /// tls, sslv2, plaintext, ssh, unknown (quic, dtls with the UDP stage).
    public var `protocol`: String
    /// The plaintext application protocol, or the one that was upgraded with STARTTLS.
    public var application: String?
    public var version: String?
    public var cipher: String?
    public var group: String?
    public var dhBits: Int?
    public var sni: String?
    public var alpn: String?
    public var established: Bool?
    public var resumed: Bool?
    public var helloRetryRequest: Bool
    /// The protocol whose in-band upgrade to TLS was offered or used ("smtp", "postgres", …);
    /// `startTLSUsed` says whether TLS really followed.
    public var startTLS: String?
    /// The server advertised the upgrade or the client asked for it.
    public var startTLSOffered: Bool
    public var startTLSRequested: Bool
    public var startTLSRefused: Bool
    public var startTLSUsed: Bool
    /// Credentials crossed in clear (the secret itself is never kept).
    public var cleartextCredentials: Bool
    /// How they were sent: "http-authorization", "ftp-pass", "ldap-simple-bind", …
    public var credentialMechanism: String?
    /// Clear text on a port where implicit TLS is expected (443, 465, 636, 853, 993, 995, 8443).
    public var plaintextOnTLSPort: Bool
    /// Direct TLS on a port where clear text (or an in-band upgrade) is expected.
    public var tlsOnPlaintextPort: Bool
    public var clientCertificate: Bool
    public var alert: String?
    public var violation: String?
    public var certificate: CertificateSnapshot?
    public var certificateError: String?
    public var clientOffer: ClientOfferSnapshot?
    public var packets: Int
    public var bytes: Int
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    public var closed: Bool
    public var gap: Bool
    /// Perfect forward secrecy: nil when unknown.
    public var pfs: Bool? = nil
    /// The key exchange used a post-quantum (hybrid) group; the client offered one.
    public var pq: Bool = false
    public var pqOffered: Bool = false
    /// Worst first.
    public var findings: [Finding] = []
    /// QUICv1, QUICv2, draft-29, gQUIC-Q050… for QUIC flows.
    public var quicVersion: String? = nil
    /// Client fingerprints of the ClientHello (JA4 `t…`/`q…`/`d…`, JA3) and the server's (JA3S).
    public var ja4: String? = nil
    public var ja3: String? = nil
    public var ja3s: String? = nil
    /// `inbound` to a local listener or `outbound` from this host (live capture; nil for files).
    public var direction: String? = nil
    /// The program behind this host's end (live capture with attribution; nil otherwise).
    public var localProcess: LocalProcess? = nil
    /// QUIC Initial packets that failed authentication and were ignored (nil when not QUIC).
    public var quicAuthenticationFailures: Int? = nil

    /// The worst finding's severity, `ok` without findings.
    public var severity: Severity { findings.first?.severity ?? .ok }

    /// The local service behind the connection: its systemd service or container, else the
    /// program's name (a command run from a login session). Nil until a process is found.
    public var service: String? {
        guard let process = localProcess, process.state == .found else { return nil }
        if let unit = process.unit, unit.hasSuffix(".service") || unit.contains(":") { return unit }
        return process.name ?? process.unit
    }

    /// The name a host is known by: the SNI, else the server's address.
    public var hostName: String { sni ?? serverIP }

    /// Whether the connection is encrypted: TLS (any version), QUIC, DTLS, SSH, WireGuard, ESP.
    /// `nil` when unknown: never guessed either way.
    public var isEncrypted: Bool? {
        switch self.protocol {
        case "plaintext": false
        case "unknown": nil
        default: true
        }
    }
}

/// Aggregates over every connection to one server name (or address) and port.
public struct HostSnapshot: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var addresses: [String]
    public var connections: Int
    public var protocols: [String: Int]
    public var versions: [String: Int]
    public var ciphers: [String: Int]
    public var groups: [String: Int]
    /// Applications seen in clear or upgraded in band ("http", "smtp", …).
    public var applications: [String: Int]
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
    public var findingCounts: [String: Int] = [:]
    /// Connections by the local program behind them (its unit, else its name), live capture only.
    public var services: [String: Int] = [:]
    /// TLS connections with forward secrecy, and with a post-quantum key exchange.
    public var pfsConnections = 0
    public var pqConnections = 0
    /// The id of the most severe finding seen on any connection to this host.
    public var worstFinding: String?
    var worstFindingSeverity = Severity.ok
}
