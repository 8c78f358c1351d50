import CPcap
import Glibc
import TLSTopCore

/// Reads a pcap or pcapng file through libpcap and hands every frame to a `FlowTracker`.
public final class PcapFileReader {
    public let path: String
    public let linkType: LinkType
    public let linkTypeName: String
    public let filter: String?
    private let handle: OpaquePointer
    /// Pace packets by their capture timestamps (`--realtime`), so a recorded incident plays back
    /// at the speed it happened.
    public var realtime = false
    private var pacing: (firstPacket: Int64, start: ContinuousClock.Instant)?

    /// Opens the file and applies an optional BPF filter.
    public init(path: String, filter: String? = nil) throws(CaptureError) {
        var errorBuffer = [CChar](repeating: 0, count: Int(tlstop_pcap_errbuf_size()))
        guard
            let handle = pcap_open_offline_with_tstamp_precision(
                path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer)
        else {
            let reason = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw CaptureError("cannot read capture file '\(path)': \(reason)")
        }
        // Validate everything before `self` owns the handle, so exactly one place closes it.
        let number = Int(pcap_datalink(handle))
        let name = pcap_datalink_val_to_name(Int32(number)).map { String(cString: $0) } ?? "unknown"
        guard let linkType = LinkType(linkTypeNumber: number) else {
            pcap_close(handle)
            throw CaptureError(
                "capture file '\(path)' has link type \(number) (\(name)), which tlstop does not read; "
                    + "supported: \(LinkType.supportedDescription)")
        }
        if let filter {
            do throws(CaptureError) {
                try Self.apply(filter: filter, to: handle)
            } catch {
                pcap_close(handle)
                throw error
            }
        }
        self.path = path
        self.filter = filter
        self.handle = handle
        self.linkType = linkType
        self.linkTypeName = name
    }

    deinit { pcap_close(handle) }

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

    /// Context handed through libpcap's `user` pointer to the C callback.
    private final class LoopContext {
        let tracker: FlowTracker
        let linkType: LinkType
        init(tracker: FlowTracker, linkType: LinkType) {
            self.tracker = tracker
            self.linkType = linkType
        }
    }

    /// Reads frames until the end of the file (or `limit` frames). A damaged or truncated file is
    /// read as far as possible, then reported as an error that says where it stopped.
    /// Reads the whole file (or `limit` packets) into the analysis's tracker.
    public func read(into analysis: TrafficAnalysis, limit: Int = 0) throws(CaptureError) {
        try read(into: analysis.tracker, limit: limit)
    }

    public func read(into tracker: FlowTracker, limit: Int = 0) throws(CaptureError) {
        let context = LoopContext(tracker: tracker, linkType: linkType)
        let result = withExtendedLifetime(context) {
            pcap_loop(
                handle, Int32(clamping: limit),
                { user, header, bytes in
                    guard let user, let header, let bytes else { return }
                    let context = Unmanaged<LoopContext>.fromOpaque(UnsafeRawPointer(user)).takeUnretainedValue()
                    let captured = Int(header.pointee.caplen)
                    let stamp = header.pointee.ts
                    context.tracker.ingest(
                        frame: UnsafeRawBufferPointer(start: bytes, count: captured), linkType: context.linkType,
                        wireLength: Int(header.pointee.len),
                        timestamp: Timestamp(seconds: Int64(stamp.tv_sec), nanoseconds: Int64(stamp.tv_usec)))
                }, Unmanaged.passUnretained(context).toOpaque().assumingMemoryBound(to: UInt8.self))
        }
        if result == -1 {
            let reason = String(cString: pcap_geterr(handle))
            throw CaptureError(
                "capture file '\(path)' is damaged after \(tracker.statistics.packets) packets: \(reason)")
        }
    }

    /// Reads one packet with pcap_next_ex, or nil at the end; throws on a damaged file.
    private func next(into tracker: FlowTracker, waitingUpTo milliseconds: Int32) throws(CaptureError) -> Bool? {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let status = pcap_next_ex(handle, &header, &data)
        if status == PCAP_ERROR_BREAK { return nil }
        if status < 0 {
            throw CaptureError(
                "capture file '\(path)' is damaged after \(tracker.statistics.packets) packets: "
                    + String(cString: pcap_geterr(handle)))
        }
        guard status == 1, let header, let data else { return true }
        let stamp = header.pointee.ts
        let time = Timestamp(seconds: Int64(stamp.tv_sec), nanoseconds: Int64(stamp.tv_usec))
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
            frame: UnsafeRawBufferPointer(start: data, count: Int(header.pointee.caplen)), linkType: linkType,
            wireLength: Int(header.pointee.len), timestamp: time)
        return true
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
