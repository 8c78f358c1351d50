import TestSupport

@testable import TLSTopCore

/// Rebuilds the two byte streams of a fixture's first TCP connection (loopback captures are lossless
/// and in order; retransmitted sequence ranges are dropped).
struct FixtureStreams {
    var client: [UInt8] = []
    var server: [UInt8] = []

    init(_ fixture: PcapFixture) throws {
        var next: [Bool: UInt32] = [:]
        var ports: (UInt16, UInt16)?
        for (fromClient, packet, bytes) in try fixture.tcpPayloads() {
            if ports == nil { ports = (packet.sourcePort, packet.destinationPort) }
            guard let (a, b) = ports, Set([a, b]) == Set([packet.sourcePort, packet.destinationPort]) else {
                continue
            }
            if packet.tcpFlags.contains(.syn) {
                next[fromClient] = packet.sequenceNumber &+ 1
                continue
            }
            guard !bytes.isEmpty else { continue }
            let expected = next[fromClient] ?? packet.sequenceNumber
            guard packet.sequenceNumber == expected else { continue }
            next[fromClient] = expected &+ UInt32(bytes.count)
            if fromClient { client += bytes } else { server += bytes }
        }
    }

    /// Plaintext handshake messages (header included) of one stream, up to ChangeCipherSpec.
    static func handshakeMessages(_ stream: [UInt8]) -> [[UInt8]] {
        var fragments: [UInt8] = []
        var offset = 0
        while offset + 5 <= stream.count {
            let type = stream[offset]
            let length = Int(stream[offset + 3]) << 8 | Int(stream[offset + 4])
            guard offset + 5 + length <= stream.count else { break }
            if type == 20 { break }
            if type == 22 { fragments += stream[(offset + 5)..<(offset + 5 + length)] }
            offset += 5 + length
        }
        var messages: [[UInt8]] = []
        var position = 0
        while position + 4 <= fragments.count {
            let length =
                Int(fragments[position + 1]) << 16 | Int(fragments[position + 2]) << 8
                | Int(fragments[position + 3])
            guard position + 4 + length <= fragments.count else { break }
            messages.append(Array(fragments[position..<(position + 4 + length)]))
            position += 4 + length
            // A TLS 1.3 ServerHello is the last plaintext message of the server.
            if messages.last?.first == 2, messages.count == 1, isTLS13ServerHello(messages[0]) { break }
        }
        return messages
    }

    static func isTLS13ServerHello(_ message: [UInt8]) -> Bool {
        var bytes = message
        return bytes.withUnsafeMutableBytes { raw in
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw.dropFirst(4)))
            return (try? ServerHello(parsing: &reader))?.selectedVersion == .tls13
        }
    }

    /// The body (after the 4-byte header) of the first message of `type`.
    static func body(of type: UInt8, in stream: [UInt8]) -> [UInt8]? {
        handshakeMessages(stream).first { $0.first == type }.map { Array($0.dropFirst(4)) }
    }
}

extension Array where Element == UInt8 {
    /// Runs a parser over these bytes.
    func parse<T>(_ body: (inout ByteReader) throws -> T) throws -> T {
        try withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> T in
            var reader = ByteReader(raw)
            return try body(&reader)
        }
    }
}
