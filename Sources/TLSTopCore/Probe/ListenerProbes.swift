import Synchronization

/// Which listeners tlstop may open a handshake of its own to (`--probe`).
public enum ProbeScope: String, Sendable, CaseIterable {
    /// This host's own listeners only (connections whose direction is inbound): the default.
    case inbound
    /// Any server tlstop sees a TLS 1.3 connection to.
    case all
    case off
}

/// What tlstop's probes asked and learned, shared by the aggregator (which asks for probes and
/// reads their certificates), the prober thread (which runs them) and the tracker (which leaves
/// the probes' own connections out of the traffic).
///
/// Bounded: at most one probe per listener and server name per `interval`, a short queue, and a
/// capped table of results; everything behind one lock, touched a few times per TLS 1.3
/// connection and per probe, never per packet (the tracker reads one atomic counter).
public final class ListenerProbes: Sendable {
    public struct Key: Hashable, Sendable {
        public var server: Endpoint
        public var serverName: String?

        public init(server: Endpoint, serverName: String?) {
            self.server = server
            self.serverName = serverName
        }
    }

    /// One probe's answer.
    public struct Result: Sendable {
        public var certificate: CertificateFacts?
        public var chainLength: Int
        public var coversServerName: Bool?
        public var signatureScheme: SignatureScheme?
        public var cipher: CipherSuite?
        public var group: NamedGroup?
        public var failure: ProbeFailure?
        /// When the probe ran (wall clock).
        public var at: Timestamp

        public init(
            certificate: CertificateFacts?, chainLength: Int, coversServerName: Bool?,
            signatureScheme: SignatureScheme?, cipher: CipherSuite?, group: NamedGroup?, failure: ProbeFailure?,
            at: Timestamp
        ) {
            self.certificate = certificate
            self.chainLength = chainLength
            self.coversServerName = coversServerName
            self.signatureScheme = signatureScheme
            self.cipher = cipher
            self.group = group
            self.failure = failure
            self.at = at
        }
    }

    public struct Counts: Sendable, Equatable {
        /// Probes run, those that gave a certificate, and those that failed.
        public var probes = 0
        public var certificates = 0
        public var failures = 0
        /// Listeners not probed: the queue was full.
        public var skipped = 0
        /// The latest failure, for the status line ("probe of 10.0.0.5:443: no answer in time").
        public var lastFailure: String?
    }

    private struct State {
        var asked: [Key: Timestamp] = [:]
        var queue: [Key] = []
        var results: [Key: Result] = [:]
        /// The probes' own connections: (server, local port) until the given time (the end of
        /// time while running).
        var own: [OwnConnection: Int64] = [:]
        var counts = Counts()
        var generation = 0
    }

    struct OwnConnection: Hashable {
        var server: Endpoint
        var localPort: UInt16
    }

    public let scope: ProbeScope
    /// A listener is probed again after this long (its certificate may have been renewed).
    public let interval: Duration
    private let state = Mutex(State())
    private let ownCount = Atomic<Int>(0)

    static let maximumListeners = 4096
    static let maximumQueue = 64
    /// An own connection's late packets (FIN, ACK) are ignored for this long after it closed.
    static let ownLinger: Int64 = 10_000_000_000

    public init(scope: ProbeScope, interval: Duration = .seconds(3600)) {
        self.scope = scope
        self.interval = interval
    }

    /// A TLS 1.3 connection whose certificate stayed hidden: queues a probe of its listener
    /// unless one ran within the interval, the scope excludes it, or the queue is full.
    public func offer(server: Endpoint, serverName: String?, direction: ConnectionDirection?, now: Timestamp) {
        guard scope == .all || (scope == .inbound && direction == .inbound) else { return }
        let key = Key(server: server, serverName: serverName)
        let intervalNanoseconds = FlowTracker.nanoseconds(interval)
        state.withLock { state in
            if let last = state.asked[key], now.nanoseconds &- last.nanoseconds < intervalNanoseconds { return }
            guard state.queue.count < Self.maximumQueue else {
                state.counts.skipped += 1
                return
            }
            if state.asked.count >= Self.maximumListeners { state.asked.removeAll(keepingCapacity: true) }
            state.asked[key] = now
            state.queue.append(key)
        }
    }

    /// The next listener to probe (the prober thread).
    public func next() -> Key? {
        state.withLock { state in state.queue.isEmpty ? nil : state.queue.removeFirst() }
    }

    /// The probe's answer; a certificate replaces the listener's earlier one.
    public func record(_ result: Result, for key: Key) {
        state.withLock { state in
            state.counts.probes += 1
            if let failure = result.failure {
                state.counts.failures += 1
                state.counts.lastFailure = "probe of \(key.server.description): \(failure.description)"
            }
            guard result.certificate != nil else { return }
            state.counts.certificates += 1
            if state.results.count >= Self.maximumListeners { state.results.removeAll(keepingCapacity: true) }
            state.results[key] = result
            state.generation += 1
        }
    }

    public func result(for key: Key) -> Result? { state.withLock { $0.results[key] } }

    /// Moves when a probe brings a certificate: records judged before it may now have one.
    public var generation: Int { state.withLock { $0.generation } }

    public var counts: Counts { state.withLock { $0.counts } }

    // MARK: - The probes' own connections

    /// Called before connecting: packets between this local port and the server are the probe's.
    public func beginOwnConnection(server: Endpoint, localPort: UInt16) {
        state.withLock { state in
            state.own[OwnConnection(server: server, localPort: localPort)] = .max
            ownCount.store(state.own.count, ordering: .releasing)
        }
    }

    /// Called once the probe's socket is closed: its last packets are still ignored for a while.
    public func endOwnConnection(server: Endpoint, localPort: UInt16, now: Timestamp) {
        state.withLock { state in
            state.own[OwnConnection(server: server, localPort: localPort)] = now.nanoseconds &+ Self.ownLinger
            state.own = state.own.filter { _, until in until >= now.nanoseconds }
            ownCount.store(state.own.count, ordering: .releasing)
        }
    }

    /// Whether a new flow is one of the probes' own: one atomic load when none is open.
    @inline(__always)
    public func isOwn(_ packet: DecodedPacket) -> Bool {
        guard ownCount.load(ordering: .acquiring) > 0, packet.transport == .tcp else { return false }
        let toServer = OwnConnection(
            server: Endpoint(address: packet.destination, port: packet.destinationPort), localPort: packet.sourcePort)
        let fromServer = OwnConnection(
            server: Endpoint(address: packet.source, port: packet.sourcePort), localPort: packet.destinationPort)
        return state.withLock { $0.own[toServer] != nil || $0.own[fromServer] != nil }
    }
}

extension Endpoint: CustomStringConvertible {
    /// "10.0.0.5:443", "[2001:db8::1]:443".
    public var description: String {
        address.isIPv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
    }
}
