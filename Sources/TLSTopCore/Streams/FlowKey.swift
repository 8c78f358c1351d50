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
        self.init(
            packet.source, packet.sourcePort, packet.destination, packet.destinationPort,
            transport: packet.transport.rawValue)
    }

    /// The key of the flow between two endpoints, in either order.
    @inlinable
    public init(_ address: IPAddress, _ port: UInt16, _ other: IPAddress, _ otherPort: UInt16, transport: UInt8) {
        if address < other || (address == other && port <= otherPort) {
            lowAddress = address
            highAddress = other
            lowPort = port
            highPort = otherPort
        } else {
            lowAddress = other
            highAddress = address
            lowPort = otherPort
            highPort = port
        }
        self.transport = transport
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(lowAddress.low)
        hasher.combine(highAddress.low)
        hasher.combine(lowAddress.high ^ highAddress.high)
        // Ports and transport in one word (still one-to-one): one 8-byte round, not two partial ones.
        hasher.combine(UInt64(lowPort) << 32 | UInt64(highPort) << 16 | UInt64(transport))
    }
}
