import CPcap
import Glibc
import TLSTopCore

/// Reads a capture file (pcap, pcapng, either gzip-compressed, told apart by their first bytes)
/// with the core's pure-Swift reader and hands every frame to a `FlowTracker`. libpcap is used
/// only to compile and run a BPF filter, one program per link type the file holds.
public final class PcapFileReader {
    public let path: String
    public let filter: String?
    private let reader: CaptureFileReader
    private var filters: [Int: CompiledFilter] = [:]
    /// Pace packets by their capture timestamps (`--realtime`), so a recorded incident plays back
    /// at the speed it happened.
    public var realtime = false
    private var pacing: (firstPacket: Int64, start: ContinuousClock.Instant)?
    /// Frames read from the file, before the filter (for "damaged after N packets").
    private(set) var framesRead = 0
    /// How far the file has been read, for the dashboard's header and the batch progress line.
    public let progress: ReadProgress
    /// A regular, uncompressed file: other readers can open it and read it cheaply at the same time
    /// (a sharded read), where a pipe can be read once and a gzip file would be inflated again.
    public let canBeReadAgain: Bool

    /// Opens the file and checks the optional BPF filter against its first link type.
    public init(path: String, filter: String? = nil) throws(CaptureError) {
        let file = try FileByteSource(path: path)
        progress = file.progress
        do throws(CaptureFileError) {
            let isGzip = try file.peek(2) == [0x1F, 0x8B]
            canBeReadAgain = !isGzip && file.isRegular
            reader = try CaptureFileReader(source: isGzip ? try GzipByteSource(input: file) : file)
        } catch {
            throw CaptureError("cannot read capture file '\(path)': \(error.reason)")
        }
        self.path = path
        self.filter = filter
        if filter != nil {
            for number in reader.linkTypeNumbers { _ = try compiledFilter(for: number) }
        }
    }

    /// The link type of the file's first interface.
    public var linkType: LinkType { reader.interfaces.first?.linkType ?? .ethernet }

    /// libpcap's names of every link type seen so far, e.g. `EN10MB` or `EN10MB,LINUX_SLL2`.
    public var linkTypeName: String {
        reader.linkTypeNumbers.map { LinkType.pcapName(of: $0) }.joined(separator: ",")
    }

    /// Frames skipped because their interface's link layer is not one tlstop decodes.
    public var unsupportedFrames: Int { reader.unsupportedFrames }

    static func apply(filter: String, to handle: OpaquePointer) throws(CaptureError) {
        var program = bpf_program()
        guard pcap_compile(handle, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw CaptureError("invalid capture filter '\(filter)': \(String(cString: pcap_geterr(handle)))")
        }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(handle, &program) == 0 else {
            throw CaptureError("cannot apply capture filter '\(filter)': \(String(cString: pcap_geterr(handle)))")
        }
    }

    private func compiledFilter(for linkTypeNumber: Int) throws(CaptureError) -> CompiledFilter? {
        guard let filter else { return nil }
        if let compiled = filters[linkTypeNumber] { return compiled }
        let compiled = try CompiledFilter(filter, linkTypeNumber: linkTypeNumber)
        filters[linkTypeNumber] = compiled
        return compiled
    }

    /// Reads the whole file (or `limit` packets) into the analysis's tracker.
    public func read(into analysis: TrafficAnalysis, limit: Int = 0) throws(CaptureError) {
        try read(into: analysis.tracker, limit: limit)
    }

    /// Reads frames until the end of the file (or `limit` frames). A damaged or truncated file is
    /// read as far as possible, then reported as an error that says where it stopped.
    public func read(into tracker: FlowTracker, limit: Int = 0) throws(CaptureError) {
        var delivered = 0
        while limit <= 0 || delivered < limit {
            guard let frame = try nextFrame() else { return }
            guard try passes(frame) else { continue }
            tracker.ingest(
                frame: frame.bytes, linkType: frame.linkType, wireLength: frame.wireLength,
                timestamp: frame.timestamp, frameNumber: framesRead)
            delivered += 1
        }
    }

