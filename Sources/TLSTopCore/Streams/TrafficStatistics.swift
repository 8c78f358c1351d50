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
    public var connections = 0
    /// New flows not tracked because the table was full.
    public var untrackedConnections = 0

    public init() {}
}
