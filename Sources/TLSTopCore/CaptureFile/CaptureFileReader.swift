/// A frame read from a capture file. `bytes` borrows the reader's buffer: it is valid until the
/// reader's next call, which is how the read loop allocates nothing per packet.
public struct CapturedFrame {
    public var bytes: UnsafeRawBufferPointer
    public var wireLength: Int
    public var timestamp: Timestamp
    public var linkType: LinkType
    /// The LINKTYPE_ number (a filter is compiled per link type).
    public var linkTypeNumber: Int
}

/// Reads classic pcap (both byte orders, micro- and nanosecond, the "modified" Kuznetzov variant)
/// and pcapng (every section, interfaces of different link types, snap lengths and timestamp
/// resolutions, both byte orders; EPB, SPB and the obsolete Packet Block; other blocks skipped),
/// from any byte source. Pure Swift, so the file path needs no libpcap: libpcap refuses pcapng
/// files whose interfaces differ, which is what `mergecap` and Wireshark write.
public final class CaptureFileReader {
    public enum Format: Sendable, Equatable { case pcap, pcapng }

    /// Caps: a block or record larger than this is damage, not a packet (pcapng allows 4 GiB).
    static let maximumBlockLength = 64 << 20
    static let maximumInterfaces = 4096
    static let initialBufferSize = 1 << 20

    public private(set) var format: Format = .pcap
    /// The interfaces of the current section (pcapng) or the file's one (pcap).
    public private(set) var interfaces: [CaptureInterface] = []
    /// Every link-type number seen so far, in the order first seen.
    public private(set) var linkTypeNumbers: [Int] = []
    /// Frames on interfaces whose link layer tlstop does not decode.
    public private(set) var unsupportedFrames = 0
    /// Bytes consumed, for "damaged at byte N" reports.
    public private(set) var offset = 0

    private let source: any CaptureByteSource
    private var storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var sourceEnded = false
    /// Byte order of the current section (pcapng) or file (pcap).
    private var littleEndian = true
    private var classicHeaderLength = 16
    private var classicNanoseconds = false
    private var lastTimestamp = Timestamp.zero

    public init(source: any CaptureByteSource) throws(CaptureFileError) {
        self.source = source
        storage = .allocate(byteCount: Self.initialBufferSize, alignment: 8)
        // Every stored property is set: a throw below runs deinit, which frees the buffer.
        guard try fill(minimum: 4) else {
            throw CaptureFileError(.notACaptureFile, end == 0 ? "the file is empty" : "the file is too short")
        }
        let first = storage.loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian
        if first == PcapngBlockType.sectionHeader {
            format = .pcapng
            try readSectionPreamble()
        } else if let classic = Self.classicMagic(first) {
            format = .pcap
            try readClassicHeader(classic)
        } else {
            let head = (0..<min(end, 4)).map { storage[$0] }
            if head.starts(with: [0x1F, 0x8B]) {
                throw CaptureFileError(.notACaptureFile, "the file is gzip-compressed; decompress it first")
            }
            throw CaptureFileError(
                .notACaptureFile,
                "not a pcap, pcapng or gzip file (it starts with \(head.map { Self.hex($0) }.joined(separator: " ")))")
        }
    }

    deinit { storage.deallocate() }

    /// The next frame, or nil at a clean end of the file. Throws on damage; frames before the
    /// damage have been returned already.
    public func next() throws(CaptureFileError) -> CapturedFrame? {
        switch format {
        case .pcap: return try nextClassicRecord()
        case .pcapng: return try nextPcapngPacket()
        }
    }

    // MARK: Buffer

