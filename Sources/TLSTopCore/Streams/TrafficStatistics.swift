/// Counters over everything the tracker was given; drops and errors are never hidden.
public struct TrafficStatistics: Sendable, Equatable {
    public var packets = 0
    /// Bytes on the wire, as the capture's original lengths say.
    public var bytes = 0
    public var tcpPackets = 0
    public var udpPackets = 0
    public var espPackets = 0
    /// Frames that carry no IPv4/IPv6 (ARP, LLDP, ...).
    public var nonIPPackets = 0
    /// IP packets that are neither TCP nor UDP (ICMP, ...).
    public var otherTransportPackets = 0
    public var fragments = 0
    /// Frames whose headers were cut short or contradicted themselves, by kind.
    public var truncatedPackets = 0
    public var malformedPackets = 0
    /// Flows seen: connections and attempts (TCP flows that never carried payload).
    public var connections = 0
    /// Attempts that ended without payload, those the server reset (refused), those dropped
    /// because the attempt table was full, and those open at the last look.
    public var endedAttempts = 0
    public var refusedAttempts = 0
    public var evictedAttempts = 0
    public var activeAttempts = 0
    /// New flows not tracked because the table was full (always 0: the idlest are evicted instead).
    public var untrackedConnections = 0
    /// Flows in the active table at the last sweep.
    public var activeConnections = 0
    /// Flows that left the active table idle or closed, and flows evicted when the table was full.
    public var expiredConnections = 0
    public var evictedConnections = 0
    /// Finished connections no longer held in detail, counted in the host aggregates only.
    public var foldedConnections = 0
    /// Host rows dropped (with their aggregates) because the host table was full, and the
    /// connections they had counted.
    public var evictedHosts = 0
    public var evictedHostConnections = 0
    /// Directions whose out-of-order holding area hit its cap (analysis of them stopped at the gap).
    public var reassemblyOverflows = 0
    /// Directions whose handshake analysis stopped at a cap (stream bytes or message size).
    public var handshakeLimitHits = 0
    /// Network strings cut at their cap (server names, ALPN protocols, certificate names).
    public var truncatedFields = 0
    /// Directions whose analysis stopped at a violation (bytes that are not what they claim), by code.
    public var violations: [Violation.Code: Int] = [:]
    /// With `--keylog`: what the key log held and opened (counts only; the secrets stay inside).
    public var keyLog: KeyLogUse?
    /// Packets of tlstop's own probes (left out of connections), and what the probes did.
    public var probePackets = 0
    public var probes: ListenerProbes.Counts?

    public struct KeyLogUse: Sendable, Equatable {
        /// Handshake traffic secrets read from the log, and its lines that were not key log lines.
        public var secrets: Int
        public var malformedLines: Int
        /// TLS 1.3 server flights opened.
        public var decryptedHandshakes: Int
        /// TLS 1.3 connections whose secrets the log did not hold.
        public var missingSecrets: Int
        /// Connections whose secrets did not open their records (a wrong key).
        public var decryptionFailures: Int

        public init(
            secrets: Int, malformedLines: Int, decryptedHandshakes: Int, missingSecrets: Int, decryptionFailures: Int
        ) {
            self.secrets = secrets
            self.malformedLines = malformedLines
            self.decryptedHandshakes = decryptedHandshakes
            self.missingSecrets = missingSecrets
            self.decryptionFailures = decryptionFailures
        }
    }
    /// Counters from the capture itself (live only): packets the kernel delivered, and dropped
    /// for lack of buffer or by the interface.
    public var kernelReceived: Int?
    public var kernelDropped: Int?
    public var interfaceDropped: Int?

    public init() {}
}
