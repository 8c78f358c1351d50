/// pcapng block type codes (draft-ietf-opsawg-pcapng §11.1).
enum PcapngBlockType {
    static let sectionHeader: UInt32 = 0x0A0D_0D0A
    static let interfaceDescription: UInt32 = 0x0000_0001
    static let obsoletePacket: UInt32 = 0x0000_0002
    static let simplePacket: UInt32 = 0x0000_0003
    static let nameResolution: UInt32 = 0x0000_0004
    static let interfaceStatistics: UInt32 = 0x0000_0005
    static let enhancedPacket: UInt32 = 0x0000_0006
    static let decryptionSecrets: UInt32 = 0x0000_000A

    static func carriesPacket(_ type: UInt32) -> Bool {
        type == enhancedPacket || type == simplePacket || type == obsoletePacket
    }
}

/// One block, its body (between the two length fields) borrowed from the reader's buffer.
struct PcapngBlock {
    var type: UInt32
    var body: UnsafeRawBufferPointer

    var name: String {
        switch type {
        case PcapngBlockType.sectionHeader: "section header"
        case PcapngBlockType.interfaceDescription: "interface description"
        case PcapngBlockType.obsoletePacket: "packet"
        case PcapngBlockType.simplePacket: "simple packet"
        case PcapngBlockType.enhancedPacket: "enhanced packet"
        default: "type \(type)"
        }
    }

    /// An Interface Description Block's body: link type, snap length and the options that change
    /// how its packets' timestamps read (`if_tsresol`, `if_tsoffset`), plus `if_name`.
    static func interface(from body: inout FileFieldReader) throws(ParseError) -> CaptureInterface {
        let linkType = Int(try body.readUInt16())
        try body.skip(2)
        let snapLength = Int(try body.readUInt32())
        var interface = CaptureInterface(linkTypeNumber: linkType, snapLength: snapLength)
        while body.remaining >= 4 {
            let code = try body.readUInt16()
            let length = Int(try body.readUInt16())
            var value = try body.slice(length)
            try body.skip((4 - length % 4) % 4)
            switch code {
            case 0: return interface  // opt_endofopt
            case 2:  // if_name
                let bytes = value.unreadBytes.prefix(64)
                interface.name = String(decoding: bytes, as: UTF8.self)
            case 9:  // if_tsresol: 10^-n, or 2^-n with the top bit set
                let resolution = try value.readUInt8()
                let exponent = Int(resolution & 0x7F)
                if resolution & 0x80 != 0 {
                    guard exponent <= 63 else { throw ParseError(.malformed, "if_tsresol 2^-\(exponent)") }
                    interface.unitsPerSecond = 1 << UInt64(exponent)
                } else {
                    guard exponent <= 19 else { throw ParseError(.malformed, "if_tsresol 10^-\(exponent)") }
                    var units: UInt64 = 1
                    for _ in 0..<exponent { units *= 10 }
                    interface.unitsPerSecond = units
                }
            case 14:  // if_tsoffset, seconds
                interface.offsetSeconds = Int64(bitPattern: try value.readUInt64())
            default:
                break
            }
        }
        return interface
    }
}

/// A `ByteReader` that reads multi-byte fields in a file's byte order (pcap and pcapng are
/// written in the writer's order and say which).
struct FileFieldReader {
    var reader: ByteReader
    let littleEndian: Bool

    init(_ bytes: UnsafeRawBufferPointer, littleEndian: Bool) {
        reader = ByteReader(bytes)
        self.littleEndian = littleEndian
    }

    private init(reader: ByteReader, littleEndian: Bool) {
        self.reader = reader
        self.littleEndian = littleEndian
    }

    var remaining: Int { reader.remaining }
    var unreadBytes: UnsafeRawBufferPointer { reader.unreadBytes }

    mutating func skip(_ count: Int) throws(ParseError) { try reader.skip(count) }

    mutating func slice(_ count: Int) throws(ParseError) -> FileFieldReader {
        FileFieldReader(reader: try reader.slice(count), littleEndian: littleEndian)
    }

    mutating func readUInt8() throws(ParseError) -> UInt8 { try reader.readUInt8() }

    mutating func readUInt16() throws(ParseError) -> UInt16 {
        let value = try reader.readUInt16()
        return littleEndian ? value.byteSwapped : value
    }

    mutating func readUInt32() throws(ParseError) -> UInt32 {
        let value = try reader.readUInt32()
        return littleEndian ? value.byteSwapped : value
    }

    mutating func readUInt64() throws(ParseError) -> UInt64 {
        let first = UInt64(try readUInt32())
        let second = UInt64(try readUInt32())
        return littleEndian ? second << 32 | first : first << 32 | second
    }
}
