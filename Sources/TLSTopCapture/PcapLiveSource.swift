import CPcap
import Glibc
import TLSTopCore

/// A live capture on one interface: libpcap's memory-mapped TPACKET_V3 ring, non-blocking, woken by
/// `poll` so the capture thread can publish snapshots and notice a stop request even when no packet
/// arrives.
///
/// Not immediate mode: there libpcap falls back to TPACKET_V2, whose ring has one fixed slot of the
/// snapshot length per packet (512 packets in 32 MiB at a 64 KiB snap length), and a burst of small
/// handshake packets overflowed it whenever the capture thread was busy for a few milliseconds. A
/// TPACKET_V3 ring packs packets by their real size (about 150,000 handshake packets in the same
/// 32 MiB); the kernel hands over a block when it is full or `Options.latency` has passed.
public final class PcapLiveSource {
    public struct Options: Sendable {
        public var interface: String
        public var filter: String?
        public var promiscuous = false
        /// Kernel buffer; a burst larger than this is dropped by the kernel (and counted). Packets
        /// take their captured size in it (TPACKET_V3), not a slot of the snapshot length.
        public var bufferMiB = 32
        /// How long the kernel may hold packets before handing a partly filled block over (the
        /// TPACKET_V3 block timeout): the dashboard's delay, well under its refresh.
        public var latencyMilliseconds: Int32 = 50
        /// The largest IPv4/IPv6 packet (and a GRO-merged segment), so no handshake byte is cut.
        public var snapLength = 65_535

        public init(interface: String, filter: String? = nil) {
            self.interface = interface
            self.filter = filter
        }
    }

    public let interface: String
    public let filter: String?
    public let linkType: LinkType
    public let linkTypeName: String
    private let handle: OpaquePointer
    private let descriptor: Int32

    public init(options: Options) throws(CaptureError) {
        var errorBuffer = [CChar](repeating: 0, count: Int(tlstop_pcap_errbuf_size()))
        let name = options.interface
        guard let handle = pcap_create(name, &errorBuffer) else {
            throw CaptureError("cannot open interface '\(name)': \(Self.text(errorBuffer))")
        }
        pcap_set_snaplen(handle, Int32(options.snapLength))
        pcap_set_promisc(handle, options.promiscuous ? 1 : 0)
        pcap_set_timeout(handle, options.latencyMilliseconds)
        pcap_set_buffer_size(handle, Int32(clamping: options.bufferMiB * 1024 * 1024))
        let status = pcap_activate(handle)
        if status < 0 {
            let detail = String(cString: pcap_geterr(handle))
            pcap_close(handle)
            throw Self.activationError(status, interface: name, detail: detail)
        }
        let number = Int(pcap_datalink(handle))
        let typeName = pcap_datalink_val_to_name(Int32(number)).map { String(cString: $0) } ?? "unknown"
        guard let linkType = LinkType(linkTypeNumber: number) else {
            pcap_close(handle)
            throw CaptureError(
                "interface '\(name)' has link type \(number) (\(typeName)), which tlstop does not read; "
                    + "supported: \(LinkType.supportedDescription)")
        }
        if let filter = options.filter {
            do throws(CaptureError) {
                try PcapFileReader.apply(filter: filter, to: handle)
            } catch {
                pcap_close(handle)
                throw error
            }
        }
        guard pcap_setnonblock(handle, 1, &errorBuffer) == 0 else {
            pcap_close(handle)
            throw CaptureError("cannot make the capture on '\(name)' non-blocking: \(Self.text(errorBuffer))")
        }
        let descriptor = pcap_get_selectable_fd(handle)
        guard descriptor >= 0 else {
            pcap_close(handle)
            throw CaptureError("interface '\(name)' cannot be polled")
        }
        self.interface = name
        self.filter = options.filter
        self.linkType = linkType
        self.linkTypeName = typeName
        self.handle = handle
        self.descriptor = descriptor
    }

    deinit { pcap_close(handle) }

