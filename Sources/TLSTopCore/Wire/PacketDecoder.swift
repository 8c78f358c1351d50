/// Decodes link, network and transport headers of a captured frame down to TCP or UDP payload.
///
/// Returns `nil` for frames that are well-formed but carry nothing tlstop tracks (ARP, ICMP,
/// non-first IP fragments); throws `ParseError` for frames whose headers contradict themselves.
/// Nothing here allocates: the result points into the frame.
public enum PacketDecoder {
    /// Why a frame was skipped without being an error; counted in the snapshot's stats.
    public enum Skip: Error, Sendable {
        case notIP, notTCPOrUDP, fragment
    }

    static let etherTypeIPv4: UInt16 = 0x0800
    static let etherTypeIPv6: UInt16 = 0x86DD
    static let etherTypeVLAN: UInt16 = 0x8100
    static let etherTypeQinQ: UInt16 = 0x88A8
    static let etherTypeQinQLegacy: UInt16 = 0x9100
    /// More stacked VLAN tags than this is not a real network; stop rather than loop.
    static let maximumVLANTags = 4

    public static func decode(
        _ frame: UnsafeRawBufferPointer, linkType: LinkType
    ) throws(ParseError) -> Result<DecodedPacket, Skip> {
        var reader = ByteReader(frame)
        let network: UInt16
        switch linkType {
        case .ethernet:
            try reader.skip(12)
            var etherType = try reader.readUInt16()
            var tags = 0
            while etherType == etherTypeVLAN || etherType == etherTypeQinQ || etherType == etherTypeQinQLegacy {
                tags += 1
                guard tags <= maximumVLANTags else { throw .malformed("more than \(maximumVLANTags) VLAN tags") }
                try reader.skip(2)
                etherType = try reader.readUInt16()
            }
            network = etherType
        case .null, .loop:
            let family =
                linkType == .loop ? try reader.readUInt32() : try reader.readUInt32LittleEndian()
            // The family was written in the capturing host's order; accept either order.
            let swapped = family.byteSwapped
            switch (family, swapped) {
            case (2, _), (_, 2): network = etherTypeIPv4
            case (24, _), (28, _), (30, _), (_, 24), (_, 28), (_, 30), (10, _), (_, 10): network = etherTypeIPv6
            default: return .failure(.notIP)
            }
        case .raw:
            network = try versionToEtherType(reader.peekUInt8())
        case .ppp:
            if try reader.peekUInt16() == 0xFF03 { try reader.skip(2) }  // HDLC address and control
            // Protocol-field compression (RFC 1661 §6.5) leaves one byte when it is odd.
            let first = try reader.readUInt8()
            let pppProtocol = first & 1 == 1 ? UInt16(first) : UInt16(first) << 8 | UInt16(try reader.readUInt8())
            switch pppProtocol {
            case 0x0021: network = etherTypeIPv4
            case 0x0057: network = etherTypeIPv6
            default: return .failure(.notIP)
            }
        case .ipv4:
            network = etherTypeIPv4
        case .ipv6:
            network = etherTypeIPv6
        case .linuxSLL:
            // packet type(2) ARPHRD(2) address length(2) address(8) protocol(2)
            try reader.skip(14)
            network = try reader.readUInt16()
        case .linuxSLL2:
            // protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) address length(1) address(8)
            network = try reader.readUInt16()
            try reader.skip(18)
        }
        switch network {
        case etherTypeIPv4: return try decodeIPv4(&reader)
        case etherTypeIPv6: return try decodeIPv6(&reader)
        default: return .failure(.notIP)
        }
    }

    private static func versionToEtherType(_ firstByte: UInt8) throws(ParseError) -> UInt16 {
        switch firstByte >> 4 {
        case 4: return etherTypeIPv4
        case 6: return etherTypeIPv6
        default: throw .malformed("raw IP packet with version \(firstByte >> 4)")
        }
    }

    private static func decodeIPv4(_ reader: inout ByteReader) throws(ParseError) -> Result<DecodedPacket, Skip> {
        let versionAndLength = try reader.peekUInt8()
        guard versionAndLength >> 4 == 4 else { throw .malformed("IPv4 header with version \(versionAndLength >> 4)") }
        let headerLength = Int(versionAndLength & 0x0F) * 4
        guard headerLength >= 20 else { throw .malformed("IPv4 header length \(headerLength)") }
        var header = try reader.slice(headerLength)
        try header.skip(2)
        let totalLength = Int(try header.readUInt16())
        try header.skip(2)
        let fragment = try header.readUInt16()
        try header.skip(1)
        let proto = try header.readUInt8()
        try header.skip(2)
        let source = IPAddress(ipv4: try header.readUInt32())
        let destination = IPAddress(ipv4: try header.readUInt32())
        guard totalLength >= headerLength else { throw .malformed("IPv4 total length \(totalLength) < header") }
        // Non-first fragments carry no transport header; first fragments of a split segment would
        // hand the reassembler a partial payload, so both are skipped and counted.
        let moreFragments = fragment & 0x2000 != 0
        let offset = fragment & 0x1FFF
        if offset != 0 || moreFragments { return .failure(.fragment) }
        let declared = totalLength - headerLength
        // Ethernet pads short frames: trust the IP length, not the frame length.
        let available = min(declared, reader.remaining)
        var body = try reader.slice(available)
        return try decodeTransport(
            proto, &body, declaredLength: declared, source: source, destination: destination, ipLength: totalLength)
    }

