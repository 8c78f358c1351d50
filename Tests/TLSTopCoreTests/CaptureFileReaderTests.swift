import Foundation
import TestSupport
import Testing

@testable import TLSTopCore

/// Builds pcapng blocks in either byte order, for the block types and options real files carry.
struct PcapngWriter {
    var littleEndian: Bool
    var bytes: [UInt8] = []

    func u16(_ value: UInt16) -> [UInt8] {
        littleEndian ? [UInt8(value & 0xFF), UInt8(value >> 8)] : [UInt8(value >> 8), UInt8(value & 0xFF)]
    }
    func u32(_ value: UInt32) -> [UInt8] {
        let big = [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
        return littleEndian ? big.reversed() : big
    }
    func u64(_ value: UInt64) -> [UInt8] {
        let (high, low) = (u32(UInt32(value >> 32)), u32(UInt32(value & 0xFFFF_FFFF)))
        return littleEndian ? low + high : high + low
    }
    static func padded(_ data: [UInt8]) -> [UInt8] { data + [UInt8](repeating: 0, count: (4 - data.count % 4) % 4) }

    func option(_ code: UInt16, _ value: [UInt8]) -> [UInt8] {
        u16(code) + u16(UInt16(value.count)) + Self.padded(value)
    }

    mutating func block(_ type: UInt32, _ body: [UInt8]) {
        let length = UInt32(12 + body.count)
        bytes += u32(type) + u32(length) + body + u32(length)
    }

    mutating func section() {
        block(0x0A0D_0D0A, u32(0x1A2B_3C4D) + u16(1) + u16(0) + [UInt8](repeating: 0xFF, count: 8))
    }

    mutating func interface(linkType: UInt16, snapLength: UInt32 = 262_144, options: [UInt8] = []) {
        let end = options.isEmpty ? [] : option(0, [])
        block(1, u16(linkType) + u16(0) + u32(snapLength) + options + end)
    }

    mutating func enhancedPacket(interface: UInt32, units: UInt64, _ frame: [UInt8], wireLength: Int? = nil) {
        block(
            6,
            u32(interface) + u32(UInt32(units >> 32)) + u32(UInt32(units & 0xFFFF_FFFF)) + u32(UInt32(frame.count))
                + u32(UInt32(wireLength ?? frame.count)) + Self.padded(frame) + option(2, u32(1)) + option(0, []))
    }
}

@Suite struct CaptureFileReaderTests {
    static func frames(of bytes: [UInt8], chunk: Int = .max) throws(CaptureFileError) -> (
        [(bytes: [UInt8], time: Timestamp, wire: Int, link: LinkType)], CaptureFileReader
    ) {
        let reader = try CaptureFileReader(source: MemoryByteSource(bytes, chunk: chunk))
        var result: [(bytes: [UInt8], time: Timestamp, wire: Int, link: LinkType)] = []
        while let frame = try reader.next() {
            result.append((Array(frame.bytes), frame.timestamp, frame.wireLength, frame.linkType))
        }
        return (result, reader)
    }

