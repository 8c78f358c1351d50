import Foundation

/// The frames of a committed loopback capture (classic pcap, Ethernet), for the benchmarks: real
/// bytes from real clients and servers, read without libpcap so the core is measured alone.
struct FixtureFrames {
    var frames: [[UInt8]]

    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/pcaps")

    init(_ name: String) {
        guard let data = try? Data(contentsOf: Self.folder.appendingPathComponent(name)) else {
            fatalError("benchmark fixture \(name) is missing from \(Self.folder.path)")
        }
        let bytes = [UInt8](data)
        frames = []
        var offset = 24
        while offset + 16 <= bytes.count {
            let length =
                Int(bytes[offset + 8]) | Int(bytes[offset + 9]) << 8 | Int(bytes[offset + 10]) << 16
                | Int(bytes[offset + 11]) << 24
            offset += 16
            guard offset + length <= bytes.count else { break }
            frames.append(Array(bytes[offset..<offset + length]))
            offset += length
        }
    }

    /// The client's port offset in each frame (source port when the client sent it, else the
    /// destination port): Ethernet + a 20-byte IPv4 header, as in the fixtures.
    var clientPortOffsets: [Int] {
        guard let first = frames.first else { return [] }
        let clientPort = Array(first[34..<36])
        return frames.map { Array($0[34..<36]) == clientPort ? 34 : 36 }
    }

    /// The same connection from another client port: a new flow with the same bytes.
    static func withClientPort(_ frames: inout [[UInt8]], offsets: [Int], port: UInt16) {
        for index in frames.indices {
            frames[index][offsets[index]] = UInt8(port >> 8)
            frames[index][offsets[index] + 1] = UInt8(port & 0xFF)
        }
    }

    /// The first TLS handshake message of the given type sent in the capture, without its record
    /// header (the fixtures' hellos fit in one segment).
    func handshakeMessage(type: UInt8) -> [UInt8] {
        for frame in frames where frame.count > 54 {
            let tcpHeaderLength = Int(frame[46] >> 4) * 4
            let payload = frame[(34 + tcpHeaderLength)...]
            guard payload.count > 9, payload.first == 0x16, payload[payload.startIndex + 5] == type else { continue }
            let length = Int(payload[payload.startIndex + 3]) << 8 | Int(payload[payload.startIndex + 4])
            return Array(payload.dropFirst(5).prefix(length))
        }
        fatalError("no handshake message of type \(type) in the fixture")
    }
}
