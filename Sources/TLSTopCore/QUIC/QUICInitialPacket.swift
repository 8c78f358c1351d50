/// Reads QUIC long-header packets (RFC 9000 §17.2) and opens Initial ones (RFC 9001 §5).
enum QUICPacket {
    struct LongHeader {
        /// Offset of the packet's first byte in the datagram.
        var start: Int
        var firstByte: UInt8
        var version: QUICVersion
        var destination: [UInt8]
        var source: [UInt8]
        /// Offset of the packet number in the datagram, and where the packet ends.
        var packetNumberOffset: Int
        var end: Int
        var type: UInt8 { firstByte >> 4 & 0x03 }
    }

    /// A variable-length integer (RFC 9000 §16).
    static func readVarint(_ reader: inout ByteReader) throws(ParseError) -> UInt64 {
        let first = try reader.readUInt8()
        var value = UInt64(first & 0x3F)
        let extra = (1 << Int(first >> 6)) - 1
        for _ in 0..<extra { value = value << 8 | UInt64(try reader.readUInt8()) }
        return value
    }

    /// The long header at `offset`, or nil for a short-header packet.
    static func longHeader(_ datagram: UnsafeRawBufferPointer, at offset: Int) throws(ParseError) -> LongHeader? {
        var reader = ByteReader(UnsafeRawBufferPointer(rebasing: datagram[offset...]))
        let first = try reader.readUInt8()
        guard first & 0x80 != 0 else { return nil }
        let version = QUICVersion(rawValue: try reader.readUInt32())
        var destination = try reader.prefixed8()
        var source = try reader.prefixed8()
        guard destination.remaining <= 20, source.remaining <= 20 else {
            throw ParseError(.malformed, "QUIC connection ID longer than 20 bytes")
        }
        var header = LongHeader(
            start: offset, firstByte: first, version: version,
            destination: try destination.readBytes(destination.remaining),
            source: try source.readBytes(source.remaining), packetNumberOffset: 0, end: datagram.count)
        guard version.initialSalt != nil else { return header }  // Version Negotiation or unknown: no body to read
        if header.type == version.retryType { return header }
        if header.type == version.initialType {
            let tokenLength = try readVarint(&reader)
            guard tokenLength <= UInt64(reader.remaining) else { throw ParseError(.truncated, "QUIC token") }
            try reader.skip(Int(tokenLength))
        }
        let length = try readVarint(&reader)
        guard length <= UInt64(reader.remaining), length >= 20 else {
            throw ParseError(.truncated, "QUIC packet length")
        }
        header.packetNumberOffset = offset + reader.offset
        header.end = header.packetNumberOffset + Int(length)
        return header
    }

    /// Removes header protection and decrypts an Initial (or, with a key log's keys, a
    /// Handshake) packet; returns its frames.
    static func open(_ datagram: UnsafeRawBufferPointer, _ header: LongHeader, keys: some QUICPacketProtection)
        throws(ParseError) -> [UInt8]
    {
        let pnOffset = header.packetNumberOffset
        guard pnOffset + 4 + 16 <= header.end, header.end <= datagram.count, pnOffset > header.start else {
            throw ParseError(.truncated, "QUIC packet too short for a header-protection sample")
        }
        let sample = Array(datagram[(pnOffset + 4)..<(pnOffset + 20)])
        let mask = try keys.mask(sample: sample)
        var unprotected = Array(datagram[header.start..<pnOffset])
        unprotected[0] ^= mask[0] & 0x0F
        let pnLength = Int(unprotected[0] & 0x03) + 1
        var packetNumber: UInt64 = 0
        for index in 0..<pnLength {
            let byte = datagram[pnOffset + index] ^ mask[1 + index]
            unprotected.append(byte)
            packetNumber = packetNumber << 8 | UInt64(byte)
        }
        let ciphertext = Array(datagram[(pnOffset + pnLength)..<header.end])[...]
        return try keys.open(ciphertext, header: unprotected, packetNumber: packetNumber)
    }

    /// The CRYPTO frames of a decrypted Initial payload, as (offset, data).
    static func cryptoFrames(_ payload: [UInt8]) throws(ParseError) -> [(offset: UInt64, data: [UInt8])] {
        var frames: [(UInt64, [UInt8])] = []
        let failure: ParseError? = payload.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            do throws(ParseError) {
                while !reader.isAtEnd {
                    let type = try readVarint(&reader)
                    switch type {
                    case 0x00, 0x01: continue  // PADDING, PING
                    case 0x02, 0x03:  // ACK
                        _ = try readVarint(&reader)
                        _ = try readVarint(&reader)
                        let ranges = try readVarint(&reader)
                        _ = try readVarint(&reader)
                        guard ranges <= 256 else { throw ParseError(.malformed, "QUIC ACK with \(ranges) ranges") }
                        for _ in 0..<ranges {
                            _ = try readVarint(&reader)
                            _ = try readVarint(&reader)
                        }
                        if type == 0x03 { for _ in 0..<3 { _ = try readVarint(&reader) } }
                    case 0x06:  // CRYPTO
                        let offset = try readVarint(&reader)
                        let length = try readVarint(&reader)
                        guard length <= UInt64(reader.remaining) else {
                            throw ParseError(.truncated, "QUIC CRYPTO frame")
                        }
                        frames.append((offset, try reader.readBytes(Int(length))))
                    case 0x1C, 0x1D:  // CONNECTION_CLOSE
                        return nil
                    default:
                        throw ParseError(.malformed, "QUIC frame type \(type) in a handshake packet")
                    }
                }
            } catch {
                return error
            }
            return nil
        }
        if let failure { throw failure }
        return frames
    }
}

/// What opens one packet-number space's packets: the Initial keys anyone can derive, or the
/// handshake keys of a key log.
protocol QUICPacketProtection {
    func mask(sample: [UInt8]) throws(ParseError) -> [UInt8]
    func open(_ ciphertext: ArraySlice<UInt8>, header: [UInt8], packetNumber: UInt64) throws(ParseError) -> [UInt8]
}

extension QUICInitialKeys: QUICPacketProtection {}

/// Handshake packets (RFC 9001 §5.1): the TLS handshake traffic secret with QUIC's labels.
struct QUICHandshakeKeys: QUICPacketProtection {
    let traffic: TrafficKeys

    func mask(sample: [UInt8]) throws(ParseError) -> [UInt8] {
        do throws(DecryptionError) {
            return try traffic.headerMask(sample: sample)
        } catch {
            throw ParseError(.malformed, "header protection sample")
        }
    }

    func open(_ ciphertext: ArraySlice<UInt8>, header: [UInt8], packetNumber: UInt64) throws(ParseError) -> [UInt8] {
        let sealed = Array(ciphertext)
        let opened: [UInt8]? = sealed.withUnsafeBytes { sealed in
            header.withUnsafeBytes { header in
                try? traffic.open(sealed, additionalData: header, sequence: packetNumber)
            }
        }
        guard let opened else { throw ParseError(.malformed, "QUIC Handshake packet failed authentication") }
        return opened
    }
}