    /// IPv6 extension headers that chain with a next-header byte and an 8-octet length.
    private static func isChainedExtension(_ next: UInt8) -> Bool {
        next == 0 || next == 43 || next == 60 || next == 135 || next == 139 || next == 140
    }

    private static func decodeIPv6(_ reader: inout ByteReader) throws(ParseError) -> Result<DecodedPacket, Skip> {
        var header = try reader.slice(40)
        let version = try header.readUInt8() >> 4
        guard version == 6 else { throw .malformed("IPv6 header with version \(version)") }
        try header.skip(3)
        let payloadLength = Int(try header.readUInt16())
        var next = try header.readUInt8()
        try header.skip(1)
        let source = IPAddress(
            high: UInt64(try header.readUInt32()) << 32 | UInt64(try header.readUInt32()),
            low: UInt64(try header.readUInt32()) << 32 | UInt64(try header.readUInt32()))
        let destination = IPAddress(
            high: UInt64(try header.readUInt32()) << 32 | UInt64(try header.readUInt32()),
            low: UInt64(try header.readUInt32()) << 32 | UInt64(try header.readUInt32()))
        // Jumbograms (payload length 0 with a hop-by-hop option) do not occur on the links we read.
        var body = try reader.slice(min(payloadLength, reader.remaining))
        var declared = payloadLength
        var extensions = 0
        while true {
            if isChainedExtension(next) {
                extensions += 1
                guard extensions <= 8 else { throw .malformed("more than 8 IPv6 extension headers") }
                let following = try body.readUInt8()
                let length = (Int(try body.readUInt8()) + 1) * 8
                try body.skip(length - 2)
                declared -= length
                next = following
            } else if next == 44 {
                // Fragment header: only an atomic fragment (offset 0, no more fragments) is whole.
                extensions += 1
                guard extensions <= 8 else { throw .malformed("more than 8 IPv6 extension headers") }
                let following = try body.readUInt8()
                try body.skip(1)
                let offsetAndFlags = try body.readUInt16()
                try body.skip(4)
                declared -= 8
                if offsetAndFlags & 0xFFF9 != 0 { return .failure(.fragment) }
                next = following
            } else if next == 51 {
                // Authentication Header: its length counts 4-octet units, minus 2.
                extensions += 1
                guard extensions <= 8 else { throw .malformed("more than 8 IPv6 extension headers") }
                let following = try body.readUInt8()
                let length = (Int(try body.readUInt8()) + 2) * 4
                try body.skip(length - 2)
                declared -= length
                next = following
            } else {
                break
            }
        }
        guard declared >= 0 else { throw .malformed("IPv6 extension headers longer than the payload") }
        return try decodeTransport(
            next, &body, declaredLength: declared, source: source, destination: destination,
            ipLength: payloadLength + 40)
    }

    private static func decodeTransport(
        _ proto: UInt8, _ body: inout ByteReader, declaredLength: Int,
        source: IPAddress, destination: IPAddress, ipLength: Int
    ) throws(ParseError) -> Result<DecodedPacket, Skip> {
        switch proto {
        case 6:
            let sourcePort = try body.readUInt16()
            let destinationPort = try body.readUInt16()
            let sequence = try body.readUInt32()
            let acknowledgment = try body.readUInt32()
            let offsetByte = try body.readUInt8()
            let flags = try body.readUInt8()
            let headerLength = Int(offsetByte >> 4) * 4
            guard headerLength >= 20 else { throw .malformed("TCP data offset \(headerLength)") }
            guard declaredLength >= headerLength else { throw .malformed("TCP header longer than IP payload") }
            try body.skip(2 + 2 + 2)  // window, checksum, urgent pointer
            try body.skip(min(headerLength - 20, body.remaining))
            return .success(
                DecodedPacket(
                    source: source, destination: destination, sourcePort: sourcePort,
                    destinationPort: destinationPort, transport: .tcp, sequenceNumber: sequence,
                    acknowledgmentNumber: acknowledgment, tcpFlags: TCPFlags(rawValue: flags & 0x1F),
                    payload: body.unreadBytes, declaredPayloadLength: declaredLength - headerLength,
                    ipLength: ipLength))
        case 17:
            let sourcePort = try body.readUInt16()
            let destinationPort = try body.readUInt16()
            let length = Int(try body.readUInt16())
            try body.skip(2)
            guard length >= 8 || length == 0 else { throw .malformed("UDP length \(length)") }
            let declared = length == 0 ? declaredLength - 8 : min(length, declaredLength) - 8
            guard declared >= 0 else { throw .malformed("UDP length beyond IP payload") }
            let payload = UnsafeRawBufferPointer(rebasing: body.unreadBytes.prefix(declared))
            return .success(
                DecodedPacket(
                    source: source, destination: destination, sourcePort: sourcePort,
                    destinationPort: destinationPort, transport: .udp, sequenceNumber: 0,
                    acknowledgmentNumber: 0, tcpFlags: [], payload: payload, declaredPayloadLength: declared,
                    ipLength: ipLength))
        case 50:
            // ESP (RFC 4303): SPI and sequence number, then ciphertext. Both directions of an SA
            // pair share the address pair, which is what the flow key uses.
            guard body.remaining >= 8 else { throw .truncated("ESP header") }
            return .success(
                DecodedPacket(
                    source: source, destination: destination, sourcePort: 0, destinationPort: 0, transport: .esp,
                    sequenceNumber: 0, acknowledgmentNumber: 0, tcpFlags: [], payload: body.unreadBytes,
                    declaredPayloadLength: declaredLength, ipLength: ipLength))
        default:
            return .failure(.notTCPOrUDP)
        }
    }
}
