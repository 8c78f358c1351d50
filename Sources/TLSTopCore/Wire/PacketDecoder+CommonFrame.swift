extension PacketDecoder {
    /// The frame nearly every packet of a capture is: Ethernet without VLAN tags, IPv4 without
    /// options or fragmentation, TCP. Decoded with one length check and direct loads instead of
    /// a bounds-checked read per field: every shard of a sharded read decodes every frame, and
    /// this was most of what a frame of another shard's flow cost.
    ///
    /// Returns nil for anything else, and for any frame the general decoder would find truncated
    /// or malformed: the caller then decodes it the general way, so both ways agree on every frame
    /// (`CommonFrameTests` checks it on every fixture and on mutated frames).
    @inline(__always)
    static func decodeCommonTCP(_ frame: UnsafeRawBufferPointer) -> DecodedPacket? {
        // Ethernet (14) and IPv4 (20) headers.
        let ipStart = 14
        let tcpStart = ipStart + 20
        guard frame.count >= tcpStart, let base = frame.baseAddress,
            UInt16(bigEndian: base.loadUnaligned(fromByteOffset: 12, as: UInt16.self)) == etherTypeIPv4,
            base.load(fromByteOffset: ipStart, as: UInt8.self) == 0x45,
            base.load(fromByteOffset: ipStart + 9, as: UInt8.self) == 6,
            UInt16(bigEndian: base.loadUnaligned(fromByteOffset: ipStart + 6, as: UInt16.self)) & 0x3FFF == 0
        else { return nil }
        let totalLength = Int(UInt16(bigEndian: base.loadUnaligned(fromByteOffset: ipStart + 2, as: UInt16.self)))
        guard totalLength >= 20 else { return nil }
        let declared = totalLength - 20
        // Ethernet pads short frames: the IP length decides, as in `decodeIPv4`.
        let available = min(declared, frame.count - tcpStart)
        guard available >= 20 else { return nil }
        let headerLength = Int(base.load(fromByteOffset: tcpStart + 12, as: UInt8.self) >> 4) * 4
        guard headerLength >= 20, declared >= headerLength else { return nil }
        // Options cut short by the snap length leave an empty payload, as the general decoder does.
        let payloadStart = tcpStart + min(headerLength, available)
        return DecodedPacket(
            source: IPAddress(
                ipv4: UInt32(bigEndian: base.loadUnaligned(fromByteOffset: ipStart + 12, as: UInt32.self))),
            destination: IPAddress(
                ipv4: UInt32(bigEndian: base.loadUnaligned(fromByteOffset: ipStart + 16, as: UInt32.self))),
            sourcePort: UInt16(bigEndian: base.loadUnaligned(fromByteOffset: tcpStart, as: UInt16.self)),
            destinationPort: UInt16(bigEndian: base.loadUnaligned(fromByteOffset: tcpStart + 2, as: UInt16.self)),
            transport: .tcp,
            sequenceNumber: UInt32(bigEndian: base.loadUnaligned(fromByteOffset: tcpStart + 4, as: UInt32.self)),
            acknowledgmentNumber: UInt32(
                bigEndian: base.loadUnaligned(fromByteOffset: tcpStart + 8, as: UInt32.self)),
            tcpFlags: TCPFlags(rawValue: base.load(fromByteOffset: tcpStart + 13, as: UInt8.self) & 0x1F),
            payload: UnsafeRawBufferPointer(rebasing: frame[payloadStart..<(tcpStart + available)]),
            declaredPayloadLength: declared - headerLength, ipLength: totalLength)
    }
}
