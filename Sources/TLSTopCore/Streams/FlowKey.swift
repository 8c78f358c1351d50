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

/// The hash both flow tables (`ConnectionTable`, `AttemptTable`) file their entries under: a
/// seeded multiply-mix of the key's five words, random per table so that the flows of a capture
/// cannot be chosen to collide. Cheaper than SipHash (a `Dictionary`'s `Hasher`), which was 3–8%
/// of a run when every packet of a flow looked its key up.
struct FlowHasher {
    private let seed: (UInt64, UInt64, UInt64)

    init() {
        var generator = SystemRandomNumberGenerator()
        seed = (generator.next() | 1, generator.next() | 1, generator.next() | 1)
    }

    @inline(__always)
    func hash(_ key: FlowKey) -> UInt32 {
        let ports = UInt64(key.lowPort) << 32 | UInt64(key.highPort) << 16 | UInt64(key.transport)
        let addresses =
            SeededHash.mix(key.lowAddress.low ^ seed.0, key.highAddress.low ^ seed.1)
            ^ SeededHash.mix(key.lowAddress.high ^ key.highAddress.high ^ seed.2, ports ^ seed.0)
        return UInt32(truncatingIfNeeded: SeededHash.mix(addresses ^ seed.1, seed.2) >> 16)
    }

    /// The smallest power of two that holds `entries` at most three quarters full.
    static func capacity(for entries: Int) -> Int {
        var capacity = 16
        while capacity - capacity / 4 < entries { capacity <<= 1 }
        return capacity
    }

    /// Backward-shift deletion (linear probing): whether the entry at `index`, whose home slot is
    /// `home`, may move back into `hole`, that is whether its home is not in (hole, index], cyclically.
    @inline(__always)
    static func mayFill(hole: Int, from index: Int, home: Int, mask: Int) -> Bool {
        (index - home) & mask >= (index - hole) & mask
    }
}
