import Foundation
public import TLSTopCore

/// Locates committed fixtures relative to this source file, so tests run from any directory.
public enum Fixtures {
    public static let testsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
    public static let directory = testsDirectory.appendingPathComponent("Fixtures")
    public static let pcaps = directory.appendingPathComponent("pcaps")
    public static let golden = directory.appendingPathComponent("golden")

    public static func pcap(_ name: String) -> URL { pcaps.appendingPathComponent(name) }

    /// Every classic-pcap fixture (the derived link-type variants included).
    public static var allPcapNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: pcaps.path)) ?? []
        return names.filter { $0.hasSuffix(".pcap") }.sorted()
    }

    /// Every uncompressed capture, pcap and pcapng (compressed ones need zlib: capture tests).
    public static var allCaptureNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: pcaps.path)) ?? []
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
    }
}

/// A minimal reader for classic pcap files, so core tests need no libpcap.
public struct PcapFixture {
    public struct Frame {
        public var timestamp: Timestamp
        public var bytes: [UInt8]
        public var wireLength: Int
        /// Its interface's link layer (pcapng files may mix them).
        public var linkType: LinkType? = nil
    }

    public var linkType: LinkType
    public var frames: [Frame]

    public enum Failure: Error {
        case notPcap
        case unsupportedLinkType(UInt32)
        case truncated
    }

    public init(contentsOf url: URL) throws {
        try self.init(bytes: Array(try Data(contentsOf: url)))
    }

    public init(bytes data: [UInt8]) throws {
        if data.starts(with: [0x0A, 0x0D, 0x0D, 0x0A]) {
            // pcapng through the core's reader (classic pcap below keeps an independent parser,
            // which CaptureFileReaderTests compares the core's against).
            let reader = try CaptureFileReader(source: MemoryByteSource(data))
            var frames: [Frame] = []
            while let frame = try reader.next() {
                frames.append(
                    Frame(
                        timestamp: frame.timestamp, bytes: Array(frame.bytes), wireLength: frame.wireLength,
                        linkType: frame.linkType))
            }
            self.linkType = frames.first?.linkType ?? .ethernet
            self.frames = frames
            return
        }
        guard data.count >= 24 else { throw Failure.notPcap }
        func u32(_ at: Int, _ swapped: Bool) -> UInt32 {
            let value =
                UInt32(data[at]) | UInt32(data[at + 1]) << 8 | UInt32(data[at + 2]) << 16
                | UInt32(data[at + 3]) << 24
            return swapped ? value.byteSwapped : value
        }
        let magic = u32(0, false)
        let swapped: Bool
        let nanos: Bool
        switch magic {
        case 0xA1B2_C3D4: (swapped, nanos) = (false, false)
        case 0xA1B2_3C4D: (swapped, nanos) = (false, true)
        case 0xD4C3_B2A1: (swapped, nanos) = (true, false)
        case 0x4D3C_B2A1: (swapped, nanos) = (true, true)
        default: throw Failure.notPcap
        }
        let network = u32(20, swapped)
        guard let linkType = LinkType(linkTypeNumber: Int(network & 0x0FFF_FFFF)) else {
            throw Failure.unsupportedLinkType(network)
        }
        self.linkType = linkType
        var frames: [Frame] = []
        var offset = 24
        while offset + 16 <= data.count {
            let seconds = Int64(u32(offset, swapped))
            let fraction = Int64(u32(offset + 4, swapped))
            let captured = Int(u32(offset + 8, swapped))
            let original = Int(u32(offset + 12, swapped))
            offset += 16
            guard offset + captured <= data.count else { throw Failure.truncated }
            frames.append(
                Frame(
                    timestamp: Timestamp(seconds: seconds, nanoseconds: nanos ? fraction : fraction * 1000),
                    bytes: Array(data[offset..<(offset + captured)]), wireLength: original))
            offset += captured
        }
        self.frames = frames
    }

    /// Runs every frame through a fresh analysis.
    public func track(configuration: TrafficAnalysis.Configuration = .init()) -> TrafficAnalysis {
        let tracker = TrafficAnalysis(configuration: configuration)
        feed(into: tracker)
        return tracker
    }

    /// Runs every frame through `analysis`, in capture order.
    public func feed(into analysis: TrafficAnalysis) {
        for frame in frames {
            frame.bytes.withUnsafeBytes {
                analysis.ingest(
                    frame: $0, linkType: frame.linkType ?? linkType, wireLength: frame.wireLength,
                    timestamp: frame.timestamp)
            }
        }
    }

    /// Runs every frame through a fresh analysis judging by `policy`.
    public func track(policy: Policy) -> TrafficAnalysis {
        var configuration = TrafficAnalysis.Configuration()
        configuration.aggregation.policy = policy
        return track(configuration: configuration)
    }

    /// The TCP payloads in capture order, with their direction relative to the first SYN's sender.
    public func tcpPayloads() throws -> [(fromClient: Bool, packet: DecodedPacket, bytes: [UInt8])] {
        var result: [(Bool, DecodedPacket, [UInt8])] = []
        var client: (IPAddress, UInt16)?
        for frame in frames {
            try frame.bytes.withUnsafeBytes { raw in
                guard case .success(let packet) = try PacketDecoder.decode(raw, linkType: frame.linkType ?? linkType),
                    packet.transport == .tcp
                else { return }
                if client == nil { client = (packet.source, packet.sourcePort) }
                let fromClient = client.map { $0.0 == packet.source && $0.1 == packet.sourcePort } ?? true
                var copy = packet
                let bytes = Array(packet.payload)
                copy.payload = UnsafeRawBufferPointer(start: nil, count: 0)
                result.append((fromClient, copy, bytes))
            }
        }
        return result
    }
}