    /// Makes at least `count` bytes available from `start`; false if the input ends first.
    func fill(minimum count: Int) throws(CaptureFileError) -> Bool {
        if end - start >= count { return true }
        if storage.count - start < count {
            let kept = end - start
            if count > storage.count {
                let grown = UnsafeMutableRawBufferPointer.allocate(
                    byteCount: max(count, min(storage.count * 2, Self.maximumBlockLength + 64)), alignment: 8)
                grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[start..<end]))
                storage.deallocate()
                storage = grown
            } else if kept > 0 {
                UnsafeMutableRawBufferPointer(rebasing: storage[0..<kept]).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: storage[start..<end]))
            }
            start = 0
            end = kept
        }
        while end - start < count, !sourceEnded {
            let read = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[end...]))
            if read == 0 { sourceEnded = true } else { end += read }
        }
        return end - start >= count
    }

    /// Consumes `count` bytes (already made available) and returns them, borrowed.
    private func take(_ count: Int) -> UnsafeRawBufferPointer {
        let bytes = UnsafeRawBufferPointer(rebasing: storage[start..<(start + count)])
        start += count
        offset += count
        return bytes
    }

    private var available: Int { end - start }

    /// At the end of the input: nothing left (a clean end), or a piece of a header (damage).
    func requireCleanEnd(inside what: String) throws(CaptureFileError) {
        guard available == 0 else {
            throw CaptureFileError(
                .truncated, "the file ends \(available) bytes into \(what) at byte \(offset)")
        }
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }

    func interface(_ index: Int, for what: String) throws(CaptureFileError) -> CaptureInterface {
        guard index >= 0, index < interfaces.count else {
            throw CaptureFileError(
                .malformed, "\(what) on interface \(index), which the file never described (at byte \(offset))")
        }
        return interfaces[index]
    }

    func append(interface: CaptureInterface) throws(CaptureFileError) {
        guard interfaces.count < Self.maximumInterfaces else {
            throw CaptureFileError(.malformed, "more than \(Self.maximumInterfaces) interfaces in one section")
        }
        interfaces.append(interface)
        if !linkTypeNumbers.contains(interface.linkTypeNumber), linkTypeNumbers.count < 64 {
            linkTypeNumbers.append(interface.linkTypeNumber)
        }
    }

    // MARK: Classic pcap

    private struct ClassicMagic {
        var littleEndian: Bool
        var nanoseconds: Bool
        var modified: Bool
    }

    private static func classicMagic(_ value: UInt32) -> ClassicMagic? {
        switch value {
        case 0xA1B2_C3D4: ClassicMagic(littleEndian: true, nanoseconds: false, modified: false)
        case 0xD4C3_B2A1: ClassicMagic(littleEndian: false, nanoseconds: false, modified: false)
        case 0xA1B2_3C4D: ClassicMagic(littleEndian: true, nanoseconds: true, modified: false)
        case 0x4D3C_B2A1: ClassicMagic(littleEndian: false, nanoseconds: true, modified: false)
        // Alexey Kuznetzov's patched libpcap: 8 more bytes per record (ifindex, protocol, type).
        case 0xA1B2_CD34: ClassicMagic(littleEndian: true, nanoseconds: false, modified: true)
        case 0x34CD_B2A1: ClassicMagic(littleEndian: false, nanoseconds: false, modified: true)
        default: nil
        }
    }

    private func readClassicHeader(_ magic: ClassicMagic) throws(CaptureFileError) {
        littleEndian = magic.littleEndian
        classicNanoseconds = magic.nanoseconds
        classicHeaderLength = magic.modified ? 24 : 16
        guard try fill(minimum: 24) else {
            throw CaptureFileError(.truncated, "the file ends inside its 24-byte pcap header")
        }
        var fields = FileFieldReader(take(24), littleEndian: littleEndian)
        do throws(ParseError) {
            try fields.skip(4)
            let major = try fields.readUInt16()
            _ = try fields.readUInt16()  // minor: 4, or 2 in very old files
            try fields.skip(8)  // thiszone, sigfigs: unused by every writer
            let snapLength = Int(try fields.readUInt32())
            // The upper bits carry the FCS length (draft-ietf-opsawg-pcap §4); the type is below.
            let linkType = Int(try fields.readUInt32() & 0xFFFF)
            guard major == 2 else {
                throw ParseError(.unsupported, "pcap version \(major) (only version 2 exists)")
            }
            interfaces = [
                CaptureInterface(
                    linkTypeNumber: linkType, snapLength: snapLength,
                    unitsPerSecond: magic.nanoseconds ? 1_000_000_000 : 1_000_000)
            ]
            linkTypeNumbers = [linkType]
        } catch {
            throw CaptureFileError(.malformed, error.reason)
        }
        guard interfaces.first?.linkType != nil else {
            let number = interfaces.first?.linkTypeNumber ?? 0
            throw CaptureFileError(
                .unsupportedLinkType,
                "link type \(number) (\(LinkType.pcapName(of: number))), which tlstop does not read; "
                    + "supported: \(LinkType.supportedDescription)")
        }
    }

    private func nextClassicRecord() throws(CaptureFileError) -> CapturedFrame? {
        guard try fill(minimum: classicHeaderLength) else {
            try requireCleanEnd(inside: "a record header")
            return nil
        }
        var fields = FileFieldReader(take(classicHeaderLength), littleEndian: littleEndian)
        let seconds: UInt32
        let fraction: UInt32
        let captured: Int
        let original: Int
        do throws(ParseError) {
            seconds = try fields.readUInt32()
            fraction = try fields.readUInt32()
            captured = Int(try fields.readUInt32())
            original = Int(try fields.readUInt32())
        } catch {
            throw CaptureFileError(.malformed, error.reason)
        }
        let interface = interfaces[0]
        let limit = max(262_144, min(interface.snapLength, Self.maximumBlockLength))
        guard captured <= limit else {
            throw CaptureFileError(
                .malformed, "a record at byte \(offset - classicHeaderLength) claims \(captured) captured bytes")
        }
        guard try fill(minimum: captured) else {
            throw CaptureFileError(
                .truncated,
                "the last record claims \(captured) captured bytes, only \(available) are left (at byte \(offset))")
        }
        let nanoseconds = classicNanoseconds ? Int64(fraction) : Int64(fraction) * 1000
        let timestamp = Timestamp(seconds: Int64(seconds), nanoseconds: nanoseconds)
        lastTimestamp = timestamp
        // linkType was checked when the header was read.
        return CapturedFrame(
            bytes: take(captured), wireLength: max(original, captured), timestamp: timestamp,
            linkType: interface.linkType ?? .ethernet, linkTypeNumber: interface.linkTypeNumber)
    }

    // MARK: pcapng

    /// Reads the first Section Header Block and the blocks after it up to the first packet, so a
    /// file whose every interface is of an unknown link type fails when it is opened.
    private func readSectionPreamble() throws(CaptureFileError) {
        while let block = try nextBlock() {
            if PcapngBlockType.carriesPacket(block.type) {
                pendingPacketBlock = block
                break
            }
            try process(block)
        }
        if !interfaces.isEmpty, interfaces.allSatisfy({ $0.linkType == nil }) {
            let names = interfaces.map { "\($0.linkTypeNumber) (\(LinkType.pcapName(of: $0.linkTypeNumber)))" }
            throw CaptureFileError(
                .unsupportedLinkType,
                "link type \(names.joined(separator: ", ")), which tlstop does not read; "
                    + "supported: \(LinkType.supportedDescription)")
        }
    }

    /// A packet block read while opening, handed out by the first `next()`.
    private var pendingPacketBlock: PcapngBlock?

    private func nextPcapngPacket() throws(CaptureFileError) -> CapturedFrame? {
        while true {
            let block: PcapngBlock
            if let pending = pendingPacketBlock {
                block = pending
                pendingPacketBlock = nil
            } else if let read = try nextBlock() {
                block = read
            } else {
                return nil
            }
            if PcapngBlockType.carriesPacket(block.type) {
                if let frame = try packet(in: block) { return frame }
            } else {
                try process(block)
            }
        }
    }

    /// The next whole block (its body borrowed), or nil at a clean end of the file.
    private func nextBlock() throws(CaptureFileError) -> PcapngBlock? {
        guard try fill(minimum: 12) else {
            try requireCleanEnd(inside: "a block header")
            return nil
        }
        let rawType = storage.loadUnaligned(fromByteOffset: start, as: UInt32.self)
        if rawType.littleEndian == PcapngBlockType.sectionHeader {
            // The byte-order magic decides how this section, and this block's length, are read.
            switch storage.loadUnaligned(fromByteOffset: start + 8, as: UInt32.self).littleEndian {
            case 0x1A2B_3C4D: littleEndian = true
            case 0x4D3C_2B1A: littleEndian = false
            default:
                throw CaptureFileError(.malformed, "a section header at byte \(offset) has no byte-order magic")
            }
        }
        var header = FileFieldReader(
            UnsafeRawBufferPointer(rebasing: storage[start..<(start + 8)]), littleEndian: littleEndian)
        let type: UInt32
        let length: Int
        do throws(ParseError) {
            type = try header.readUInt32()
            length = Int(try header.readUInt32())
        } catch {
            throw CaptureFileError(.malformed, error.reason)
        }
        guard length >= 12, length % 4 == 0, length <= Self.maximumBlockLength else {
            throw CaptureFileError(
                .malformed, "a block at byte \(offset) has a length of \(length) bytes")
        }
        guard try fill(minimum: length) else {
            throw CaptureFileError(
                .truncated, "the file ends inside a block of \(length) bytes (\(available) left, at byte \(offset))")
        }
        let bytes = take(length)
        var trailer = FileFieldReader(
            UnsafeRawBufferPointer(rebasing: bytes[(length - 4)...]), littleEndian: littleEndian)
        guard (try? trailer.readUInt32()).map({ Int($0) }) == length else {
            throw CaptureFileError(
                .malformed, "a block at byte \(offset - length) ends with a length other than its own")
        }
        return PcapngBlock(type: type, body: UnsafeRawBufferPointer(rebasing: bytes[8..<(length - 4)]))
    }

    private func process(_ block: PcapngBlock) throws(CaptureFileError) {
        var body = FileFieldReader(block.body, littleEndian: littleEndian)
        var described: CaptureInterface?
        do throws(ParseError) {
            switch block.type {
            case PcapngBlockType.sectionHeader:
                try body.skip(4)  // byte-order magic, already read
                let major = try body.readUInt16()
                guard major == 1 else {
                    throw ParseError(.unsupported, "pcapng version \(major) (this reader knows version 1)")
                }
                interfaces.removeAll(keepingCapacity: true)
            case PcapngBlockType.interfaceDescription:
                described = try PcapngBlock.interface(from: &body)
            default:
                break  // statistics, name resolution, decryption secrets, custom: nothing to read
            }
        } catch {
            throw CaptureFileError(.malformed, "\(block.name) block at byte \(offset): \(error.reason)")
        }
        if let described { try append(interface: described) }
    }

    private func packet(in block: PcapngBlock) throws(CaptureFileError) -> CapturedFrame? {
        var body = FileFieldReader(block.body, littleEndian: littleEndian)
        let interfaceIndex: Int
        var units: UInt64?
        let captured: Int
        let original: Int
        do throws(ParseError) {
            switch block.type {
            case PcapngBlockType.enhancedPacket:
                interfaceIndex = Int(try body.readUInt32())
                units = UInt64(try body.readUInt32()) << 32 | UInt64(try body.readUInt32())
                captured = Int(try body.readUInt32())
                original = Int(try body.readUInt32())
            case PcapngBlockType.obsoletePacket:
                interfaceIndex = Int(try body.readUInt16())
                try body.skip(2)  // drops count
                units = UInt64(try body.readUInt32()) << 32 | UInt64(try body.readUInt32())
                captured = Int(try body.readUInt32())
                original = Int(try body.readUInt32())
            default:  // Simple Packet Block: interface 0, no timestamp, captured = what fits
                interfaceIndex = 0
                original = Int(try body.readUInt32())
                let snap = interfaces.first.map { $0.snapLength } ?? 0
                captured = min(original, body.remaining, snap > 0 ? snap : .max)
            }
        } catch {
            throw CaptureFileError(.malformed, "\(block.name) block at byte \(offset): \(error.reason)")
        }
        let interface = try self.interface(interfaceIndex, for: "a packet")
        guard captured <= body.remaining else {
            throw CaptureFileError(
                .malformed,
                "\(block.name) block at byte \(offset) claims \(captured) captured bytes in \(body.remaining)")
        }
        let timestamp = units.map { interface.timestamp(units: $0) } ?? lastTimestamp
        lastTimestamp = timestamp
        guard let linkType = interface.linkType else {
            unsupportedFrames += 1
            return nil
        }
        return CapturedFrame(
            bytes: UnsafeRawBufferPointer(rebasing: body.unreadBytes.prefix(captured)),
            wireLength: max(original, captured), timestamp: timestamp, linkType: linkType,
            linkTypeNumber: interface.linkTypeNumber)
    }
}
