/// Counts over connections that add up: what the batch summary, the dashboard header and the
/// snapshot report, kept over every connection seen (held in detail or folded into a host row),
/// so that every view gives the same figures whatever the retention and host caps did.
public struct ConnectionTotals: Sendable, Equatable {
    public var connections = 0
    public var protocols: [ConnectionProtocol: Int] = [:]
    public var versions: [ProtocolVersion: Int] = [:]
    public var ciphers: [CipherSuite: Int] = [:]
    public var groups: [NamedGroup: Int] = [:]
    public var severities: [Severity: Int] = [:]
    /// Connections carrying each finding.
    public var findings: [FindingID: Int] = [:]
    public var encrypted = 0
    public var plaintext = 0
    public var unknown = 0
    public var cleartextCredentials = 0
    /// TLS-family connections (TLS, SSL 2.0, DTLS, QUIC), and those with forward secrecy and with
    /// a post-quantum key exchange among them.
    public var tlsFamily = 0
    public var pfs = 0
    public var pq = 0
    /// TLS-family connections whose client offered a post-quantum group the server did not choose.
    public var pqMissed = 0
    /// TLS 1.3-family connections over TCP (whose certificate travels encrypted), and those whose
    /// certificate is known anyway (from the key log or a probe).
    public var tls13 = 0
    public var tls13Certificates = 0
    /// TCP flows that ended without payload, and those the server reset.
    public var attempts = 0
    public var refusedAttempts = 0

    public init() {}

    public mutating func add(_ connection: ConnectionRecord) {
        connections += 1
        protocols[connection.protocol, default: 0] += 1
        if let version = connection.version { versions[version, default: 0] += 1 }
        if let cipher = connection.cipher { ciphers[cipher, default: 0] += 1 }
        if let group = connection.group { groups[group, default: 0] += 1 }
        severities[connection.severity, default: 0] += 1
        for finding in connection.findings { findings[finding.id, default: 0] += 1 }
        switch connection.isEncrypted {
        case true?: encrypted += 1
        case false?: plaintext += 1
        case nil: unknown += 1
        }
        if connection.cleartextCredentials { cleartextCredentials += 1 }
        if connection.protocol.isTLSFamily {
            tlsFamily += 1
            if connection.pfs == true { pfs += 1 }
            if connection.pq { pq += 1 }
            if connection.pqMissed { pqMissed += 1 }
        }
        if connection.isProbeCandidate {
            tls13 += 1
            if connection.certificateSource != nil { tls13Certificates += 1 }
        }
    }

    public mutating func add(_ attempt: AttemptSummary) {
        attempts += 1
        if attempt.refused { refusedAttempts += 1 }
    }
}