    static func fixtureBytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: Fixtures.pcap(name))) }

    @Test(arguments: Fixtures.allPcapNames)
    func everyClassicFixtureReadsAsTheTestReaderReadsIt(name: String) throws {
        let bytes = try Self.fixtureBytes(name)
        let expected = try PcapFixture(bytes: bytes)
        let (frames, reader) = try Self.frames(of: bytes)
        #expect(reader.format == .pcap)
        #expect(frames.count == expected.frames.count)
        #expect(frames.map(\.bytes) == expected.frames.map(\.bytes))
        #expect(frames.map(\.time) == expected.frames.map(\.timestamp))
        #expect(frames.map(\.wire) == expected.frames.map(\.wireLength))
        #expect(!frames.isEmpty && frames.allSatisfy { $0.link == expected.linkType })
    }

    @Test func byteByByteAndOddChunksGiveTheSameFrames() throws {
        let bytes = try Self.fixtureBytes("tls13-x25519.pcap")
        let whole = try Self.frames(of: bytes).0.map(\.bytes)
        #expect(whole.count > 10)
        for chunk in [1, 3, 7, 4096] {
            #expect(try Self.frames(of: bytes, chunk: chunk).0.map(\.bytes) == whole, "chunk \(chunk)")
        }
        let pcapng = try Self.fixtureBytes("tls12-ecdhe-rsa.pcapng")
        let ngWhole = try Self.frames(of: pcapng).0.map(\.bytes)
        #expect(try Self.frames(of: pcapng, chunk: 1).0.map(\.bytes) == ngWhole)
    }

    @Test func theCommittedPcapngHoldsTheSamePacketsAsItsSource() throws {
        let (ng, reader) = try Self.frames(of: try Self.fixtureBytes("tls12-ecdhe-rsa.pcapng"))
        let (classic, _) = try Self.frames(of: try Self.fixtureBytes("tls12-ecdhe-rsa.pcap"))
        #expect(reader.format == .pcapng)
        #expect(ng.map(\.bytes) == classic.map(\.bytes))
        #expect(ng.map(\.time) == classic.map(\.time))
    }

    /// Every prefix of a file: the frames before the cut, then a clean end (the cut fell between
    /// records) or a `truncated` error; never a trap, never a frame that was not in the file.
    @Test(arguments: ["tls13-x25519.pcap", "tls12-ecdhe-rsa.pcapng"])
    func everyPrefixReadsAsFarAsItGoes(name: String) throws {
        let bytes = try Self.fixtureBytes(name)
        let all = try Self.frames(of: bytes).0.map(\.bytes)
        var truncations = 0
        var cleanEnds = 0
        for length in 0..<bytes.count {
            var seen: [[UInt8]] = []
            do throws(CaptureFileError) {
                let reader = try CaptureFileReader(source: MemoryByteSource(Array(bytes.prefix(length))))
                while let frame = try reader.next() { seen.append(Array(frame.bytes)) }
                cleanEnds += 1
            } catch {
                #expect([.truncated, .notACaptureFile].contains(error.kind), "\(name) cut at \(length): \(error)")
                truncations += 1
            }
            #expect(seen == Array(all.prefix(seen.count)), "\(name) cut at \(length)")
        }
        #expect(truncations > bytes.count / 2)
        #expect(cleanEnds >= all.count)
    }

    /// Classic pcap written big-endian with nanosecond timestamps: what a SPARC or `tcpdump
    /// --time-stamp-precision=nano` leaves.
    @Test func byteSwappedNanosecondPcapReads() throws {
        let original = try PcapFixture(bytes: try Self.fixtureBytes("tls13-x25519.pcap"))
        func be32(_ value: UInt32) -> [UInt8] {
            [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
        }
        var file = be32(0xA1B2_3C4D) + [0, 2, 0, 4] + be32(0) + be32(0) + be32(65535) + be32(1)
        for frame in original.frames {
            let (seconds, nanos) = frame.timestamp.nanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
            file += be32(UInt32(seconds)) + be32(UInt32(nanos)) + be32(UInt32(frame.bytes.count))
            file += be32(UInt32(frame.wireLength)) + frame.bytes
        }
        let (frames, _) = try Self.frames(of: file)
        #expect(frames.map(\.bytes) == original.frames.map(\.bytes))
        #expect(frames.map(\.time) == original.frames.map(\.timestamp))
    }

    /// Big-endian, two sections, interfaces of different link types and resolutions, every
    /// packet block type, and blocks a reader must skip.
    @Test(arguments: [true, false])
    func pcapngSectionsInterfacesAndBlockTypes(littleEndian: Bool) throws {
        let frames = try PcapFixture(bytes: try Self.fixtureBytes("tls13-x25519.pcap")).frames.map(\.bytes)
        var writer = PcapngWriter(littleEndian: littleEndian)
        writer.section()
        // Interface 0: Ethernet, nanoseconds (if_tsresol 9), named.
        writer.interface(linkType: 1, options: writer.option(2, Array("lo".utf8)) + writer.option(9, [9]))
        // Interface 1: a link type tlstop does not read (802.11 radiotap): its packets are skipped.
        writer.interface(linkType: 127)
        // Interface 2: Ethernet, 2^-10 s units, 100 s offset.
        writer.interface(
            linkType: 1, options: writer.option(9, [0x8A]) + writer.option(14, writer.u64(100)))
        writer.block(4, writer.u16(0) + writer.u16(0))  // name resolution: only the end record
        writer.enhancedPacket(interface: 0, units: 1_700_000_000_123_456_789, frames[0])
        writer.enhancedPacket(interface: 1, units: 5, [1, 2, 3])
        writer.block(0x0000_0BAD, writer.u32(32473) + [1, 2, 3, 4])  // custom block
        writer.enhancedPacket(interface: 2, units: 1024 * 5 + 512, frames[1])
        writer.block(3, writer.u32(UInt32(frames[2].count)) + PcapngWriter.padded(frames[2]))  // simple packet
        // Obsolete Packet Block (type 2): 16-bit interface id and drops count.
        writer.block(
            2,
            writer.u16(0) + writer.u16(0) + writer.u32(0) + writer.u32(7) + writer.u32(UInt32(frames[3].count))
                + writer.u32(UInt32(frames[3].count)) + PcapngWriter.padded(frames[3]))
        writer.block(5, writer.u32(0) + writer.u32(0) + writer.u32(0))  // interface statistics
        writer.block(0x0A, writer.u32(0x544C_534B) + writer.u32(0))  // decryption secrets, empty
        // A second section in the other byte order: interface numbers start again at 0.
        var second = PcapngWriter(littleEndian: !littleEndian)
        second.section()
        second.interface(linkType: 101)  // raw IP
        let ipPacket = Array(frames[4].dropFirst(14))
        second.enhancedPacket(interface: 0, units: 1_000_000, ipPacket)
        let (read, reader) = try Self.frames(of: writer.bytes + second.bytes)
        #expect(reader.format == .pcapng)
        #expect(read.map(\.bytes) == [frames[0], frames[1], frames[2], frames[3], ipPacket])
        #expect(read.map(\.link) == [.ethernet, .ethernet, .ethernet, .ethernet, .raw])
        #expect(read[0].time == Timestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789))
        #expect(read[1].time == Timestamp(seconds: 105, nanoseconds: 500_000_000))
        #expect(read[2].time == read[1].time, "a simple packet block has no timestamp: the previous one")
        #expect(read[3].time == Timestamp(nanoseconds: 7), "interface 0 counts nanoseconds")
        #expect(read[4].time == Timestamp(seconds: 1, nanoseconds: 0))
        #expect(reader.unsupportedFrames == 1)
        #expect(reader.linkTypeNumbers == [1, 127, 101])
    }

    @Test func damageIsReportedWithItsKind() throws {
        func kind(_ bytes: [UInt8]) -> CaptureFileError.Kind? {
            do throws(CaptureFileError) {
                let reader = try CaptureFileReader(source: MemoryByteSource(bytes))
                while try reader.next() != nil {}
                return nil
            } catch {
                return error.kind
            }
        }
        var writer = PcapngWriter(littleEndian: true)
        writer.section()
        var missing = writer
        missing.enhancedPacket(interface: 3, units: 0, [0])
        #expect(kind(missing.bytes) == .malformed, "a packet on an interface never described")
        var onlyUnknown = writer
        onlyUnknown.interface(linkType: 127)
        onlyUnknown.enhancedPacket(interface: 0, units: 0, [0])
        #expect(kind(onlyUnknown.bytes) == .unsupportedLinkType)
        var badTrailer = writer
        badTrailer.interface(linkType: 1)
        badTrailer.bytes[badTrailer.bytes.count - 1] ^= 0x40
        #expect(kind(badTrailer.bytes) == .malformed)
        var oddLength = writer.bytes
        oddLength += [1, 0, 0, 0, 13, 0, 0, 0, 1, 0, 0, 0, 0, 13, 0, 0, 0]
        #expect(kind(oddLength) == .malformed)
        var huge = writer.bytes
        huge += [6, 0, 0, 0, 0, 0, 0, 0x7F, 0, 0, 0, 0]
        #expect(kind(huge) == .malformed)
        var overclaim = writer
        overclaim.interface(linkType: 1)
        overclaim.enhancedPacket(interface: 0, units: 0, [1, 2, 3, 4])
        // Claim 200 captured bytes in a block that holds 4.
        let claim = overclaim.bytes.count - 28  // trailer, two options, data, original length
        overclaim.bytes.replaceSubrange(claim..<(claim + 4), with: [200, 0, 0, 0])
        #expect(kind(overclaim.bytes) == .malformed)
        #expect(kind([0x1F, 0x8B, 8, 0, 0, 0]) == .notACaptureFile)
        #expect(kind(Array("<!DOCTYPE html>".utf8)) == .notACaptureFile)
        #expect(kind([]) == .notACaptureFile)
        var unknownClassic = try Self.fixtureBytes("tls13-x25519.pcap")
        unknownClassic[20] = 127
        #expect(kind(unknownClassic) == .unsupportedLinkType)
    }

    @Test func timestampUnitsNeverOverflow() {
        let extremes: [(UInt64, Int64)] = [(1 << 63, 0), (.max, 0), (.max, .max), (.max, .min)]
        for (units, offset) in extremes {
            for perSecond: UInt64 in [1, 1_000_000, 1_000_000_000, 1 << 63, 10_000_000_000_000_000_000] {
                let interface = CaptureInterface(
                    linkTypeNumber: 1, snapLength: 0, unitsPerSecond: perSecond, offsetSeconds: offset)
                let time = interface.timestamp(units: units)
                #expect(abs(time.nanoseconds / 1_000_000_000) <= 9_223_372_036)
            }
        }
        let micro = CaptureInterface(linkTypeNumber: 1, snapLength: 0)
        #expect(micro.timestamp(units: 1_500_000) == Timestamp(seconds: 1, nanoseconds: 500_000_000))
    }
}