    static func activationError(_ status: Int32, interface: String, detail: String) -> CaptureError {
        switch status {
        case PCAP_ERROR_PERM_DENIED:
            return CaptureError(
                "no permission to capture on '\(interface)': run as root, or grant the binary the capabilities "
                    + "once with: setcap cap_net_raw,cap_net_admin+eip $(command -v tlstop)")
        case PCAP_ERROR_NO_SUCH_DEVICE:
            let available = Interfaces.names().joined(separator: ", ")
            return CaptureError(
                "no such interface '\(interface)'; available: \(available.isEmpty ? "none" : available)")
        case PCAP_ERROR_IFACE_NOT_UP:
            return CaptureError("interface '\(interface)' is down; bring it up or choose another with -i")
        default:
            return CaptureError("cannot capture on '\(interface)': \(detail)")
        }
    }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Waits up to `milliseconds` for packets. Returns false when the interface reported an error
    /// (it went away).
    public func wait(milliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, milliseconds)
        if ready < 0 { return errno == EINTR }
        return descriptor.revents & Int16(POLLERR | POLLHUP | POLLNVAL) == 0 || descriptor.revents & Int16(POLLIN) != 0
    }

    private final class Context {
        let tracker: FlowTracker
        let linkType: LinkType
        init(tracker: FlowTracker, linkType: LinkType) {
            self.tracker = tracker
            self.linkType = linkType
        }
    }

    /// Hands every packet waiting in the buffer to the tracker. Returns how many were read.
    public func drain(into tracker: FlowTracker) throws(CaptureError) -> Int {
        let context = Context(tracker: tracker, linkType: linkType)
        var total = 0
        while true {
            let count = withExtendedLifetime(context) {
                pcap_dispatch(
                    handle, 4096,
                    { user, header, bytes in
                        guard let user, let header, let bytes else { return }
                        let context = Unmanaged<Context>.fromOpaque(UnsafeRawPointer(user)).takeUnretainedValue()
                        let stamp = header.pointee.ts
                        context.tracker.ingest(
                            frame: UnsafeRawBufferPointer(start: bytes, count: Int(header.pointee.caplen)),
                            linkType: context.linkType, wireLength: Int(header.pointee.len),
                            timestamp: Timestamp(seconds: Int64(stamp.tv_sec), nanoseconds: Int64(stamp.tv_usec) * 1000)
                        )
                    }, Unmanaged.passUnretained(context).toOpaque().assumingMemoryBound(to: UInt8.self))
            }
            if count < 0 {
                throw CaptureError("capture on '\(interface)' stopped: \(String(cString: pcap_geterr(handle)))")
            }
            total += Int(count)
            if count == 0 { return total }
        }
    }

    /// Packets the kernel delivered and dropped, and the interface dropped (pcap_stats).
    public func kernelStatistics() -> (received: Int, dropped: Int, interfaceDropped: Int)? {
        var stats = pcap_stat()
        guard pcap_stats(handle, &stats) == 0 else { return nil }
        return (Int(stats.ps_recv), Int(stats.ps_drop), Int(stats.ps_ifdrop))
    }
}

/// The interfaces libpcap can capture on.
public enum Interfaces {
    public static func names() -> [String] {
        var list: UnsafeMutablePointer<pcap_if_t>?
        var errorBuffer = [CChar](repeating: 0, count: Int(tlstop_pcap_errbuf_size()))
        guard pcap_findalldevs(&list, &errorBuffer) == 0, let first = list else { return [] }
        defer { pcap_freealldevs(first) }
        var names: [String] = []
        var current: UnsafeMutablePointer<pcap_if_t>? = first
        while let entry = current {
            names.append(String(cString: entry.pointee.name))
            current = entry.pointee.next
        }
        return names
    }

    /// The first interface that is up, running and not loopback; `any` when there is none.
    public static func defaultInterface() -> String {
        var list: UnsafeMutablePointer<pcap_if_t>?
        var errorBuffer = [CChar](repeating: 0, count: Int(tlstop_pcap_errbuf_size()))
        guard pcap_findalldevs(&list, &errorBuffer) == 0, let first = list else { return "any" }
        defer { pcap_freealldevs(first) }
        var current: UnsafeMutablePointer<pcap_if_t>? = first
        while let entry = current {
            let flags = entry.pointee.flags
            let usable =
                flags & UInt32(PCAP_IF_UP) != 0 && flags & UInt32(PCAP_IF_RUNNING) != 0
                && flags & UInt32(PCAP_IF_LOOPBACK) == 0
            let name = String(cString: entry.pointee.name)
            if usable, name != "any" { return name }
            current = entry.pointee.next
        }
        return "any"
    }

    /// Every address of this host's interfaces (getifaddrs): a connection whose end has one of
    /// them is local. Read once at start; an address added later is not seen.
    public static func localAddresses() -> Set<IPAddress> {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(first) }
        var addresses: Set<IPAddress> = []
        var current: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = current {
            current = entry.pointee.ifa_next
            guard let address = entry.pointee.ifa_addr else { continue }
            switch Int32(address.pointee.sa_family) {
            case AF_INET:
                let v4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    IPAddress(ipv4: UInt32(bigEndian: $0.pointee.sin_addr.s_addr))
                }
                addresses.insert(v4)
            case AF_INET6:
                address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    let bytes = withUnsafeBytes(of: $0.pointee.sin6_addr) { Array($0) }
                    let high = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    let low = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    addresses.insert(IPAddress(high: high, low: low))
                }
            default:
                break
            }
        }
        return addresses
    }
}
