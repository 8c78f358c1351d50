/// Identifies a bidirectional flow: both endpoints in a canonical order, so both directions of a
/// connection hash to the same table entry without allocating.
public struct FlowKey: Hashable, Sendable {
    public var lowAddress: IPAddress
    public var highAddress: IPAddress
    public var lowPort: UInt16
    public var highPort: UInt16
    public var transport: UInt8

    /// Builds the key and tells whether the packet's source is the `low` endpoint.
    @inlinable
    public init(_ packet: DecodedPacket) {
        let sourceIsLow =
            packet.source < packet.destination
            || (packet.source == packet.destination && packet.sourcePort <= packet.destinationPort)
        if sourceIsLow {
            lowAddress = packet.source
            highAddress = packet.destination
            lowPort = packet.sourcePort
            highPort = packet.destinationPort
        } else {
            lowAddress = packet.destination
            highAddress = packet.source
            lowPort = packet.destinationPort
            highPort = packet.sourcePort
        }
        transport = packet.transport.rawValue
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(lowAddress.low)
        hasher.combine(highAddress.low)
        hasher.combine(lowAddress.high ^ highAddress.high)
        hasher.combine(UInt32(lowPort) << 16 | UInt32(highPort))
        hasher.combine(transport)
    }
}
