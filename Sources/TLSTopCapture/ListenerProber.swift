import CLinux
import Foundation
import Glibc
import Synchronization
import TLSTopCore

/// Runs the probes `ListenerProbes` asks for, one at a time on a thread of its own, through a
/// TCP socket with short timeouts: at most `perSecond` probes a second, each over in `timeout`.
public final class ListenerProber: @unchecked Sendable {
    // @unchecked: every field is immutable or atomic; the thread owns its sockets.
    public let probes: ListenerProbes
    private let perSecond: Double
    private let timeout: Duration
    private let stopping = Atomic<Bool>(false)
    private let certificates = CertificateCache(capacity: 64)

    public init(probes: ListenerProbes, perSecond: Double = 2, timeout: Duration = .seconds(3)) {
        self.probes = probes
        self.perSecond = max(0.1, perSecond)
        self.timeout = timeout
    }

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "tlstop-probe"
        thread.start()
    }

    public func stop() { stopping.store(true, ordering: .releasing) }

    private func run() {
        tlstop_name_thread("tlstop-probe")
        while !stopping.load(ordering: .acquiring) {
            guard let key = probes.next() else {
                Thread.sleep(forTimeInterval: 0.05)
                continue
            }
            let started = ContinuousClock.now
            probe(key)
            let spacing = Duration.milliseconds(Int64(1000 / perSecond))
            let rest = spacing - (ContinuousClock.now - started)
            if rest > .zero { Thread.sleep(forTimeInterval: rest.timeInterval) }
        }
    }

    /// One probe: connect, hand the socket to the core's handshake, record what it learned.
    public func probe(_ key: ListenerProbes.Key) {
        let result: ListenerProbes.Result
        do throws(ProbeFailure) {
            let socket = try ProbeSocket(to: key.server, timeout: timeout) { localPort in
                probes.beginOwnConnection(server: key.server, localPort: localPort)
            }
            defer {
                socket.close()
                probes.endOwnConnection(server: key.server, localPort: socket.localPort, now: Self.now)
            }
            let outcome = ProbeSession.run(
                over: socket, serverName: key.serverName, serverPort: key.server.port, certificates: certificates)
            let facts = outcome.facts
            result = ListenerProbes.Result(
                certificate: facts.serverCertificate, chainLength: Int(facts.serverChainLength),
                coversServerName: facts.certificateCoversServerName,
                signatureScheme: facts.decrypted?.serverSignatureScheme, cipher: facts.serverHello?.cipherSuite,
                group: facts.group, failure: outcome.failure, at: Self.now)
        } catch {
            result = ListenerProbes.Result(
                certificate: nil, chainLength: 0, coversServerName: nil, signatureScheme: nil, cipher: nil, group: nil,
                failure: error, at: Self.now)
        }
        probes.record(result, for: key)
    }

    static var now: Timestamp { Timestamp(nanoseconds: Int64(Date().timeIntervalSince1970 * 1_000_000_000)) }
}

/// A TCP connection for one probe, non-blocking with a deadline on every wait.
final class ProbeSocket: ProbeTransport {
    private var descriptor: Int32
    let localPort: UInt16
    private let deadline: ContinuousClock.Instant

    /// - Parameter bound: called with the local port once bound, before the SYN leaves.
    init(to server: Endpoint, timeout: Duration, bound: (UInt16) -> Void) throws(ProbeFailure) {
        deadline = ContinuousClock.now.advanced(by: timeout)
        let isIPv4 = server.address.isIPv4
        let fd = socket(
            isIPv4 ? AF_INET : AF_INET6,
            Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .connect(String(cString: strerror(errno))) }
        var storage = sockaddr_storage()
        let length: socklen_t
        if let v4 = server.address.ipv4Value {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = server.port.bigEndian
            address.sin_addr.s_addr = v4.bigEndian
            withUnsafeBytes(of: &address) { bytes in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        } else {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = server.port.bigEndian
            let high = server.address.high.bigEndian
            let low = server.address.low.bigEndian
            withUnsafeMutableBytes(of: &address.sin6_addr) { target in
                withUnsafeBytes(of: high) { target.baseAddress?.copyMemory(from: $0.baseAddress!, byteCount: 8) }
                withUnsafeBytes(of: low) { (target.baseAddress! + 8).copyMemory(from: $0.baseAddress!, byteCount: 8) }
            }
            withUnsafeBytes(of: &address) { bytes in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
        // Bind first, so the local port is known (and left out of the traffic) before the SYN.
        var any = sockaddr_storage()
        any.ss_family = sa_family_t(isIPv4 ? AF_INET : AF_INET6)
        let anyLength = socklen_t(isIPv4 ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
        let boundOK = withUnsafePointer(to: &any) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, anyLength) == 0 }
        }
        var local = sockaddr_storage()
        var localLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &localLength) == 0 }
        }
        guard boundOK, named else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw .connect(reason)
        }
        descriptor = fd
        // sin_port and sin6_port are both at offset 2, in network order.
        localPort = withUnsafeBytes(of: &local) { UInt16($0.load(fromByteOffset: 2, as: UInt16.self).bigEndian) }
        bound(localPort)
        let started = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, length) }
        }
        if started != 0 && errno != EINPROGRESS {
            let reason = String(cString: strerror(errno))
            Glibc.close(descriptor)
            descriptor = -1
            throw .connect(reason)
        }
        try wait(for: Int16(POLLOUT))
        var error: Int32 = 0
        var errorLength = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &errorLength)
        if error != 0 {
            Glibc.close(descriptor)
            descriptor = -1
            throw .connect(String(cString: strerror(error)))
        }
    }

    private func wait(for events: Int16) throws(ProbeFailure) {
        let left = deadline - ContinuousClock.now
        let milliseconds = Int32(clamping: Int(left.timeInterval * 1000))
        guard milliseconds > 0 else { throw .timeout }
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        let ready = poll(&entry, 1, milliseconds)
        guard ready > 0 else { throw ready == 0 ? .timeout : .connect(String(cString: strerror(errno))) }
    }

    func send(_ bytes: [UInt8]) throws(ProbeFailure) {
        var sent = 0
        while sent < bytes.count {
            try wait(for: Int16(POLLOUT))
            let count = bytes.withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL))
            }
            if count < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw .connect(String(cString: strerror(errno)))
            }
            sent += count
        }
    }

    func receive() throws(ProbeFailure) -> [UInt8] {
        while true {
            try wait(for: Int16(POLLIN))
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw errno == ECONNRESET ? .closed : .connect(String(cString: strerror(errno)))
            }
            return Array(buffer.prefix(count))
        }
    }

    func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }
}