    func nextFrame() throws(CaptureError) -> CapturedFrame? {
        do throws(CaptureFileError) {
            let frame = try reader.next()
            if frame != nil {
                framesRead += 1
                progress.set(frames: framesRead)
            }
            return frame
        } catch {
            throw CaptureError("capture file '\(path)' is damaged after \(framesRead) packets: \(error.reason)")
        }
    }

    func passes(_ frame: CapturedFrame) throws(CaptureError) -> Bool {
        guard let compiled = try compiledFilter(for: frame.linkTypeNumber) else { return true }
        return compiled.matches(frame)
    }

    /// Reads one packet, or nil at the end; throws on a damaged file.
    private func next(into tracker: FlowTracker, waitingUpTo milliseconds: Int32) throws(CaptureError) -> Bool? {
        guard let frame = try nextFrame() else { return nil }
        guard try passes(frame) else { return true }
        let time = frame.timestamp
        if realtime {
            let clock = ContinuousClock()
            let origin = pacing ?? (time.nanoseconds, clock.now)
            pacing = origin
            let due = origin.start.advanced(by: .nanoseconds(time.nanoseconds - origin.firstPacket))
            // Long gaps in a capture are compressed to the wait budget so stop requests are seen.
            if due > clock.now {
                clock.sleepWithoutAsync(until: min(due, clock.now.advanced(by: .milliseconds(Int64(milliseconds)))))
            }
        }
        tracker.ingest(
            frame: frame.bytes, linkType: frame.linkType, wireLength: frame.wireLength, timestamp: time,
            frameNumber: framesRead)
        return true
    }
}

/// A BPF program compiled for one link type, run on frames read from a file.
final class CompiledFilter {
    private var program = bpf_program()

    init(_ filter: String, linkTypeNumber: Int) throws(CaptureError) {
        // pcap_open_dead takes a DLT_ value; LINKTYPE_RAW (101) is DLT_RAW (12) on Linux.
        let dlt = linkTypeNumber == 101 ? Int32(DLT_RAW) : Int32(clamping: linkTypeNumber)
        guard let handle = pcap_open_dead(dlt, 262_144) else {
            throw CaptureError("cannot compile capture filter '\(filter)': libpcap has no memory")
        }
        defer { pcap_close(handle) }
        guard pcap_compile(handle, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw CaptureError("invalid capture filter '\(filter)': \(String(cString: pcap_geterr(handle)))")
        }
    }

    deinit { pcap_freecode(&program) }

    func matches(_ frame: CapturedFrame) -> Bool {
        var header = pcap_pkthdr()
        header.caplen = UInt32(clamping: frame.bytes.count)
        header.len = UInt32(clamping: frame.wireLength)
        guard let base = frame.bytes.baseAddress else { return false }
        return pcap_offline_filter(&program, &header, base.assumingMemoryBound(to: UInt8.self)) != 0
    }
}

extension PcapFileReader: PacketSource {
    /// Reads up to a few thousand packets (or, paced, what is due), so the session can publish
    /// and notice stop requests in between.
    public func pump(into tracker: FlowTracker, waitingUpTo milliseconds: Int32) throws(CaptureError) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(Int64(milliseconds)))
        for _ in 0..<4096 {
            guard try next(into: tracker, waitingUpTo: milliseconds) != nil else { return false }
            if realtime, clock.now >= deadline { break }
        }
        return true
    }

    public func kernelStatistics() -> (received: Int, dropped: Int, interfaceDropped: Int)? { nil }

    public var readProgress: ReadProgress? { progress }

    public var snapshotSource: Snapshot.Source {
        Snapshot.Source(kind: "file", name: path, linkType: linkTypeName, filter: filter)
    }
}

extension ContinuousClock {
    /// Sleeps the calling (capture) thread; the session runs on a plain thread, not a task.
    func sleepWithoutAsync(until deadline: Instant) {
        let remaining = now.duration(to: deadline)
        guard remaining > .zero else { return }
        let (seconds, attoseconds) = remaining.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var left = timespec()
        while nanosleep(&request, &left) != 0 && errno == EINTR { request = left }
    }
}
